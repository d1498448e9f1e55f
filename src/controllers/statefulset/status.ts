/** Counting a StatefulSet's pods into its status, as upstream does. */
import { type Pod, isPodAvailable, isPodReady } from '../framework/pods.js';
import { podRevision } from './identity.js';
import type { StatefulSet, StatefulSetStatus } from './types.js';

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);
}

export function isTerminating(pod: Pod): boolean {
  return !!pod.metadata.deletionTimestamp;
}

export function isHealthy(pod: Pod): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

export interface StatusInput {
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  now: number;
}

export function computeStatus(set: StatefulSet, pods: readonly Pod[], input: StatusInput): StatefulSetStatus {
  const minReadySeconds = set.spec?.minReadySeconds ?? 0;
  const status: StatefulSetStatus = {
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
    currentRevision: input.currentRevision,
    updateRevision: input.updateRevision,
    collisionCount: input.collisionCount,
    observedGeneration: set.metadata.generation ?? 0,
  };
  for (const pod of pods) {
    status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas!++;
      if (isRunningAndAvailable(pod, minReadySeconds, input.now)) status.availableReplicas!++;
    }
    if (isTerminating(pod)) continue;
    const rev = podRevision(pod);
    if (rev === input.currentRevision) status.currentReplicas!++;
    if (rev === input.updateRevision) status.updatedReplicas!++;
  }
  if (set.status?.conditions) status.conditions = set.status.conditions;
  return completeRollingUpdate(set, status);
}

/** Once every pod is updated and ready, the update revision becomes the current one. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): StatefulSetStatus {
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    return { ...status, currentReplicas: status.updatedReplicas, currentRevision: status.updateRevision };
  }
  return status;
}

/** Compares as the wire does: omitted numbers are zero. */
export function statusEqual(a: StatefulSetStatus | undefined, b: StatefulSetStatus): boolean {
  const num = (s: StatefulSetStatus | undefined, f: keyof StatefulSetStatus) => (s?.[f] as number | undefined) ?? 0;
  for (const f of ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'] as const) {
    if (num(a, f) !== num(b, f)) return false;
  }
  return (a?.currentRevision ?? '') === (b.currentRevision ?? '') && (a?.updateRevision ?? '') === (b.updateRevision ?? '');
}
