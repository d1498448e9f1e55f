/**
 * The PVC protection controller (upstream `pvc-protection`): a claim that is
 * being deleted keeps its `kubernetes.io/pvc-protection` finalizer, and so
 * stays Terminating, while a scheduled pod uses it; once none does the
 * finalizer goes and the API server removes the claim. Claims created
 * without the finalizer get it. Pods that finish or go enqueue their claims.
 */
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { type SharedInformer, isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import type { Pod } from '../framework/pods.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import type { PVC } from './annotations.js';
import { PVC_PROTECTION_FINALIZER, claimsOfPod, isDeletionCandidate, isPodTerminated, needToAddFinalizer, podUsesClaim, withFinalizer, withoutFinalizer } from './protection.js';
import { VOLUME_GVR } from './pv-controller.js';

export const PVC_PROTECTION_CONTROLLER = 'pvc-protection';

export interface PVCProtectionAPI {
  /** A live list, for pods the cache may not hold yet. */
  listPods(namespace: string): Promise<Pod[]>;
  updateClaim(pvc: PVC): Promise<PVC>;
}

export interface PVCProtectionControllerOptions {
  claimInformer: SharedInformer<PVC>;
  podInformer: SharedInformer<Pod>;
  api: PVCProtectionAPI;
  clock: Clock;
  logger: Logger;
}

export class PVCProtectionController implements Controller {
  readonly name = PVC_PROTECTION_CONTROLLER;
  readonly queue: RateLimitingQueue<string>;
  private readonly handlers: Disposable[] = [];

  constructor(private readonly opts: PVCProtectionControllerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    const claim = (pvc: PVC) => {
      if (needToAddFinalizer(pvc, PVC_PROTECTION_FINALIZER) || isDeletionCandidate(pvc, PVC_PROTECTION_FINALIZER)) this.queue.add(metaNamespaceKey(pvc));
    };
    this.handlers.push(
      opts.claimInformer.addEventHandler({ onAdd: claim, onUpdate: (_o, n) => claim(n) }),
      opts.podInformer.addEventHandler({
        onAdd: (pod) => this.podChanged(pod, { deleted: false }),
        onUpdate: (old, pod) => {
          this.podChanged(pod, { deleted: false });
          // An update may hide the deletion of one pod and the creation of another of the same name.
          if (old.metadata.uid !== pod.metadata.uid) this.podChanged(old, { deleted: true });
        },
        onDelete: (obj) => this.podChanged(isDeletedFinalStateUnknown(obj) ? obj.obj : obj, { deleted: true }),
      }),
    );
  }

  /** Only a pod that is gone, finished or unscheduled can be what a Terminating claim waits for. */
  private podChanged(pod: Pod, opts: { deleted: boolean }): void {
    if (!opts.deleted && !isPodTerminated(pod) && pod.spec?.nodeName) return;
    for (const name of claimsOfPod(pod)) this.queue.add(`${pod.metadata.namespace ?? ''}/${name}`);
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    await runSyncedWorkers({
      informers: [this.opts.claimInformer, this.opts.podInformer],
      handlers: this.handlers,
      onSynced: () => this.opts.logger.info('starting controller', { controller: this.name, workers }),
      queue: this.queue,
      reconcile: (key) => this.sync(key),
      workers,
      signal,
      logger: this.opts.logger,
    });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const pvc = this.opts.claimInformer.lister().get(namespace, name);
    if (!pvc) return;
    if (isDeletionCandidate(pvc, PVC_PROTECTION_FINALIZER)) {
      if (await this.isBeingUsed(pvc)) {
        this.opts.logger.debug('keeping claim because it is being used', { pvc: key });
        return;
      }
      await this.opts.api.updateClaim(withoutFinalizer(pvc, PVC_PROTECTION_FINALIZER));
      this.opts.logger.debug('removed protection finalizer', { pvc: key });
      return;
    }
    if (needToAddFinalizer(pvc, PVC_PROTECTION_FINALIZER)) await this.opts.api.updateClaim(withFinalizer(pvc, PVC_PROTECTION_FINALIZER));
  }

  /** The cache answers "in use" cheaply; "not in use" is confirmed by a live list, as the cache may lag. */
  private async isBeingUsed(pvc: PVC): Promise<boolean> {
    const ns = pvc.metadata.namespace ?? '';
    if (this.opts.podInformer.lister().listInNamespace(ns).some((p) => podUsesClaim(p, pvc))) return true;
    return (await this.opts.api.listPods(ns)).some((p) => podUsesClaim(p, pvc));
  }
}

export const pvcProtectionControllerDescriptor: ControllerDescriptor = {
  name: PVC_PROTECTION_CONTROLLER,
  init: (ctx: ControllerContext) => {
    const claims = new ResourceClient<PVC>(ctx.rest, VOLUME_GVR.pvcs);
    const pods = new ResourceClient<Pod>(ctx.rest, VOLUME_GVR.pods);
    return new PVCProtectionController({
      claimInformer: ctx.informers.informerFor<PVC>(VOLUME_GVR.pvcs),
      podInformer: ctx.informers.informerFor<Pod>(VOLUME_GVR.pods),
      api: {
        listPods: async (ns) => (await pods.inNamespace(ns).list()).items,
        updateClaim: (pvc) => claims.inNamespace(pvc.metadata.namespace ?? '').update(pvc),
      },
      clock: ctx.clock,
      logger: ctx.logger,
    });
  },
};
