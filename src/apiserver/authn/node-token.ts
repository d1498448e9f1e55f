/**
 * The node join token, in k3s's format: `K10<sha256 of the CA bundle, hex>::server:<secret>`.
 * The hash lets a joining agent trust the CA it downloads from an
 * unauthenticated `/cacerts`; the secret proves the agent may join. A bare
 * secret (no `K10` prefix) is accepted too, as k3s does, without CA pinning.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const NODE_TOKEN_FILE = 'node-token';
const PREFIX = 'K10';

export interface NodeToken {
  /** Hex sha256 of the CA bundle the server presents; absent for a bare secret. */
  caHash?: string;
  /** `server` or `node` in k3s tokens; informative only. */
  username: string;
  secret: string;
}

export type NodeTokenParse = { ok: true; token: NodeToken } | { ok: false; message: string };

/** Hex sha256 of the CA bundle exactly as `/cacerts` serves it. */
export function caCertHash(caPEM: string): string {
  return createHash('sha256').update(caPEM, 'utf8').digest('hex');
}

export function formatNodeToken(caPEM: string, secret: string): string {
  return `${PREFIX}${caCertHash(caPEM)}::server:${secret}`;
}

export function parseNodeToken(raw: string): NodeTokenParse {
  const t = raw.trim();
  if (!t) return { ok: false, message: 'token is empty' };
  if (!t.startsWith(PREFIX)) {
    if (/[\s:]/.test(t)) return { ok: false, message: 'invalid token format' };
    return { ok: true, token: { username: 'node', secret: t } };
  }
  const sep = t.indexOf('::');
  if (sep < 0) return { ok: false, message: 'invalid token format: missing "::"' };
  const caHash = t.slice(PREFIX.length, sep);
  if (!/^[0-9a-f]{64}$/.test(caHash)) return { ok: false, message: 'invalid token format: CA hash is not a hex sha256' };
  const creds = t.slice(sep + 2);
  const colon = creds.indexOf(':');
  if (colon <= 0 || colon === creds.length - 1) return { ok: false, message: 'invalid token format: expected <user>:<secret> after "::"' };
  return { ok: true, token: { caHash, username: creds.slice(0, colon), secret: creds.slice(colon + 1) } };
}

/** Constant-time comparison of a presented secret with the server's. */
export function secretMatches(presented: string, secret: string): boolean {
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(secret, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The server's token: read from `<dataDir>/node-token`, or created there on
 * the first start. A secret given explicitly (`--token`) wins. The CA hash is
 * rewritten whenever it no longer matches, so the file always joins.
 */
export async function ensureNodeToken(dataDir: string, caPEM: string, opts: { secret?: string } = {}): Promise<{ token: string; secret: string; file: string }> {
  const file = path.join(dataDir, NODE_TOKEN_FILE);
  let secret = opts.secret ? parseSecret(opts.secret) : undefined;
  if (!secret && existsSync(file)) {
    const parsed = parseNodeToken(await readFile(file, 'utf8'));
    if (parsed.ok) secret = parsed.token.secret;
  }
  secret ??= randomBytes(16).toString('hex');
  const token = formatNodeToken(caPEM, secret);
  const current = existsSync(file) ? (await readFile(file, 'utf8')).trim() : undefined;
  if (current !== token) {
    await writeFile(file, token + '\n', { mode: 0o600 });
    await chmod(file, 0o600);
  }
  return { token, secret, file };
}

function parseSecret(given: string): string {
  const parsed = parseNodeToken(given);
  if (!parsed.ok) throw new Error(`invalid token: ${parsed.message}`);
  return parsed.token.secret;
}
