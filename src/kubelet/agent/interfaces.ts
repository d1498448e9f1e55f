/**
 * What the pod agent needs from volumes, environment and probes, as small
 * seams: the real implementations live beside the agent and are passed in by
 * whoever assembles it; the defaults here keep the agent usable (and its
 * tests independent) without them.
 */
import type { ContainerT, PodT } from '../../api/core/v1/types.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { KeyValue, Mount } from '../runtime/interface.js';

export type ContainerMountsResult = { ok: true; mounts: Mount[] } | { ok: false; reason: 'CreateContainerConfigError'; message: string };

/** Mounts for one container of a set-up pod; `envs` is its resolved environment (for subPathExpr). */
export type MountsFor = (containerName: string, opts?: { envs?: readonly KeyValue[] }) => Promise<ContainerMountsResult>;

/** A failure carries one message per volume that failed (each becomes a FailedMount event), or just `message`. */
export type SetUpResult = { ok: true; mounts: MountsFor } | { ok: false; reason: string; message: string; failures?: { message: string }[] };

/** The volumes whose files changed, or one message per volume that could not be refreshed (FailedMount events). */
export type VolumeResyncResult = { ok: true; changed: string[] } | { ok: false; reason: string; message: string; failures?: { message: string }[] };

/** A failed tear-down keeps the pod's directory (something may still be mounted in it) and is retried. */
export type VolumeTearDownResult = { ok: true } | { ok: false; message: string };

/** Prepares a pod's volumes before its sandbox exists and removes them once it is gone. */
export interface VolumeHost {
  setUp(pod: PodT): Promise<SetUpResult>;
  /**
   * Brings the files of a running pod's config map, secret, downward API and
   * projected volumes up to date; the agent calls it periodically.
   */
  resync?(pod: PodT): Promise<VolumeResyncResult>;
  tearDown(podUID: string): Promise<VolumeTearDownResult | void>;
}

/** Warnings (e.g. InvalidEnvironmentVariableNames) become pod events. */
export type EnvResult = { ok: true; envs: KeyValue[]; events?: { type: 'Normal' | 'Warning'; reason: string; message: string }[] } | { ok: false; reason: 'CreateContainerConfigError'; message: string };

export interface EnvContext {
  podIP?: string;
  podIPs?: string[];
  hostIP?: string;
}

/** Computes a container's environment (values, fieldRefs, configMap/secret refs, envFrom, service links). */
export interface EnvResolver {
  resolve(pod: PodT, container: ContainerT, ctx: EnvContext): Promise<EnvResult>;
}

export type ProbeKind = 'startup' | 'liveness' | 'readiness';
export type ProbeOutcome = 'Success' | 'Failure' | 'Unknown';

export interface ProbeTarget {
  pod: PodT;
  container: ContainerT;
  containerId: string;
  podIP?: string;
  /** When this run of the container started (ms since the epoch): initialDelaySeconds counts from it. */
  startedAt?: number;
}

export interface ProbeSink {
  /**
   * The probe's current verdict, reported when it changes. A liveness or
   * startup `Failure` means the failure threshold was crossed: the agent
   * restarts the container.
   */
  result(kind: ProbeKind, outcome: ProbeOutcome): void;
  /** One failed attempt, with upstream's message (`Readiness probe failed: ...`): an `Unhealthy` event. */
  unhealthy(message: string): void;
  /** A success with a caveat (`Readiness probe warning: ...`): a `ProbeWarning` event. */
  warning?(message: string): void;
}

/** Probes one run of one container until disposed. */
export interface ProberFactory {
  start(target: ProbeTarget, sink: ProbeSink): Disposable;
}
