/** The parts of a pod the Job controller reads beyond the shared workload slice. */
import type { ContainerStatus, Pod, PodCondition } from '../framework/pods.js';

export interface TerminatedState {
  exitCode: number;
  finishedAt?: string;
}

export interface JobContainerStatus extends ContainerStatus {
  state?: { terminated?: TerminatedState; [state: string]: unknown };
}

export interface JobPod extends Pod {
  status?: {
    phase?: string;
    conditions?: (PodCondition & { reason?: string })[];
    containerStatuses?: JobContainerStatus[];
    initContainerStatuses?: JobContainerStatus[];
    [field: string]: unknown;
  };
}

export const isPodSucceeded = (p: JobPod): boolean => p.status?.phase === 'Succeeded';
export const isPodPhaseFailed = (p: JobPod): boolean => p.status?.phase === 'Failed';
export const isPodFinished = (p: JobPod): boolean => isPodSucceeded(p) || isPodPhaseFailed(p);
/** Being deleted but not finished: neither active nor yet counted. */
export const isPodTerminating = (p: JobPod): boolean => !!p.metadata.deletionTimestamp && !isPodFinished(p);

/** When the pod finished: the last container termination, else the Ready=False transition, else its deletion. */
export function podFinishTime(p: JobPod, now: number): number {
  let latest: number | undefined;
  for (const c of [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])]) {
    const t = parseTime(c.state?.terminated?.finishedAt);
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  if (latest !== undefined) return latest;
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
  return parseTime(ready?.lastTransitionTime) ?? parseTime(p.metadata.deletionTimestamp) ?? now;
}

export function parseTime(s: string | undefined | null): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}
