/**
 * Runs a real `k8ts server` for end-to-end tests: a child process on a free
 * loopback port with its own temporary data dir, plus a kubectl runner bound
 * to its kubeconfig. Everything it starts is stopped and removed by `stop()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const K8TS_BIN = path.join(repoRoot, 'bin', 'k8ts.js');

/** kubectl 1.35 and helm fetched by scripts/install-test-tools.sh, when present. */
export function toolPath(name: 'kubectl-1.35' | 'helm'): string | undefined {
  const p = path.join(repoRoot, '.tools', name);
  return existsSync(p) ? p : undefined;
}

export function kubectlPath(): string | undefined {
  for (const p of [process.env.KUBECTL, '/usr/bin/kubectl', '/usr/local/bin/kubectl']) if (p && existsSync(p)) return p;
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  cwd?: string;
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

export interface TestServerOptions {
  /** Extra `k8ts server` flags. */
  args?: string[];
  /** Reuse a data dir (restarts); a fresh temp dir otherwise. */
  dataDir?: string;
  env?: Record<string, string>;
  /** Run the server's local node agent (no `--disable-agent`); its runtime comes from `args`. */
  agent?: boolean;
  /** Options for node itself, before the script (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}

export class TestServer {
  child?: ChildProcess;
  port = 0;
  output = '';
  private ownsDir: boolean;

  private constructor(
    readonly dataDir: string,
    private readonly opts: TestServerOptions,
  ) {
    this.ownsDir = !opts.dataDir;
  }

  static async start(opts: TestServerOptions = {}): Promise<TestServer> {
    const dir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'k8ts-e2e-'));
    const s = new TestServer(dir, opts);
    await s.launch();
    return s;
  }

  get kubeconfig(): string {
    return path.join(this.dataDir, 'admin.kubeconfig');
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts) the process and waits until it has written its kubeconfig and is ready. */
  async launch(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const args = [...(this.opts.nodeArgs ?? []), K8TS_BIN, 'server', '--data-dir', this.dataDir, '--https-listen-port', String(this.port), '--bind-address', '127.0.0.1', ...(this.opts.agent ? [] : ['--disable-agent']), ...(this.opts.args ?? [])];
    const child = spawn(process.execPath, args, { env: { ...process.env, ...this.opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`k8ts server did not start within 30s:\n${this.output}`)), 30_000);
      const onData = (d: Buffer) => {
        this.output += d.toString();
        if (this.output.includes('export KUBECONFIG=')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`k8ts server exited with ${code}:\n${this.output}`));
      });
    });
  }

  kubectl(args: string[], opts: RunOptions & { bin?: string } = {}): Promise<RunResult> {
    const bin = opts.bin ?? kubectlPath();
    if (!bin) throw new Error('kubectl not found');
    return run(bin, args, { ...opts, env: { KUBECONFIG: this.kubeconfig, ...opts.env } });
  }

  /** kubectl that must succeed; returns stdout. */
  async k(args: string[], opts: RunOptions & { bin?: string } = {}): Promise<string> {
    const r = await this.kubectl(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Ends the process with a signal and waits for it to exit; returns its exit code. */
  async signal(sig: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    return new Promise((resolve) => {
      // A server that does not drain in time is killed, so a test can never hang on it.
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      child.kill(sig);
    });
  }

  async restart(): Promise<void> {
    await this.signal('SIGTERM');
    await this.launch();
  }

  async stop(): Promise<void> {
    const code = await this.signal('SIGTERM');
    void code;
    if (this.ownsDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
