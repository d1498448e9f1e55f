/**
 * The StatefulSet controller (upstream name `statefulset`): claims the pods
 * named `<set>-<ordinal>` that match its selector, keeps ControllerRevisions
 * of its template, and runs the update algorithm of stateful-set-control.ts.
 */
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { EventRecorder, type CoreEvent } from '../../client/events/event-recorder.js';
import type { DeletedFinalStateUnknown, SharedInformer } from '../../client/informers/shared-informer.js';
import { isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { isConflict } from '../../machinery/errors/index.js';
import { type Selector, labelSelectorAsSelector } from '../../machinery/labels/selector.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { GroupVersionResource } from '../../machinery/meta/types.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { controllerRefEventHandler, resolveControllerRef } from '../framework/controller-ref-handler.js';
import { claimObjects, claimPods, isSameLiveObject } from '../framework/controller-ref-manager.js';
import { type PodControl, controllerRefFor } from '../framework/pod-control.js';
import { type Pod, controllerRefOf } from '../framework/pods.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import { type ControllerRevisionControl, RealControllerRevisionControl, ownedRevisions } from '../history/revision-control.js';
import type { ControllerRevision } from '../history/revisions.js';
import { isMemberOf } from './identity.js';
import { RealStatefulPodControl, type StatefulPodControl } from './pod-control.js';
import { StatefulSetControl } from './stateful-set-control.js';
import { statusEqual } from './status.js';
import { type PersistentVolumeClaim, STATEFULSET_KIND, type StatefulSet } from './types.js';

export const STATEFULSETS: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'statefulsets' };
export const CONTROLLER_REVISIONS: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'controllerrevisions' };
const PODS: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
const CLAIMS: GroupVersionResource = { group: '', version: 'v1', resource: 'persistentvolumeclaims' };
const EVENTS: GroupVersionResource = { group: '', version: 'v1', resource: 'events' };

export interface StatefulSetControllerOptions {
  setInformer: SharedInformer<StatefulSet>;
  podInformer: SharedInformer<Pod>;
  revisionInformer: SharedInformer<ControllerRevision>;
  /** Informers that must have synced before the first sync (the claim informer behind the pod control). */
  alsoWaitFor?: SharedInformer<PersistentVolumeClaim>[];
  statefulPodControl: StatefulPodControl;
  /** Adopts and releases pods (ownerReference patches). */
  podControl: PodControl;
  revisionControl: ControllerRevisionControl;
  /** Writes the status subresource; on Conflict the status goes onto a fresh copy from `getSet`. */
  updateStatus: (set: StatefulSet) => Promise<unknown>;
  getSet: (namespace: string, name: string) => Promise<StatefulSet>;
  clock: Clock;
  logger: Logger;
}

export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  readonly queue: RateLimitingQueue<string>;
  private readonly control: StatefulSetControl;
  private readonly handlers: Disposable[] = [];

  constructor(private readonly opts: StatefulSetControllerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    this.control = new StatefulSetControl({ podControl: opts.statefulPodControl, revisionControl: opts.revisionControl, clock: opts.clock });
    this.handlers.push(
      opts.setInformer.addEventHandler({
        onAdd: (set) => this.enqueue(set),
        onUpdate: (_old, set) => this.enqueue(set),
        onDelete: (obj) => this.enqueue(isDeletedFinalStateUnknown(obj) ? obj.obj : obj),
      }),
      opts.podInformer.addEventHandler(
        controllerRefEventHandler<StatefulSet, Pod>({
          ownerKind: STATEFULSET_KIND.kind,
          owners: opts.setInformer.lister(),
          selector: (set) => labelSelectorAsSelector(set.spec?.selector),
          // A set adopts only the pods named after it.
          mayAdopt: (set, pod) => isMemberOf(set, pod),
          enqueue: (set) => this.enqueue(set),
        }),
      ),
      opts.revisionInformer.addEventHandler({
        onDelete: (obj: ControllerRevision | DeletedFinalStateUnknown<ControllerRevision>) => {
          const rev = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
          const ref = controllerRefOf(rev);
          const set = ref && resolveControllerRef(opts.setInformer.lister(), STATEFULSET_KIND.kind, rev.metadata.namespace ?? '', ref);
          if (set) this.enqueue(set);
        },
      }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    const informers = [this.opts.setInformer, this.opts.podInformer, this.opts.revisionInformer, ...(this.opts.alsoWaitFor ?? [])];
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
    const set = this.opts.setInformer.lister().get(namespace, name);
    if (!set) return;
    let selector: Selector;
    try {
      selector = labelSelectorAsSelector(set.spec?.selector);
    } catch (err) {
      // Retrying cannot fix a bad selector; validation should have refused it.
      this.opts.logger.error('invalid selector', { statefulset: key, err });
      return;
    }
    if (selector.isEmpty()) {
      // An empty selector would claim every pod in the namespace.
      this.opts.logger.error('empty selector', { statefulset: key });
      return;
    }
    const uid = set.metadata.uid;
    const adopted = await this.adoptOrphanRevisions(set, selector);
    const candidates = this.opts.podInformer
      .lister()
      .listInNamespace(namespace)
      .filter((p) => {
        const ref = controllerRefOf(p);
        return ref ? ref.uid === uid : isMemberOf(set, p);
      });
    const claim = await claimPods(candidates, { owner: set, controllerRef: controllerRefFor(set, STATEFULSET_KIND), selector, podControl: this.opts.podControl });
    if (claim.error !== undefined) throw claim.error;
    const revisions = [...ownedRevisions(this.opts.revisionInformer.lister().listInNamespace(namespace), uid ?? ''), ...adopted];
    const result = await this.control.update(set, claim.claimed, revisions);
    if (!statusEqual(set.status, result.status)) await this.writeStatus(set, result.status);
    if (result.error !== undefined) throw result.error;
    if (result.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
  }

  /** Upstream adoptOrphanRevisions: revisions without a controller that match the selector become the set's. */
  private async adoptOrphanRevisions(set: StatefulSet, selector: Selector): Promise<ControllerRevision[]> {
    const namespace = set.metadata.namespace ?? '';
    const orphans = this.opts.revisionInformer
      .lister()
      .listInNamespace(namespace)
      .filter((r) => !controllerRefOf(r));
    if (!orphans.length) return [];
    const claim = await claimObjects(orphans, {
      owner: set,
      controllerRef: controllerRefFor(set, STATEFULSET_KIND),
      selector,
      patch: (ns, name, patch) => this.opts.revisionControl.patch(ns, name, patch),
      canAdopt: () => isSameLiveObject(set, () => this.opts.getSet(namespace, set.metadata.name!)),
    });
    if (claim.error !== undefined) throw claim.error;
    return claim.claimed;
  }

  private async writeStatus(set: StatefulSet, status: NonNullable<StatefulSet['status']>): Promise<void> {
    try {
      await this.opts.updateStatus({ ...structuredClone(set), status });
    } catch (err) {
      if (!isConflict(err)) throw err;
      // Status is ours alone: a conflict only means the spec moved on, so write onto the fresh copy.
      const fresh = await this.opts.getSet(set.metadata.namespace ?? '', set.metadata.name!);
      await this.opts.updateStatus({ ...fresh, status });
    }
  }

  private enqueue(set: StatefulSet): void {
    this.queue.add(metaNamespaceKey(set));
  }
}

/** Builds the controller from the manager's shared context. */
export function newStatefulSetController(ctx: ControllerContext): StatefulSetController {
  const recorder = new EventRecorder({
    events: new ResourceClient<CoreEvent>(ctx.rest, EVENTS),
    component: 'statefulset-controller',
    clock: ctx.clock,
    onError: (err) => ctx.logger.debug('event not recorded', { err }),
  });
  const pods = new ResourceClient<Pod>(ctx.rest, PODS);
  const sets = new ResourceClient<StatefulSet>(ctx.rest, STATEFULSETS);
  const claimInformer = ctx.informers.informerFor<PersistentVolumeClaim>(CLAIMS);
  return new StatefulSetController({
    setInformer: ctx.informers.informerFor<StatefulSet>(STATEFULSETS),
    podInformer: ctx.informers.informerFor<Pod>(PODS),
    revisionInformer: ctx.informers.informerFor<ControllerRevision>(CONTROLLER_REVISIONS),
    alsoWaitFor: [claimInformer],
    statefulPodControl: new RealStatefulPodControl({ pods, claims: new ResourceClient<PersistentVolumeClaim>(ctx.rest, CLAIMS), claimLister: claimInformer.lister(), recorder }),
    podControl: {
      createPod: () => Promise.reject(new Error('statefulset pods are created by name')),
      deletePod: () => Promise.reject(new Error('statefulset pods are deleted through the stateful pod control')),
      patchPod: async (namespace, name, patch) => {
        await pods.inNamespace(namespace).patch(name, 'merge', patch);
      },
    },
    revisionControl: new RealControllerRevisionControl(new ResourceClient<ControllerRevision>(ctx.rest, CONTROLLER_REVISIONS)),
    updateStatus: (set) => sets.inNamespace(set.metadata.namespace ?? '').updateStatus(set),
    getSet: (namespace, name) => sets.inNamespace(namespace).get(name),
    clock: ctx.clock,
    logger: ctx.logger.with({ controller: 'statefulset' }),
  });
}

export const statefulSetControllerDescriptor: ControllerDescriptor = {
  name: 'statefulset',
  init: (ctx) => newStatefulSetController(ctx),
};
