/**
 * The annotations a deployment keeps on its ReplicaSets: revision (and the
 * revisions an RS held before it was rolled back to), desired and max
 * replicas for proportional scaling, and the deployment's own annotations
 * (kubernetes.io/change-cause among them, which `kubectl rollout history`
 * shows). Each function changes the copy it is given and says whether it did.
 */
import { maxSurge, deploymentReplicas } from './replica-sets.js';
import {
  type Deployment,
  type ReplicaSet,
  ANNOTATIONS_NOT_COPIED,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  MAX_REVISION_HISTORY_CHARS,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
} from './types.js';

function annotationsOf(obj: { metadata: { annotations?: Record<string, string> } }): Record<string, string> {
  return (obj.metadata.annotations ??= {});
}

/** Copies the deployment's annotations (except controller bookkeeping) onto the ReplicaSet. */
export function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  const target = annotationsOf(rs);
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_NOT_COPIED.has(k) || target[k] === v) continue;
    target[k] = v;
    changed = true;
  }
  return changed;
}

export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = annotationsOf(rs);
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

/** desired = the deployment's replicas, max = replicas + surge. */
export function setDeploymentReplicasAnnotations(rs: ReplicaSet, d: Deployment): boolean {
  return setReplicasAnnotations(rs, deploymentReplicas(d), deploymentReplicas(d) + maxSurge(d));
}

/**
 * Upstream's SetNewReplicaSetAnnotations: the new ReplicaSet gets the new
 * revision; an RS that already had a lower one (a rollback to it) remembers
 * the old number in revision-history. A ReplicaSet about to be created also
 * gets its replicas annotations.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, opts: { exists: boolean }): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const a = annotationsOf(rs);
  const oldRaw = a[REVISION_ANNOTATION];
  let oldRevision = 0;
  if (oldRaw !== undefined) {
    // A revision we cannot read is left alone rather than overwritten.
    if (!/^\d+$/.test(oldRaw)) return changed;
    oldRevision = Number(oldRaw);
  }
  if (oldRevision < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRaw !== undefined) {
      const history = a[REVISION_HISTORY_ANNOTATION] ?? '';
      const entries = history === '' ? [] : history.split(',');
      // Drop the oldest entries until the new one fits.
      let total = history.length + oldRaw.length + 1;
      let start = 0;
      while (entries.length && total > MAX_REVISION_HISTORY_CHARS && start < entries.length) {
        total -= entries[start]!.length + 1;
        start++;
      }
      if (!entries.length || total <= MAX_REVISION_HISTORY_CHARS) a[REVISION_HISTORY_ANNOTATION] = [...entries.slice(start), oldRaw].join(',');
    }
  }
  if (!opts.exists && setDeploymentReplicasAnnotations(rs, d)) changed = true;
  return changed;
}

/** Puts `revision` on the deployment; true when it changed. */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  const a = annotationsOf(d);
  if (a[REVISION_ANNOTATION] === revision) return false;
  a[REVISION_ANNOTATION] = revision;
  return true;
}
