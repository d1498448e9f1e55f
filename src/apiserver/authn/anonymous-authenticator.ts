import { groupUnauthenticated, userAnonymous, type AuthnResult, type Authenticator } from './types.js';

/** The last resort when anonymous requests are allowed: every request is system:anonymous. */
export class AnonymousAuthenticator implements Authenticator {
  authenticate(): AuthnResult {
    return { kind: 'authenticated', user: { username: userAnonymous, groups: [groupUnauthenticated] } };
  }
}
