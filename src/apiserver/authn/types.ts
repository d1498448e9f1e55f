/**
 * Authentication turns a request's credentials into a user. Each
 * authenticator answers with one of three results: a user, "these are not
 * credentials I handle" (so the next one may try), or "these credentials are
 * mine and they are wrong" (the request gets 401).
 */
import type { PeerCertificate } from 'node:tls';
import type { X509Certificate } from 'node:crypto';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface AuthnRequest {
  headers: Record<string, string | string[] | undefined>;
  /** From `socket.getPeerCertificate(true)` (chain included) or already parsed. */
  peerCertificate?: PeerCertificate | X509Certificate;
}

export type AuthnResult =
  | { kind: 'authenticated'; user: UserInfo }
  | { kind: 'no-credentials' }
  | { kind: 'invalid'; message: string };

export interface Authenticator {
  authenticate(req: AuthnRequest): Promise<AuthnResult> | AuthnResult;
}

/**
 * A source of bearer-token identities (static token file, service-account
 * JWTs, bootstrap tokens). `no-credentials` means "not a token I know"; the
 * bearer authenticator decides whether that makes the request invalid.
 */
export interface TokenAuthenticator {
  authenticateToken(token: string): Promise<AuthnResult> | AuthnResult;
}

export const groupAuthenticated = 'system:authenticated';
export const groupUnauthenticated = 'system:unauthenticated';
export const userAnonymous = 'system:anonymous';

export const noCredentials: AuthnResult = Object.freeze({ kind: 'no-credentials' });

export function authenticated(user: UserInfo): AuthnResult {
  return { kind: 'authenticated', user };
}

export function invalid(message: string): AuthnResult {
  return { kind: 'invalid', message };
}

/** First value of a header whether Node gave a string or a list. */
export function headerValue(headers: AuthnRequest['headers'], name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
