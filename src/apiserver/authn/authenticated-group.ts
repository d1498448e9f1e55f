import { groupAuthenticated, groupUnauthenticated, type AuthnResult, type Authenticator, type UserInfo } from './types.js';

/**
 * Every authenticated user is in system:authenticated, unless an
 * authenticator already placed it in that group or in system:unauthenticated.
 */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.some((g) => g === groupAuthenticated || g === groupUnauthenticated)) return user;
  return { ...user, groups: [...user.groups, groupAuthenticated] };
}

/** Wraps an authenticator so every user it returns gets the group. */
export class AuthenticatedGroupAdder implements Authenticator {
  constructor(private readonly inner: Authenticator) {}

  async authenticate(req: Parameters<Authenticator['authenticate']>[0]): Promise<AuthnResult> {
    const r = await this.inner.authenticate(req);
    return r.kind === 'authenticated' ? { kind: 'authenticated', user: withAuthenticatedGroup(r.user) } : r;
  }
}
