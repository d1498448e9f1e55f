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

export class CriRuntimeService implements RuntimeService {
  /** Container id -> sandbox id; immutable for a container's life, and ContainerStatus does not carry it. */
  private readonly sandboxOf = new Map<string, string>();

  constructor(
    private readonly client: CriClient,
    private readonly streaming: StreamingTransport = 'spdy',
  ) {}

  async version(): Promise<RuntimeVersion> {
    const res = await this.client.call<{ runtime_name: string; runtime_version: string; runtime_api_version: string }>(
      'RuntimeService', 'Version', { version: KUBELET_API_VERSION },
    );
    return { runtimeName: res.runtime_name, runtimeVersion: res.runtime_version, runtimeApiVersion: res.runtime_api_version };
  }

  async status(): Promise<RuntimeStatus> {
    const res = await this.client.call<{ status: { conditions: WireRuntimeCondition[] } | null }>('RuntimeService', 'Status', { verbose: false });
    return runtimeStatusFromWire(res.status?.conditions ?? []);
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    try {
      const res = await this.client.call<{ pod_sandbox_id: string }>('RuntimeService', 'RunPodSandbox', {
        config: podSandboxConfigToWire(config),
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
    for (const [c, s] of this.sandboxOf) if (s === id) this.sandboxOf.delete(c);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus | undefined> {
    try {
      const res = await this.client.call<{ status: WirePodSandboxStatus | null }>('RuntimeService', 'PodSandboxStatus', { pod_sandbox_id: id, verbose: false });
      return res.status ? podSandboxStatusFromWire(res.status) : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandboxStatus[]> {
    const res = await this.client.call<{ items: { id: string }[] }>('RuntimeService', 'ListPodSandbox', { filter: podSandboxFilterToWire(filter) });
    // The list lacks the pod IP; the status call has it. A sandbox removed in between is skipped.
    const all = await Promise.all(res.items.map((s) => this.podSandboxStatus(s.id)));
    return all.filter((s): s is PodSandboxStatus => s !== undefined);
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    try {
      const res = await this.client.call<{ container_id: string }>('RuntimeService', 'CreateContainer', {
        pod_sandbox_id: podSandboxId,
        config: containerConfigToWire(config, sandboxConfig),
        sandbox_config: podSandboxConfigToWire(sandboxConfig),
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
  }

  async listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]> {
    const res = await this.client.call<{ containers: WireContainer[] }>('RuntimeService', 'ListContainers', { filter: containerFilterToWire(filter) });
    for (const c of res.containers) this.sandboxOf.set(c.id, c.pod_sandbox_id);
    // Times, exit codes and log paths are only in the per-container status.
    const all = await Promise.all(res.containers.map((c) => this.statusWithSandbox(c.id, c.pod_sandbox_id)));
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
      return res.status ? containerStatusFromWire(res.status, podSandboxId) : undefined;
    } catch (err) {
      if (isNotFound(err)) {
        this.sandboxOf.delete(id);
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
    const res = await this.client.call<{ stats: WireContainerStats[] }>('RuntimeService', 'ListContainerStats', { filter: containerStatsFilterToWire(filter) });
    let stats = res.stats.map(containerStatsFromWire);
    if (filter?.state) {
      // CRI's stats filter has no state; narrow with the container list.
      const ids = new Set((await this.client.call<{ containers: WireContainer[] }>('RuntimeService', 'ListContainers', { filter: containerFilterToWire(filter) })).containers.map((c) => c.id));
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

export interface CriRuntimeOptions extends CriClientOptions {
  /** Deadline for one image pull (default 15 minutes; 0 = none). */
  pullTimeoutMs?: number;
  /** Transport for exec/attach (default `spdy`). */
  streaming?: StreamingTransport;
}

/** A `cri` runtime on one endpoint. Calls fail (not hang) while the runtime is down; `version()` is the health check. */
export class CriRuntime implements ContainerRuntime {
  readonly name = 'cri' as const;
  readonly runtime: CriRuntimeService;
  readonly images: CriImageService;
  private readonly client: CriClient;

  constructor(opts: CriRuntimeOptions) {
    this.client = new CriClient(opts);
    this.runtime = new CriRuntimeService(this.client, opts.streaming ?? 'spdy');
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
