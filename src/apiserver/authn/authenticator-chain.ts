import type { Clock } from '../../machinery/clock.js';
import { AnonymousAuthenticator } from './anonymous-authenticator.js';
import { AuthenticatedGroupAdder } from './authenticated-group.js';
import { BearerTokenAuthenticator } from './bearer-token-authenticator.js';
import type { Authenticator, TokenAuthenticator } from './types.js';
import { UnionAuthenticator } from './union-authenticator.js';
import { X509Authenticator } from './x509-authenticator.js';

export interface AuthenticatorChainOptions {
  /** Enables client-certificate authentication against this CA bundle. */
  clientCAPEM?: string;
  /**
   * Bearer-token sources in the order upstream consults them: the static
   * token file, then service-account tokens, then bootstrap tokens.
   */
  tokenAuthenticators?: TokenAuthenticator[];
  /** Lets requests without credentials through as system:anonymous. */
  anonymous?: boolean;
  clock?: Clock;
}

/**
 * The request authenticator the server runs: x509 first, then bearer
 * tokens, every success in system:authenticated, and (when enabled)
 * anonymous for requests that carried no credentials at all.
 */
export function authenticatorChain(opts: AuthenticatorChainOptions): Authenticator {
  const members: Authenticator[] = [];
  if (opts.clientCAPEM) members.push(new X509Authenticator({ clientCAPEM: opts.clientCAPEM, clock: opts.clock }));
  if (opts.tokenAuthenticators?.length) members.push(new BearerTokenAuthenticator(opts.tokenAuthenticators));
  const withGroup = new AuthenticatedGroupAdder(new UnionAuthenticator(members));
  if (!opts.anonymous) return withGroup;
  const anonymous = new AnonymousAuthenticator();
  return {
    async authenticate(req) {
      const r = await withGroup.authenticate(req);
      return r.kind === 'no-credentials' ? anonymous.authenticate() : r;
    },
  };
}
