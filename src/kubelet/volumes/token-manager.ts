/**
 * Bound service account tokens for projected volumes, requested through the
 * TokenRequest API and kept until 80% of their lifetime has passed (or a
 * day), so a resync refreshes them well before they expire.
 */
import { ResourceClient } from '../../client/rest/resource-client.js';
import type { RESTClient } from '../../client/rest/rest-client.js';
import type { Clock } from '../../machinery/clock.js';

export interface TokenRequestSpec {
  namespace: string;
  serviceAccountName: string;
  audiences?: string[];
  expirationSeconds?: number;
  boundPod: { name: string; uid: string };
}

export type TokenResult = { ok: true; token: string } | { ok: false; message: string };

interface Cached {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

interface TokenRequestResponse {
  status?: { token?: string; expirationTimestamp?: string };
  spec?: { expirationSeconds?: number };
}

const MAX_TTL_MS = 24 * 3600 * 1000;

export class TokenManager {
  private readonly cache = new Map<string, Cached>();
  private readonly serviceAccounts: ResourceClient;

  constructor(client: RESTClient, private readonly clock: Clock) {
    this.serviceAccounts = new ResourceClient(client, { group: '', version: 'v1', resource: 'serviceaccounts' });
  }

  private key(s: TokenRequestSpec): string {
    return JSON.stringify([s.namespace, s.serviceAccountName, s.audiences ?? [], s.expirationSeconds ?? 0, s.boundPod.uid]);
  }

  private fresh(c: Cached): boolean {
    const now = this.clock.now();
    if (now >= c.expiresAt) return false;
    const ttl = c.expiresAt - c.issuedAt;
    return now - c.issuedAt < Math.min(ttl * 0.8, MAX_TTL_MS);
  }

  async get(spec: TokenRequestSpec): Promise<TokenResult> {
    const key = this.key(spec);
    const cached = this.cache.get(key);
    if (cached && this.fresh(cached)) return { ok: true, token: cached.token };
    const body: Record<string, unknown> = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        ...(spec.audiences?.length ? { audiences: spec.audiences } : {}),
        ...(spec.expirationSeconds !== undefined ? { expirationSeconds: spec.expirationSeconds } : {}),
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: spec.boundPod.name, uid: spec.boundPod.uid },
      },
    };
    try {
      const tr = await this.serviceAccounts.inNamespace(spec.namespace).createSubresource<TokenRequestResponse>(spec.serviceAccountName, 'token', body);
      const token = tr.status?.token;
      if (!token) return { ok: false, message: 'failed to fetch token: the response carries no token' };
      const now = this.clock.now();
      const exp = tr.status?.expirationTimestamp ? Date.parse(tr.status.expirationTimestamp) : NaN;
      const lifetime = (tr.spec?.expirationSeconds ?? spec.expirationSeconds ?? 3600) * 1000;
      const expiresAt = Number.isFinite(exp) ? exp : now + lifetime;
      // The issue time the token itself implies; our clock may lag the server's.
      this.cache.set(key, { token, issuedAt: Math.min(now, expiresAt - lifetime), expiresAt });
      return { ok: true, token };
    } catch (err) {
      // A cached token still valid is better than none while the API is unreachable.
      if (cached && this.clock.now() < cached.expiresAt) return { ok: true, token: cached.token };
      return { ok: false, message: `failed to fetch token: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  /** Forgets a pod's tokens once its volumes are torn down. */
  forgetPod(podUID: string): void {
    for (const k of [...this.cache.keys()]) if ((JSON.parse(k) as unknown[])[4] === podUID) this.cache.delete(k);
  }
}
