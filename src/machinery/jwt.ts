/**
 * JSON Web Tokens signed with RS256, as Kubernetes service-account tokens
 * are: sign with the cluster's service-account key, verify with its public
 * key. Verification failures are values, not exceptions.
 */
import { createPublicKey, sign, verify, createHash, type KeyObject } from 'node:crypto';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export type JWTClaims = Record<string, unknown> & { iss?: string; sub?: string; aud?: string | string[]; exp?: number; nbf?: number; iat?: number; jti?: string };

export function keyId(publicKeyPEM: string): string {
  // Upstream derives kid from the SHA-256 of the DER public key.
  const der = createPublicKey(publicKeyPEM).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

export function signJWT(claims: JWTClaims, privateKey: KeyObject, kid: string): string {
  const header = { alg: 'RS256', kid };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const sig = sign('sha256', Buffer.from(input), privateKey);
  return `${input}.${b64url(sig)}`;
}

export type VerifyResult = { ok: true; claims: JWTClaims } | { ok: false; reason: string };

export function verifyJWT(token: string, publicKey: KeyObject | string, opts: { now: number; issuer?: string; audiences?: string[] }): VerifyResult {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a JWT' };
  let header: { alg?: string };
  let claims: JWTClaims;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed JWT' };
  }
  if (header.alg !== 'RS256') return { ok: false, reason: `unsupported signing algorithm ${String(header.alg)}` };
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  if (!verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2]!, 'base64url'))) return { ok: false, reason: 'invalid signature' };
  const nowS = Math.floor(opts.now / 1000);
  if (typeof claims.exp === 'number' && nowS > claims.exp) return { ok: false, reason: 'token has expired' };
  if (typeof claims.nbf === 'number' && nowS + 60 < claims.nbf) return { ok: false, reason: 'token is not valid yet' };
  if (opts.issuer && claims.iss !== opts.issuer) return { ok: false, reason: 'token issuer is not recognized' };
  if (opts.audiences?.length) {
    const aud = Array.isArray(claims.aud) ? claims.aud : claims.aud ? [claims.aud] : [];
    if (!aud.some((a) => opts.audiences!.includes(a))) return { ok: false, reason: 'token audiences are invalid' };
  }
  return { ok: true, claims };
}
