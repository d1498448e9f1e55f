/**
 * The pod statuses a simulated kubelet writes for each stage action. Pure
 * functions of the pod and the time, so they are cheap to test.
 */
import { ANNOTATION_EXIT_CODE, ANNOTATION_READY } from './stages.js';

export interface SimPod {
  metadata: { name?: string; namespace?: string; uid?: string; annotations?: Record<string, string> };
  spec?: { containers?: { name: string; image?: string }[]; initContainers?: { name: string }[] };
  status?: PodStatus;
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: Record<string, Record<string, unknown>>;
}

export interface PodStatus {
  phase?: string;
  hostIP?: string;
  hostIPs?: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  conditions?: PodCondition[];
  containerStatuses?: ContainerStatus[];
}

function containerID(pod: SimPod, name: string): string {
  return `sim://${pod.metadata.uid ?? pod.metadata.name ?? ''}-${name}`;
}

/** Keeps a condition's lastTransitionTime when its status did not change. */
function condition(pod: SimPod, type: string, status: boolean, now: string, reason?: string): PodCondition {
  const s = status ? 'True' : 'False';
  const prev = pod.status?.conditions?.find((c) => c.type === type);
  const c: PodCondition = { type, status: s, lastProbeTime: null, lastTransitionTime: prev?.status === s && prev.lastTransitionTime ? prev.lastTransitionTime : now };
  if (reason) c.reason = reason;
  return c;
}

export function scriptedReady(pod: SimPod): boolean {
  return pod.metadata.annotations?.[ANNOTATION_READY] !== 'false';
}

export function scriptedExitCode(pod: SimPod): number {
  const raw = pod.metadata.annotations?.[ANNOTATION_EXIT_CODE];
  return raw !== undefined && /^\d{1,3}$/.test(raw.trim()) ? Number(raw) : 0;
}

function readinessConditions(pod: SimPod, ready: boolean, now: string, reason?: string): PodCondition[] {
  return [
    condition(pod, 'PodReadyToStartContainers', true, now),
    condition(pod, 'Initialized', true, now),
    condition(pod, 'Ready', ready, now, ready ? undefined : reason ?? 'ContainersNotReady'),
    condition(pod, 'ContainersReady', ready, now, ready ? undefined : reason ?? 'ContainersNotReady'),
    condition(pod, 'PodScheduled', true, now),
  ];
}

export function runningStatus(pod: SimPod, opts: { podIP: string; hostIP: string; now: string }): PodStatus {
  const ready = scriptedReady(pod);
  const startTime = pod.status?.startTime ?? opts.now;
  return {
    phase: 'Running',
    hostIP: opts.hostIP,
    hostIPs: [{ ip: opts.hostIP }],
    podIP: opts.podIP,
    podIPs: [{ ip: opts.podIP }],
    startTime,
    conditions: readinessConditions(pod, ready, opts.now),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: `sim://${c.image ?? ''}`,
      containerID: containerID(pod, c.name),
      ready,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: opts.now } },
    })),
  };
}

export function readinessStatus(pod: SimPod, opts: { now: string }): PodStatus {
  const ready = scriptedReady(pod);
  return {
    conditions: readinessConditions(pod, ready, opts.now),
    containerStatuses: (pod.status?.containerStatuses ?? []).map((c) => ({ ...c, ready })),
  };
}

export function completedStatus(pod: SimPod, opts: { now: string }): PodStatus {
  const exitCode = scriptedExitCode(pod);
  const reason = exitCode === 0 ? 'Completed' : 'Error';
  const previous = new Map((pod.status?.containerStatuses ?? []).map((c) => [c.name, c]));
  return {
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    conditions: readinessConditions(pod, false, opts.now, 'PodCompleted'),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => {
      const prev = previous.get(c.name);
      const startedAt = (prev?.state.running?.startedAt as string | undefined) ?? pod.status?.startTime ?? opts.now;
      return {
        name: c.name,
        image: c.image ?? '',
        imageID: `sim://${c.image ?? ''}`,
        containerID: containerID(pod, c.name),
        ready: false,
        started: false,
        restartCount: 0,
        state: { terminated: { exitCode, reason, startedAt, finishedAt: opts.now, containerID: containerID(pod, c.name) } },
      };
    }),
  };
}
