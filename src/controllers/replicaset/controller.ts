/**
 * Keeps `spec.replicas` active pods for every ReplicaSet (apps/v1) or
 * ReplicationController (core/v1): one implementation, one adapter per kind.
 * Level-triggered: handlers only enqueue keys, `sync` reads the caches.
 */
import type { SharedInformer } from '../../client/informers/shared-informer.js';
import { isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { EventRecorder, type CoreEvent } from '../../client/events/event-recorder.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { isNotFound } from '../../machinery/errors/index.js';
import type { Selector } from '../../machinery/labels/selector.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { OwnerReference } from '../../machinery/meta/types.js';
import { podsToDelete } from '../framework/active-pods.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { availabilityRecheckMs, controllerRefEventHandler } from '../framework/controller-ref-handler.js';
import { claimPods } from '../framework/controller-ref-manager.js';
import { ControllerExpectations } from '../framework/expectations.js';
import { type PodControl, RealPodControl, controllerRefFor } from '../framework/pod-control.js';
import { type Pod, isPodActive } from '../framework/pods.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import { slowStartBatch } from '../framework/slow-start.js';
import { type ReplicaSetAdapter, type ReplicatedObject, replicaSetAdapter, replicationControllerAdapter } from './adapters.js';
import { calculateStatus, statusEqual } from './status.js';

/** Upstream's BurstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;

export interface ReplicaSetControllerOptions {
  adapter: ReplicaSetAdapter;
  rsInformer: SharedInformer<ReplicatedObject>;
  podInformer: SharedInformer<Pod>;
  podControl: PodControl;
  /** Writes the status subresource of the given object. */
  updateStatus: (obj: ReplicatedObject) => Promise<unknown>;
  clock: Clock;
  logger: Logger;
  burstReplicas?: number;
}

const podKey = (p: Pod) => metaNamespaceKey(p);

export class ReplicaSetController implements Controller {
  readonly name: string;
  readonly queue: RateLimitingQueue<string>;
  readonly expectations: ControllerExpectations;
  private readonly handlers: Disposable[] = [];
  private readonly burst: number;

  constructor(private readonly opts: ReplicaSetControllerOptions) {
    this.name = opts.adapter.controllerName;
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    this.expectations = new ControllerExpectations(opts.clock);
    this.burst = opts.burstReplicas ?? BURST_REPLICAS;
    this.handlers.push(
      opts.rsInformer.addEventHandler({
        onAdd: (rs) => this.enqueue(rs),
        onUpdate: (_old, rs) => this.enqueue(rs),
        onDelete: (obj) => {
          const rs = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
          this.expectations.delete(metaNamespaceKey(rs));
          this.enqueue(rs);
        },
      }),
      opts.podInformer.addEventHandler(
        controllerRefEventHandler<ReplicatedObject, Pod>({
          ownerKind: opts.adapter.kind,
          owners: opts.rsInformer.lister(),
          selector: (rs) => opts.adapter.selector(rs),
          enqueue: (rs) => this.enqueue(rs),
          creationObserved: (rs) => this.expectations.creationObserved(metaNamespaceKey(rs)),
          deletionObserved: (rs, pod) => this.expectations.deletionObserved(metaNamespaceKey(rs), podKey(pod)),
          updated: (rs, oldPod, pod) => {
            const after = availabilityRecheckMs(oldPod, pod, rs.spec?.minReadySeconds ?? 0);
            if (after !== undefined) this.queue.addAfter(metaNamespaceKey(rs), after);
          },
        }),
      ),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    await runSyncedWorkers({
      informers: [this.opts.rsInformer, this.opts.podInformer],
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
    const rs = this.opts.rsInformer.lister().get(namespace, name);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    let selector: Selector;
    try {
      selector = this.opts.adapter.selector(rs);
    } catch (err) {
      // Retrying cannot fix a bad selector; validation should have refused it.
      this.opts.logger.error('invalid selector', { [this.opts.adapter.kind]: key, err });
      return;
    }
    const active = this.opts.podInformer.lister().listInNamespace(namespace).filter(isPodActive);
    const controllerRef = controllerRefFor(rs, this.opts.adapter);
    const claim = await claimPods(active, { owner: rs, controllerRef, selector, podControl: this.opts.podControl });
    if (claim.error !== undefined) throw claim.error;
    const pods = claim.claimed;

    let manageError: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) manageError = await this.manageReplicas(key, rs, pods, controllerRef);

    const now = this.opts.clock.now();
    const status = calculateStatus(rs, pods, { manageError, now, nowRFC3339: this.opts.clock.nowRFC3339() });
    if (!statusEqual(rs.status, status)) {
      await this.opts.updateStatus({ ...structuredClone(rs), status });
    }
    if (manageError !== undefined) throw manageError;
    const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
    // Availability is a matter of time passing, which no event announces.
    if (minReadySeconds > 0 && status.readyReplicas === status.replicas && status.availableReplicas !== status.replicas) {
      this.queue.addAfter(key, minReadySeconds * 1000);
    }
  }

  /** Creates or deletes the difference; answers the first error (a value: status still gets written). */
  private async manageReplicas(key: string, rs: ReplicatedObject, pods: Pod[], controllerRef: OwnerReference): Promise<unknown> {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const namespace = rs.metadata.namespace ?? '';
    if (diff < 0) {
      const count = Math.min(-diff, this.burst);
      // Expect before acting: the informer may report a new pod before create() returns.
      this.expectations.expectCreations(key, count);
      this.opts.logger.debug('too few replicas', { [this.opts.adapter.kind]: key, need: rs.spec?.replicas, creating: count });
      const template = rs.spec?.template ?? {};
      const res = await slowStartBatch(count, 1, async () => {
        await this.opts.podControl.createPod(namespace, template, rs, controllerRef);
      });
      // Creates that failed or never ran will produce no watch event.
      for (let i = res.successes; i < count; i++) this.expectations.creationObserved(key);
      return res.error;
    }
    if (diff > 0) {
      const count = Math.min(diff, this.burst);
      const victims = podsToDelete(pods, pods, count);
      this.expectations.expectDeletions(key, victims.map(podKey));
      this.opts.logger.debug('too many replicas', { [this.opts.adapter.kind]: key, need: rs.spec?.replicas, deleting: count });
      const results = await Promise.allSettled(
        victims.map(async (pod) => {
          try {
            await this.opts.podControl.deletePod(namespace, pod.metadata.name!, rs);
          } catch (err) {
            this.expectations.deletionObserved(key, podKey(pod));
            if (!isNotFound(err)) throw err;
          }
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      return failed?.reason;
    }
    return undefined;
  }

  private enqueue(rs: ReplicatedObject): void {
    this.queue.add(metaNamespaceKey(rs));
  }
}

const podsGVR = { group: '', version: 'v1', resource: 'pods' };
const eventsGVR = { group: '', version: 'v1', resource: 'events' };

/** Builds the controller for one kind from the manager's shared context. */
export function newReplicaSetController(ctx: ControllerContext, adapter: ReplicaSetAdapter): ReplicaSetController {
  const recorder = new EventRecorder({
    events: new ResourceClient<CoreEvent>(ctx.rest, eventsGVR),
    component: adapter.component,
    clock: ctx.clock,
    onError: (err) => ctx.logger.debug('event not recorded', { err }),
  });
  const owners = new ResourceClient<ReplicatedObject>(ctx.rest, adapter.gvr);
  return new ReplicaSetController({
    adapter,
    rsInformer: ctx.informers.informerFor<ReplicatedObject>(adapter.gvr),
    podInformer: ctx.informers.informerFor<Pod>(podsGVR),
    podControl: new RealPodControl(new ResourceClient<Pod>(ctx.rest, podsGVR), recorder),
    updateStatus: (obj) => owners.inNamespace(obj.metadata.namespace ?? '').updateStatus(obj),
    clock: ctx.clock,
    logger: ctx.logger.with({ controller: adapter.controllerName }),
  });
}

export const replicaSetControllerDescriptor: ControllerDescriptor = {
  name: 'replicaset',
  init: (ctx) => newReplicaSetController(ctx, replicaSetAdapter),
};

export const replicationControllerDescriptor: ControllerDescriptor = {
  name: 'replicationcontroller',
  init: (ctx) => newReplicaSetController(ctx, replicationControllerAdapter),
};
