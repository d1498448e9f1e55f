/**
 * A minimal HTTP/2 Kubernetes client for benchmarks: credentials from an
 * admin kubeconfig, requests spread over a fixed set of sessions, and watches
 * that hand each decoded event to a callback. It deliberately has no retries
 * or caching, so every figure is one request's real cost.
 */
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { parse } from 'yaml';
import { CONNECTION_WINDOW, STREAM_WINDOW } from '../client/rest/http2-transport.js';

export interface Credentials {
  server: string;
  caPEM: string;
  certPEM: string;
  keyPEM: string;
}

interface KubeconfigDoc {
  clusters?: { name: string; cluster: { server: string; 'certificate-authority-data'?: string } }[];
  users?: { name: string; user: { 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  'current-context'?: string;
}

const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

/** Reads the current context's server, CA and client certificate (embedded `-data` fields only). */
export function loadKubeconfig(file: string): Credentials {
  const doc = parse(readFileSync(file, 'utf8')) as KubeconfigDoc;
  const ctx = doc.contexts?.find((c) => c.name === doc['current-context'])?.context;
  const cluster = doc.clusters?.find((c) => c.name === ctx?.cluster)?.cluster;
  const user = doc.users?.find((u) => u.name === ctx?.user)?.user;
  if (!cluster || !user) throw new Error(`${file}: current context names no cluster or user`);
  return {
    server: cluster.server,
    caPEM: unb64(cluster['certificate-authority-data']),
    certPEM: unb64(user['client-certificate-data']),
    keyPEM: unb64(user['client-key-data']),
  };
}

export interface HttpResult {
  status: number;
  body: string;
  bytes: number;
}

export interface RequestOptions {
  body?: unknown;
  accept?: string;
  contentType?: string;
}

export interface WatchHandle {
  /** Settles once the response headers arrived, i.e. the server registered the watch. */
  established: Promise<void>;
  close(): void;
}

export interface KubeClientOptions {
  /** HTTP/2 connections to spread streams over (the server caps concurrent streams per connection). */
  sessions?: number;
}

export class KubeClient {
  private readonly sessions: http2.ClientHttp2Session[] = [];
  private next = 0;

  private constructor(private readonly creds: Credentials) {}

  static async connect(creds: Credentials, opts: KubeClientOptions = {}): Promise<KubeClient> {
    const client = new KubeClient(creds);
    const n = Math.max(1, opts.sessions ?? 1);
    try {
      for (let i = 0; i < n; i++) client.sessions.push(await client.openSession());
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  private openSession(): Promise<http2.ClientHttp2Session> {
    return new Promise((resolve, reject) => {
      const s = http2.connect(this.creds.server, {
        ca: this.creds.caPEM,
        cert: this.creds.certPEM,
        key: this.creds.keyPEM,
        settings: { initialWindowSize: STREAM_WINDOW },
        maxSessionMemory: 256,
      });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        // A session error later surfaces on its streams; this keeps it from crashing the process.
        s.on('error', () => undefined);
        s.setLocalWindowSize(CONNECTION_WINDOW);
        resolve(s);
      });
    });
  }

  private session(): http2.ClientHttp2Session {
    const s = this.sessions[this.next++ % this.sessions.length]!;
    return s;
  }

  request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResult> {
    const headers: http2.OutgoingHttpHeaders = {
      ':method': method,
      ':path': path,
      accept: opts.accept ?? 'application/json',
      'user-agent': 'k8ts-bench',
    };
    const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    return new Promise((resolve, reject) => {
      const stream = this.session().request(headers, { endStream: payload === undefined });
      let status = 0;
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('data', (c: Buffer) => {
        chunks.push(c);
        bytes += c.length;
      });
      // `on`, not `once`: a stream can error twice (reset, then the session's GOAWAY).
      stream.on('error', reject);
      stream.once('end', () => resolve({ status, body: Buffer.concat(chunks, bytes).toString('utf8'), bytes }));
      if (payload !== undefined) stream.end(payload);
    });
  }

  /** A request that must answer 2xx; returns the decoded body. */
  async json<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const r = await this.request(method, path, opts);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path}: HTTP ${r.status}: ${r.body.slice(0, 500)}`);
    return JSON.parse(r.body) as T;
  }

  /** Opens a watch stream; `onEvent` gets every decoded line. */
  watch(path: string, onEvent: (event: { type: string; object: Record<string, any> }) => void): WatchHandle {
    return this.watchLines(path, (line) => onEvent(JSON.parse(line)));
  }

  /** Opens a watch stream; `onLine` gets every line as it arrives, undecoded. */
  watchLines(path: string, onLine: (line: string) => void): WatchHandle {
    const stream = this.session().request({ ':method': 'GET', ':path': path, accept: 'application/json', 'user-agent': 'k8ts-bench' });
    stream.setEncoding('utf8');
    let buffered = '';
    const established = new Promise<void>((resolve, reject) => {
      stream.once('response', (h) => {
        const status = Number(h[':status']);
        if (status === 200) resolve();
        else reject(new Error(`watch ${path}: HTTP ${status}`));
      });
      stream.once('error', reject);
    });
    // Failures after establishment are seen as missing events, which the caller counts.
    established.catch(() => undefined);
    stream.on('error', () => undefined);
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line) onLine(line);
      }
    });
    return { established, close: () => stream.close(http2.constants.NGHTTP2_CANCEL) };
  }

  close(): void {
    for (const s of this.sessions) s.destroy();
    this.sessions.length = 0;
  }
}
