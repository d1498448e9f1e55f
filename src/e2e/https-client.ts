/**
 * Raw HTTPS access to a test server for what kubectl cannot send or show:
 * bodies it refuses to build, exact status codes and headers, and watch
 * streams read line by line. Credentials come from the admin kubeconfig.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { parse } from 'yaml';

export interface AdminCredentials {
  server: string;
  ca: string;
  cert: string;
  key: string;
}

interface KubeconfigFile {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

export function readAdminCredentials(kubeconfigPath: string): AdminCredentials {
  const cfg = parse(readFileSync(kubeconfigPath, 'utf8')) as KubeconfigFile;
  const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
  const cluster = cfg.clusters[0]!.cluster;
  const user = cfg.users[0]!.user;
  return { server: cluster.server, ca: b64(cluster['certificate-authority-data']), cert: b64(user['client-certificate-data']), key: b64(user['client-key-data']) };
}

/** Who the request claims to be: the admin client certificate, nobody, or a bearer token. */
export type Identity = { kind: 'admin' } | { kind: 'anonymous' } | { kind: 'token'; token: string };

export interface RequestOptions {
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  as?: Identity;
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

function requestOptions(creds: AdminCredentials, path: string, opts: RequestOptions): https.RequestOptions {
  const url = new URL(path, creds.server);
  const as = opts.as ?? { kind: 'admin' };
  const headers: Record<string, string> = { ...opts.headers };
  if (as.kind === 'token') headers.authorization = `Bearer ${as.token}`;
  if (opts.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  return {
    hostname: url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    method: opts.method ?? 'GET',
    ca: creds.ca,
    ...(as.kind === 'admin' ? { cert: creds.cert, key: creds.key } : {}),
    headers,
    // A fresh connection per request: a test must never reuse a socket across a server restart.
    agent: false,
  };
}

export function request(creds: AdminCredentials, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(requestOptions(creds, path, opts), (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error(`request ${path} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export async function requestJSON<T = Record<string, unknown>>(creds: AdminCredentials, path: string, opts: RequestOptions = {}): Promise<{ status: number; body: T; headers: RawResponse['headers'] }> {
  const r = await request(creds, path, opts);
  let body: T;
  try {
    body = JSON.parse(r.text) as T;
  } catch {
    throw new Error(`${opts.method ?? 'GET'} ${path}: ${r.status} with a body that is not JSON: ${r.text.slice(0, 300)}`);
  }
  return { status: r.status, body, headers: r.headers };
}

export interface WatchEvent {
  type: string;
  object: {
    kind?: string;
    apiVersion?: string;
    metadata: { name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
    code?: number;
    reason?: string;
    message?: string;
    data?: Record<string, string>;
  };
}

/**
 * An open watch: events are collected as they arrive; `waitFor` polls the
 * collected list until a condition holds or a deadline passes.
 */
export class WatchStream {
  readonly events: WatchEvent[] = [];
  status = 0;
  ended = false;
  private buffer = '';
  private req?: ReturnType<typeof https.request>;

  private constructor() {}

  static open(creds: AdminCredentials, path: string, opts: RequestOptions = {}): Promise<WatchStream> {
    const w = new WatchStream();
    return new Promise((resolve, reject) => {
      const req = https.request(requestOptions(creds, path, opts), (res) => {
        w.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => w.push(chunk));
        res.on('end', () => (w.ended = true));
        res.on('error', () => (w.ended = true));
        resolve(w);
      });
      w.req = req;
      req.on('error', (err) => {
        w.ended = true;
        reject(err);
      });
      req.end();
    });
  }

  private push(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.events.push(JSON.parse(line) as WatchEvent);
    }
  }

  /** Events other than BOOKMARK, in arrival order. */
  get changes(): WatchEvent[] {
    return this.events.filter((e) => e.type !== 'BOOKMARK');
  }

  async waitFor(what: string, cond: (events: WatchEvent[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond(this.events)) {
      if (Date.now() > deadline) throw new Error(`watch: timed out waiting for ${what}; got ${JSON.stringify(this.events.map((e) => [e.type, e.object.metadata?.name, e.object.metadata?.resourceVersion]))}`);
      if (this.ended && !cond(this.events)) throw new Error(`watch ended before ${what}; got ${JSON.stringify(this.events.map((e) => [e.type, e.object.metadata?.name]))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.req?.destroy();
    this.ended = true;
  }
}

/** Polls until `fn` returns a value that is not undefined, or fails at the deadline. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
