/** The status a ReplicaSet or ReplicationController reports for the pods it controls. */
import { type Pod, isPodAvailable, isPodReady } from '../framework/pods.js';
import { selectorFromSet } from '../../machinery/labels/selector.js';
import { errorMessage } from '../framework/pod-control.js';
import type { ReplicaSetCondition, ReplicaSetStatus, ReplicatedObject } from './adapters.js';

export const REPLICA_FAILURE = 'ReplicaFailure';

export interface CalculateStatusOptions {
  /** What manageReplicas returned: an error sets ReplicaFailure, success clears it. */
  manageError?: unknown;
  now: number;
  nowRFC3339: string;
}

export function calculateStatus(rs: ReplicatedObject, pods: readonly Pod[], opts: CalculateStatusOptions): ReplicaSetStatus {
  const templateSelector = selectorFromSet(rs.spec?.template?.metadata?.labels ?? {});
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateSelector.matches(pod.metadata.labels ?? {})) fullyLabeled++;
    if (isPodReady(pod)) ready++;
    if (isPodAvailable(pod, minReadySeconds, opts.now)) available++;
  }
  let conditions: ReplicaSetCondition[] = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (opts.manageError !== undefined && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    conditions.push({
      type: REPLICA_FAILURE,
      status: 'True',
      lastTransitionTime: opts.nowRFC3339,
      reason: diff < 0 ? 'FailedCreate' : 'FailedDelete',
      message: errorMessage(opts.manageError),
    });
  } else if (opts.manageError === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 0,
  };
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** Compares as the wire does: omitted numbers are zero, so a server that drops zeros does not cause endless updates. */
export function statusEqual(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  const num = (s: ReplicaSetStatus | undefined, f: keyof ReplicaSetStatus) => (s?.[f] as number | undefined) ?? 0;
  for (const f of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const) {
    if (num(a, f) !== num(b, f)) return false;
  }
  return JSON.stringify(a?.conditions ?? []) === JSON.stringify(b.conditions ?? []);
}
