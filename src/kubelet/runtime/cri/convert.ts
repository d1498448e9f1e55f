/**
 * Translation between the agent's runtime types (interface.ts) and CRI v1
 * messages as proto-loader encodes and decodes them (snake_case fields, int64
 * as decimal strings, enums by name). Pure functions: no I/O.
 */
import type {
  AuthConfig,
  ContainerConfig,
  ContainerFilter,
  ContainerState,
  ContainerStats,
  ContainerStatus,
  Image,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  RuntimeStatus,
  SandboxState,
} from '../interface.js';

/** int64 on the wire as proto-loader hands it to us with `longs: String`. */
type Int64 = string | number;

export interface WireMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface WirePodSandboxStatus {
  id: string;
  metadata: WireMetadata | null;
  state: SandboxState;
  created_at: Int64;
  network?: { ip: string } | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface WireContainerStatus {
  id: string;
  metadata: { name: string; attempt: number } | null;
  state: ContainerState;
  created_at: Int64;
  started_at: Int64;
  finished_at: Int64;
  exit_code: number;
  image: { image: string } | null;
  image_ref: string;
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  log_path: string;
}

export interface WireContainer {
  id: string;
  pod_sandbox_id: string;
  metadata: { name: string; attempt: number } | null;
  state: ContainerState;
  created_at: Int64;
  labels: Record<string, string>;
}

export interface WireContainerStats {
  attributes: { id: string } | null;
  cpu: { timestamp: Int64; usage_core_nano_seconds: { value: Int64 } | null } | null;
  memory: { timestamp: Int64; working_set_bytes: { value: Int64 } | null; usage_bytes: { value: Int64 } | null } | null;
}

export interface WireImage {
  id: string;
  repo_tags: string[];
  repo_digests: string[];
  size: Int64;
  uid?: { value: Int64 } | null;
  username?: string;
}

export interface WireRuntimeCondition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

const NS_PER_MS = 1_000_000n;

/** CRI nanoseconds (int64) to milliseconds since the epoch; 0 stays 0. */
export function nsToMs(ns: Int64 | undefined | null): number {
  if (ns === undefined || ns === null || ns === '') return 0;
  return Number(BigInt(ns) / NS_PER_MS);
}

/** Milliseconds to CRI nanoseconds, as a decimal string (exact beyond 2^53). */
export function msToNs(ms: number): string {
  return (BigInt(Math.trunc(ms)) * NS_PER_MS).toString();
}

function num(v: Int64 | undefined | null): number {
  if (v === undefined || v === null || v === '') return 0;
  return Number(v);
}

function podSandboxMetadataToWire(m: PodSandboxConfig['metadata']): WireMetadata {
  return { name: m.name, uid: m.uid, namespace: m.namespace, attempt: m.attempt };
}

/**
 * The namespace options kubelet sends for a pod: network and IPC are the
 * pod's unless the host's are asked for; the PID namespace is per container
 * (the v1 PodSpec default) unless hostPID or shareProcessNamespace.
 */
export function namespaceOptionsToWire(security: PodSandboxConfig['linux']['security']): { network: string; pid: string; ipc: string } {
  return {
    network: security.hostNetwork ? 'NODE' : 'POD',
    pid: security.hostPID ? 'NODE' : security.sharePID ? 'POD' : 'CONTAINER',
    ipc: security.hostIPC ? 'NODE' : 'POD',
  };
}

/** A container's: the pod's, except that a container of its own PID namespace may join a target's instead. */
export function containerNamespaceOptionsToWire(security: PodSandboxConfig['linux']['security'], pidTargetId: string | undefined): { network: string; pid: string; ipc: string; target_id?: string } {
  const opts = namespaceOptionsToWire(security);
  return pidTargetId && opts.pid === 'CONTAINER' ? { ...opts, pid: 'TARGET', target_id: pidTargetId } : opts;
}

export function podSandboxConfigToWire(c: PodSandboxConfig): object {
  return {
    metadata: podSandboxMetadataToWire(c.metadata),
    // runc cannot set a hostname without a UTS namespace of its own, which host-network sandboxes do not get.
    hostname: c.linux.security.hostNetwork ? '' : c.hostname,
    log_directory: c.logDirectory,
    dns_config: c.dnsConfig ? { servers: c.dnsConfig.servers, searches: c.dnsConfig.searches, options: c.dnsConfig.options } : null,
    port_mappings: c.portMappings.map((p) => ({
      protocol: p.protocol,
      container_port: p.containerPort,
      host_port: p.hostPort ?? 0,
      host_ip: p.hostIP ?? '',
    })),
    labels: { ...c.labels },
    annotations: { ...c.annotations },
    linux: {
      cgroup_parent: c.linux.cgroupParent ?? '',
      security_context: { namespace_options: namespaceOptionsToWire(c.linux.security) },
      sysctls: { ...(c.linux.sysctls ?? {}) },
    },
  };
}

export function podSandboxStatusFromWire(s: WirePodSandboxStatus): PodSandboxStatus {
  const out: PodSandboxStatus = {
    id: s.id,
    metadata: {
      name: s.metadata?.name ?? '',
      namespace: s.metadata?.namespace ?? '',
      uid: s.metadata?.uid ?? '',
      attempt: s.metadata?.attempt ?? 0,
    },
    state: s.state,
    createdAt: nsToMs(s.created_at),
    labels: { ...s.labels },
    annotations: { ...s.annotations },
  };
  if (s.network?.ip) out.ip = s.network.ip;
  return out;
}

export function podSandboxFilterToWire(f: PodSandboxFilter | undefined): object | null {
  if (!f) return null;
  return {
    id: f.id ?? '',
    state: f.state ? { state: f.state } : null,
    label_selector: { ...(f.labelSelector ?? {}) },
  };
}

export function containerFilterToWire(f: ContainerFilter | undefined): object | null {
  if (!f) return null;
  return {
    id: f.id ?? '',
    pod_sandbox_id: f.podSandboxId ?? '',
    state: f.state ? { state: f.state } : null,
    label_selector: { ...(f.labelSelector ?? {}) },
  };
}

/** CRI's stats filter has no state: stats exist for running containers only. */
export function containerStatsFilterToWire(f: ContainerFilter | undefined): object | null {
  if (!f) return null;
  return { id: f.id ?? '', pod_sandbox_id: f.podSandboxId ?? '', label_selector: { ...(f.labelSelector ?? {}) } };
}

function int64Value(v: number | undefined): object | null {
  return v === undefined ? null : { value: v };
}

export function containerConfigToWire(c: ContainerConfig, sandbox: PodSandboxConfig): object {
  const sc = c.linux.securityContext;
  const r = c.linux.resources;
  return {
    metadata: { name: c.metadata.name, attempt: c.metadata.attempt },
    image: { image: c.image },
    command: c.command ?? [],
    args: c.args ?? [],
    working_dir: c.workingDir ?? '',
    envs: c.envs.map((e) => ({ key: e.key, value: e.value })),
    mounts: c.mounts.map((m) => ({
      container_path: m.containerPath,
      host_path: m.hostPath,
      readonly: m.readonly,
      propagation: m.propagation ?? 'PROPAGATION_PRIVATE',
    })),
    labels: { ...c.labels },
    annotations: { ...c.annotations },
    log_path: c.logPath,
    stdin: c.stdin,
    stdin_once: c.stdinOnce,
    tty: c.tty,
    linux: {
      resources: r
        ? {
            cpu_period: r.cpuPeriod ?? 0,
            cpu_quota: r.cpuQuota ?? 0,
            cpu_shares: r.cpuShares ?? 0,
            memory_limit_in_bytes: r.memoryLimitInBytes ?? 0,
            // Never negative: hosts without CAP_SYS_RESOURCE in the bounding set refuse it.
            oom_score_adj: 0,
          }
        : null,
      security_context: {
        capabilities: sc?.capabilities
          ? { add_capabilities: sc.capabilities.addCapabilities, drop_capabilities: sc.capabilities.dropCapabilities }
          : null,
        privileged: sc?.privileged ?? false,
        namespace_options: containerNamespaceOptionsToWire(sandbox.linux.security, sc?.pidTargetId),
        run_as_user: int64Value(sc?.runAsUser),
        run_as_group: int64Value(sc?.runAsGroup),
        run_as_username: sc?.runAsUsername ?? '',
        readonly_rootfs: sc?.readonlyRootfs ?? false,
        supplemental_groups: sc?.supplementalGroups ?? [],
        no_new_privs: sc?.noNewPrivs ?? false,
      },
    },
  };
}

export function containerStatusFromWire(s: WireContainerStatus, podSandboxId: string): ContainerStatus {
  const out: ContainerStatus = {
    id: s.id,
    podSandboxId,
    metadata: { name: s.metadata?.name ?? '', attempt: s.metadata?.attempt ?? 0 },
    state: s.state,
    createdAt: nsToMs(s.created_at),
    image: s.image?.image ?? '',
    imageRef: s.image_ref,
    labels: { ...s.labels },
    annotations: { ...s.annotations },
    logPath: s.log_path,
  };
  const finishedAt = nsToMs(s.finished_at);
  // containerd records the start after the task reported it, so a process that exits at once can seem to finish first.
  const startedAt = finishedAt > 0 ? Math.min(nsToMs(s.started_at), finishedAt) : nsToMs(s.started_at);
  if (startedAt > 0) out.startedAt = startedAt;
  if (finishedAt > 0) {
    out.finishedAt = finishedAt;
    out.exitCode = s.exit_code;
  } else if (s.state === 'CONTAINER_EXITED') {
    out.exitCode = s.exit_code;
  }
  if (s.reason) out.reason = s.reason;
  if (s.message) out.message = s.message;
  return out;
}

export function containerStatsFromWire(s: WireContainerStats): ContainerStats {
  const out: ContainerStats = {
    containerId: s.attributes?.id ?? '',
    timestamp: nsToMs(s.cpu?.timestamp ?? s.memory?.timestamp),
    cpuUsageCoreNanoSeconds: num(s.cpu?.usage_core_nano_seconds?.value),
    memoryWorkingSetBytes: num(s.memory?.working_set_bytes?.value),
  };
  if (s.memory?.usage_bytes) out.memoryUsageBytes = num(s.memory.usage_bytes.value);
  return out;
}

/** The image config in containerd's verbose ImageStatus info (`info.imageSpec.config`). */
export interface OciImageConfig {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  StopSignal?: string;
}

export function imageFromWire(i: WireImage, config?: OciImageConfig): Image {
  const out: Image = { id: i.id, repoTags: [...i.repo_tags], repoDigests: [...i.repo_digests], size: num(i.size) };
  const user = i.username || (i.uid ? String(num(i.uid.value)) : '');
  if (config) {
    const c: NonNullable<Image['config']> = {};
    if (config.Entrypoint?.length) c.entrypoint = [...config.Entrypoint];
    if (config.Cmd?.length) c.cmd = [...config.Cmd];
    if (config.Env?.length) c.env = [...config.Env];
    if (config.WorkingDir) c.workingDir = config.WorkingDir;
    if (config.User) c.user = config.User;
    else if (user) c.user = user;
    if (config.StopSignal) c.stopSignal = config.StopSignal;
    out.config = c;
  } else if (user) {
    out.config = { user };
  }
  return out;
}

/**
 * Reads the image config out of the runtime's verbose info map. containerd
 * puts a JSON document under `info` with the OCI image under `imageSpec`;
 * other runtimes may not, and then there is no config.
 */
export function imageConfigFromInfo(info: Record<string, string> | undefined): OciImageConfig | undefined {
  const raw = info?.info;
  if (!raw) return undefined;
  try {
    const doc = JSON.parse(raw) as { imageSpec?: { config?: OciImageConfig } };
    return doc.imageSpec?.config ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * The credentials for one pull. server_address stays empty: the credentials
 * were already chosen for this image's registry, and runtimes disagree on its
 * syntax (containerd 1.6 rejects a bare `host:port`).
 */
export function authConfigToWire(a: AuthConfig | undefined): object | null {
  if (!a) return null;
  return {
    username: a.username ?? '',
    password: a.password ?? '',
    auth: a.auth ?? '',
    server_address: '',
    identity_token: a.identityToken ?? '',
    registry_token: a.registryToken ?? '',
  };
}

/** RuntimeReady and NetworkReady, the two conditions kubelet requires; other conditions only add to the message. */
export function runtimeStatusFromWire(conditions: WireRuntimeCondition[]): RuntimeStatus {
  const byType = new Map(conditions.map((c) => [c.type, c]));
  const runtimeReady = byType.get('RuntimeReady')?.status ?? false;
  const networkReady = byType.get('NetworkReady')?.status ?? false;
  const problems = conditions
    .filter((c) => !c.status)
    .map((c) => `${c.type}=false${c.reason ? ` reason:${c.reason}` : ''}${c.message ? ` message:${c.message}` : ''}`);
  const out: RuntimeStatus = { runtimeReady, networkReady };
  if (problems.length) out.message = problems.join('; ');
  return out;
}
