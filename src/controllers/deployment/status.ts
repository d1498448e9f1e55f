/**
 * What a deployment reports about its ReplicaSets, and upstream's three
 * judgements on a rollout: complete, progressing, timed out.
 */
import { canonicalJSON } from './hash.js';
import { getCondition, newCondition, setCondition } from './conditions.js';
import { actualReplicaCount, availableReplicaCount, deploymentReplicas, maxUnavailable, readyReplicaCount, replicaCount } from './replica-sets.js';
import { type Deployment, type DeploymentStatus, type ReplicaSet, CONDITION_AVAILABLE, CONDITION_PROGRESSING, Reason } from './types.js';

/** Upstream's calculateStatus: counts from the ReplicaSets, conditions carried over, Available recomputed. */
export function calculateStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, nowRFC3339: string): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const unavailable = Math.max(0, replicaCount(allRSs) - available);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: unavailable,
  };
  // Upstream's counts are omitempty: a zero is absent from the object, not 0.
  for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const) if (!status[k]) delete status[k];
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= deploymentReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(CONDITION_AVAILABLE, 'True', Reason.MinimumReplicasAvailable, 'Deployment has minimum availability.', nowRFC3339));
  } else {
    setCondition(status, newCondition(CONDITION_AVAILABLE, 'False', Reason.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', nowRFC3339));
  }
  return status;
}

export const hasProgressDeadline = (d: Deployment): boolean => {
  const s = d.spec?.progressDeadlineSeconds;
  // Upstream treats MaxInt32 as "no deadline".
  return s !== undefined && s !== 2147483647;
};

export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const replicas = deploymentReplicas(d);
  return (s.updatedReplicas ?? 0) === replicas && (s.replicas ?? 0) === replicas && (s.availableReplicas ?? 0) === replicas && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Any sign of progress between the recorded status and the new one. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** No progress reported for progressDeadlineSeconds since the Progressing condition last changed. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(s, CONDITION_PROGRESSING);
  if (!cond) return false;
  if (cond.reason === Reason.NewReplicaSetAvailable) return false;
  if (cond.reason === Reason.ProgressDeadlineExceeded) return true;
  const from = cond.lastUpdateTime ? Date.parse(cond.lastUpdateTime) : NaN;
  if (Number.isNaN(from)) return false;
  return from + (d.spec!.progressDeadlineSeconds ?? 0) * 1000 < now;
}

const COUNTS = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const;

/** Equal as the wire sees it: omitted counts are zero. */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  for (const f of COUNTS) if ((a?.[f] ?? 0) !== (b[f] ?? 0)) return false;
  if (a?.collisionCount !== b.collisionCount) return false;
  return canonicalJSON(a?.conditions) === canonicalJSON(b.conditions);
}
