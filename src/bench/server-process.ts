/**
 * A `k8ts server` child process for benchmarks: spawned with optional node
 * flags (profiling), timed from spawn to the first `/readyz` 200, and probed
 * for its resident memory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http2 from 'node:http2';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { K8TS_BIN, freePort } from '../testing/server-harness.js';

export interface ServerProcessOptions {
  dataDir: string;
  /** `--datastore-endpoint` value: sqlite, memory or an etcd URL. */
  datastore: string;
  /** Flags for node itself, before the script (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Reuse a port across restarts; a free one otherwise. */
  port?: number;
  readyTimeoutMs?: number;
  /** Run the scheduler and controller manager too (the API benchmark measures the server alone). */
  withComponents?: boolean;
  /** More `k8ts server` flags (e.g. --sim-nodes). */
  serverArgs?: string[];
}

const POLL_MS = 5;
/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

export class ServerProcess {
  private stderrTail = '';

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly dataDir: string,
    /** Milliseconds from spawn to the first /readyz 200. */
    public readyMs = 0,
  ) {}

  static async start(opts: ServerProcessOptions): Promise<ServerProcess> {
    const port = opts.port ?? (await freePort());
    const args = [
      ...(opts.nodeArgs ?? []),
      K8TS_BIN,
      'server',
      '--data-dir', opts.dataDir,
      '--https-listen-port', String(port),
      '--bind-address', '127.0.0.1',
      '--disable-agent',
      // Without components, the API server is measured alone: nothing reacts to its pods.
      ...(opts.withComponents ? [] : ['--disable-scheduler', '--disable-controller-manager']),
      '--datastore-endpoint', opts.datastore,
      ...(opts.serverArgs ?? []),
    ];
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const sp = new ServerProcess(child, port, opts.dataDir);
    child.stderr!.on('data', (d: Buffer) => (sp.stderrTail = (sp.stderrTail + d.toString()).slice(-4000)));
    try {
      await sp.waitReady(opts.readyTimeoutMs ?? 60_000);
      // The admin kubeconfig is written just after the server turns ready.
      while (!existsSync(sp.kubeconfig)) {
        if (sp.exited()) throw new Error(`k8ts server exited:\n${sp.stderrTail}`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    } catch (err) {
      await sp.stop();
      throw err;
    }
    sp.readyMs = performance.now() - t0;
    return sp;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get kubeconfig(): string {
    return path.join(this.dataDir, 'admin.kubeconfig');
  }

  /** CPU time (user + system) the process used so far, in milliseconds, from /proc (Linux). */
  cpuMs(): number {
    return processCpuMs(this.pid);
  }

  /** Resident set size in MiB, from /proc (Linux). */
  rssMB(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (!m) throw new Error(`no VmRSS for pid ${this.pid}`);
    return Number(m[1]) / 1024;
  }

  private exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /**
   * Polls /readyz anonymously (a public path) over one HTTP/2 session, so the
   * figure is not dominated by TLS handshakes; reconnects while the port is closed.
   */
  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const sleep = () => new Promise((r) => setTimeout(r, POLL_MS));
    let session: http2.ClientHttp2Session | undefined;
    try {
      while (performance.now() < deadline) {
        if (this.exited()) throw new Error(`k8ts server exited with ${this.child.exitCode ?? this.child.signalCode}:\n${this.stderrTail}`);
        if (!session || session.destroyed || session.closed) {
          session = await connectOnce(this.port);
          if (!session) {
            await sleep();
            continue;
          }
        }
        const status = await getStatus(session, '/readyz');
        if (status === 200) return;
        await sleep();
      }
      throw new Error(`k8ts server not ready within ${timeoutMs} ms:\n${this.stderrTail}`);
    } finally {
      session?.destroy();
    }
  }

  /** SIGTERM, then SIGKILL if it does not drain in time. */
  async stop(): Promise<void> {
    if (this.exited()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.kill('SIGTERM');
    });
  }
}

function connectOnce(port: number): Promise<http2.ClientHttp2Session | undefined> {
  return new Promise((resolve) => {
    const s = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    s.once('error', () => {
      s.destroy();
      resolve(undefined);
    });
    s.once('connect', () => {
      s.on('error', () => undefined);
      resolve(s);
    });
  });
}

/** Status of a GET, or 0 when the stream failed. */
function getStatus(s: http2.ClientHttp2Session, p: string): Promise<number> {
  return new Promise((resolve) => {
    let status = 0;
    const stream = s.request({ ':method': 'GET', ':path': p });
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', () => undefined);
    stream.once('error', () => resolve(0));
    stream.once('close', () => resolve(status));
  });
}

/** CPU time (user + system) a process used so far, in milliseconds, from /proc (Linux). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}
