/**
 * HTTP/2 over TLS to an API server, with client certificate or bearer token
 * authentication. One session is shared by all requests; when it dies
 * (GOAWAY, network error, server restart) the next request opens a new one.
 * The session keeps the process alive only while requests are in flight.
 */
import http2 from 'node:http2';
import type { RESTConfig } from './rest-config.js';
import { type Transport, type TransportRequest, type TransportResponse, type TransportStream, encodeQuery } from './transport.js';

/** Receive window per stream and per connection (Go's transportDefaultStreamFlow and ConnFlow). */
export const STREAM_WINDOW = 4 << 20;
export const CONNECTION_WINDOW = 1 << 30;

export class HTTP2Transport implements Transport {
  private session?: http2.ClientHttp2Session;
  private active = 0;
  private closed = false;

  constructor(private readonly config: RESTConfig) {}

  async request(req: TransportRequest): Promise<TransportResponse> {
    const res = await this.stream(req);
    const chunks: Uint8Array[] = [];
    for await (const c of res.body) chunks.push(c);
    return { status: res.status, headers: res.headers, body: Buffer.concat(chunks) };
  }

  stream(req: TransportRequest): Promise<TransportStream> {
    if (this.closed) return Promise.reject(new Error('transport is closed'));
    if (req.signal?.aborted) return Promise.reject(req.signal.reason);
    const session = this.connect();
    const headers: http2.OutgoingHttpHeaders = {
      ':method': req.method,
      ':path': req.path + encodeQuery(req.query),
      accept: req.accept ?? 'application/json',
      'user-agent': this.config.userAgent ?? 'k8ts-client',
    };
    if (req.contentType) headers['content-type'] = req.contentType;
    if (this.config.bearerToken) headers.authorization = `Bearer ${this.config.bearerToken}`;
    const stream = session.request(headers, { endStream: req.body === undefined });
    this.hold();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      req.signal?.removeEventListener('abort', onAbort);
      this.letGo();
    };
    const onAbort = () => stream.close(http2.constants.NGHTTP2_CANCEL);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    stream.once('close', release);
    if (req.body !== undefined) stream.end(req.body);

    return new Promise<TransportStream>((resolve, reject) => {
      const fail = (err: unknown) => {
        release();
        reject(req.signal?.aborted ? req.signal.reason : err);
      };
      stream.once('error', fail);
      stream.once('close', () => fail(new Error(`stream closed before a response (code ${stream.rstCode})`)));
      stream.once('response', (h) => {
        stream.off('error', fail);
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(h)) if (!k.startsWith(':') && v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
        resolve({ status: Number(h[':status']), headers: out, body: bodyOf(stream, req.signal) });
      });
    });
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  private connect(): http2.ClientHttp2Session {
    const live = this.session;
    if (live && !live.closed && !live.destroyed) return live;
    const c = this.config;
    const session = http2.connect(c.server, {
      ca: c.caPEM,
      cert: c.certPEM,
      key: c.keyPEM,
      servername: c.tlsServerName,
      rejectUnauthorized: !c.insecureSkipTLSVerify,
      // Informers list and watch thousands of objects over this one connection (see the server's setting).
      maxSessionMemory: 256,
      // Flow-control windows as Go's HTTP/2 client (client-go, kubectl) sets them: with HTTP/2's 64 KiB
      // default a large LIST stalls on window updates every few frames.
      settings: { initialWindowSize: STREAM_WINDOW },
    });
    session.once('connect', () => session.setLocalWindowSize(CONNECTION_WINDOW));
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    if (this.active === 0) session.unref();
    this.session = session;
    return session;
  }

  private hold(): void {
    if (this.active++ === 0) this.session?.ref();
  }

  private letGo(): void {
    if (--this.active === 0) this.session?.unref();
  }
}

async function* bodyOf(stream: http2.ClientHttp2Stream, signal: AbortSignal | undefined): AsyncIterable<Uint8Array> {
  let complete = false;
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
    complete = true;
  } catch (err) {
    // A cancelled request simply ends its body; anything else is a real failure.
    if (signal?.aborted) return;
    throw err;
  } finally {
    // Only a body left unread is cancelled. A stream read to its end closes by itself a moment later;
    // resetting it anyway sends RST_STREAM for every request, and servers treat a stream of resets as
    // the rapid-reset attack (nghttp2 answers with GOAWAY after 1000 of them).
    if (!complete && !stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
  }
}
