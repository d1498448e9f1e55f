/**
 * Service-account tokens: the issuer (serviceaccounts/token) and the
 * authenticator for bearer tokens it issued. A bound token names its
 * ServiceAccount (and pod or secret) and is refused once the account is gone
 * or has another uid.
 */
import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { type JWTClaims, keyId, signJWT, verifyJWT } from '../../machinery/jwt.js';
import type { Clock } from '../../machinery/clock.js';
import { type AuthnResult, type TokenAuthenticator, authenticated, invalid, noCredentials } from './types.js';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface ServiceAccountRef {
  namespace: string;
  name: string;
  uid: string;
}

export interface BoundObject {
  kind: 'Pod' | 'Secret' | 'Node';
  name: string;
  uid: string;
}

/** The signing key pair in PEM; a promise while it is still being generated. */
export type ServiceAccountKeys = { privateKeyPEM: string; publicKeyPEM: string } | Promise<{ privateKeyPEM: string; publicKeyPEM: string }>;

/** A promise of `f(keys)` that nobody has to await: its failure reaches whoever does. */
function derived<T>(keys: ServiceAccountKeys, f: (k: { privateKeyPEM: string; publicKeyPEM: string }) => T): Promise<T> {
  const p = Promise.resolve(keys).then(f);
  p.catch(() => undefined);
  return p;
}

export class ServiceAccountTokenIssuer {
  private readonly signer: Promise<{ key: KeyObject; kid: string }>;
  constructor(
    keys: ServiceAccountKeys,
    private readonly clock: Clock,
    readonly issuer = DEFAULT_ISSUER,
  ) {
    this.signer = derived(keys, (k) => ({ key: createPrivateKey(k.privateKeyPEM), kid: keyId(k.publicKeyPEM) }));
  }

  async issue(sa: ServiceAccountRef, opts: { audiences: string[]; expirationSeconds: number; bound?: BoundObject }): Promise<{ token: string; expirationTimestamp: number }> {
    const { key, kid } = await this.signer;
    const now = Math.floor(this.clock.now() / 1000);
    const exp = now + opts.expirationSeconds;
    const k8s: Record<string, unknown> = { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } };
    if (opts.bound) k8s[opts.bound.kind.toLowerCase()] = { name: opts.bound.name, uid: opts.bound.uid };
    const claims: JWTClaims = {
      aud: opts.audiences,
      exp,
      iat: now,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': k8s,
      nbf: now,
      sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
    };
    return { token: signJWT(claims, key, kid), expirationTimestamp: exp * 1000 };
  }
}

export interface ServiceAccountLookup {
  /** The ServiceAccount's uid, or undefined when it does not exist. */
  uidOf(namespace: string, name: string): Promise<string | undefined>;
}

export class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
  private readonly key: Promise<KeyObject>;
  constructor(
    keys: ServiceAccountKeys,
    private readonly clock: Clock,
    private readonly lookup: ServiceAccountLookup,
    private readonly opts: { issuer?: string; audiences?: string[] } = {},
  ) {
    this.key = derived(keys, (k) => createPublicKey(k.publicKeyPEM));
  }

  async authenticateToken(token: string): Promise<AuthnResult> {
    if (token.split('.').length !== 3) return noCredentials;
    const r = verifyJWT(token, await this.key, { now: this.clock.now(), issuer: this.opts.issuer ?? DEFAULT_ISSUER, audiences: this.opts.audiences ?? [DEFAULT_ISSUER] });
    if (!r.ok) return r.reason === 'invalid signature' || r.reason === 'malformed JWT' ? noCredentials : invalid(r.reason);
    const k8s = r.claims['kubernetes.io'] as { namespace?: string; serviceaccount?: { name?: string; uid?: string } } | undefined;
    const ns = k8s?.namespace;
    const name = k8s?.serviceaccount?.name;
    if (!ns || !name) return invalid('service account token claims are incomplete');
    const uid = await this.lookup.uidOf(ns, name);
    if (!uid) return invalid(`service account ${ns}/${name} has been deleted`);
    if (k8s.serviceaccount?.uid && uid !== k8s.serviceaccount.uid) return invalid(`service account UID (${uid}) does not match claim (${k8s.serviceaccount.uid})`);
    return authenticated({
      username: `system:serviceaccount:${ns}:${name}`,
      uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`],
      extra: {},
    });
  }
}
