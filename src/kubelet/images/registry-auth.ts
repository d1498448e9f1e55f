/**
 * Registry authentication: parses WWW-Authenticate challenges and obtains
 * bearer tokens from the token endpoint (distribution's token spec: GET
 * with basic credentials, or the OAuth2 refresh-token POST for identity
 * tokens).
 */
import type { AuthConfig } from '../runtime/interface.js';
import type { HTTPDoer, TLSSettings } from './http-transport.js';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="...",service="...",scope="..."` (several challenges may share one header). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const text = Array.isArray(header) ? header.join(', ') : (header ?? '');
  const out: Challenge[] = [];
  let i = 0;
  const skip = (chars: string) => {
    while (i < text.length && chars.includes(text[i]!)) i++;
  };
  const token = () => {
    const start = i;
    while (i < text.length && !' \t,="'.includes(text[i]!)) i++;
    return text.slice(start, i);
  };
  let current: Challenge | undefined;
  while (i < text.length) {
    skip(' \t,');
    const name = token();
    if (!name) {
      i++;
      continue;
    }
    skip(' \t');
    if (text[i] !== '=') {
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
      continue;
    }
    i++;
    skip(' \t');
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i++];
      }
      i++;
    } else value = token();
    if (current) current.params[name.toLowerCase()] = value;
  }
  return out;
}

/** username and password from an AuthConfig (either field pair or the base64 `auth`). */
export function basicCredentials(auth: AuthConfig | undefined): { username: string; password: string } | undefined {
  if (!auth) return undefined;
  if (auth.username !== undefined && auth.username !== '') return { username: auth.username, password: auth.password ?? '' };
  if (auth.auth) {
    const decoded = Buffer.from(auth.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

export function basicHeader(c: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

export type TokenResult = { ok: true; token: string; expiresAt?: number } | { ok: false; status: number; message: string };

/** Asks the challenge's realm for a token covering scopes. */
export async function fetchToken(
  doer: HTTPDoer,
  challenge: Challenge,
  { scopes, auth, tls, now = Date.now() }: { scopes: string[]; auth?: AuthConfig; tls?: TLSSettings; now?: number },
): Promise<TokenResult> {
  const realm = challenge.params.realm;
  if (!realm) return { ok: false, status: 0, message: 'bearer challenge without realm' };
  const service = challenge.params.service;
  const allScopes = [...new Set([...(challenge.params.scope ? challenge.params.scope.split(' ') : []), ...scopes])];
  let res;
  if (auth?.identityToken) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: auth.identityToken, client_id: 'k8ts' });
    if (service) form.set('service', service);
    if (allScopes.length) form.set('scope', allScopes.join(' '));
    res = await doer({ method: 'POST', url: realm, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()), tls });
  } else {
    const u = new URL(realm);
    if (service) u.searchParams.set('service', service);
    for (const s of allScopes) u.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    const basic = basicCredentials(auth);
    if (basic) headers.Authorization = basicHeader(basic);
    res = await doer({ method: 'GET', url: u.toString(), headers, tls });
  }
  const body = await res.buffer();
  if (res.status !== 200) return { ok: false, status: res.status, message: `failed to fetch token: ${res.status} ${body.toString().slice(0, 200).trim()}` };
  let parsed: { token?: string; access_token?: string; expires_in?: number };
  try {
    parsed = JSON.parse(body.toString());
  } catch {
    return { ok: false, status: res.status, message: 'token endpoint returned invalid JSON' };
  }
  const token = parsed.token || parsed.access_token;
  if (!token) return { ok: false, status: res.status, message: 'token endpoint returned no token' };
  return { ok: true, token, expiresAt: now + (parsed.expires_in ?? 60) * 1000 };
}
