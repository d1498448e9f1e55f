import { headerValue, noCredentials, type AuthnRequest, type AuthnResult, type Authenticator, type TokenAuthenticator } from './types.js';
import { aggregateMessage } from './union-authenticator.js';

export const invalidBearerToken = 'invalid bearer token';

/**
 * Reads `Authorization: Bearer <token>` and asks each token source in turn.
 * A bearer token nobody recognises is invalid, not absent: the client meant
 * to authenticate and must be told it failed.
 */
export class BearerTokenAuthenticator implements Authenticator {
  private readonly sources: TokenAuthenticator[];

  constructor(sources: TokenAuthenticator[]) {
    this.sources = [...sources];
  }

  async authenticate(req: AuthnRequest): Promise<AuthnResult> {
    const token = bearerToken(req);
    if (token === undefined) return noCredentials;
    const failures: string[] = [];
    for (const s of this.sources) {
      const r = await s.authenticateToken(token);
      if (r.kind === 'authenticated') return r;
      if (r.kind === 'invalid') failures.push(r.message);
    }
    return { kind: 'invalid', message: failures.length ? aggregateMessage(failures) : invalidBearerToken };
  }
}

/** The token of a well-formed bearer Authorization header; undefined for anything else. */
export function bearerToken(req: AuthnRequest): string | undefined {
  const auth = headerValue(req.headers, 'authorization')?.trim();
  if (!auth) return undefined;
  const parts = auth.split(' ');
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
  const token = parts[1]!;
  // An empty token is not a credential at all.
  return token === '' ? undefined : token;
}
