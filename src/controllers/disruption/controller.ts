/**
 * The disruption controller: keeps every PodDisruptionBudget's status
 * (expected, desired and current healthy pods, disruptions allowed, the
 * DisruptionAllowed condition) in step with the pods it selects. The
 * eviction subresource spends disruptionsAllowed; this controller gives it
 * back once evicted pods are gone or their eviction timed out.
 */
import type { DeletedFinalStateUnknown, SharedInformer } from '../../client/informers/shared-informer.js';
import { isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { EventRecorder, type CoreEvent } from '../../client/events/event-recorder.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { labelSelectorAsSelector } from '../../machinery/labels/selector.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { GroupVersionResource, KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import type { Pod } from '../framework/pods.js';
import { controllerRefOf } from '../framework/pods.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import { type PodDisruptionBudget, type ScaleOf, computeStatus, statusEqual } from './budget.js';

export const PDBS: GroupVersionResource = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' };
const PODS: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
const EVENTS: GroupVersionResource = { group: '', version: 'v1', resource: 'events' };

interface Scalable extends KubeObject {
  spec?: { replicas?: number };
}

export interface DisruptionControllerOptions {
  pdbInformer: SharedInformer<PodDisruptionBudget & KubeObject>;
  podInformer: SharedInformer<Pod>;
  /** Owners whose scale sets the expected pod count, by kind. */
  scalables: { replicaSets: SharedInformer<Scalable>; deployments: SharedInformer<Scalable>; statefulSets: SharedInformer<Scalable>; replicationControllers: SharedInformer<Scalable> };
  updateStatus: (pdb: PodDisruptionBudget & KubeObject) => Promise<unknown>;
  recorder?: EventRecorder;
  clock: Clock;
  logger: Logger;
}

/** Budgets whose selector picks the pod; an empty selector picks nothing, as upstream. */
export function budgetsSelecting<T extends PodDisruptionBudget>(pod: Pod, budgets: readonly T[]): T[] {
  return budgets.filter((b) => {
    try {
      const sel = labelSelectorAsSelector(b.spec?.selector);
      return !sel.isEmpty() && !sel.isNothing() && sel.matches(pod.metadata.labels ?? {});
    } catch {
      return false;
    }
  });
}

export class DisruptionController implements Controller {
  readonly name = 'disruption';
  readonly queue: RateLimitingQueue<string>;
  private readonly handlers: Disposable[] = [];

  constructor(private readonly opts: DisruptionControllerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    const enqueue = (b: KubeObject) => this.queue.add(metaNamespaceKey(b));
    this.handlers.push(
      opts.pdbInformer.addEventHandler({
        onAdd: enqueue,
        onUpdate: (_o, b) => enqueue(b),
        onDelete: () => undefined,
      }),
      opts.podInformer.addEventHandler({
        onAdd: (p) => this.podChanged(p),
        onUpdate: (old, p) => {
          this.podChanged(p);
          if (JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(p.metadata.labels ?? {})) this.podChanged(old);
        },
        onDelete: (obj: Pod | DeletedFinalStateUnknown<Pod>) => this.podChanged(isDeletedFinalStateUnknown(obj) ? obj.obj : obj),
      }),
    );
  }

  private podChanged(pod: Pod): void {
    const budgets = this.opts.pdbInformer.lister().listInNamespace(pod.metadata.namespace ?? '');
    for (const b of budgetsSelecting(pod, budgets)) this.queue.add(metaNamespaceKey(b));
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    const s = this.opts.scalables;
    const informers = [this.opts.pdbInformer, this.opts.podInformer, s.replicaSets, s.deployments, s.statefulSets, s.replicationControllers] as SharedInformer<KubeObject>[];
    await runSyncedWorkers({
      informers,
      handlers: this.handlers,
      queue: this.queue,
      reconcile: (key) => this.sync(key),
      workers,
      signal,
      logger: this.opts.logger,
    });
  }

  /** Deployment scale for its ReplicaSets, the owner's own scale otherwise. */
  readonly scaleOf: ScaleOf = (namespace: string, ref: OwnerReference) => {
    const s = this.opts.scalables;
    const own = (inf: SharedInformer<Scalable>, name: string, uid: string) => {
      const o = inf.lister().get(namespace, name);
      return o && o.metadata.uid === uid ? o : undefined;
    };
    switch (ref.kind) {
      case 'ReplicaSet': {
        const rs = own(s.replicaSets, ref.name, ref.uid);
        if (!rs) return undefined;
        const dref = controllerRefOf(rs);
        if (dref?.kind === 'Deployment') {
          const d = own(s.deployments, dref.name, dref.uid);
          if (d) return { uid: d.metadata.uid!, replicas: d.spec?.replicas ?? 1 };
        }
        return { uid: rs.metadata.uid!, replicas: rs.spec?.replicas ?? 1 };
      }
      case 'StatefulSet':
      case 'ReplicationController': {
        const inf = ref.kind === 'StatefulSet' ? s.statefulSets : s.replicationControllers;
        const o = own(inf, ref.name, ref.uid);
        return o ? { uid: o.metadata.uid!, replicas: o.spec?.replicas ?? 1 } : undefined;
      }
      default:
        return undefined;
    }
  };

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const pdb = this.opts.pdbInformer.lister().get(namespace, name);
    if (!pdb) return;
    const pods = this.opts.podInformer.lister().listInNamespace(namespace).filter((p) => budgetsSelecting(p, [pdb]).length > 0);
    if (!pods.length) void this.opts.recorder?.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    const now = this.opts.clock.now();
    const { status, recheckAtMs, failure } = computeStatus(pdb, pods, this.scaleOf, now, this.opts.clock.nowRFC3339());
    if (failure) void this.opts.recorder?.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${failure}`);
    if (!statusEqual(pdb.status, status)) {
      await this.opts.updateStatus({ ...structuredClone(pdb), status });
    }
    if (failure) throw new Error(failure);
    // A pending eviction that never completes stops counting at a time no event announces.
    if (recheckAtMs !== undefined) this.queue.addAfter(key, Math.max(0, recheckAtMs - now) + 1000);
  }
}

export function newDisruptionController(ctx: ControllerContext): DisruptionController {
  const pdbs = new ResourceClient<PodDisruptionBudget & KubeObject>(ctx.rest, PDBS);
  return new DisruptionController({
    pdbInformer: ctx.informers.informerFor<PodDisruptionBudget & KubeObject>(PDBS),
    podInformer: ctx.informers.informerFor<Pod>(PODS),
    scalables: {
      replicaSets: ctx.informers.informerFor<Scalable>({ group: 'apps', version: 'v1', resource: 'replicasets' }),
      deployments: ctx.informers.informerFor<Scalable>({ group: 'apps', version: 'v1', resource: 'deployments' }),
      statefulSets: ctx.informers.informerFor<Scalable>({ group: 'apps', version: 'v1', resource: 'statefulsets' }),
      replicationControllers: ctx.informers.informerFor<Scalable>({ group: '', version: 'v1', resource: 'replicationcontrollers' }),
    },
    updateStatus: (pdb) => pdbs.inNamespace(pdb.metadata.namespace ?? '').updateStatus(pdb),
    recorder: new EventRecorder({
      events: new ResourceClient<CoreEvent>(ctx.rest, EVENTS),
      component: 'controllermanager',
      clock: ctx.clock,
      onError: (err) => ctx.logger.debug('event not recorded', { err }),
    }),
    clock: ctx.clock,
    logger: ctx.logger,
  });
}

export const disruptionControllerDescriptor: ControllerDescriptor = {
  name: 'disruption',
  init: newDisruptionController,
};
