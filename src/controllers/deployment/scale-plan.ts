/**
 * The sizing decisions of the deployment controller as pure plans: which
 * ReplicaSet goes to what size. The controller applies a plan in order and
 * stops at the first failure; the next sync plans again from the caches.
 */
import {
  availableReplicaCount,
  bySizeNewer,
  bySizeOlder,
  byCreationTimestamp,
  deploymentReplicas,
  filterActive,
  findActiveOrLatest,
  isRollingUpdate,
  isSaturated,
  maxReplicasAnnotation,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  replicaCount,
  specReplicas,
} from './replica-sets.js';
import type { Deployment, ReplicaSet } from './types.js';

export interface ScaleStep {
  rs: ReplicaSet;
  replicas: number;
}

/** Rolling update, step one: how big the new ReplicaSet may be now (undefined: leave it). */
export function newReplicaSetTarget(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number | undefined {
  const want = deploymentReplicas(d);
  const have = specReplicas(newRS);
  if (have === want) return undefined;
  if (have > want) return want;
  const next = newRSNewReplicas(d, allRSs, newRS);
  return next === have ? undefined : next;
}

/**
 * Rolling update, step two: scale old ReplicaSets down as far as
 * maxUnavailable allows. Unhealthy old replicas go first (they cost no
 * availability), then available ones, oldest ReplicaSet first.
 */
export function planOldReplicaSetsScaleDown(d: Deployment, allRSs: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[], newRS: ReplicaSet): ScaleStep[] {
  const active = filterActive(oldRSs);
  if (replicaCount(active) === 0) return [];
  const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = replicaCount(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];

  const sizes = new Map<ReplicaSet, number>(active.map((rs) => [rs, specReplicas(rs)]));
  const oldest = [...active].sort(byCreationTimestamp);
  let cleaned = 0;
  for (const rs of oldest) {
    if (cleaned >= maxScaledDown) break;
    const size = sizes.get(rs)!;
    const avail = rs.status?.availableReplicas ?? 0;
    if (size === 0 || size === avail) continue;
    const n = Math.min(maxScaledDown - cleaned, size - avail);
    sizes.set(rs, size - n);
    cleaned += n;
  }

  const availableNow = availableReplicaCount([...active, newRS]);
  if (availableNow > minAvailable) {
    const total = availableNow - minAvailable;
    let scaled = 0;
    for (const rs of oldest) {
      if (scaled >= total) break;
      const size = sizes.get(rs)!;
      if (size === 0) continue;
      const n = Math.min(size, total - scaled);
      sizes.set(rs, size - n);
      scaled += n;
    }
  }
  return oldest.filter((rs) => sizes.get(rs) !== specReplicas(rs)).map((rs) => ({ rs, replicas: sizes.get(rs)! }));
}

/** A ReplicaSet's share of a replicas change, from its size relative to the max-replicas it was sized for. */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const allowed = toAdd - added;
  const fraction = replicaSetFraction(rs, d);
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const replicas = deploymentReplicas(d);
  if (replicas === 0) return -specReplicas(rs);
  const target = replicas + maxSurge(d);
  const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  // Without a base to scale from, the share is unknown: give nothing.
  if (annotated === 0) return 0;
  return roundHalfAwayFromZero((specReplicas(rs) * target) / annotated) - specReplicas(rs);
}

function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? Math.ceil(x - 0.5) : Math.floor(x + 0.5);
}

/**
 * Upstream's `scale`: the deployment's replicas changed (or it is paused).
 * One active ReplicaSet takes the whole count; a saturated new one leaves
 * the old ones at zero; otherwise, during a rolling update, the change is
 * spread over the active ReplicaSets in proportion to their size, leftovers
 * to the largest. `all` marks a proportional plan: every active ReplicaSet
 * is listed, so its replicas annotations are refreshed even at the same size.
 */
export function planScale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): { steps: ScaleStep[]; all: boolean } {
  const replicas = deploymentReplicas(d);
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) return { steps: specReplicas(only) === replicas ? [] : [{ rs: only, replicas }], all: false };
  if (isSaturated(d, newRS)) return { steps: filterActive(oldRSs).map((rs) => ({ rs, replicas: 0 })), all: false };
  if (!isRollingUpdate(d)) return { steps: [], all: false };

  const active = filterActive([...oldRSs, newRS]);
  const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowed - replicaCount(active);
  if (toAdd > 0) active.sort(bySizeNewer);
  else if (toAdd < 0) active.sort(bySizeOlder);
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of active) {
    if (toAdd !== 0) {
      const p = proportion(rs, d, toAdd, added);
      sizes.set(rs, specReplicas(rs) + p);
      added += p;
    } else {
      sizes.set(rs, specReplicas(rs));
    }
  }
  const first = active[0];
  if (first && toAdd !== 0) sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
  return { steps: active.map((rs) => ({ rs, replicas: sizes.get(rs)! })), all: true };
}
