/**
 * The API server: TLS (HTTP/2 and HTTP/1.1) in front of the request chain
 *   authentication -> authorization -> (admission inside the handlers) -> registry -> storage
 * plus discovery, OpenAPI, health and metrics endpoints. Reads are served from
 * the watch cache; the server is ready once storage answers and bootstrap ran.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Scheme } from '../api/scheme.js';
import type { Clock } from '../machinery/clock.js';
import { StatusError, forbidden, unauthorized } from '../machinery/errors/status-error.js';
import type { Logger } from '../machinery/log.js';
import type { Backend } from '../storage/interface.js';
import { AdmissionChain } from './admission/types.js';
import type { Authenticator, UserInfo } from './authn/types.js';
import { NODE_CERT_PATH, type NodeJoinService } from './authn/node-join.js';
import { readBody } from './http/body.js';
import { type Authorizer, forbiddenMessage } from './authz/types.js';
import { WatchCache } from './cacher/watch-cache.js';
import { CRDController } from './crd/controller.js';
import { type RequestContext, defaultFieldManager } from './context.js';
import { Discovery } from './endpoints/discovery.js';
import { type HttpRequest, ResourceHandlers, type SubresourceHandler } from './endpoints/resource-handler.js';
import { type Response, headerValue, toStatusError, writeError, writeJSON, writeRaw } from './http/respond.js';
import { APIServerMetrics } from './metrics.js';
import { OpenAPIService } from './endpoints/openapi.js';
import { crdPrinter, defaultPrinter, printerFor } from './printers/index.js';
import type { Printer } from './printers/types.js';
import { ResourceMetricsAPI } from './metrics-api/metrics-api.js';
import { registryReader } from './metrics-api/registry-reader.js';
import { SimulatedUsageSource } from './metrics-api/simulated-usage-source.js';
import type { ResourceMetricsSource } from './metrics-api/source.js';
import { metricsResourceTypes } from './metrics-api/types.js';
import { type Registry, buildRegistry } from './registry/build.js';
import type { Endpoint } from './registry/endpoint.js';
import { parseRequestInfo } from './request-info.js';
import { isNodeProxy, serveNodeProxy, streamingHandlers } from './streaming/handlers.js';
import type { KubeletClientConfig } from './streaming/kubelet-client.js';
import { UpgradeResponse } from './streaming/upgrade-response.js';


/** Why a request's signal fires; one shared reason, since building an AbortError per request costs a stack capture. */
const REQUEST_CLOSED = new DOMException('the request ended', 'AbortError');
export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export interface TLSMaterial {
  certPEM: string;
  keyPEM: string;
  /** CA that signs client certificates (requested, verified by the x509 authenticator). */
  clientCAPEM: string;
}

export interface APIServerOptions {
  scheme: Scheme;
  backend: Backend;
  tls: TLSMaterial;
  authenticator: Authenticator;
  authorizer: Authorizer;
  clock: Clock;
  logger: Logger;
  bindAddress: string;
  port: number;
  serviceCIDR: string;
  nodePortRange?: string;
  version: VersionInfo;
  /** Admission chain factory; gets the registry so plugins can read objects. */
  admission?: (registry: Registry) => AdmissionChain;
  /** Deep-freeze cached objects (tests). */
  freezeCache?: boolean;
  bookmarkIntervalMs?: number;
  /** Runs once storage is up and before the server reports ready (default objects). */
  bootstrap?: (server: APIServer) => Promise<void>;
  /** Extra handlers for subresources and virtual resources, keyed `group/resource/subresource` or `group/resource`. */
  subresourceHandlers?: (server: APIServer) => Map<string, SubresourceHandler>;
  /** Printers for custom resources, by group/resource (set by the CRD controller). */
  customPrinters?: Map<string, Printer>;
  /** Paths anonymous requests may reach. */
  publicPaths?: string[];
  /** Where metrics.k8s.io usage comes from, asked in order per node (default: simulated nodes' annotations). */
  metricsSources?: readonly ResourceMetricsSource[];
  /** Signs node certificates at `POST /v1-k8ts/node-cert`, authenticated by the node token rather than the request chain. */
  nodeJoin?: NodeJoinService;
  /** The API server's client certificate towards kubelets (logs, exec, attach, port-forward, node proxy). */
  kubeletClient?: KubeletClientConfig;
}

const PUBLIC_PATHS = ['/livez', '/readyz', '/healthz', '/version'];
const UPLOAD_WINDOW_PER_STREAM = 256 * 1024;
const UPLOAD_WINDOW_PER_CONNECTION = UPLOAD_WINDOW_PER_STREAM * 250;

type Req = (IncomingMessage | http2.Http2ServerRequest) & HttpRequest;
type Res = (ServerResponse | http2.Http2ServerResponse) & Response;

export class APIServer {
  readonly metrics = new APIServerMetrics();
  readonly cache: WatchCache;
  registry!: Registry;
  handlers!: ResourceHandlers;
  discovery!: Discovery;
  openapi!: OpenAPIService;
  crds!: CRDController;
  metricsAPI!: ResourceMetricsAPI;
  readonly customPrinters: Map<string, Printer>;
  private server?: http2.Http2SecureServer;
  private ready = false;
  private draining = false;
  private readonly inflight = new Set<Res>();
  private readonly abort = new AbortController();
  private readyChecks = new Map<string, () => boolean>();
  private readonly certAuthCache = new WeakMap<object, { user: UserInfo; until: number }>();

  constructor(readonly opts: APIServerOptions) {
    this.cache = new WatchCache({ backend: opts.backend, logger: opts.logger, clock: opts.clock, freeze: opts.freezeCache });
    this.customPrinters = opts.customPrinters ?? new Map();
  }

  get scheme(): Scheme {
    return this.opts.scheme;
  }

  get address(): AddressInfo {
    return this.server!.address() as AddressInfo;
  }

  get isReady(): boolean {
    return this.ready && !this.draining;
  }

  /** Adds a named readiness check shown at /readyz?verbose. */
  addReadyCheck(name: string, check: () => boolean): void {
    this.readyChecks.set(name, check);
  }

  async start(): Promise<void> {
    const { opts } = this;
    await this.cache.start();
    this.registry = buildRegistry({
      scheme: opts.scheme,
      backend: opts.backend,
      cache: this.cache,
      clock: opts.clock,
      serviceCIDR: opts.serviceCIDR,
      nodePortRange: opts.nodePortRange ?? '30000-32767',
      freeze: opts.freezeCache,
    });
    this.discovery = new Discovery(() => this.registry.endpoints.all(), {
      serverAddress: () => `${opts.bindAddress === '0.0.0.0' ? '127.0.0.1' : opts.bindAddress}:${this.server ? this.address.port : opts.port}`,
      extraTypes: () => metricsResourceTypes,
    });
    this.metricsAPI = new ResourceMetricsAPI({
      reader: registryReader(() => this.registry),
      sources: opts.metricsSources ?? [new SimulatedUsageSource({ clock: opts.clock })],
      clock: opts.clock,
      logger: opts.logger,
    });
    this.openapi = new OpenAPIService(opts.scheme, { title: 'Kubernetes', version: opts.version.gitVersion });
    const admission = opts.admission?.(this.registry) ?? new AdmissionChain();
    this.handlers = new ResourceHandlers({
      scheme: opts.scheme,
      endpoints: this.registry.endpoints,
      admission,
      clock: opts.clock,
      logger: opts.logger,
      printerFor: (ep) => this.printerFor(ep),
      onWatch: (ep, delta) => this.metrics.longRunning.add({ verb: 'WATCH', group: ep.rt.group, version: ep.rt.version, resource: ep.rt.resource }, delta),
      bookmarkIntervalMs: opts.bookmarkIntervalMs,
      subresourceHandlers: new Map([...streamingHandlers({ kubeletClient: opts.kubeletClient }), ...(opts.subresourceHandlers?.(this) ?? [])]),
    });
    this.metrics.longRunning.track({ verb: 'WATCH', group: '*', version: '*', resource: '*' }, () => this.cache.totalWatchers());
    // Existing CRDs are served before the first request is accepted.
    this.crds = new CRDController({ scheme: opts.scheme, registry: this.registry, backend: opts.backend, cache: this.cache, freeze: opts.freezeCache, printers: this.customPrinters, clock: opts.clock, logger: opts.logger });
    await this.crds.start(this.abort.signal);

    this.server = http2.createSecureServer(
      {
        allowHTTP1: true,
        cert: opts.tls.certPEM,
        key: opts.tls.keyPEM,
        ca: opts.tls.clientCAPEM,
        requestCert: true,
        rejectUnauthorized: false,
        // Request bodies may be in flight on many streams at once (a client with 64 writes under way):
        // kube-apiserver's receive windows (256 KiB a stream, that times 250 for the connection) keep
        // them flowing, where HTTP/2's 64 KiB default made later requests wait for earlier ones' bodies.
        settings: { maxConcurrentStreams: 1000, initialWindowSize: UPLOAD_WINDOW_PER_STREAM },
        // Node's default (10 MB) counts bytes queued for slow readers; one component's watches
        // and lists over a single connection exceed it on large clusters, and the session is dropped.
        maxSessionMemory: 256,
        // Node closes a session (GOAWAY INTERNAL_ERROR) after 1000 invalid frames or 100 refused streams by
        // default; a busy client cancelling watches and requests reaches both, and every request on it fails.
        maxSessionInvalidFrames: 1_000_000,
        maxSessionRejectedStreams: 1_000_000,
      },
      (req, res) => void this.serve(req as Req, res as Res),
    );
    this.server.on('session', (session) => session.once('connect', () => session.setLocalWindowSize(UPLOAD_WINDOW_PER_CONNECTION)));
    this.server.on('sessionError', () => undefined);
    // HTTP/1.1 upgrades (exec, attach, port-forward) take the same request chain; their response is the bare socket.
    this.server.on('upgrade', (req: Req, socket: Duplex, head: Buffer) => {
      if (head.length) socket.unshift(head);
      void this.serve(req, new UpgradeResponse(socket) as unknown as Res);
    });
    this.server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(opts.port, opts.bindAddress, () => {
        this.server!.off('error', reject);
        resolve();
      });
    });
    if (opts.bootstrap) await opts.bootstrap(this);
    this.ready = true;
  }

  /** The upgrade path (exec, attach, port-forward over WebSocket/SPDY) hooks in here. */
  get httpServer(): http2.Http2SecureServer {
    return this.server!;
  }

  printerFor(ep: Endpoint): Printer {
    if (ep.custom) return this.customPrinters.get(`${ep.rt.group}/${ep.rt.resource}/${ep.rt.version}`) ?? crdPrinter([]);
    return printerFor(ep.rt.group, ep.rt.resource) ?? defaultPrinter;
  }

  /** Stops accepting requests, ends watches, waits for in-flight requests (bounded), closes. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.draining = true;
    this.abort.abort();
    this.cache.dispose();
    const deadline = Date.now() + timeoutMs;
    while (this.inflight.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      // Idle HTTP/2 sessions and keep-alive sockets would hold close() open.
      setTimeout(resolve, 1000).unref();
    });
  }

  /**
   * Serves a request made in this process (components `k8ts server` runs) as `user`: the whole
   * chain from impersonation and authorization on, without a socket, TLS or authentication.
   */
  serveInProcess(req: HttpRequest & { url: string }, res: Response, user: UserInfo): Promise<void> {
    return this.serve(req as Req, res as Res, user);
  }

  private async serve(req: Req, res: Res, inProcessUser?: UserInfo): Promise<void> {
    const started = process.hrtime.bigint();
    this.inflight.add(res);
    res.setHeader('Audit-Id', randomUUID());
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const info = parseRequestInfo(method, path, url.searchParams);
    const labels = info.isResourceRequest
      ? { verb: info.verb.toUpperCase(), group: info.group, version: info.version, resource: info.resource, subresource: info.subresource, scope: info.name ? 'resource' : info.namespace ? 'namespace' : 'cluster' }
      : { verb: method, group: '', version: '', resource: '', subresource: '', scope: '' };
    try {
      if (this.draining && !(info.isResourceRequest && info.verb === 'watch')) {
        throw new StatusError(503, 'ServiceUnavailable', 'apiserver is shutting down', { retryAfterSeconds: 1 });
      }
      // Joining agents have no identity yet: they fetch the CA (and check it against their
      // token's hash) and get their certificates signed before any authentication.
      if (path === '/cacerts' && method === 'GET') return writeRaw(res, 200, this.opts.tls.clientCAPEM, 'text/plain; charset=utf-8');
      if (path === NODE_CERT_PATH && this.opts.nodeJoin) return await this.serveNodeJoin(this.opts.nodeJoin, method, req, res);
      const authenticatedUser = inProcessUser ?? (await this.authenticate(req, path));
      if (!authenticatedUser) {
        await this.servePublic(path, url, res);
        return;
      }
      const user = await this.impersonate(req, authenticatedUser);
      const decision = await this.opts.authorizer.authorize({
        user,
        verb: info.verb,
        isResourceRequest: info.isResourceRequest,
        namespace: info.isResourceRequest ? info.namespace : '',
        group: info.isResourceRequest ? info.group : '',
        version: info.isResourceRequest ? info.version : '',
        resource: info.isResourceRequest ? info.resource : '',
        subresource: info.isResourceRequest ? info.subresource : '',
        name: info.isResourceRequest ? info.name : '',
        path,
      });
      if (decision.decision !== 'allow') {
        const attrs = { user, verb: info.verb, isResourceRequest: info.isResourceRequest, path, namespace: '', group: '', version: '', resource: '', subresource: '', name: '' };
        if (info.isResourceRequest) Object.assign(attrs, info);
        const why = forbiddenMessage(attrs) + (decision.decision === 'deny' && decision.reason ? `: ${decision.reason}` : '');
        throw info.isResourceRequest ? forbidden({ group: info.group, resource: info.subresource ? `${info.resource}/${info.subresource}` : info.resource }, info.name, why) : new StatusError(403, 'Forbidden', `forbidden: ${why}`);
      }
      if (!info.isResourceRequest) {
        await this.serveNonResource(path, url, req, res, user);
        return;
      }
      let signal: AbortSignal | undefined;
      const abortSignalFor = (r: Res) => this.abortSignalFor(r);
      const ctx: RequestContext = {
        user,
        namespace: info.namespace,
        clock: this.opts.clock,
        dryRun: parseDryRun(url.searchParams),
        fieldManager: url.searchParams.get('fieldManager') || defaultFieldManager(headerValue(req.headers, 'user-agent')),
        userAgent: headerValue(req.headers, 'user-agent') ?? '',
        warnings: [],
        // Made on first use: most requests finish without anyone listening for their end.
        get signal() {
          return (signal ??= abortSignalFor(res));
        },
      };
      if (ctx.fieldManager.length > 128) throw new StatusError(422, 'Invalid', `fieldManager: Too long: may not be more than 128 bytes`);
      if (ResourceMetricsAPI.serves(info)) {
        await this.metricsAPI.handle(info, url.searchParams, res);
        return;
      }
      if (isNodeProxy(info)) {
        await serveNodeProxy({ kubeletClient: this.opts.kubeletClient }, this.handlers, info, req, res, url.searchParams, ctx);
        return;
      }
      await this.handlers.handle(ctx, info, req, res, url.searchParams);
    } catch (err) {
      const se = toStatusError(err);
      if (se.code >= 500) this.opts.logger.error('request failed', { method, path, err: err instanceof Error ? (err.cause instanceof Error ? err.cause.stack : err.stack) : String(err) });
      writeError(res, se);
    } finally {
      this.inflight.delete(res);
      const secs = Number(process.hrtime.bigint() - started) / 1e9;
      const code = String(res.statusCode);
      this.metrics.requests.inc({ ...labels, code });
      if (!(info.isResourceRequest && info.verb === 'watch')) this.metrics.latency.observe(labels, secs);
    }
  }

  private abortSignalFor(res: Res): AbortSignal {
    const ac = new AbortController();
    const onAbort = () => ac.abort(REQUEST_CLOSED);
    this.abort.signal.addEventListener('abort', onAbort, { once: true });
    res.once('close', () => {
      this.abort.signal.removeEventListener('abort', onAbort);
      ac.abort(REQUEST_CLOSED);
    });
    return ac.signal;
  }

  /** Resolves the user, or undefined for an anonymous request to a public path; throws 401 otherwise. */
  private async authenticate(req: Req, path: string): Promise<UserInfo | undefined> {
    const socket = req.socket as TLSSocket;
    // A connection's client certificate does not change: verify it once per connection
    // (re-checked every few minutes so expiry still applies), not on every request.
    const certOnly = !req.headers.authorization;
    const connection: object = (req as { stream?: { session?: object } }).stream?.session ?? socket;
    const cached = certOnly ? this.certAuthCache.get(connection) : undefined;
    if (cached && cached.until > Date.now()) return cached.user;
    const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(true) : undefined;
    const result = await this.opts.authenticator.authenticate({
      headers: req.headers as Record<string, string | string[] | undefined>,
      peerCertificate: peer && Object.keys(peer).length ? peer : undefined,
    });
    if (certOnly && result.kind === 'authenticated' && result.user.username !== 'system:anonymous') {
      this.certAuthCache.set(connection, { user: result.user, until: Date.now() + 5 * 60_000 });
    }
    if (result.kind === 'authenticated' && result.user.username !== 'system:anonymous') return result.user;
    if (result.kind === 'invalid') throw unauthorized();
    const publicPaths = this.opts.publicPaths ?? PUBLIC_PATHS;
    if (publicPaths.some((p) => path === p || path.startsWith(p + '/'))) return undefined;
    throw unauthorized();
  }

  /**
   * Impersonate-User / -Group / -Uid / -Extra-* headers (kubectl --as, --as-group): the
   * requester must be allowed to impersonate each; the request then runs as that user.
   */
  private async impersonate(req: Req, requester: UserInfo): Promise<UserInfo> {
    const h = req.headers;
    // Nearly every request impersonates nobody: one pass over the header names settles it.
    let asked = false;
    for (const k in h) {
      if (k.startsWith('impersonate-')) {
        asked = true;
        break;
      }
    }
    if (!asked) return requester;
    const username = headerValue(h, 'impersonate-user');
    const rawGroups = h['impersonate-group'];
    const groups = (Array.isArray(rawGroups) ? rawGroups : rawGroups ? [rawGroups] : []).flatMap((g) => g.split(',').map((x) => x.trim())).filter(Boolean);
    const uid = headerValue(h, 'impersonate-uid');
    const extra: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(h)) {
      if (!k.startsWith('impersonate-extra-') || v === undefined) continue;
      extra[decodeURIComponent(k.slice('impersonate-extra-'.length))] = (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',').map((y) => y.trim()));
    }
    if (!username) {
      if (groups.length || uid || Object.keys(extra).length) throw new StatusError(500, 'InternalError', 'Internal error occurred: requested groups, uid or extra without impersonating a user');
      return requester;
    }
    const check = async (resource: string, name: string, group = '') => {
      const d = await this.opts.authorizer.authorize({ user: requester, verb: 'impersonate', isResourceRequest: true, namespace: '', group, version: '', resource, subresource: '', name, path: '' });
      if (d.decision !== 'allow') throw forbidden({ group, resource }, name, `User "${requester.username}" cannot impersonate resource "${resource}" in API group "${group}" at the cluster scope`);
    };
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
    if (sa) await check('serviceaccounts', sa[2]!);
    else await check('users', username);
    for (const g of groups) await check('groups', g);
    if (uid) await check('uids', uid, 'authentication.k8s.io');
    const all = new Set(groups);
    if (sa) {
      all.add('system:serviceaccounts');
      all.add(`system:serviceaccounts:${sa[1]}`);
    }
    if (username !== 'system:anonymous') all.add('system:authenticated');
    return { username, uid, groups: [...all], extra };
  }

  private async serveNodeJoin(join: NodeJoinService, method: string, req: Req, res: Res): Promise<void> {
    if (method !== 'POST') throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8'));
    } catch {
      throw new StatusError(400, 'BadRequest', 'request body must be JSON');
    }
    const result = await join.issue(headerValue(req.headers, 'authorization'), body);
    if (!result.ok) throw result.code === 401 ? unauthorized() : new StatusError(400, 'BadRequest', result.message);
    writeJSON(res, 200, result.response);
  }

  private async servePublic(path: string, url: URL, res: Res): Promise<void> {
    await this.serveNonResource(path, url, undefined, res, undefined);
  }

  private async serveNonResource(path: string, url: URL, req: Req | undefined, res: Res, user: UserInfo | undefined): Promise<void> {
    const accept = req ? headerValue(req.headers, 'accept') : undefined;
    if (path === '/version' || path === '/version/') return writeJSON(res, 200, JSON.stringify(this.opts.version, null, 2));
    if (path === '/livez' || path === '/healthz' || path.startsWith('/livez/') || path.startsWith('/healthz/')) return this.health(res, url, path.startsWith('/healthz') ? 'healthz' : 'livez');
    if (path === '/readyz' || path.startsWith('/readyz/')) return this.health(res, url, 'readyz');
    if (!user) throw unauthorized();
    if (path === '/metrics') return writeRaw(res, 200, this.metrics.registry.render(), 'text/plain; version=0.0.4; charset=utf-8');
    if (path === '/api' || path === '/api/') {
      const agg = Discovery.wantsAggregated(accept);
      if (agg) return this.writeDiscovery(res, agg.contentType, this.discovery.aggregatedDocument(true, agg.version));
      return writeJSON(res, 200, this.discovery.apiVersions());
    }
    if (path === '/apis' || path === '/apis/') {
      const agg = Discovery.wantsAggregated(accept);
      if (agg) return this.writeDiscovery(res, agg.contentType, this.discovery.aggregatedDocument(false, agg.version));
      return writeJSON(res, 200, this.discovery.apiGroupList());
    }
    const gv = /^\/(api|apis)\/([^/]+)(?:\/([^/]+))?\/?$/.exec(path);
    if (gv) {
      if (gv[1] === 'api') {
        const list = gv[3] === undefined ? this.discovery.resourceList('', gv[2]!) : undefined;
        if (list) return writeJSON(res, 200, list);
      } else if (gv[3] === undefined) {
        const g = this.discovery.apiGroup(gv[2]!);
        if (g) return writeJSON(res, 200, g);
      } else {
        const list = this.discovery.resourceList(gv[2]!, gv[3]);
        if (list) return writeJSON(res, 200, list);
      }
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    if (path.startsWith('/openapi/')) return this.openapi.serve(path, url, accept, res, req?.headers['if-none-match'] as string | undefined);
    if (path === '/') {
      return writeJSON(res, 200, { paths: ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/metrics', '/openapi/v2', '/openapi/v3', '/readyz', '/version'] });
    }
    throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
  }

  private writeDiscovery(res: Res, contentType: string, body: string): void {
    res.setHeader('Vary', 'Accept');
    writeRaw(res, 200, body, contentType);
  }

  private health(res: Res, url: URL, kind: 'livez' | 'healthz' | 'readyz'): void {
    const checks: [string, boolean][] = [
      ['ping', true],
      ['log', true],
      ['etcd', this.cache.isStarted],
    ];
    if (kind !== 'livez') {
      checks.push(['informer-sync', this.ready], ['poststarthook/bootstrap-controller', this.ready], ['shutdown', !this.draining]);
      for (const [name, check] of this.readyChecks) checks.push([name, check()]);
    }
    const ok = checks.every(([, v]) => v);
    const verbose = url.searchParams.has('verbose');
    if (!verbose && ok) return writeRaw(res, 200, 'ok', 'text/plain; charset=utf-8');
    const lines = checks.map(([n, v]) => `[${v ? '+' : '-'}]${n} ${v ? 'ok' : 'failed: reason withheld'}`);
    lines.push(ok ? `${kind} check passed` : `${kind} check failed`);
    writeRaw(res, ok ? 200 : 500, lines.join('\n') + '\n', 'text/plain; charset=utf-8');
  }
}

function parseDryRun(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All') throw new StatusError(400, 'BadRequest', `Invalid dryRun value: ${v}. Valid values are: All`);
  }
  return values.length > 0;
}
