/**
 * The node agent's HTTPS endpoint (kubelet's port 10250): container logs,
 * exec, attach and port-forward for the API server, health, and whatever
 * other components mount (`/metrics/resource`). Clients must present a
 * certificate from the cluster CA; each request is then authorized on its
 * node's `nodes/<subresource>` (kubelet-auth.ts): by SubjectAccessReviews when
 * the agent runs, by default only for the API server's kind of identity
 * (group system:masters, or CN kube-apiserver-kubelet-client).
 *
 * The API server passes upgrades through untouched, so this server speaks
 * every protocol kubectl and client libraries choose: WebSocket channel
 * protocols v1..v5 (exec/attach), SPDY/3.1 with remote-command v1..v4 and
 * portforward.k8s.io, SPDY tunnelled in WebSocket (kubectl 1.31+
 * port-forward) and WebSocket port-forward channels.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import type { Logger } from '../../machinery/log.js';
import type { RuntimeService, StreamOptions } from '../runtime/interface.js';
import { type ClientIdentity, type KubeletAuthorize, authorizationErrorText, forbiddenText, kubeletRequestAttributes, kubeletUser, staticAuthorize } from './kubelet-auth.js';
import { PORT_FORWARD_PROTOCOL, PORT_FORWARD_WS_PROTOCOLS, REMOTE_COMMAND_PROTOCOLS, SPDY_TUNNEL_PREFIX, channelProtocol, negotiate, protocolList } from './channel.js';
import { type ContainerLogOptions, type LogStream, writeContainerLogs } from './container-logs.js';
import { type PodLookup, type PodRef, runtimePodLookup } from './pod-lookup.js';
import { serveSpdyPortForward, serveWebSocketPortForward, type ForwardTarget } from './port-forward.js';
import { type CommandChannels, runCommandSession, spdyCommandChannels, webSocketCommandChannels } from './remote-command.js';
import { SpdyConnection } from './spdy/connection.js';

/** Stands for '/' in subprotocol names while the ws package checks them (`~` is a token character). */
const SLASH_ESCAPE = '~2F';

/** Remote-command protocols over SPDY, as upstream kubelet negotiates them. */
const SPDY_REMOTE_COMMAND_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

export interface KubeletServerTLS {
  certPEM: string;
  keyPEM: string;
  /** The cluster CA: client certificates must chain to it. */
  clientCAPEM: string;
}

export type { ClientIdentity };

export type KubeletHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface KubeletServerOptions {
  runtime: RuntimeService;
  /** Pod and container resolution; by default from the runtime's sandbox and container metadata. */
  pods?: PodLookup;
  tls: KubeletServerTLS;
  bindAddress: string;
  /** 0 picks a free port (see `port` after start). */
  port: number;
  logger: Logger;
  /** Decides each request of a verified client (default: system:masters or kube-apiserver-kubelet-client only). */
  authorize?: KubeletAuthorize;
  /** The node served, the `name` of authorization attributes. */
  nodeName?: string;
  /** How long a client may take to open its streams after the upgrade (upstream: 30 s). */
  streamCreationTimeoutMs?: number;
  /** How often followed log files are checked for new lines. */
  logPollMs?: number;
}

export const defaultAuthorize: KubeletAuthorize = staticAuthorize;

type Route =
  | { kind: 'healthz' }
  | { kind: 'logs'; pod: PodRef; container: string }
  | { kind: 'exec' | 'attach'; pod: PodRef; container: string }
  | { kind: 'portForward'; pod: PodRef }
  | { kind: 'mounted'; handler: KubeletHandler }
  | { kind: 'notFound' };

class HttpFailure {
  constructor(
    readonly code: number,
    readonly message: string,
  ) {}
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error' };

export class KubeletServer {
  private readonly pods: PodLookup;
  private readonly mounts = new Map<string, KubeletHandler>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => selectProtocol(offered) });
  private readonly spdyConnections = new Set<SpdyConnection>();
  private readonly aborter = new AbortController();
  private server?: https.Server;

  constructor(private readonly opts: KubeletServerOptions) {
    this.pods = opts.pods ?? runtimePodLookup(opts.runtime);
  }

  /** Serves `path` and everything under it with `handler` (e.g. `/metrics/resource`). */
  mount(path: string, handler: KubeletHandler): void {
    this.mounts.set(path.replace(/\/+$/, ''), handler);
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  async start(): Promise<void> {
    const { tls } = this.opts;
    this.server = https.createServer({ cert: tls.certPEM, key: tls.keyPEM, ca: tls.clientCAPEM, requestCert: true, rejectUnauthorized: true }, (req, res) => void this.onRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.onUpgrade(req, socket, head));
    this.server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port, this.opts.bindAddress, () => {
        this.server!.off('error', reject);
        resolve();
      });
    });
  }

  /** Ends every session and connection, then closes the port. */
  async stop(): Promise<void> {
    this.aborter.abort();
    for (const ws of this.wss.clients) ws.terminate();
    for (const c of this.spdyConnections) c.destroy();
    this.wss.close();
    if (!this.server) return;
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private identity(req: IncomingMessage): ClientIdentity | undefined {
    const socket = req.socket as TLSSocket;
    if (!socket.authorized) return undefined;
    const subject = socket.getPeerCertificate().subject as unknown as Record<string, string | string[] | undefined> | undefined;
    if (!subject) return undefined;
    const list = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? [v] : []);
    return { commonName: list(subject.CN)[0] ?? '', organizations: list(subject.O) };
  }

  private async authorize(req: IncomingMessage, path: string): Promise<HttpFailure | undefined> {
    const who = this.identity(req);
    if (!who) return new HttpFailure(401, 'Unauthorized');
    const attrs = kubeletRequestAttributes(kubeletUser(who), { method: req.method ?? 'GET', path, nodeName: this.opts.nodeName ?? '' });
    const d = await (this.opts.authorize ?? defaultAuthorize)(who, attrs);
    const decision = typeof d === 'boolean' ? (d ? { kind: 'allowed' as const } : { kind: 'denied' as const }) : d;
    if (decision.kind === 'allowed') return undefined;
    if (decision.kind === 'error') {
      this.opts.logger.error('kubelet authorization error', { user: attrs.user.username, verb: attrs.verb, subresource: attrs.subresource, err: decision.message });
      return new HttpFailure(500, authorizationErrorText(attrs));
    }
    return new HttpFailure(403, forbiddenText(attrs));
  }

  private route(path: string): Route {
    for (const [prefix, handler] of this.mounts) if (path === prefix || path.startsWith(prefix + '/')) return { kind: 'mounted', handler };
    const parts = path.split('/').slice(1).map((p) => decodeURIComponent(p));
    const [head, ns, pod, a, b] = parts;
    if (path === '/healthz') return { kind: 'healthz' };
    if (!ns || !pod) return { kind: 'notFound' };
    switch (head) {
      case 'containerLogs':
        return parts.length === 4 && a ? { kind: 'logs', pod: { namespace: ns, name: pod }, container: a } : { kind: 'notFound' };
      case 'exec':
      case 'attach':
        if (parts.length === 4 && a) return { kind: head, pod: { namespace: ns, name: pod }, container: a };
        if (parts.length === 5 && a && b) return { kind: head, pod: { namespace: ns, name: pod, uid: a }, container: b };
        return { kind: 'notFound' };
      case 'portForward':
        if (parts.length === 3) return { kind: 'portForward', pod: { namespace: ns, name: pod } };
        if (parts.length === 4 && a) return { kind: 'portForward', pod: { namespace: ns, name: pod, uid: a } };
        return { kind: 'notFound' };
      default:
        return { kind: 'notFound' };
    }
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const fail = (f: HttpFailure) => {
      if (res.headersSent) return void res.end();
      res.writeHead(f.code, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(f.message);
    };
    try {
      const denied = await this.authorize(req, url.pathname);
      if (denied) return fail(denied);
      const r = this.route(url.pathname);
      switch (r.kind) {
        case 'healthz':
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
          return void res.end('ok');
        case 'mounted':
          return await r.handler(req, res);
        case 'logs':
          if (req.method !== 'GET' && req.method !== 'HEAD') return fail(new HttpFailure(405, 'Method Not Allowed'));
          return await this.serveLogs(r.pod, r.container, url.searchParams, req, res);
        case 'exec':
        case 'attach':
        case 'portForward':
          return fail(new HttpFailure(400, 'Upgrade request required'));
        case 'notFound':
          return fail(new HttpFailure(404, '404 page not found'));
      }
    } catch (err) {
      if (err instanceof HttpFailure) return fail(err);
      this.opts.logger.error('kubelet request failed', { path: url.pathname, err });
      fail(new HttpFailure(500, err instanceof Error ? err.message : String(err)));
    }
  }

  private async serveLogs(pod: PodRef, name: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const opts = parseLogQuery(q);
    const previous = boolParam(q, 'previous');
    const c = await this.pods.container(pod, name, { previous });
    if (!c) {
      if (previous) throw new HttpFailure(400, `previous terminated container "${name}" in pod "${pod.name}" not found`);
      const reason = (await this.pods.waitingReason?.(pod, name)) ?? 'ContainerCreating';
      throw new HttpFailure(400, `container "${name}" in pod "${pod.name}" is waiting to start: ${reason}`);
    }
    if (c.state === 'CONTAINER_CREATED' && !previous) throw new HttpFailure(400, `container "${name}" in pod "${pod.name}" is waiting to start: ContainerCreating`);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    if (req.method === 'HEAD') return void res.end();
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    this.aborter.signal.addEventListener('abort', onAbort, { once: true });
    res.once('close', onAbort);
    try {
      await writeContainerLogs(c.logPath, res, opts, {
        signal: ac.signal,
        pollMs: this.opts.logPollMs,
        isRunning: async () => (await this.opts.runtime.containerStatus(c.id))?.state === 'CONTAINER_RUNNING',
      });
    } catch (err) {
      // A container that never wrote has no file yet: its log is empty.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    } finally {
      this.aborter.signal.removeEventListener('abort', onAbort);
    }
    res.end();
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'https://kubelet');
    try {
      const denied = await this.authorize(req, url.pathname);
      if (denied) throw denied;
      const r = this.route(url.pathname);
      if (r.kind === 'notFound' || r.kind === 'healthz' || r.kind === 'logs' || r.kind === 'mounted') throw new HttpFailure(404, '404 page not found');
      const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
      if (upgrade !== 'websocket' && upgrade !== 'spdy/3.1') throw new HttpFailure(400, `unsupported upgrade protocol: ${req.headers.upgrade ?? ''}`);
      if (r.kind === 'portForward') await this.upgradePortForward(r.pod, upgrade, url.searchParams, req, socket, head);
      else await this.upgradeCommand(r.kind, r.pod, r.container, upgrade, url.searchParams, req, socket, head);
    } catch (err) {
      const f = err instanceof HttpFailure ? err : new HttpFailure(500, err instanceof Error ? err.message : String(err));
      if (!(err instanceof HttpFailure)) this.opts.logger.error('kubelet upgrade failed', { path: url.pathname, err });
      writeRawResponse(socket, f.code, f.message);
    }
  }

  private async upgradeCommand(kind: 'exec' | 'attach', pod: PodRef, name: string, upgrade: string, q: URLSearchParams, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const streams: StreamOptions = {
      stdin: boolParam(q, 'input') || boolParam(q, 'stdin'),
      stdout: boolParam(q, 'output') || boolParam(q, 'stdout'),
      stderr: boolParam(q, 'error') || boolParam(q, 'stderr'),
      tty: boolParam(q, 'tty'),
    };
    if (streams.tty) streams.stderr = false;
    if (!streams.stdin && !streams.stdout && !streams.stderr) throw new HttpFailure(400, 'you must specify at least 1 of stdin, stdout, stderr');
    const command = q.getAll('command');
    if (kind === 'exec' && !command.length) throw new HttpFailure(400, 'you must specify at least one command for the container');
    if (!(await this.pods.sandbox(pod))) throw new HttpFailure(404, 'pod does not exist');
    const c = await this.pods.container(pod, name, { previous: false });
    if (!c || c.state !== 'CONTAINER_RUNNING') throw new HttpFailure(500, `container not found ("${name}")`);
    const start = () => (kind === 'exec' ? this.opts.runtime.exec(c.id, command, streams) : this.opts.runtime.attach(c.id, streams));
    const what = kind === 'exec' ? { kind, command } : { kind };
    const logger = this.opts.logger.with({ pod: `${pod.namespace}/${pod.name}`, container: name });
    let channels: CommandChannels;
    if (upgrade === 'websocket') {
      const offered = protocolList(req.headers['sec-websocket-protocol']);
      const chosen = offered.length ? negotiate(offered, REMOTE_COMMAND_PROTOCOLS) : '';
      if (chosen === undefined) throw new HttpFailure(400, `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${REMOTE_COMMAND_PROTOCOLS.join(' ')}]`);
      const ws = await this.acceptWebSocket(req, socket, head);
      logger.debug('stream upgrade', { kind, transport: 'websocket', protocol: chosen });
      channels = webSocketCommandChannels(ws, channelProtocol(chosen), streams);
    } else {
      const offered = protocolList(req.headers['x-stream-protocol-version']);
      const chosen = offered.length ? negotiate(offered, SPDY_REMOTE_COMMAND_PROTOCOLS) : 'channel.k8s.io';
      if (!chosen) throw new HttpFailure(403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${SPDY_REMOTE_COMMAND_PROTOCOLS.join(' ')}]`);
      const conn = this.acceptSpdy(socket, head, chosen);
      logger.debug('stream upgrade', { kind, transport: 'spdy', protocol: chosen });
      const r = await spdyCommandChannels(conn, channelProtocol(chosen).version, streams, this.opts.streamCreationTimeoutMs ?? 30_000);
      if (!r.ok) {
        logger.debug('remote command streams not created', { err: r.message });
        return;
      }
      channels = r.channels;
    }
    void runCommandSession(channels, start, what, logger).catch((err: unknown) => logger.error('stream session failed', { err }));
  }

  private async upgradePortForward(pod: PodRef, upgrade: string, q: URLSearchParams, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const sandbox = await this.pods.sandbox(pod);
    if (!sandbox) throw new HttpFailure(404, 'pod does not exist');
    const target: ForwardTarget = { pod: pod.name, uid: sandbox.uid, connect: (port) => this.opts.runtime.portForward(sandbox.id, port) };
    const logger = this.opts.logger.with({ pod: `${pod.namespace}/${pod.name}` });
    const pfOpts = { streamCreationTimeoutMs: this.opts.streamCreationTimeoutMs ?? 30_000, logger };
    if (upgrade === 'spdy/3.1') {
      const offered = protocolList(req.headers['x-stream-protocol-version']);
      if (offered.length && !offered.includes(PORT_FORWARD_PROTOCOL)) {
        throw new HttpFailure(403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${PORT_FORWARD_PROTOCOL}]`);
      }
      serveSpdyPortForward(this.acceptSpdy(socket, head, PORT_FORWARD_PROTOCOL), target, pfOpts);
      logger.debug('stream upgrade', { kind: 'portForward', transport: 'spdy', protocol: PORT_FORWARD_PROTOCOL });
      return;
    }
    const offered = protocolList(req.headers['sec-websocket-protocol']);
    const tunnel = offered.find((p) => p === SPDY_TUNNEL_PREFIX + PORT_FORWARD_PROTOCOL);
    if (tunnel) {
      const ws = await this.acceptWebSocket(req, socket, head);
      const conn = new SpdyConnection(createWebSocketStream(ws), { server: true });
      this.track(conn);
      logger.debug('stream upgrade', { kind: 'portForward', transport: 'websocket', protocol: tunnel });
      serveSpdyPortForward(conn, target, pfOpts);
      return;
    }
    const chosen = offered.length ? negotiate(offered, PORT_FORWARD_WS_PROTOCOLS) : '';
    if (chosen === undefined) throw new HttpFailure(400, `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${PORT_FORWARD_WS_PROTOCOLS.join(' ')}]`);
    const ports: number[] = [];
    for (const v of q.getAll('port').flatMap((s) => s.split(','))) {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new HttpFailure(400, `unable to parse "${v}" as a port`);
      ports.push(n);
    }
    if (!ports.length) throw new HttpFailure(400, 'query parameter "port" is required');
    const ws = await this.acceptWebSocket(req, socket, head);
    logger.debug('stream upgrade', { kind: 'portForward', transport: 'websocket', protocol: chosen });
    serveWebSocketPortForward(ws, channelProtocol(chosen), ports, target, { logger });
  }

  /** Completes the WebSocket handshake; the subprotocol echoed is the one negotiated by the caller's rules. */
  private acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<WebSocket> {
    // `SPDY/3.1+...` is not an RFC 6455 token (the slash), which gorilla clients send anyway and
    // the ws package refuses: the slash is escaped for the handshake and restored in selectProtocol.
    const offered = req.headers['sec-websocket-protocol'];
    if (offered) req.headers['sec-websocket-protocol'] = protocolList(offered).map((p) => p.replaceAll('/', SLASH_ESCAPE)).join(', ');
    return new Promise((resolve) => this.wss.handleUpgrade(req, socket, head, (ws) => resolve(ws)));
  }

  private acceptSpdy(socket: Duplex, head: Buffer, protocol: string): SpdyConnection {
    socket.write(['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: SPDY/3.1', `X-Stream-Protocol-Version: ${protocol}`, '', ''].join('\r\n'));
    // Bytes the HTTP parser read past the request belong to the first frames.
    if (head.length) socket.unshift(head);
    const conn = new SpdyConnection(socket, { server: true });
    this.track(conn);
    return conn;
  }

  private track(conn: SpdyConnection): void {
    this.spdyConnections.add(conn);
    conn.on('close', () => this.spdyConnections.delete(conn));
    conn.on('error', (err) => this.opts.logger.debug('spdy connection error', { err }));
  }
}

/** The WebSocket subprotocol echoed in the handshake: the handlers' choice (first supported, in the client's order). */
function selectProtocol(protocols: Set<string>): string | false {
  const offered = [...protocols].map((p) => p.replaceAll(SLASH_ESCAPE, '/'));
  const tunnel = offered.find((p) => p === SPDY_TUNNEL_PREFIX + PORT_FORWARD_PROTOCOL);
  if (tunnel) return tunnel;
  return negotiate(offered, [...REMOTE_COMMAND_PROTOCOLS, ...PORT_FORWARD_WS_PROTOCOLS]) ?? false;
}

function writeRawResponse(socket: Duplex, code: number, body: string): void {
  if (socket.destroyed) return;
  const bytes = Buffer.from(body);
  socket.end(
    [`HTTP/1.1 ${code} ${STATUS_TEXT[code] ?? 'Error'}`, 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${bytes.length}`, 'Connection: close', '', ''].join('\r\n') + body,
  );
}

function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === '1' || v === 'true';
}

function parseLogQuery(q: URLSearchParams): ContainerLogOptions {
  const int = (name: string): number | undefined => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw new HttpFailure(400, `invalid value for ${name}: ${v}`);
    return Number(v);
  };
  const opts: ContainerLogOptions = { follow: boolParam(q, 'follow'), timestamps: boolParam(q, 'timestamps') };
  const tail = int('tailLines');
  if (tail !== undefined && tail >= 0) opts.tailLines = tail;
  const limit = int('limitBytes');
  if (limit !== undefined && limit > 0) opts.limitBytes = limit;
  const sinceSeconds = int('sinceSeconds');
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceSeconds > 0) opts.sinceMs = Date.now() - sinceSeconds * 1000;
  else if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw new HttpFailure(400, `invalid value for sinceTime: ${sinceTime}`);
    opts.sinceMs = t;
  }
  const stream = q.get('stream');
  if (stream === 'Stdout' || stream === 'Stderr') opts.stream = stream.toLowerCase() as LogStream;
  return opts;
}
