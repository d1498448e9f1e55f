/**
 * A container runtime that runs nothing: sandboxes get addresses from a CIDR,
 * containers follow a script (their command line, or the `sim.k8ts.io/*`
 * annotations of the container or its pod) on an injected clock, write CRI
 * format logs to real files, and report scripted usage. The agent cannot
 * tell it from a real runtime, which is what its tests and simulated nodes
 * need.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type Duplex, PassThrough } from 'node:stream';
import { type Clock, type Timer, rfc3339Micro } from '../../../machinery/clock.js';
import { tryParseQuantity } from '../../../machinery/quantity.js';
import type {
  ContainerConfig, ContainerFilter, ContainerRuntime, ContainerState, ContainerStats, ContainerStatus, ExecSyncResult, Image, ImageService, ImageSpec,
  PodSandboxConfig, PodSandboxFilter, PodSandboxStatus, RuntimeService, RuntimeStatus, RuntimeVersion, StreamOptions, StreamSession,
} from '../interface.js';
import { parseScript, runScriptNow, type Script } from './script.js';

export const SIM_ANNOTATION_RUN_SECONDS = 'sim.k8ts.io/run-seconds';
export const SIM_ANNOTATION_EXIT_CODE = 'sim.k8ts.io/exit-code';
export const SIM_ANNOTATION_CPU_USAGE = 'sim.k8ts.io/cpu-usage';
export const SIM_ANNOTATION_MEMORY_USAGE = 'sim.k8ts.io/memory-usage';
/** `true`: the container ignores SIGTERM and is killed when the grace period ends. */
export const SIM_ANNOTATION_IGNORE_SIGTERM = 'sim.k8ts.io/ignore-sigterm';

export interface SimRuntimeOptions {
  clock: Clock;
  /** Pod addresses come from this range (.1 is the gateway). */
  podCIDR?: string;
  /** Images present without a pull. */
  images?: string[];
  /** The pull error for an image, if pulling it fails; by default names starting with `nonexistent` or `does-not-exist` are not found. */
  pullError?: (image: string) => string | undefined;
}

interface SimSandbox {
  id: string;
  config: PodSandboxConfig;
  state: 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
  createdAt: number;
  ip?: string;
  offset?: number;
}

interface SimContainer {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  logFile: string;
  state: ContainerState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  message?: string;
  script: Script;
  timer?: Timer;
  ignoreSigterm: boolean;
  exitWaiters: (() => void)[];
}

const defaultPullError = (image: string): string | undefined => {
  const repo = image.split('@')[0]!.replace(/:[^/:]*$/, '');
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  if (!/^(nonexistent|does-not-exist)/.test(last)) return undefined;
  const full = normalizeReference(image);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${full}": failed to resolve reference "${full}": ${full}: not found`;
};

/** `busybox` → `docker.io/library/busybox:latest`, as containerd names images. */
export function normalizeReference(image: string): string {
  let ref = image;
  const first = ref.split('/')[0]!;
  const hasRegistry = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) ref = `docker.io/${ref.includes('/') ? '' : 'library/'}${ref}`;
  if (!ref.includes('@') && !/:[^/]*$/.test(ref)) ref += ':latest';
  return ref;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function imageFor(ref: string): Image {
  const full = normalizeReference(ref);
  const repo = full.split('@')[0]!.replace(/:[^/:]*$/, '');
  return { id: `sha256:${sha(`config:${full}`)}`, repoTags: full.includes('@') ? [] : [full], repoDigests: [`${repo}@sha256:${sha(`manifest:${full}`)}`], size: 1_000_000 };
}

function matchesLabels(labels: Record<string, string>, selector?: Record<string, string>): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

function usageOf(...sources: Record<string, string>[]): { cpuMilli: number; memoryBytes: number } {
  const read = (key: string, milli: boolean) => {
    for (const s of sources) {
      const raw = s[key];
      if (raw === undefined) continue;
      const q = tryParseQuantity(raw);
      return q.ok ? Math.max(0, milli ? q.quantity.milliValue() : q.quantity.value()) : 0;
    }
    return 0;
  };
  return { cpuMilli: read(SIM_ANNOTATION_CPU_USAGE, true), memoryBytes: read(SIM_ANNOTATION_MEMORY_USAGE, false) };
}

export class SimRuntime implements ContainerRuntime, RuntimeService, ImageService {
  readonly name = 'sim' as const;
  readonly runtime: RuntimeService = this;
  readonly images: ImageService = this;
  private readonly sandboxes = new Map<string, SimSandbox>();
  private readonly containers = new Map<string, SimContainer>();
  private readonly imageStore = new Map<string, Image>();
  private readonly clock: Clock;
  private readonly base: number[];
  /** Pulls made, in order (tests check pull policies with it). */
  readonly pulls: string[] = [];

  constructor(private readonly opts: SimRuntimeOptions) {
    this.clock = opts.clock;
    const [ip] = (opts.podCIDR ?? '10.244.0.0/24').split('/');
    this.base = ip!.split('.').map(Number);
    for (const ref of opts.images ?? []) this.imageStore.set(normalizeReference(ref), imageFor(ref));
  }

  async dispose(): Promise<void> {
    for (const c of this.containers.values()) c.timer?.cancel();
  }

  // ---- RuntimeService ------------------------------------------------------

  async version(): Promise<RuntimeVersion> {
    return { runtimeName: 'sim', runtimeVersion: '1.0.0', runtimeApiVersion: 'v1' };
  }

  async status(): Promise<RuntimeStatus> {
    return { runtimeReady: true, networkReady: true };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = randomBytes(32).toString('hex');
    const sb: SimSandbox = { id, config: structuredClone(config), state: 'SANDBOX_READY', createdAt: this.clock.now() };
    if (!config.linux.security.hostNetwork) {
      const used = new Set([...this.sandboxes.values()].filter((s) => s.state === 'SANDBOX_READY').map((s) => s.offset));
      let offset = 2;
      while (used.has(offset) && offset < 255) offset++;
      if (offset >= 255) throw new Error('no free pod address');
      sb.offset = offset;
      sb.ip = [this.base[0], this.base[1], this.base[2], offset].join('.');
    }
    mkdirSync(config.logDirectory, { recursive: true });
    this.sandboxes.set(id, sb);
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sb = this.sandboxes.get(id);
    if (!sb) return;
    for (const c of this.containers.values()) if (c.sandboxId === id && c.state === 'CONTAINER_RUNNING') this.exit(c, 137, 'Error');
    sb.state = 'SANDBOX_NOTREADY';
    sb.offset = undefined;
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.stopPodSandbox(id);
    for (const c of [...this.containers.values()]) if (c.sandboxId === id) await this.removeContainer(c.id);
    this.sandboxes.delete(id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus | undefined> {
    const sb = this.sandboxes.get(id);
    return sb && this.sandboxStatus(sb);
  }

  async listPodSandbox(filter: PodSandboxFilter = {}): Promise<PodSandboxStatus[]> {
    return [...this.sandboxes.values()]
      .filter((sb) => (!filter.id || sb.id === filter.id) && (!filter.state || sb.state === filter.state) && matchesLabels(sb.config.labels, filter.labelSelector))
      .map((sb) => this.sandboxStatus(sb));
  }

  private sandboxStatus(sb: SimSandbox): PodSandboxStatus {
    const s: PodSandboxStatus = { id: sb.id, metadata: { ...sb.config.metadata }, state: sb.state, createdAt: sb.createdAt, labels: { ...sb.config.labels }, annotations: { ...sb.config.annotations } };
    if (sb.ip && sb.state === 'SANDBOX_READY') s.ip = sb.ip;
    return s;
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const sb = this.sandboxes.get(podSandboxId);
    if (!sb || sb.state !== 'SANDBOX_READY') throw new Error(`sandbox ${podSandboxId} is not ready`);
    const targetId = config.linux.securityContext?.pidTargetId;
    const target = targetId ? this.containers.get(targetId) : undefined;
    if (targetId && (target?.sandboxId !== podSandboxId || target.state !== 'CONTAINER_RUNNING')) throw new Error(`target container ${targetId} is not running in pod sandbox ${podSandboxId}`);
    const id = randomBytes(32).toString('hex');
    const logFile = path.join(sandboxConfig.logDirectory, config.logPath);
    mkdirSync(path.dirname(logFile), { recursive: true });
    this.containers.set(id, {
      id,
      sandboxId: podSandboxId,
      config: structuredClone(config),
      logFile,
      state: 'CONTAINER_CREATED',
      createdAt: this.clock.now(),
      script: this.scriptFor(config, sandboxConfig),
      ignoreSigterm: (config.annotations[SIM_ANNOTATION_IGNORE_SIGTERM] ?? sandboxConfig.annotations[SIM_ANNOTATION_IGNORE_SIGTERM]) === 'true',
      exitWaiters: [],
    });
    return id;
  }

  /** Annotations (the container's, then its pod's) win over the command line. */
  private scriptFor(config: ContainerConfig, sandbox: PodSandboxConfig): Script {
    const pick = (key: string) => config.annotations[key] ?? config.labels[key] ?? sandbox.annotations[key];
    const run = pick(SIM_ANNOTATION_RUN_SECONDS);
    const code = pick(SIM_ANNOTATION_EXIT_CODE);
    const exitCode = code !== undefined && /^\d{1,3}$/.test(code.trim()) ? Number(code) & 255 : 0;
    if (run !== undefined && /^\d+(\.\d+)?$/.test(run.trim())) return { steps: [{ kind: 'sleep', ms: Number(run) * 1000 }, { kind: 'exit', code: exitCode }] };
    return parseScript([...(config.command ?? []), ...(config.args ?? [])]);
  }

  async startContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) throw new Error(`container ${id} not found`);
    if (c.state !== 'CONTAINER_CREATED') throw new Error(`container ${id} is not in created state`);
    c.state = 'CONTAINER_RUNNING';
    c.startedAt = this.clock.now();
    const sb = this.sandboxes.get(c.sandboxId)!;
    const limit = c.config.linux.resources?.memoryLimitInBytes;
    if (limit && usageOf(c.config.annotations, sb.config.annotations).memoryBytes > limit) {
      // Over its limit from the start: the kernel's OOM killer ends it at once.
      this.exit(c, 137, 'OOMKilled');
      return;
    }
    this.step(c, 0, 0);
  }

  /** Plays the script from step `i`; sleeps wait on the clock. */
  private step(c: SimContainer, i: number, status: number): void {
    for (; i < c.script.steps.length; i++) {
      if (c.state !== 'CONTAINER_RUNNING') return;
      const s = c.script.steps[i]!;
      switch (s.kind) {
        case 'write':
          this.log(c, s.stream, s.text);
          break;
        case 'terminationMessage':
          c.message = s.text;
          break;
        case 'status':
          status = s.code;
          break;
        case 'sleep': {
          const next = i + 1;
          c.timer = this.clock.setTimeout(() => this.step(c, next, status), s.ms);
          return;
        }
        case 'exit': {
          const code = s.code < 0 ? status : s.code;
          this.exit(c, code, code === 0 ? 'Completed' : 'Error');
          return;
        }
        case 'forever':
          return;
      }
    }
  }

  private log(c: SimContainer, stream: 'stdout' | 'stderr', text: string): void {
    const stamp = rfc3339Micro(this.clock.now()).replace(/Z$/, '').padEnd(29, '0') + 'Z';
    try {
      appendFileSync(c.logFile, `${stamp} ${stream} F ${text}\n`);
    } catch {
      // The log directory was removed under us (sandbox gone): nothing to keep.
    }
  }

  private exit(c: SimContainer, code: number, reason: string): void {
    if (c.state === 'CONTAINER_EXITED') return;
    c.timer?.cancel();
    c.timer = undefined;
    if (c.state === 'CONTAINER_CREATED') c.startedAt = undefined;
    c.state = 'CONTAINER_EXITED';
    c.exitCode = code;
    c.reason = reason;
    c.finishedAt = this.clock.now();
    for (const w of c.exitWaiters.splice(0)) w();
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (!c || c.state === 'CONTAINER_EXITED') return;
    if (c.state === 'CONTAINER_CREATED') return this.exit(c, 0, 'Error');
    if (!c.ignoreSigterm || timeoutSeconds <= 0) {
      // 128 + SIGTERM, or + SIGKILL when there is no grace.
      this.exit(c, timeoutSeconds <= 0 ? 137 : 143, 'Error');
      return;
    }
    await new Promise<void>((resolve) => {
      c.exitWaiters.push(resolve);
      const t = this.clock.setTimeout(() => this.exit(c, 137, 'Error'), timeoutSeconds * 1000);
      c.exitWaiters.push(() => t.cancel());
    });
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    this.exit(c, 137, 'Error');
    this.containers.delete(id);
    rmSync(c.logFile, { force: true });
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    return [...this.containers.values()]
      .filter((c) => (!filter.id || c.id === filter.id) && (!filter.podSandboxId || c.sandboxId === filter.podSandboxId) && (!filter.state || c.state === filter.state) && matchesLabels(c.config.labels, filter.labelSelector))
      .map((c) => this.containerStatusOf(c));
  }

  /** The configuration a container was created with (tests look at what the agent asked for). */
  containerConfig(id: string): Readonly<ContainerConfig> | undefined {
    return this.containers.get(id)?.config;
  }

  async containerStatus(id: string): Promise<ContainerStatus | undefined> {
    const c = this.containers.get(id);
    return c && this.containerStatusOf(c);
  }

  private containerStatusOf(c: SimContainer): ContainerStatus {
    const img = this.findImage(c.config.image);
    const s: ContainerStatus = {
      id: c.id,
      podSandboxId: c.sandboxId,
      metadata: { ...c.config.metadata },
      state: c.state,
      createdAt: c.createdAt,
      image: img.repoTags[0] ?? normalizeReference(c.config.image),
      imageRef: img.repoDigests[0] ?? img.id,
      labels: { ...c.config.labels },
      annotations: { ...c.config.annotations },
      logPath: c.logFile,
    };
    if (c.startedAt !== undefined) s.startedAt = c.startedAt;
    if (c.finishedAt !== undefined) s.finishedAt = c.finishedAt;
    if (c.exitCode !== undefined) s.exitCode = c.exitCode;
    if (c.reason) s.reason = c.reason;
    if (c.message) s.message = c.message;
    return s;
  }

  async execSync(id: string, cmd: string[], _timeoutMs: number): Promise<ExecSyncResult> {
    const c = this.containers.get(id);
    if (!c || c.state !== 'CONTAINER_RUNNING') throw new Error(`container ${id} is not running`);
    const r = runScriptNow(parseScript(cmd));
    return { stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr), exitCode: r.exitCode, timedOut: false };
  }

  async exec(id: string, cmd: string[], opts: StreamOptions): Promise<StreamSession> {
    const r = await this.execSync(id, cmd, 0);
    const stdout = new PassThrough();
    const stderr = opts.tty ? undefined : new PassThrough();
    stdout.end(opts.tty ? Buffer.concat([r.stdout, r.stderr]) : r.stdout);
    stderr?.end(r.stderr);
    const stdin = opts.stdin ? new PassThrough() : undefined;
    stdin?.resume();
    return { stdin, stdout: opts.stdout ? stdout : undefined, stderr: opts.stderr ? stderr : undefined, resize: () => {}, exit: Promise.resolve(r.exitCode), close: () => {} };
  }

  async attach(id: string, opts: StreamOptions): Promise<StreamSession> {
    const c = this.containers.get(id);
    if (!c) throw new Error(`container ${id} not found`);
    const stdout = new PassThrough();
    const stderr = opts.tty ? undefined : new PassThrough();
    let close!: () => void;
    const exit = new Promise<number>((resolve) => {
      close = () => {
        stdout.end();
        stderr?.end();
        resolve(c.exitCode ?? 0);
      };
      if (c.state === 'CONTAINER_EXITED') close();
      else c.exitWaiters.push(close);
    });
    return { stdout, stderr, resize: () => {}, exit, close };
  }

  /** An echo connection: whatever is written comes back. */
  async portForward(podSandboxId: string, _port: number): Promise<Duplex> {
    if (!this.sandboxes.has(podSandboxId)) throw new Error(`sandbox ${podSandboxId} not found`);
    return new PassThrough();
  }

  async containerStats(id: string): Promise<ContainerStats | undefined> {
    const c = this.containers.get(id);
    if (!c) return undefined;
    const sb = this.sandboxes.get(c.sandboxId);
    const u = usageOf(c.config.annotations, sb?.config.annotations ?? {});
    const now = this.clock.now();
    const ranMs = c.startedAt === undefined ? 0 : (c.finishedAt ?? now) - c.startedAt;
    const running = c.state === 'CONTAINER_RUNNING';
    return { containerId: id, timestamp: now, cpuUsageCoreNanoSeconds: Math.round(u.cpuMilli * 1e3 * ranMs), memoryWorkingSetBytes: running ? u.memoryBytes : 0, memoryUsageBytes: running ? u.memoryBytes : 0 };
  }

  async listContainerStats(filter: ContainerFilter = {}): Promise<ContainerStats[]> {
    const out: ContainerStats[] = [];
    for (const c of await this.listContainers(filter)) {
      const s = await this.containerStats(c.id);
      if (s) out.push(s);
    }
    return out;
  }

  // ---- ImageService ---------------------------------------------------------

  /** By reference or by the id pullImage answered. */
  private findImage(refOrId: string): Image {
    if (refOrId.startsWith('sha256:')) for (const img of this.imageStore.values()) if (img.id === refOrId) return img;
    return this.imageStore.get(normalizeReference(refOrId)) ?? imageFor(refOrId);
  }

  async listImages(): Promise<Image[]> {
    return [...this.imageStore.values()];
  }

  async imageStatus(spec: ImageSpec): Promise<Image | undefined> {
    return this.imageStore.get(normalizeReference(spec.image));
  }

  async pullImage(spec: ImageSpec): Promise<string> {
    this.pulls.push(spec.image);
    const err = (this.opts.pullError ?? defaultPullError)(spec.image);
    if (err) throw new Error(err);
    const full = normalizeReference(spec.image);
    const img = imageFor(spec.image);
    this.imageStore.set(full, img);
    return img.id;
  }

  async removeImage(spec: ImageSpec): Promise<void> {
    this.imageStore.delete(normalizeReference(spec.image));
  }

  async imageFsInfo(): Promise<{ usedBytes: number; mountpoint: string }> {
    return { usedBytes: [...this.imageStore.values()].reduce((n, i) => n + i.size, 0), mountpoint: '/' };
  }
}
