/**
 * The transport of the components `k8ts server` runs in its own process (the
 * controller manager, the scheduler, simulated nodes): their requests enter
 * the API server's request chain directly, as a fixed user, instead of going
 * through a TLS socket and HTTP/2 to the same process. Authorization,
 * admission, validation and storage treat them exactly as any other client's;
 * what goes away is encryption, framing and authentication, paid twice (both
 * ends are here) for every request and every watch event. Upstream's
 * kube-apiserver gives its in-process clients a loopback identity the same way.
 */
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import type { APIServer } from '../apiserver/server.js';
import type { UserInfo } from '../apiserver/authn/types.js';
import { withAuthenticatedGroup } from '../apiserver/authn/authenticated-group.js';
import type { Response } from '../apiserver/http/respond.js';
import { type Transport, type TransportRequest, type TransportResponse, type TransportStream, encodeQuery } from '../client/rest/transport.js';

/** Bytes a response may hold unread before `write` asks the server to wait for 'drain'. */
const HIGH_WATER_MARK = 1 << 20;

/** As upstream's loopback client: the API server's own identity, a cluster administrator. */
export const LOOPBACK_USER: UserInfo = { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] };

/** A node agent's user, as a client certificate for `system:node:<name>` in `system:nodes` authenticates. */
export function nodeUser(nodeName: string): UserInfo {
  return withAuthenticatedGroup({ username: `system:node:${nodeName}`, groups: ['system:nodes'] });
}

export class LoopbackTransport implements Transport {
  private closed = false;
  private readonly open = new Set<LoopbackResponse>();

  constructor(
    private readonly server: Pick<APIServer, 'serveInProcess'>,
    private readonly opts: { userAgent: string; user?: UserInfo },
  ) {}

  async request(req: TransportRequest): Promise<TransportResponse> {
    const res = await this.stream(req);
    const chunks: Uint8Array[] = [];
    for await (const c of res.body) chunks.push(c);
    return { status: res.status, headers: res.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) };
  }

  stream(req: TransportRequest): Promise<TransportStream> {
    if (this.closed) return Promise.reject(new Error('transport is closed'));
    if (req.signal?.aborted) return Promise.reject(req.signal.reason);
    const headers: Record<string, string> = { accept: req.accept ?? 'application/json', 'user-agent': this.opts.userAgent };
    if (req.contentType) headers['content-type'] = req.contentType;
    const body = req.body === undefined ? [] : [typeof req.body === 'string' ? Buffer.from(req.body) : req.body];
    const httpReq = Object.assign(Readable.from(body), { method: req.method, url: req.path + encodeQuery(req.query), headers });
    const res = new LoopbackResponse(req.signal);
    this.open.add(res);
    res.once('close', () => this.open.delete(res));
    void this.server.serveInProcess(httpReq, res, this.opts.user ?? LOOPBACK_USER);
    return res.head;
  }

  /** Ends every open response (watches), as closing a connection would. */
  close(): void {
    this.closed = true;
    for (const res of [...this.open]) res.cancel(new Error('transport is closed'));
  }
}

/**
 * The server's side of one in-process exchange: what the handler writes is
 * queued for the client's body iterator; 'close' tells the handler the client
 * is gone (its signal aborted, it stopped reading, or the transport closed).
 */
export class LoopbackResponse extends EventEmitter implements Response {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  /** Bytes written and not yet read by the client (the watch path checks it against slow readers). */
  writableLength = 0;
  readonly head: Promise<TransportStream>;
  private readonly headerValues = new Map<string, string | number | readonly string[]>();
  private readonly queue: Uint8Array[] = [];
  private wake?: () => void;
  private needsDrain = false;
  private closed = false;
  private failure?: unknown;
  private resolveHead!: (s: TransportStream) => void;
  private rejectHead!: (err: unknown) => void;

  constructor(private readonly signal: AbortSignal | undefined) {
    super();
    this.head = new Promise((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.headerValues.set(name.toLowerCase(), value);
    return this;
  }

  getHeader(name: string): unknown {
    return this.headerValues.get(name.toLowerCase());
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.writableEnded) return false;
    this.sendHead();
    if (this.closed) return true;
    if (chunk.length) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      this.queue.push(bytes);
      this.writableLength += bytes.length;
      this.notify();
    }
    if (this.writableLength < HIGH_WATER_MARK) return true;
    this.needsDrain = true;
    return false;
  }

  end(chunk?: string | Uint8Array): this {
    if (this.writableEnded) return this;
    if (chunk !== undefined) this.write(chunk);
    this.sendHead();
    this.writableEnded = true;
    this.notify();
    return this;
  }

  /** Ends the exchange from the client's side; the reader sees `err` if it is still reading. */
  cancel(err?: unknown): void {
    if (this.closed) return;
    this.failure = err;
    this.finish();
    this.rejectHead(err ?? new Error('request cancelled'));
  }

  private readonly onAbort = () => this.cancel(this.signal!.reason);

  private sendHead(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    const headers: Record<string, string> = {};
    for (const [k, v] of this.headerValues) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    this.resolveHead({ status: this.statusCode, headers, body: this.body() });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** The handler learns the exchange is over once; the client's signal is let go. */
  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.queue.length = 0;
    this.writableLength = 0;
    this.notify();
    queueMicrotask(() => this.emit('close'));
  }

  private async *body(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const chunk = this.queue.shift();
        if (chunk) {
          this.writableLength -= chunk.length;
          if (this.needsDrain && this.writableLength < HIGH_WATER_MARK) {
            this.needsDrain = false;
            this.emit('drain');
          }
          yield chunk;
          continue;
        }
        if (this.closed) {
          // A cancelled request simply ends its body, as the HTTP/2 transport's does.
          if (this.failure !== undefined && !this.signal?.aborted) throw this.failure;
          return;
        }
        if (this.writableEnded) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      this.finish();
    }
  }
}
