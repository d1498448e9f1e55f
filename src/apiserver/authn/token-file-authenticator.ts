import { readFile } from 'node:fs/promises';
import { parseCSV } from './csv.js';
import { noCredentials, type AuthnRequest, type AuthnResult, type Authenticator, type TokenAuthenticator, type UserInfo } from './types.js';
import { BearerTokenAuthenticator } from './bearer-token-authenticator.js';

export type TokenFileLoadResult =
  | { kind: 'ok'; authenticator: TokenFileAuthenticator; warnings: string[] }
  | { kind: 'error'; message: string };

/**
 * The static token file of `--token-auth-file`: CSV lines
 * `token,user,uid[,"group1,group2"]`. Also usable directly as an
 * Authenticator over the Authorization header.
 */
export class TokenFileAuthenticator implements TokenAuthenticator, Authenticator {
  private readonly bearer: BearerTokenAuthenticator;

  constructor(private readonly tokens: ReadonlyMap<string, UserInfo>) {
    this.bearer = new BearerTokenAuthenticator([this]);
  }

  static async load(path: string): Promise<TokenFileLoadResult> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      return { kind: 'error', message: `reading token file '${path}': ${(err as Error).message}` };
    }
    return TokenFileAuthenticator.parse(text, { source: path });
  }

  static parse(text: string, opts: { source: string }): TokenFileLoadResult {
    const parsed = parseCSV(text);
    if (parsed.kind === 'error') return { kind: 'error', message: `token file '${opts.source}': ${parsed.message}` };
    const tokens = new Map<string, UserInfo>();
    const warnings: string[] = [];
    for (const { line, fields } of parsed.records) {
      if (fields.length < 3) {
        return {
          kind: 'error',
          message: `token file '${opts.source}' line ${line} must have at least 3 columns (token, user name, user uid), found ${fields.length}`,
        };
      }
      const [token, username, uid, groups] = fields as [string, string, string, string | undefined];
      if (token === '') {
        warnings.push(`skipped line ${line}, empty token`);
        continue;
      }
      if (tokens.has(token)) warnings.push(`duplicate token has been found in token file '${opts.source}', line ${line}`);
      const user: UserInfo = { username, uid, groups: [] };
      if (groups !== undefined) user.groups = groups.split(',').map((g) => g.trim()).filter((g) => g !== '');
      tokens.set(token, user);
    }
    return { kind: 'ok', authenticator: new TokenFileAuthenticator(tokens), warnings };
  }

  authenticateToken(token: string): AuthnResult {
    const user = this.tokens.get(token);
    if (!user) return noCredentials;
    return { kind: 'authenticated', user: { ...user, groups: [...user.groups] } };
  }

  authenticate(req: AuthnRequest): Promise<AuthnResult> {
    return this.bearer.authenticate(req);
  }
}
