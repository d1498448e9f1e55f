/**
 * A RuntimeService for streaming tests: pods and containers exist only as
 * records, but exec runs the command as a local process (so shells, exit
 * codes, stdin and tar behave for real), attach talks to an in-memory main
 * process that echoes its stdin, logs are CRI-format files the test writes,
 * and port-forward connects to local ports the test maps.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PassThrough, type Duplex } from 'node:stream';
import type {
  ContainerFilter,
  ContainerStats,
  ContainerStatus,
  ExecSyncResult,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  RuntimeService,
  RuntimeStatus,
  RuntimeVersion,
  StreamOptions,
  StreamSession,
} from '../runtime/interface.js';

export interface FakePodSpec {
  namespace: string;
  name: string;
  uid: string;
  containers: string[];
}

interface MainProcess {
  /** What attached clients read. */
  output: PassThrough;
  exited?: number;
  onExit: ((code: number) => void)[];
}

export class FakeRuntime implements RuntimeService {
  readonly sandboxes = new Map<string, PodSandboxStatus>();
  readonly containers = new Map<string, ContainerStatus>();
  /** Every resize any session received, in order. */
  readonly resizes: { containerId: string; width: number; height: number }[] = [];
  /** Pod port → local port that port-forward connects to. */
  readonly ports = new Map<number, number>();
  private readonly main = new Map<string, MainProcess>();
  private seq = 0;

  constructor(private readonly logDir: string) {}

  /** Creates a ready sandbox with running containers; returns the container ids by name. */
  addPod(spec: FakePodSpec): Record<string, string> {
    const sandboxId = `sandbox-${++this.seq}`;
    const now = Date.now();
    this.sandboxes.set(sandboxId, { id: sandboxId, metadata: { name: spec.name, namespace: spec.namespace, uid: spec.uid, attempt: 0 }, state: 'SANDBOX_READY', createdAt: now, ip: '127.0.0.1', labels: {}, annotations: {} });
    const ids: Record<string, string> = {};
    for (const name of spec.containers) ids[name] = this.startContainer_(sandboxId, name, 0);
    return ids;
  }

  /** Marks the container exited and starts a new attempt (a restart); returns the new id. */
  restartContainer(id: string, exitCode: number): string {
    const old = this.containers.get(id)!;
    this.exitContainer(id, exitCode);
    return this.startContainer_(old.podSandboxId, old.metadata.name, old.metadata.attempt + 1);
  }

  exitContainer(id: string, exitCode: number): void {
    const c = this.containers.get(id)!;
    c.state = 'CONTAINER_EXITED';
    c.exitCode = exitCode;
    c.finishedAt = Date.now();
    const m = this.main.get(id)!;
    m.exited = exitCode;
    m.output.end();
    for (const f of m.onExit.splice(0)) f(exitCode);
  }

  /** Appends one CRI log record to the container's log file. */
  log(id: string, stream: 'stdout' | 'stderr', text: string, opts: { partial?: boolean; time?: string } = {}): void {
    const c = this.containers.get(id)!;
    const time = opts.time ?? new Date().toISOString().replace('Z', '000000Z');
    appendFileSync(c.logPath, `${time} ${stream} ${opts.partial ? 'P' : 'F'} ${text}\n`);
  }

  /** Writes to what `attach` clients of the container read. */
  mainOutput(id: string): PassThrough {
    return this.main.get(id)!.output;
  }

  private startContainer_(sandboxId: string, name: string, attempt: number): string {
    const id = `c${++this.seq}`;
    const sb = this.sandboxes.get(sandboxId)!;
    const dir = path.join(this.logDir, `${sb.metadata.namespace}_${sb.metadata.name}_${sb.metadata.uid}`, name);
    mkdirSync(dir, { recursive: true });
    const now = Date.now();
    // Runtimes create the log file when the container starts, before it writes anything.
    writeFileSync(path.join(dir, `${attempt}.log`), '');
    this.containers.set(id, {
      id,
      podSandboxId: sandboxId,
      metadata: { name, attempt },
      state: 'CONTAINER_RUNNING',
      createdAt: now + attempt,
      startedAt: now,
      image: 'fake',
      imageRef: 'fake',
      labels: {},
      annotations: {},
      logPath: path.join(dir, `${attempt}.log`),
    });
    this.main.set(id, { output: new PassThrough(), onExit: [] });
    return id;
  }

  async version(): Promise<RuntimeVersion> {
    return { runtimeName: 'fake', runtimeVersion: '0', runtimeApiVersion: 'v1' };
  }
  async status(): Promise<RuntimeStatus> {
    return { runtimeReady: true, networkReady: true };
  }
  async runPodSandbox(_config: PodSandboxConfig): Promise<string> {
    throw new Error('not supported by the fake runtime');
  }
  async stopPodSandbox(): Promise<void> {}
  async removePodSandbox(): Promise<void> {}
  async podSandboxStatus(id: string): Promise<PodSandboxStatus | undefined> {
    return this.sandboxes.get(id);
  }
  async listPodSandbox(_filter?: PodSandboxFilter): Promise<PodSandboxStatus[]> {
    return [...this.sandboxes.values()];
  }
  async createContainer(): Promise<string> {
    throw new Error('not supported by the fake runtime');
  }
  async startContainer(): Promise<void> {}
  async stopContainer(): Promise<void> {}
  async removeContainer(): Promise<void> {}
  async listContainers(_filter?: ContainerFilter): Promise<ContainerStatus[]> {
    return [...this.containers.values()];
  }
  async containerStatus(id: string): Promise<ContainerStatus | undefined> {
    return this.containers.get(id);
  }
  async execSync(): Promise<ExecSyncResult> {
    throw new Error('not supported by the fake runtime');
  }

  async exec(id: string, cmd: string[], opts: StreamOptions): Promise<StreamSession> {
    if (!this.containers.has(id)) throw new Error(`container ${id} not found`);
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const exit = new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
    });
    let stdout: PassThrough | undefined;
    if (opts.tty) {
      // No terminal here: a tty session's single output stream carries both.
      stdout = new PassThrough();
      let open = 2;
      const done = () => --open === 0 && stdout!.end();
      child.stdout.on('data', (d: Buffer) => stdout!.write(d)).once('end', done);
      child.stderr.on('data', (d: Buffer) => stdout!.write(d)).once('end', done);
    }
    if (!opts.stdin) child.stdin.end();
    return {
      stdin: opts.stdin ? child.stdin : undefined,
      stdout: opts.tty ? stdout : child.stdout,
      stderr: opts.tty ? undefined : child.stderr,
      resize: (size) => void this.resizes.push({ containerId: id, ...size }),
      exit,
      close: () => void child.kill('SIGKILL'),
    };
  }

  async attach(id: string, opts: StreamOptions): Promise<StreamSession> {
    const m = this.main.get(id);
    if (!m) throw new Error(`container ${id} not found`);
    const stdout = new PassThrough();
    const stdin = opts.stdin ? new PassThrough() : undefined;
    // The main process echoes what it reads, and attached clients see its output.
    stdin?.on('data', (d: Buffer) => m.output.write(d));
    const relay = (d: Buffer) => stdout.write(d);
    m.output.on('data', relay);
    let settle!: (code: number) => void;
    const exit = new Promise<number>((r) => (settle = r));
    const finish = (code: number) => {
      m.output.off('data', relay);
      stdout.end();
      settle(code);
    };
    if (m.exited !== undefined) finish(m.exited);
    else m.onExit.push(finish);
    return { stdin, stdout, resize: (size) => void this.resizes.push({ containerId: id, ...size }), exit, close: () => finish(0) };
  }

  async portForward(_podSandboxId: string, port: number): Promise<Duplex> {
    const local = this.ports.get(port);
    if (!local) throw new Error(`failed to connect to localhost:${port}: connection refused`);
    return new Promise((resolve, reject) => {
      const s = net.connect(local, '127.0.0.1');
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
  }

  async containerStats(): Promise<ContainerStats | undefined> {
    return undefined;
  }
  async listContainerStats(): Promise<ContainerStats[]> {
    return [];
  }
}
