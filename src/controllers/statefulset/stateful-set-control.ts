/**
 * One pass of upstream's StatefulSet update algorithm: settle the current and
 * update revisions, create missing pods (one at a time in ordinal order and
 * only past Running+Ready predecessors under OrderedReady; all at once under
 * Parallel), delete condemned pods from the highest ordinal down, then roll
 * pods that are not at the update revision, highest ordinal first, down to
 * the partition. Returns the status to write and when to look again.
 */
import type { Clock } from '../../machinery/clock.js';
import type { Pod } from '../framework/pods.js';
import { type ControllerRevisionControl } from '../history/revision-control.js';
import { type ControllerRevision, findEqualRevisions, nextRevision, revisionsToTruncate, sortRevisions } from '../history/revisions.js';
import { POD_INDEX_LABEL, POD_NAME_LABEL, identityMatches, newStatefulSetPod, ordinalInRange, ordinalOf, podRevision, replicasOf, startOrdinal } from './identity.js';
import type { StatefulPodControl } from './pod-control.js';
import { applyRevision, newStatefulSetRevision } from './revision.js';
import { computeStatus, isHealthy, isRunningAndAvailable, isRunningAndReady, isTerminating } from './status.js';
import type { StatefulSet, StatefulSetStatus } from './types.js';

export interface UpdateResult {
  status: StatefulSetStatus;
  /** Look again after this long: availability (minReadySeconds) is a matter of time passing. */
  requeueAfterMs?: number;
  /** The first failed pod or claim write; the status is still worth writing, then the key is retried. */
  error?: unknown;
}

export interface StatefulSetControlOptions {
  podControl: StatefulPodControl;
  revisionControl: ControllerRevisionControl;
  clock: Clock;
}

interface Revisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

export class StatefulSetControl {
  constructor(private readonly opts: StatefulSetControlOptions) {}

  /**
   * `pods` are the pods the set controls (terminating ones included),
   * `revisions` the ControllerRevisions it controls. Throws only when the
   * revisions cannot be settled; a failed pod write comes back in `error`.
   */
  async update(set: StatefulSet, pods: readonly Pod[], revisions: readonly ControllerRevision[]): Promise<UpdateResult> {
    const sorted = sortRevisions(revisions);
    const revs = await this.revisions(set, sorted);
    let requeueAfterMs: number | undefined;
    let actionError: unknown;
    try {
      requeueAfterMs = await this.updatePods(set, pods, revs);
    } catch (err) {
      actionError = err;
    }
    const status = computeStatus(set, pods, { currentRevision: revs.current.metadata.name!, updateRevision: revs.update.metadata.name!, collisionCount: revs.collisionCount, now: this.opts.clock.now() });
    if (actionError !== undefined) return { status, error: actionError };
    await this.truncateHistory(set, pods, [...sorted, revs.update], revs, status);
    return { status, requeueAfterMs };
  }

  /** Upstream's getStatefulSetRevisions: reuse a revision with equal data, else create one. */
  private async revisions(set: StatefulSet, sorted: readonly ControllerRevision[]): Promise<Revisions> {
    let collisionCount = set.status?.collisionCount ?? 0;
    const candidate = newStatefulSetRevision(set, nextRevision(sorted), collisionCount);
    const equal = findEqualRevisions(sorted, candidate);
    let update: ControllerRevision;
    const latest = sorted[sorted.length - 1];
    if (equal.length && equal[equal.length - 1] === latest) {
      update = latest!;
    } else if (equal.length) {
      // Rolling back to old data: that revision becomes the newest.
      update = await this.opts.revisionControl.updateRevisionNumber(equal[equal.length - 1]!, candidate.revision);
    } else {
      const created = await this.opts.revisionControl.create(set.metadata.uid!, candidate, collisionCount);
      update = created.revision;
      collisionCount = created.collisionCount;
    }
    const currentName = set.status?.currentRevision;
    const current = (currentName && sorted.find((r) => r.metadata.name === currentName)) || update;
    return { current, update, collisionCount };
  }

  private async updatePods(set: StatefulSet, pods: readonly Pod[], revs: Revisions): Promise<number | undefined> {
    // A set being deleted only reports status; the garbage collector removes its pods.
    if (set.metadata.deletionTimestamp) return undefined;
    const { podControl, clock } = this.opts;
    const currentSet = applyRevision(set, revs.current);
    const updateSet = applyRevision(set, revs.update);
    const currentName = revs.current.metadata.name!;
    const updateName = revs.update.metadata.name!;
    const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
    const minReadySeconds = set.spec?.minReadySeconds ?? 0;
    const now = clock.now();
    const start = startOrdinal(set);
    const replicaCount = replicasOf(set);
    const strategy = set.spec?.updateStrategy;
    const rolling = (strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const partition = strategy?.rollingUpdate?.partition ?? 0;

    const replicas: (Pod | undefined)[] = new Array(replicaCount).fill(undefined);
    const created = new Set<Pod>();
    const condemned: Pod[] = [];
    for (const pod of pods) {
      const ord = ordinalOf(pod);
      if (ordinalInRange(set, ord)) {
        replicas[ord - start] = pod;
        created.add(pod);
      } else if (ord >= 0) condemned.push(pod);
    }
    // Below the partition pods keep the current revision; at or above it they get the update revision.
    const currentCount = set.status?.currentReplicas ?? 0;
    for (let i = 0; i < replicaCount; i++) {
      if (replicas[i]) continue;
      const atCurrent = rolling && (strategy?.rollingUpdate ? i < partition : i < currentCount);
      replicas[i] = atCurrent ? newStatefulSetPod(currentSet, start + i, currentName) : newStatefulSetPod(updateSet, start + i, updateName);
    }
    condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));

    let firstUnhealthy: Pod | undefined;
    for (const p of replicas) if (!firstUnhealthy && (!created.has(p!) || !isHealthy(p!))) firstUnhealthy = p;
    for (let i = condemned.length - 1; i >= 0 && !firstUnhealthy; i--) if (!isHealthy(condemned[i]!)) firstUnhealthy = condemned[i];

    let requeueAfterMs: number | undefined;
    const waitAvailable = (pod: Pod) => {
      const since = Date.parse(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '');
      const left = Number.isNaN(since) ? minReadySeconds * 1000 : since + minReadySeconds * 1000 - now;
      requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, Math.max(left, 0) + 1000);
    };

    for (const pod of replicas as Pod[]) {
      if (created.has(pod) && (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded')) {
        // A finished pod is replaced under the same name once it is gone.
        if (!isTerminating(pod)) await podControl.deleteStatefulPod(set, pod);
        if (monotonic) return requeueAfterMs;
        continue;
      }
      if (!created.has(pod)) {
        await podControl.createStatefulPod(set, pod);
        if (monotonic) return requeueAfterMs;
        continue;
      }
      if (pod.status?.phase === 'Pending' || !pod.status?.phase) await podControl.createMissingClaims(set, pod);
      if (isTerminating(pod)) {
        if (monotonic) return requeueAfterMs;
        continue;
      }
      if (!isRunningAndReady(pod) && monotonic) return requeueAfterMs;
      if (monotonic && !isRunningAndAvailable(pod, minReadySeconds, now)) {
        waitAvailable(pod);
        return requeueAfterMs;
      }
      if (!identityMatches(set, pod)) {
        await podControl.patchStatefulPod(set, pod, { [POD_NAME_LABEL]: pod.metadata.name!, [POD_INDEX_LABEL]: String(ordinalOf(pod)) });
      }
      await podControl.updateClaimOwnerRefs(set, pod);
    }

    for (const pod of condemned) {
      if (isTerminating(pod)) {
        if (monotonic) return requeueAfterMs;
        continue;
      }
      if (monotonic && pod !== firstUnhealthy) {
        if (!isRunningAndReady(pod)) return requeueAfterMs;
        if (!isRunningAndAvailable(pod, minReadySeconds, now)) {
          waitAvailable(pod);
          return requeueAfterMs;
        }
      }
      // The claims learn their fate (kept, or owned by the pod and deleted with it) before the pod goes.
      await podControl.updateClaimOwnerRefs(set, pod);
      await podControl.deleteStatefulPod(set, pod);
      if (monotonic) return requeueAfterMs;
    }

    if (!rolling) return requeueAfterMs;
    for (let i = replicaCount - 1; i >= partition; i--) {
      const pod = replicas[i]!;
      if (!created.has(pod)) return requeueAfterMs;
      if (podRevision(pod) !== updateName && !isTerminating(pod)) {
        await podControl.deleteStatefulPod(set, pod);
        return requeueAfterMs;
      }
      if (!isHealthy(pod)) return requeueAfterMs;
      if (!isRunningAndAvailable(pod, minReadySeconds, now)) {
        waitAvailable(pod);
        return requeueAfterMs;
      }
    }
    return requeueAfterMs;
  }

  /** Deletes unused revisions beyond revisionHistoryLimit; the live ones (current, update, any pod's) stay. */
  private async truncateHistory(set: StatefulSet, pods: readonly Pod[], revisions: readonly ControllerRevision[], revs: Revisions, status: StatefulSetStatus): Promise<void> {
    const live = new Set<string>([revs.current.metadata.name!, revs.update.metadata.name!, status.currentRevision ?? '']);
    for (const p of pods) {
      const r = podRevision(p);
      if (r) live.add(r);
    }
    const unique = [...new Map(revisions.map((r) => [r.metadata.name!, r])).values()];
    for (const r of revisionsToTruncate(unique, live, set.spec?.revisionHistoryLimit ?? 10)) {
      await this.opts.revisionControl.delete(r.metadata.namespace ?? '', r.metadata.name!);
    }
  }
}
