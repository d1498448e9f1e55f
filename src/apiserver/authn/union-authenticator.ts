import { noCredentials, type AuthnRequest, type AuthnResult, type Authenticator } from './types.js';

/**
 * Tries each authenticator in order: the first that authenticates wins even
 * when an earlier one rejected its credentials; failing that, any rejection
 * makes the request invalid; otherwise there were no credentials at all.
 */
export class UnionAuthenticator implements Authenticator {
  private readonly authenticators: Authenticator[];

  constructor(authenticators: Authenticator[]) {
    this.authenticators = [...authenticators];
  }

  async authenticate(req: AuthnRequest): Promise<AuthnResult> {
    const failures: string[] = [];
    for (const a of this.authenticators) {
      const r = await a.authenticate(req);
      if (r.kind === 'authenticated') return r;
      if (r.kind === 'invalid') failures.push(r.message);
    }
    if (failures.length === 0) return noCredentials;
    return { kind: 'invalid', message: aggregateMessage(failures) };
  }
}

/** The way Go's error aggregate prints: one message alone, several in brackets. */
export function aggregateMessage(messages: string[]): string {
  return messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;
}
