/**
 * The `cri` runtime: the agent's RuntimeService and ImageService as a client
 * of a CRI v1 runtime (containerd, CRI-O) over its unix socket. Streaming
 * calls get a URL from the runtime and are bridged to in-process streams by
 * streaming-client.ts.
 */
import type { Duplex } from 'node:stream';
import type {
  AuthConfig,
  ContainerConfig,
  ContainerFilter,
  ContainerRuntime,
  ContainerStats,
  ContainerStatus,
  ExecSyncResult,
  Image,
  ImageService,
  ImageSpec,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  RuntimeService,
  RuntimeStatus,
  RuntimeVersion,
  StreamOptions,
  StreamSession,
} from '../interface.js';
import { DEFAULT_CRI_AGENT_ID, LABEL_CRI_AGENT } from './agent-label.js';
import { CriClient, criErrorMessage, isDeadlineExceeded, isNotFound, type CriClientOptions } from './cri-client.js';
import {
  authConfigToWire,
  containerConfigToWire,
  containerFilterToWire,
  containerStatsFilterToWire,
  containerStatsFromWire,
  containerStatusFromWire,
  imageConfigFromInfo,
  imageFromWire,
  podSandboxConfigToWire,
  podSandboxFilterToWire,
  podSandboxStatusFromWire,
  runtimeStatusFromWire,
  type WireContainer,
  type WireContainerStats,
  type WireContainerStatus,
  type WireImage,
  type WirePodSandboxStatus,
  type WireRuntimeCondition,
} from './convert.js';
import { connectSpdyRemoteCommand } from './spdy-remote-command.js';
import { connectPortForward, connectRemoteCommand } from './streaming-client.js';

/**
 * How exec/attach sessions reach the runtime's streaming server. `spdy` is
 * what kubelet uses and the default: it half-closes stdin and carries tty
 * output, both of which fail over WebSocket against containerd 1.6 (it
 * predates v5.channel.k8s.io and sends no tty output without stdin there).
 */
export type StreamingTransport = 'spdy' | 'websocket';

function connectSession(transport: StreamingTransport, url: string, opts: StreamOptions): Promise<StreamSession> {
  return transport === 'spdy' ? connectSpdyRemoteCommand(url, opts) : connectRemoteCommand(url, opts);
}

/** The CRI API version kubelet announces in VersionRequest. */
const KUBELET_API_VERSION = '0.1.0';

/**
 * Exit code reported for an ExecSync killed at its timeout (the runtime
 * gives none): 128 + SIGKILL, what a shell shows for a killed command.
 */
export const EXEC_TIMEOUT_EXIT_CODE = 137;

/** A list of everything this agent owns: what it does not name is gone. */
function isUnfiltered(filter: { id?: string; state?: string; labelSelector?: Record<string, string>; podSandboxId?: string } | undefined): boolean {
  return !filter || (!filter.id && !filter.state && !filter.podSandboxId && Object.keys(filter.labelSelector ?? {}).length === 0);
}

function forgetAllBut<T>(cache: Map<string, T>, present: { id: string }[]): void {
  const ids = new Set(present.map((x) => x.id));
  for (const id of cache.keys()) if (!ids.has(id)) cache.delete(id);
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

function runtimeError(what: string, err: unknown): Error {
  return new Error(`cri: ${what}: ${criErrorMessage(err)}`, { cause: err });
}

/** The owner label is the runtime's bookkeeping: callers see the labels they set. */
function withoutOwner<T extends { labels: Record<string, string> }>(x: T): T {
  delete x.labels[LABEL_CRI_AGENT];
  return x;
}

export interface CriRuntimeServiceOptions {
  /** Transport for exec/attach (default `spdy`). */
  streaming?: StreamingTransport;
  /** The owner label value on everything this instance creates and the only one it lists (default `k8ts`). */
  agentId?: string;
  /**
   * The node's podCIDR, announced with UpdateRuntimeConfig before the first
   * status or sandbox, as kubelet does: a runtime configured with a CNI config
   * template (containerd's `conf_template`) writes its network config from it.
   */
  podCIDR?: string;
}

export class CriRuntimeService implements RuntimeService {
  /** Container id -> sandbox id; immutable for a container's life, and ContainerStatus does not carry it. */
  private readonly sandboxOf = new Map<string, string>();
  /**
   * The last status of each container and sandbox, reused while the list
   * reports the same state: a status does not change within one state, and
   * the agent lists often (each pod worker, and the relist every second).
   * Without it every list costs one status call per item.
   */
  private readonly containerStatuses = new Map<string, ContainerStatus>();
  private readonly sandboxStatuses = new Map<string, PodSandboxStatus>();
  private readonly streaming: StreamingTransport;
  private readonly agentId: string;
  private readonly podCIDR: string | undefined;
  private runtimeConfigured: Promise<void> | undefined;

  constructor(
    private readonly client: CriClient,
    opts: CriRuntimeServiceOptions = {},
  ) {
    this.streaming = opts.streaming ?? 'spdy';
    this.agentId = opts.agentId ?? DEFAULT_CRI_AGENT_ID;
    this.podCIDR = opts.podCIDR;
  }

  /** Announces the podCIDR once; a failure is retried by the next caller. */
  private ensureRuntimeConfig(): Promise<void> {
    if (!this.podCIDR) return Promise.resolve();
    this.runtimeConfigured ??= this.client
      .call('RuntimeService', 'UpdateRuntimeConfig', { runtime_config: { network_config: { pod_cidr: this.podCIDR } } })
      .then(() => undefined, (err: unknown) => {
        this.runtimeConfigured = undefined;
        throw runtimeError(`update runtime config (podCIDR ${this.podCIDR})`, err);
      });
    return this.runtimeConfigured;
  }

  private owned<T extends { labelSelector?: Record<string, string> }>(filter: T | undefined): T {
    return { ...(filter ?? ({} as T)), labelSelector: { ...(filter?.labelSelector ?? {}), [LABEL_CRI_AGENT]: this.agentId } };
  }

  private ownedSandbox(config: PodSandboxConfig): PodSandboxConfig {
    return { ...config, labels: { ...config.labels, [LABEL_CRI_AGENT]: this.agentId } };
  }

  async version(): Promise<RuntimeVersion> {
    const res = await this.client.call<{ runtime_name: string; runtime_version: string; runtime_api_version: string }>(
      'RuntimeService', 'Version', { version: KUBELET_API_VERSION },
    );
    return { runtimeName: res.runtime_name, runtimeVersion: res.runtime_version, runtimeApiVersion: res.runtime_api_version };
  }

  async status(): Promise<RuntimeStatus> {
    await this.ensureRuntimeConfig();
    const res = await this.client.call<{ status: { conditions: WireRuntimeCondition[] } | null }>('RuntimeService', 'Status', { verbose: false });
    return runtimeStatusFromWire(res.status?.conditions ?? []);
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    await this.ensureRuntimeConfig();
    try {
      const res = await this.client.call<{ pod_sandbox_id: string }>('RuntimeService', 'RunPodSandbox', {
        config: podSandboxConfigToWire(this.ownedSandbox(config)),
        runtime_handler: '',
      });
      return res.pod_sandbox_id;
    } catch (err) {
      throw runtimeError(`run pod sandbox ${config.metadata.namespace}/${config.metadata.name}`, err);
    }
  }

  async stopPodSandbox(id: string): Promise<void> {
    await ignoreNotFound(this.client.call('RuntimeService', 'StopPodSandbox', { pod_sandbox_id: id }));
  }

  async removePodSandbox(id: string): Promise<void> {
    await ignoreNotFound(this.client.call('RuntimeService', 'RemovePodSandbox', { pod_sandbox_id: id }));
    this.sandboxStatuses.delete(id);
    for (const [c, s] of this.sandboxOf) {
      if (s !== id) continue;
      this.sandboxOf.delete(c);
      this.containerStatuses.delete(c);
    }
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus | undefined> {
    try {
      const res = await this.client.call<{ status: WirePodSandboxStatus | null }>('RuntimeService', 'PodSandboxStatus', { pod_sandbox_id: id, verbose: false });
      const status = res.status ? withoutOwner(podSandboxStatusFromWire(res.status)) : undefined;
      if (status) this.sandboxStatuses.set(id, status);
      else this.sandboxStatuses.delete(id);
      return status;
    } catch (err) {
      if (isNotFound(err)) {
        this.sandboxStatuses.delete(id);
        return undefined;
      }
      throw err;
    }
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandboxStatus[]> {
    const res = await this.client.call<{ items: { id: string; state: PodSandboxStatus['state'] }[] }>('RuntimeService', 'ListPodSandbox', { filter: podSandboxFilterToWire(this.owned(filter)) });
    if (isUnfiltered(filter)) forgetAllBut(this.sandboxStatuses, res.items);
    // The list lacks the pod IP; the status call has it. A sandbox removed in between is skipped.
    const all = await Promise.all(res.items.map((s) => {
      const known = this.sandboxStatuses.get(s.id);
      return known && known.state === s.state ? known : this.podSandboxStatus(s.id);
    }));
    return all.filter((s): s is PodSandboxStatus => s !== undefined);
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    try {
      const res = await this.client.call<{ container_id: string }>('RuntimeService', 'CreateContainer', {
        pod_sandbox_id: podSandboxId,
        config: containerConfigToWire({ ...config, labels: { ...config.labels, [LABEL_CRI_AGENT]: this.agentId } }, sandboxConfig),
        sandbox_config: podSandboxConfigToWire(this.ownedSandbox(sandboxConfig)),
      });
      this.sandboxOf.set(res.container_id, podSandboxId);
      return res.container_id;
    } catch (err) {
      throw runtimeError(`create container ${config.metadata.name}`, err);
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.client.call('RuntimeService', 'StartContainer', { container_id: id });
    } catch (err) {
      throw runtimeError(`start container ${id}`, err);
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const timeout = Math.max(0, Math.ceil(timeoutSeconds));
    await ignoreNotFound(this.client.call('RuntimeService', 'StopContainer', { container_id: id, timeout }, { timeoutMs: timeout * 1000 + 120_000 }));
  }

  async removeContainer(id: string): Promise<void> {
    await ignoreNotFound(this.client.call('RuntimeService', 'RemoveContainer', { container_id: id }));
    this.sandboxOf.delete(id);
    this.containerStatuses.delete(id);
  }

  async listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]> {
    const res = await this.client.call<{ containers: WireContainer[] }>('RuntimeService', 'ListContainers', { filter: containerFilterToWire(this.owned(filter)) });
    for (const c of res.containers) this.sandboxOf.set(c.id, c.pod_sandbox_id);
    if (isUnfiltered(filter)) forgetAllBut(this.containerStatuses, res.containers);
    // Times, exit codes and log paths are only in the per-container status.
    const all = await Promise.all(res.containers.map((c) => {
      const known = this.containerStatuses.get(c.id);
      return known && known.state === c.state && c.state !== 'CONTAINER_UNKNOWN' ? known : this.statusWithSandbox(c.id, c.pod_sandbox_id);
    }));
    return all.filter((s): s is ContainerStatus => s !== undefined);
  }

  async containerStatus(id: string): Promise<ContainerStatus | undefined> {
    let sandboxId = this.sandboxOf.get(id);
    if (sandboxId === undefined) {
      const res = await this.client.call<{ containers: WireContainer[] }>('RuntimeService', 'ListContainers', { filter: { id } });
      const c = res.containers.find((x) => x.id === id);
      if (!c) return undefined;
      sandboxId = c.pod_sandbox_id;
      this.sandboxOf.set(id, sandboxId);
    }
    return this.statusWithSandbox(id, sandboxId);
  }

  private async statusWithSandbox(id: string, podSandboxId: string): Promise<ContainerStatus | undefined> {
    try {
      const res = await this.client.call<{ status: WireContainerStatus | null }>('RuntimeService', 'ContainerStatus', { container_id: id, verbose: false });
      const status = res.status ? withoutOwner(containerStatusFromWire(res.status, podSandboxId)) : undefined;
      if (status) this.containerStatuses.set(id, status);
      else this.containerStatuses.delete(id);
      return status;
    } catch (err) {
      if (isNotFound(err)) {
        this.sandboxOf.delete(id);
        this.containerStatuses.delete(id);
        return undefined;
      }
      throw err;
    }
  }

  async execSync(id: string, cmd: string[], timeoutMs: number): Promise<ExecSyncResult> {
    // CRI counts whole seconds; 0 means no limit.
    const timeout = timeoutMs > 0 ? Math.max(1, Math.ceil(timeoutMs / 1000)) : 0;
    try {
      const res = await this.client.call<{ stdout: Buffer; stderr: Buffer; exit_code: number }>(
        'RuntimeService', 'ExecSync', { container_id: id, cmd, timeout },
        // The runtime enforces the timeout; the deadline only guards against a runtime that hangs.
        { timeoutMs: timeout > 0 ? timeout * 1000 + 30_000 : 0 },
      );
      return { stdout: Buffer.from(res.stdout ?? []), stderr: Buffer.from(res.stderr ?? []), exitCode: res.exit_code, timedOut: false };
    } catch (err) {
      if (timeout > 0 && (isDeadlineExceeded(err) || /timeout .* exceeded/i.test(criErrorMessage(err)))) {
        return { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: EXEC_TIMEOUT_EXIT_CODE, timedOut: true };
      }
      throw runtimeError(`exec in container ${id}`, err);
    }
  }

  async exec(id: string, cmd: string[], opts: StreamOptions): Promise<StreamSession> {
    let url: string;
    try {
      ({ url } = await this.client.call<{ url: string }>('RuntimeService', 'Exec', {
        container_id: id,
        cmd,
        tty: opts.tty,
        stdin: opts.stdin,
        stdout: opts.stdout,
        stderr: opts.stderr && !opts.tty,
      }));
    } catch (err) {
      throw runtimeError(`exec in container ${id}`, err);
    }
    return connectSession(this.streaming, url, opts);
  }

  async attach(id: string, opts: StreamOptions): Promise<StreamSession> {
    let url: string;
    try {
      ({ url } = await this.client.call<{ url: string }>('RuntimeService', 'Attach', {
        container_id: id,
        stdin: opts.stdin,
        tty: opts.tty,
        stdout: opts.stdout,
        stderr: opts.stderr && !opts.tty,
      }));
    } catch (err) {
      throw runtimeError(`attach to container ${id}`, err);
    }
    const session = await connectSession(this.streaming, url, opts);
    // The streaming server reports success when the attach ends; the container's own exit code is in its status.
    const exit = session.exit.then(async (code) => {
      // The stream can end a moment before the runtime records the exit.
      const deadline = Date.now() + 2_000;
      for (;;) {
        const st = await this.containerStatus(id).catch(() => undefined);
        if (st?.state === 'CONTAINER_EXITED' && st.exitCode !== undefined) return st.exitCode;
        if (st?.state !== 'CONTAINER_RUNNING' || Date.now() > deadline) return code;
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    exit.catch(() => {});
    return { ...session, exit };
  }

  async portForward(podSandboxId: string, port: number): Promise<Duplex> {
    let url: string;
    try {
      ({ url } = await this.client.call<{ url: string }>('RuntimeService', 'PortForward', { pod_sandbox_id: podSandboxId, port: [port] }));
    } catch (err) {
      throw runtimeError(`port-forward to sandbox ${podSandboxId}`, err);
    }
    return connectPortForward(url, port);
  }

  async containerStats(id: string): Promise<ContainerStats | undefined> {
    try {
      const res = await this.client.call<{ stats: WireContainerStats | null }>('RuntimeService', 'ContainerStats', { container_id: id });
      return res.stats ? containerStatsFromWire(res.stats) : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async listContainerStats(filter?: ContainerFilter): Promise<ContainerStats[]> {
    const res = await this.client.call<{ stats: WireContainerStats[] }>('RuntimeService', 'ListContainerStats', { filter: containerStatsFilterToWire(this.owned(filter)) });
    let stats = res.stats.map(containerStatsFromWire);
    if (filter?.state) {
      // CRI's stats filter has no state; narrow with the container list.
      const ids = new Set((await this.client.call<{ containers: WireContainer[] }>('RuntimeService', 'ListContainers', { filter: containerFilterToWire(this.owned(filter)) })).containers.map((c) => c.id));
      stats = stats.filter((s) => ids.has(s.containerId));
    }
    return stats;
  }
}

export class CriImageService implements ImageService {
  constructor(
    private readonly client: CriClient,
    private readonly pullTimeoutMs: number,
  ) {}

  async listImages(): Promise<Image[]> {
    const res = await this.client.call<{ images: WireImage[] }>('ImageService', 'ListImages', { filter: null });
    return res.images.map((i) => imageFromWire(i));
  }

  async imageStatus(image: ImageSpec): Promise<Image | undefined> {
    try {
      const res = await this.client.call<{ image: WireImage | null; info: Record<string, string> }>('ImageService', 'ImageStatus', {
        image: { image: image.image },
        verbose: true,
      });
      return res.image ? imageFromWire(res.image, imageConfigFromInfo(res.info)) : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async pullImage(image: ImageSpec, auth?: AuthConfig): Promise<string> {
    try {
      const res = await this.client.call<{ image_ref: string }>(
        'ImageService', 'PullImage', { image: { image: image.image }, auth: authConfigToWire(auth) }, { timeoutMs: this.pullTimeoutMs },
      );
      return res.image_ref;
    } catch (err) {
      // The runtime's message names the registry's answer; it becomes the pod's ErrImagePull message.
      throw new Error(criErrorMessage(err), { cause: err });
    }
  }

  async removeImage(image: ImageSpec): Promise<void> {
    await ignoreNotFound(this.client.call('ImageService', 'RemoveImage', { image: { image: image.image } }));
  }

  async imageFsInfo(): Promise<{ usedBytes: number; inodesUsed?: number; mountpoint: string }> {
    const res = await this.client.call<{ image_filesystems: { fs_id: { mountpoint: string } | null; used_bytes: { value: string } | null; inodes_used: { value: string } | null }[] }>(
      'ImageService', 'ImageFsInfo', {},
    );
    const fs = res.image_filesystems[0];
    if (!fs) throw new Error('cri: the runtime reported no image filesystem');
    const out: { usedBytes: number; inodesUsed?: number; mountpoint: string } = {
      usedBytes: Number(fs.used_bytes?.value ?? 0),
      mountpoint: fs.fs_id?.mountpoint ?? '',
    };
    if (fs.inodes_used) out.inodesUsed = Number(fs.inodes_used.value);
    return out;
  }
}

export interface CriRuntimeOptions extends CriClientOptions, CriRuntimeServiceOptions {
  /** Deadline for one image pull (default 15 minutes; 0 = none). */
  pullTimeoutMs?: number;
}

/** A `cri` runtime on one endpoint. Calls fail (not hang) while the runtime is down; `version()` is the health check. */
export class CriRuntime implements ContainerRuntime {
  readonly name = 'cri' as const;
  readonly runtime: CriRuntimeService;
  readonly images: CriImageService;
  private readonly client: CriClient;

  constructor(opts: CriRuntimeOptions) {
    this.client = new CriClient(opts);
    this.runtime = new CriRuntimeService(this.client, { streaming: opts.streaming, agentId: opts.agentId, podCIDR: opts.podCIDR });
    this.images = new CriImageService(this.client, opts.pullTimeoutMs ?? 15 * 60_000);
  }

  /** Resolves once the runtime's socket accepts a connection. */
  waitForReady(timeoutMs: number): Promise<void> {
    return this.client.waitForReady(timeoutMs);
  }

  async dispose(): Promise<void> {
    this.client.close();
  }
}

export function createCriRuntime(opts: CriRuntimeOptions): CriRuntime {
  return new CriRuntime(opts);
}
