/**
 * The container runtime seam, shaped like CRI v1 (RuntimeService and
 * ImageService) so the node agent is written once and runs on the built-in
 * `oci` runtime (runc), on containerd/CRI-O over gRPC (`cri`), or on
 * simulated containers (`sim`). One conformance suite checks every
 * implementation against this contract.
 *
 * Differences from the gRPC API, on purpose:
 * - streaming calls (exec, attach, port-forward) return streams in-process
 *   instead of a URL to a runtime streaming server; an implementation over
 *   real CRI bridges the two;
 * - times are milliseconds since the epoch (CRI uses nanoseconds);
 * - expected negatives (not found) are `undefined` results, not exceptions.
 */
import type { Duplex, Readable, Writable } from 'node:stream';

export interface KeyValue {
  key: string;
  value: string;
}

export interface PodSandboxMetadata {
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
}

export interface DNSConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

export interface PortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  hostPort?: number;
  hostIP?: string;
}

export interface LinuxSandboxSecurity {
  /** The sandbox shares the host's network namespace (pod.spec.hostNetwork). */
  hostNetwork: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  /** The pod's containers share one PID namespace (pod.spec.shareProcessNamespace; CRI NamespaceMode POD). */
  sharePID?: boolean;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname: string;
  /** Directory for the containers' logs: /var/log/pods/<ns>_<name>_<uid> under the agent's data dir. */
  logDirectory: string;
  dnsConfig?: DNSConfig;
  portMappings: PortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux: {
    cgroupParent?: string;
    security: LinuxSandboxSecurity;
    sysctls?: Record<string, string>;
  };
  /** Extra /etc/hosts lines (pod.spec.hostAliases), after the defaults. */
  hostAliases?: { ip: string; hostnames: string[] }[];
}

export type SandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: SandboxState;
  createdAt: number;
  /** The pod IP; absent with host networking (the node's IP applies). */
  ip?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandboxFilter {
  id?: string;
  state?: SandboxState;
  labelSelector?: Record<string, string>;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  /** Mount only this file or directory of hostPath's tree (already resolved by the agent). */
  propagation?: 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
}

export interface LinuxContainerResources {
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  memoryLimitInBytes?: number;
  pidsLimit?: number;
  /** The process's oom_score_adj (kubelet's QoS value); runtimes clamp it to 0..1000, a negative one cannot be set on every node. */
  oomScoreAdj?: number;
}

export interface Capability {
  addCapabilities: string[];
  dropCapabilities: string[];
}

export interface LinuxContainerSecurityContext {
  capabilities?: Capability;
  privileged?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  /** A user name to resolve in the image (runAsNonRoot checks need the numeric id). */
  runAsUsername?: string;
  supplementalGroups?: number[];
  readonlyRootfs?: boolean;
  noNewPrivs?: boolean;
  /**
   * The PID namespace to join instead of the container's own (CRI's NamespaceMode TARGET):
   * the id of a running container of the same sandbox, as `kubectl debug --target` asks for.
   */
  pidTargetId?: string;
}

export interface ContainerConfig {
  metadata: { name: string; attempt: number };
  /** Image reference or id as returned by pullImage / imageStatus. */
  image: string;
  /** Overrides the image's entrypoint (pod `command`). */
  command?: string[];
  /** Overrides the image's cmd (pod `args`). */
  args?: string[];
  workingDir?: string;
  envs: KeyValue[];
  mounts: Mount[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Relative to the sandbox's logDirectory, e.g. `web/0.log`; written in the CRI log format. */
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  linux: { resources?: LinuxContainerResources; securityContext?: LinuxContainerSecurityContext };
}

export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface ContainerStatus {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number };
  state: ContainerState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  /** `OOMKilled`, `Completed`, `Error`, `ContainerCannotRun`... as kubectl shows them. */
  reason?: string;
  message?: string;
  image: string;
  /** The image's digest reference (`repo@sha256:...`), for status.containerStatuses[].imageID. */
  imageRef: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Absolute path of the CRI-format log file. */
  logPath: string;
}

export interface ContainerFilter {
  id?: string;
  podSandboxId?: string;
  state?: ContainerState;
  labelSelector?: Record<string, string>;
}

export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
  /** True when the command was killed at the timeout. */
  timedOut: boolean;
}

export interface StreamOptions {
  /** Give the process a stdin stream. */
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** A terminal: stdout and stderr are one stream, resize applies. */
  tty: boolean;
}

/** A running exec or attach session. */
export interface StreamSession {
  stdin?: Writable;
  stdout?: Readable;
  /** Absent with a tty (output is merged into stdout). */
  stderr?: Readable;
  resize(size: { width: number; height: number }): void;
  /** Settles with the exit code once the process ended (attach: once the container exited or the session closed). */
  exit: Promise<number>;
  /** Ends the session early (the client went away). */
  close(): void;
}

export interface ContainerStats {
  containerId: string;
  timestamp: number;
  /** Cumulative CPU time in nanoseconds. */
  cpuUsageCoreNanoSeconds: number;
  memoryWorkingSetBytes: number;
  memoryUsageBytes?: number;
}

export interface RuntimeVersion {
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface RuntimeStatus {
  runtimeReady: boolean;
  networkReady: boolean;
  message?: string;
}

export interface RuntimeService {
  version(): Promise<RuntimeVersion>;
  status(): Promise<RuntimeStatus>;

  /** Creates the pod's network namespace (IP from the node's podCIDR unless hostNetwork) and any per-pod state. */
  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Stops every container of the sandbox (force) and tears its network down; idempotent. */
  stopPodSandbox(id: string): Promise<void>;
  /** Removes what stopPodSandbox left (state, directories); idempotent. */
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus | undefined>;
  listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandboxStatus[]>;

  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM (or the image's stop signal), then SIGKILL after timeoutSeconds; idempotent. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]>;
  containerStatus(id: string): Promise<ContainerStatus | undefined>;

  execSync(id: string, cmd: string[], timeoutMs: number): Promise<ExecSyncResult>;
  exec(id: string, cmd: string[], opts: StreamOptions): Promise<StreamSession>;
  attach(id: string, opts: StreamOptions): Promise<StreamSession>;
  /** A connection to `port` inside the sandbox's network namespace. */
  portForward(podSandboxId: string, port: number): Promise<Duplex>;

  containerStats(id: string): Promise<ContainerStats | undefined>;
  listContainerStats(filter?: ContainerFilter): Promise<ContainerStats[]>;
}

export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64(username:password), as in a dockerconfigjson. */
  auth?: string;
  identityToken?: string;
  registryToken?: string;
}

export interface ImageSpec {
  /** A reference as users write it (`busybox`, `127.0.0.1:5000/demo/busybox:1.35`, `x@sha256:...`). */
  image: string;
}

export interface Image {
  /** `sha256:<config digest>`. */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  /** From the image config: what a container runs when the pod does not say. */
  config?: { entrypoint?: string[]; cmd?: string[]; env?: string[]; workingDir?: string; user?: string; stopSignal?: string };
}

export interface ImageService {
  listImages(): Promise<Image[]>;
  imageStatus(image: ImageSpec): Promise<Image | undefined>;
  /** Returns the image reference to create containers with. Errors carry the registry's message for ErrImagePull. */
  pullImage(image: ImageSpec, auth?: AuthConfig): Promise<string>;
  removeImage(image: ImageSpec): Promise<void>;
  imageFsInfo(): Promise<{ usedBytes: number; inodesUsed?: number; mountpoint: string }>;
}

/** What the agent holds: one runtime, its images, and a way to release both. */
export interface ContainerRuntime {
  readonly name: 'oci' | 'cri' | 'sim';
  readonly runtime: RuntimeService;
  readonly images: ImageService;
  dispose(): Promise<void>;
}

/** Labels every implementation puts on what it creates for the agent, as kubelet's dockershim/CRI labels. */
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
