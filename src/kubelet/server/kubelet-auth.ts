/**
 * Who may use the kubelet's HTTPS endpoint, decided as upstream kubelets in
 * webhook authorization mode decide it: each request (client certificate
 * already verified) becomes authorizer attributes on the node object —
 * verb from the HTTP method, resource `nodes`, a subresource from the path —
 * and the API server answers a SubjectAccessReview. Answers are cached
 * (allowed 5 minutes, denied 30 seconds, upstream's defaults) so a stream of
 * log and exec requests costs one review.
 */
import type { Clock } from '../../machinery/clock.js';

/** The verified client certificate's subject. */
export interface ClientIdentity {
  commonName: string;
  organizations: string[];
}

/** The user a client certificate stands for: CN is the name, O the groups (plus system:authenticated). */
export interface KubeletUser {
  username: string;
  groups: string[];
}

/** Upstream's authorizer attributes for a kubelet request (always a resource request on a Node). */
export interface KubeletAuthzAttributes {
  user: KubeletUser;
  /** get, create, update, patch or delete; empty for other methods, as upstream. */
  verb: string;
  resource: 'nodes';
  subresource: string;
  /** The node this kubelet serves. */
  name: string;
  version: 'v1';
  /** The request path (not part of the review, kept for messages). */
  path: string;
}

/**
 * What an authorizer says. `error` is a review that could not be made (the
 * API server unreachable): the request fails with 500, as upstream's does.
 */
export type KubeletAuthzDecision = { kind: 'allowed' } | { kind: 'denied'; reason?: string } | { kind: 'error'; message: string };

/** How the kubelet server asks; a plain boolean is accepted for simple policies (tests). */
export type KubeletAuthorize = (client: ClientIdentity, attrs: KubeletAuthzAttributes) => boolean | KubeletAuthzDecision | Promise<boolean | KubeletAuthzDecision>;

const AUTHENTICATED_GROUP = 'system:authenticated';

export function kubeletUser(client: ClientIdentity): KubeletUser {
  const groups = [...client.organizations];
  if (!groups.includes(AUTHENTICATED_GROUP)) groups.push(AUTHENTICATED_GROUP);
  return { username: client.commonName, groups };
}

const VERBS: Record<string, string> = { POST: 'create', GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** Paths with their own subresource; everything else (exec, attach, portForward, containerLogs, healthz) is `proxy`. */
const SUBRESOURCE_PATHS: readonly (readonly [string, string])[] = [
  ['/stats', 'stats'],
  ['/metrics', 'metrics'],
  ['/logs', 'log'],
  ['/checkpoint', 'checkpoint'],
];

/** Whether `path` is `prefix` or lies under it (`/metricsfoo` is not under `/metrics`). */
function isSubpath(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + '/');
}

export function kubeletSubresource(path: string): string {
  for (const [prefix, sub] of SUBRESOURCE_PATHS) if (isSubpath(path, prefix)) return sub;
  return 'proxy';
}

export function kubeletRequestAttributes(user: KubeletUser, req: { method: string; path: string; nodeName: string }): KubeletAuthzAttributes {
  return { user, verb: VERBS[req.method.toUpperCase()] ?? '', resource: 'nodes', subresource: kubeletSubresource(req.path), name: req.nodeName, version: 'v1', path: req.path };
}

/** Upstream's refusal text: `Forbidden (user=u, verb=get, resource=nodes, subresource=proxy)`. */
export function forbiddenText(a: KubeletAuthzAttributes): string {
  return `Forbidden (user=${a.user.username}, verb=${a.verb}, resource=${a.resource}, subresource=${a.subresource})`;
}

export function authorizationErrorText(a: KubeletAuthzAttributes): string {
  return `Authorization error (user=${a.user.username}, verb=${a.verb}, resource=${a.resource}, subresource=${a.subresource})`;
}

/** The policy used without an API server to ask: the API server's kind of identity only. */
export function staticAuthorize(client: ClientIdentity): boolean {
  return client.organizations.includes('system:masters') || client.commonName === 'kube-apiserver-kubelet-client';
}

/** The `spec` of the SubjectAccessReview for `a`. */
export function subjectAccessReviewSpec(a: KubeletAuthzAttributes): Record<string, unknown> {
  return {
    resourceAttributes: { verb: a.verb, version: a.version, resource: a.resource, subresource: a.subresource, name: a.name },
    user: a.user.username,
    groups: a.user.groups,
  };
}

export type ReviewResult = { ok: true; allowed: boolean; reason?: string } | { ok: false; message: string };

/** Asks the API server about one spec. */
export type AccessReviewer = (spec: Record<string, unknown>) => Promise<ReviewResult>;

/** The part of the REST client a reviewer needs. */
export interface ReviewTransport {
  do<T>(req: { method: string; path: string; body?: unknown }): Promise<T>;
}

export const SUBJECT_ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

/** Posts `authorization.k8s.io/v1` SubjectAccessReviews with the kubelet's own credentials. */
export function subjectAccessReviewer(rest: ReviewTransport): AccessReviewer {
  return async (spec) => {
    try {
      const out = await rest.do<{ status?: { allowed?: boolean; reason?: string } }>({
        method: 'POST',
        path: SUBJECT_ACCESS_REVIEW_PATH,
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
      });
      return { ok: true, allowed: out.status?.allowed === true, reason: out.status?.reason };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  };
}

export interface WebhookAuthorizerOptions {
  review: AccessReviewer;
  clock: Clock;
  /** How long an allowed answer is reused (upstream: --authorization-webhook-cache-authorized-ttl, 5m). */
  authorizedTTLMs?: number;
  /** How long a denied answer is reused (upstream: --authorization-webhook-cache-unauthorized-ttl, 30s). */
  unauthorizedTTLMs?: number;
  /** Bound on cached answers; the oldest go first. */
  maxEntries?: number;
}

interface CachedAnswer {
  allowed: boolean;
  reason?: string;
  until: number;
}

/** Authorizes kubelet requests with SubjectAccessReviews, caching the answers. */
export class WebhookAuthorizer {
  private readonly cache = new Map<string, CachedAnswer>();
  private readonly inflight = new Map<string, Promise<ReviewResult>>();

  constructor(private readonly opts: WebhookAuthorizerOptions) {}

  async authorize(a: KubeletAuthzAttributes): Promise<KubeletAuthzDecision> {
    const spec = subjectAccessReviewSpec(a);
    const key = JSON.stringify(spec);
    const now = this.opts.clock.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.allowed ? { kind: 'allowed' } : { kind: 'denied', reason: hit.reason };
    if (hit) this.cache.delete(key);
    // Concurrent requests of one client (kubectl logs for several containers) share one review.
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.opts.review(spec).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const r = await pending;
    // Failed reviews are not cached: the next request asks again.
    if (!r.ok) return { kind: 'error', message: r.message };
    const ttl = r.allowed ? (this.opts.authorizedTTLMs ?? 5 * 60_000) : (this.opts.unauthorizedTTLMs ?? 30_000);
    if (ttl > 0) {
      this.cache.set(key, { allowed: r.allowed, reason: r.reason, until: this.opts.clock.now() + ttl });
      const max = this.opts.maxEntries ?? 1024;
      while (this.cache.size > max) this.cache.delete(this.cache.keys().next().value!);
    }
    return r.allowed ? { kind: 'allowed' } : { kind: 'denied', reason: r.reason };
  }

  /** As a `KubeletAuthorize` for the server's options. */
  asAuthorize(): KubeletAuthorize {
    return (_client, attrs) => this.authorize(attrs);
  }
}
