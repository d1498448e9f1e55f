/**
 * The deployment controller: a Deployment owns one ReplicaSet per pod
 * template (`<name>-<pod-template-hash>`) and moves replicas from the old
 * ones to the new one by its strategy, keeping revisions, conditions and
 * status as upstream so `kubectl rollout` works unchanged.
 * Level-triggered: handlers only enqueue keys, `sync` reads the caches.
 */
import type { DeletedFinalStateUnknown, SharedInformer } from '../../client/informers/shared-informer.js';
import { isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { isAlreadyExists, isNotFound } from '../../machinery/errors/index.js';
import { type Selector, labelSelectorAsSelector } from '../../machinery/labels/selector.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import { type EventSink, controllerRefFor, errorMessage } from '../framework/pod-control.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { controllerRefEventHandler, resolveControllerRef } from '../framework/controller-ref-handler.js';
import { claimObjects, isSameLiveObject } from '../framework/controller-ref-manager.js';
import { type Pod, controllerRefOf } from '../framework/pods.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import { EventRecorder, type CoreEvent } from '../../client/events/event-recorder.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { DEPLOYMENTS_GVR, REPLICA_SETS_GVR, RealDeploymentControl } from './deployment-control.js';
import { setDeploymentReplicasAnnotations, setDeploymentRevision, setNewReplicaSetAnnotations } from './annotations.js';
import { getCondition, newCondition, removeCondition, setCondition } from './conditions.js';
import { computeHash, templatesEqualIgnoringHash } from './hash.js';
import {
  byRevision,
  deploymentReplicas,
  desiredReplicasAnnotation,
  filterActive,
  findNewReplicaSet,
  findOldReplicaSets,
  maxRevision,
  newRSNewReplicas,
  specReplicas,
} from './replica-sets.js';
import { type ScaleStep, newReplicaSetTarget, planOldReplicaSetsScaleDown, planScale } from './scale-plan.js';
import { calculateStatus, deploymentComplete, deploymentProgressing, deploymentTimedOut, hasProgressDeadline, statusEqual } from './status.js';
import {
  type Deployment,
  type DeploymentCondition,
  type DeploymentStatus,
  type ReplicaSet,
  CONDITION_PROGRESSING,
  CONDITION_REPLICA_FAILURE,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  Reason,
  SCALING_REPLICA_SET,
  SELECTING_ALL,
} from './types.js';

export const DEPLOYMENT_GVK = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;
const REPLICA_SET_GVK = { apiVersion: 'apps/v1', kind: 'ReplicaSet' } as const;

/** The writes the controller makes, behind an interface so sync logic is tested with a fake. */
export interface DeploymentControl {
  createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  deleteReplicaSet(namespace: string, name: string): Promise<void>;
  /** A JSON merge patch, used to adopt and release ReplicaSets. */
  patchReplicaSet(namespace: string, name: string, patch: unknown): Promise<void>;
  updateDeploymentStatus(d: Deployment): Promise<Deployment>;
  /** A fresh read, bypassing caches (undefined when gone). */
  getDeployment(namespace: string, name: string): Promise<Deployment | undefined>;
}

export interface DeploymentControllerOptions {
  deploymentInformer: SharedInformer<Deployment>;
  rsInformer: SharedInformer<ReplicaSet>;
  podInformer: SharedInformer<Pod>;
  control: DeploymentControl;
  events: EventSink;
  clock: Clock;
  logger: Logger;
}

interface ReplicaSets {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  readonly queue: RateLimitingQueue<string>;
  private readonly handlers: Disposable[] = [];

  constructor(private readonly opts: DeploymentControllerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    this.handlers.push(
      opts.deploymentInformer.addEventHandler({
        onAdd: (d) => this.enqueue(d),
        onUpdate: (_old, d) => this.enqueue(d),
        onDelete: (obj) => this.enqueue(isDeletedFinalStateUnknown(obj) ? obj.obj : obj),
      }),
      opts.rsInformer.addEventHandler(
        controllerRefEventHandler<Deployment, ReplicaSet>({
          ownerKind: DEPLOYMENT_GVK.kind,
          owners: opts.deploymentInformer.lister(),
          selector: (d) => labelSelectorAsSelector(d.spec?.selector),
          enqueue: (d) => this.enqueue(d),
        }),
      ),
      opts.podInformer.addEventHandler({ onDelete: (obj) => this.deletePod(obj) }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    const informers = [this.opts.deploymentInformer, this.opts.rsInformer, this.opts.podInformer];
    await runSyncedWorkers({
      informers,
      handlers: this.handlers,
      onSynced: () => this.opts.logger.info('starting controller', { controller: this.name, workers }),
      queue: this.queue,
      reconcile: (key) => this.sync(key),
      workers,
      signal,
      logger: this.opts.logger,
    });
  }

  /** One reconcile pass for `namespace/name`; throws to be retried with back-off. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.opts.deploymentInformer.lister().get(namespace, name);
    if (!cached) return;
    // Objects from the cache are shared: work on a copy.
    const d: Deployment = { ...structuredClone(cached), ...DEPLOYMENT_GVK };
    let selector: Selector;
    try {
      selector = labelSelectorAsSelector(d.spec?.selector);
    } catch (err) {
      // Retrying cannot fix a bad selector; validation should have refused it.
      this.opts.logger.error('invalid selector', { deployment: key, err });
      return;
    }
    if (selector.isEmpty()) {
      this.event(d, 'Warning', SELECTING_ALL, 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        await this.writeStatus(d, { ...(d.status ?? {}), observedGeneration: d.metadata.generation });
      }
      return;
    }

    const rsList = await this.replicaSetsFor(d, selector);
    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, { create: false });
      await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
      return;
    }
    await this.checkPausedConditions(d);
    if (d.spec?.paused || (await this.isScalingEvent(d, rsList))) {
      await this.syncScale(d, rsList);
      return;
    }
    if (d.spec?.strategy?.type === 'Recreate') await this.rolloutRecreate(d, rsList, selector);
    else await this.rolloutRolling(d, rsList);
  }

  /** The ReplicaSets this deployment controls, after adopting and releasing by selector. */
  private async replicaSetsFor(d: Deployment, selector: Selector): Promise<ReplicaSet[]> {
    const namespace = d.metadata.namespace ?? '';
    const all = this.opts.rsInformer.lister().listInNamespace(namespace);
    const claim = await claimObjects(all, {
      owner: d,
      controllerRef: controllerRefFor(d, DEPLOYMENT_GVK),
      selector,
      patch: (ns, name, patch) => this.opts.control.patchReplicaSet(ns, name, patch),
      canAdopt: () => isSameLiveObject(d, () => this.opts.control.getDeployment(namespace, d.metadata.name!)),
    });
    if (claim.error !== undefined) throw claim.error;
    return claim.claimed;
  }

  // ---- revisions and the new ReplicaSet ----

  private async getAllReplicaSetsAndSyncRevision(d: Deployment, rsList: ReplicaSet[], opts: { create: boolean }): Promise<ReplicaSets> {
    const oldRSs = findOldReplicaSets(d, rsList);
    const newRS = await this.getNewReplicaSet(d, rsList, oldRSs, opts);
    return { newRS, oldRSs };
  }

  /**
   * Finds (and brings up to date) or creates the ReplicaSet for the current
   * template; it carries the highest revision. Updates the deployment's
   * revision annotation and Progressing condition to match.
   */
  private async getNewReplicaSet(d: Deployment, rsList: ReplicaSet[], oldRSs: ReplicaSet[], opts: { create: boolean }): Promise<ReplicaSet | undefined> {
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    const minReadySeconds = d.spec?.minReadySeconds ?? 0;
    if (existing) {
      const copy: ReplicaSet = { ...structuredClone(existing), ...REPLICA_SET_GVK };
      const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, { exists: true });
      if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== minReadySeconds) {
        copy.spec = { ...copy.spec, minReadySeconds };
        // The deployment catches up with the new revision on the sync this update triggers.
        return this.opts.control.updateReplicaSet(copy);
      }
      let needsUpdate = setDeploymentRevision(d, copy.metadata.annotations?.[REVISION_ANNOTATION] ?? '');
      const status: DeploymentStatus = structuredClone(d.status ?? {});
      if (hasProgressDeadline(d) && !getCondition(status, CONDITION_PROGRESSING)) {
        setCondition(status, newCondition(CONDITION_PROGRESSING, 'True', Reason.FoundNewReplicaSet, `Found new replica set "${copy.metadata.name}"`, this.opts.clock.nowRFC3339()));
        needsUpdate = true;
      }
      if (needsUpdate) await this.writeStatus(d, status);
      return copy;
    }
    if (!opts.create) return undefined;

    const template = structuredClone(d.spec?.template ?? {});
    const hash = computeHash(template, d.status?.collisionCount);
    const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    template.metadata = { ...template.metadata, labels };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const rsName = `${d.metadata.name}-${hash}`;
    const fresh: ReplicaSet = {
      ...REPLICA_SET_GVK,
      metadata: { name: rsName, namespace: d.metadata.namespace, ownerReferences: [controllerRefFor(d, DEPLOYMENT_GVK)], labels: { ...labels } },
      spec: { replicas: 0, minReadySeconds, selector, template },
    };
    const replicas = newRSNewReplicas(d, [...oldRSs, fresh], fresh);
    fresh.spec!.replicas = replicas;
    setNewReplicaSetAnnotations(d, fresh, newRevision, { exists: false });

    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await this.opts.control.createReplicaSet(fresh);
    } catch (err) {
      if (isAlreadyExists(err)) {
        const found = this.opts.rsInformer.lister().get(d.metadata.namespace ?? '', rsName);
        const ref = found && controllerRefOf(found);
        if (found && ref?.uid === d.metadata.uid && templatesEqualIgnoringHash(d.spec?.template, found.spec?.template)) {
          created = found;
          alreadyExisted = true;
        } else {
          // Another object holds our name: the next hash includes a higher collision count.
          const status = { ...structuredClone(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
          await this.writeStatus(d, status);
          this.opts.logger.info('hash collision', { deployment: metaNamespaceKey(d), replicaSet: rsName, collisionCount: status.collisionCount });
          throw err;
        }
      } else {
        const msg = `Failed to create new replica set "${rsName}": ${errorMessage(err)}`;
        if (hasProgressDeadline(d)) {
          const status = structuredClone(d.status ?? {});
          setCondition(status, newCondition(CONDITION_PROGRESSING, 'False', Reason.FailedReplicaSetCreate, msg, this.opts.clock.nowRFC3339()));
          await this.writeStatus(d, status).catch(() => undefined);
        }
        this.event(d, 'Warning', Reason.FailedReplicaSetCreate, msg);
        throw err;
      }
    }
    if (!alreadyExisted && replicas > 0) this.event(d, 'Normal', SCALING_REPLICA_SET, `Scaled up replica set ${created.metadata.name} to ${replicas}`);
    let needsUpdate = setDeploymentRevision(d, String(newRevision));
    const status = structuredClone(d.status ?? {});
    if (!alreadyExisted && hasProgressDeadline(d)) {
      setCondition(status, newCondition(CONDITION_PROGRESSING, 'True', Reason.NewReplicaSetCreated, `Created new replica set "${created.metadata.name}"`, this.opts.clock.nowRFC3339()));
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus(d, status);
    return created;
  }

  // ---- scaling ----

  /** Sets a ReplicaSet's size and replicas annotations; records ScalingReplicaSet when the size changed. */
  private async scaleReplicaSet(rs: ReplicaSet, replicas: number, d: Deployment): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const from = specReplicas(rs);
    const copy: ReplicaSet = { ...structuredClone(rs), ...REPLICA_SET_GVK };
    copy.spec = { ...copy.spec, replicas };
    const annotationsChanged = setDeploymentReplicasAnnotations(copy, d);
    if (from === replicas && !annotationsChanged) return { scaled: false, rs };
    const updated = await this.opts.control.updateReplicaSet(copy);
    if (from === replicas) return { scaled: false, rs: updated };
    const direction = replicas > from ? 'up' : 'down';
    this.event(d, 'Normal', SCALING_REPLICA_SET, `Scaled ${direction} replica set ${rs.metadata.name} to ${replicas} from ${from}`);
    return { scaled: true, rs: updated };
  }

  /** Applies a plan in order; answers the ReplicaSets as they are afterwards, and whether any size changed. */
  private async applySteps(steps: ScaleStep[], d: Deployment, sets: ReplicaSets): Promise<{ scaled: boolean; sets: ReplicaSets }> {
    let scaled = false;
    const byUID = new Map<string, ReplicaSet>();
    for (const step of steps) {
      const r = await this.scaleReplicaSet(step.rs, step.replicas, d);
      scaled ||= r.scaled;
      byUID.set(step.rs.metadata.uid!, r.rs);
    }
    const fresh = (rs: ReplicaSet) => byUID.get(rs.metadata.uid!) ?? rs;
    return { scaled, sets: { newRS: sets.newRS && fresh(sets.newRS), oldRSs: sets.oldRSs.map(fresh) } };
  }

  /** A replicas change is pending when an active ReplicaSet was sized for another count. */
  private async isScalingEvent(d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, { create: false });
    const replicas = deploymentReplicas(d);
    return filterActive([...oldRSs, newRS]).some((rs) => {
      const desired = desiredReplicasAnnotation(rs);
      return desired !== undefined && desired !== replicas;
    });
  }

  /** Scaling (and paused deployments): resize without rolling out. */
  private async syncScale(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    let sets = await this.getAllReplicaSetsAndSyncRevision(d, rsList, { create: false });
    const plan = planScale(d, sets.newRS, sets.oldRSs);
    sets = (await this.applySteps(plan.steps, d, sets)).sets;
    if (d.spec?.paused) await this.cleanupDeployment(sets.oldRSs, d);
    await this.syncDeploymentStatus([...sets.oldRSs, sets.newRS], sets.newRS, d);
  }

  // ---- strategies ----

  private async rolloutRolling(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    let sets = await this.getAllReplicaSetsAndSyncRevision(d, rsList, { create: true });
    let newRS = sets.newRS!;
    const target = newReplicaSetTarget(d, [...sets.oldRSs, newRS], newRS);
    if (target !== undefined) {
      const r = await this.scaleReplicaSet(newRS, target, d);
      newRS = r.rs;
      if (r.scaled) return this.syncRolloutStatus([...sets.oldRSs, newRS], newRS, d);
    }
    sets = { newRS, oldRSs: sets.oldRSs };
    const steps = planOldReplicaSetsScaleDown(d, [...sets.oldRSs, newRS], sets.oldRSs, newRS);
    const applied = await this.applySteps(steps, d, sets);
    sets = applied.sets;
    if (applied.scaled) return this.syncRolloutStatus([...sets.oldRSs, sets.newRS], sets.newRS, d);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanupDeployment(sets.oldRSs, d);
    await this.syncRolloutStatus([...sets.oldRSs, sets.newRS], sets.newRS, d);
  }

  /** Recreate: old ReplicaSets to zero, wait until their pods are gone, then the new one at full size. */
  private async rolloutRecreate(d: Deployment, rsList: ReplicaSet[], selector: Selector): Promise<void> {
    let sets = await this.getAllReplicaSetsAndSyncRevision(d, rsList, { create: false });
    const down = await this.applySteps(filterActive(sets.oldRSs).map((rs) => ({ rs, replicas: 0 })), d, sets);
    sets = down.sets;
    if (down.scaled) return this.syncRolloutStatus([...sets.oldRSs, sets.newRS], sets.newRS, d);
    if (this.oldPodsRunning(d, sets, rsList, selector)) return this.syncRolloutStatus([...sets.oldRSs, sets.newRS], sets.newRS, d);
    if (!sets.newRS) sets = await this.getAllReplicaSetsAndSyncRevision(d, rsList, { create: true });
    const up = await this.applySteps(specReplicas(sets.newRS) === deploymentReplicas(d) ? [] : [{ rs: sets.newRS!, replicas: deploymentReplicas(d) }], d, sets);
    sets = up.sets;
    if (deploymentComplete(d, d.status ?? {})) await this.cleanupDeployment(sets.oldRSs, d);
    await this.syncRolloutStatus([...sets.oldRSs, sets.newRS], sets.newRS, d);
  }

  /** Old pods still exist (terminating ones included) or old ReplicaSets still report replicas. */
  private oldPodsRunning(d: Deployment, sets: ReplicaSets, rsList: ReplicaSet[], selector: Selector): boolean {
    if (sets.oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
    const oldUIDs = new Set(rsList.filter((rs) => rs.metadata.uid !== sets.newRS?.metadata.uid).map((rs) => rs.metadata.uid));
    return this.opts.podInformer
      .lister()
      .listInNamespace(d.metadata.namespace ?? '', selector)
      .some((pod) => {
        const ref = controllerRefOf(pod);
        if (!ref || !oldUIDs.has(ref.uid)) return false;
        const phase = pod.status?.phase;
        return phase !== 'Succeeded' && phase !== 'Failed';
      });
  }

  /** Deletes the oldest idle ReplicaSets beyond revisionHistoryLimit. */
  private async cleanupDeployment(oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === 2147483647) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (const rs of cleanable.slice(0, diff)) {
      // Only ReplicaSets that are idle and whose status has caught up.
      if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      this.opts.logger.debug('deleting old replica set', { deployment: metaNamespaceKey(d), replicaSet: rs.metadata.name });
      try {
        await this.opts.control.deleteReplicaSet(rs.metadata.namespace ?? '', rs.metadata.name!);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  // ---- status ----

  /** Progressing=Unknown with DeploymentPaused / DeploymentResumed when spec.paused flips. */
  private async checkPausedConditions(d: Deployment): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, CONDITION_PROGRESSING);
    if (cond?.reason === Reason.ProgressDeadlineExceeded) return;
    const pausedCond = cond?.reason === Reason.DeploymentPaused;
    const status = structuredClone(d.status ?? {});
    const now = this.opts.clock.nowRFC3339();
    if (d.spec?.paused && !pausedCond) setCondition(status, newCondition(CONDITION_PROGRESSING, 'Unknown', Reason.DeploymentPaused, 'Deployment is paused', now));
    else if (!d.spec?.paused && pausedCond) setCondition(status, newCondition(CONDITION_PROGRESSING, 'Unknown', Reason.DeploymentResumed, 'Deployment is resumed', now));
    else return;
    await this.writeStatus(d, status);
  }

  private async syncDeploymentStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
    const status = calculateStatus(allRSs, newRS, d, this.opts.clock.nowRFC3339());
    if (!statusEqual(d.status, status)) await this.writeStatus(d, status);
  }

  /** Status plus the Progressing judgement; a rollout that shows no progress is looked at again at its deadline. */
  private async syncRolloutStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
    const nowRFC = this.opts.clock.nowRFC3339();
    const status = calculateStatus(allRSs, newRS, d, nowRFC);
    if (!hasProgressDeadline(d)) removeCondition(status, CONDITION_PROGRESSING);
    const current = getCondition(d.status, CONDITION_PROGRESSING);
    const complete = status.replicas === status.updatedReplicas && current?.reason === Reason.NewReplicaSetAvailable;
    if (hasProgressDeadline(d) && !complete) {
      const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
      if (deploymentComplete(d, status)) {
        setCondition(status, newCondition(CONDITION_PROGRESSING, 'True', Reason.NewReplicaSetAvailable, `${subject} has successfully progressed.`, nowRFC));
      } else if (deploymentProgressing(d, status)) {
        const cond = newCondition(CONDITION_PROGRESSING, 'True', Reason.ReplicaSetUpdated, `${subject} is progressing.`, nowRFC);
        // Progress refreshes lastUpdateTime even when the reason stays the same.
        if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, CONDITION_PROGRESSING);
        setCondition(status, cond);
      } else if (deploymentTimedOut(d, status, this.opts.clock.now())) {
        setCondition(status, newCondition(CONDITION_PROGRESSING, 'False', Reason.ProgressDeadlineExceeded, `${subject} has timed out progressing.`, nowRFC));
      }
    }
    const failure = replicaFailure(allRSs, newRS);
    if (failure) setCondition(status, failure);
    else removeCondition(status, CONDITION_REPLICA_FAILURE);

    if (statusEqual(d.status, status)) {
      this.requeueStuckDeployment(d, status);
      return;
    }
    await this.writeStatus(d, status);
  }

  /** Without progress, nothing announces the deadline passing: look again when it would. */
  private requeueStuckDeployment(d: Deployment, status: DeploymentStatus): void {
    const current = getCondition(d.status, CONDITION_PROGRESSING);
    if (!hasProgressDeadline(d) || !current) return;
    if (deploymentComplete(d, status) || current.reason === Reason.ProgressDeadlineExceeded) return;
    const from = current.lastUpdateTime ? Date.parse(current.lastUpdateTime) : NaN;
    if (Number.isNaN(from)) return;
    const after = from + (d.spec!.progressDeadlineSeconds ?? 0) * 1000 - this.opts.clock.now();
    const key = metaNamespaceKey(d);
    if (after < 1000) this.queue.addRateLimited(key);
    else this.queue.addAfter(key, after);
  }

  /** Writes status (and annotations) and keeps the working copy's resourceVersion current. */
  private async writeStatus(d: Deployment, status: DeploymentStatus): Promise<void> {
    const updated = await this.opts.control.updateDeploymentStatus({ ...d, status });
    d.metadata.resourceVersion = updated.metadata.resourceVersion;
    d.status = status;
  }

  private event(d: Deployment, type: 'Normal' | 'Warning', reason: string, message: string): void {
    void this.opts.events.event({ ...d, ...DEPLOYMENT_GVK }, type, reason, message);
  }

  // ---- event handlers: only enqueue ----

  private enqueue(d: Deployment): void {
    this.queue.add(metaNamespaceKey(d));
  }

  /** Recreate waits for old pods to be gone, so their deletion matters. */
  private deletePod(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    const pod = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
    const ref = controllerRefOf(pod);
    if (ref?.kind !== REPLICA_SET_GVK.kind) return;
    const ns = pod.metadata.namespace ?? '';
    const rs = this.opts.rsInformer.lister().get(ns, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const dRef = controllerRefOf(rs);
    const d = dRef && resolveControllerRef(this.opts.deploymentInformer.lister(), DEPLOYMENT_GVK.kind, ns, dRef);
    if (d?.spec?.strategy?.type === 'Recreate') this.enqueue(d);
  }
}

/** The ReplicaFailure condition of the new ReplicaSet, else of the first old one that has one. */
function replicaFailure(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentCondition | undefined {
  const ordered = newRS ? [newRS, ...allRSs.filter((rs) => rs && rs !== newRS)] : allRSs;
  for (const rs of ordered) {
    const c = rs?.status?.conditions?.find((x) => x.type === CONDITION_REPLICA_FAILURE);
    if (c) {
      return {
        type: CONDITION_REPLICA_FAILURE,
        status: c.status as 'True' | 'False' | 'Unknown',
        lastUpdateTime: c.lastTransitionTime,
        lastTransitionTime: c.lastTransitionTime,
        reason: c.reason,
        message: c.message,
      };
    }
  }
  return undefined;
}

const podsGVR = { group: '', version: 'v1', resource: 'pods' };
const eventsGVR = { group: '', version: 'v1', resource: 'events' };

/** Builds the controller from the manager's shared context. */
export function newDeploymentController(ctx: ControllerContext): DeploymentController {
  const events = new EventRecorder({
    events: new ResourceClient<CoreEvent>(ctx.rest, eventsGVR),
    component: 'deployment-controller',
    clock: ctx.clock,
    onError: (err) => ctx.logger.debug('event not recorded', { err }),
  });
  return new DeploymentController({
    deploymentInformer: ctx.informers.informerFor<Deployment>(DEPLOYMENTS_GVR),
    rsInformer: ctx.informers.informerFor<ReplicaSet>(REPLICA_SETS_GVR),
    podInformer: ctx.informers.informerFor<Pod>(podsGVR),
    control: new RealDeploymentControl(ctx.rest),
    events,
    clock: ctx.clock,
    logger: ctx.logger.with({ controller: 'deployment' }),
  });
}

export const deploymentControllerDescriptor: ControllerDescriptor = {
  name: 'deployment',
  init: (ctx) => newDeploymentController(ctx),
};
