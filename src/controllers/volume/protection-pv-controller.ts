/**
 * The PV protection controller (upstream `pv-protection`): a volume that is
 * being deleted keeps its `kubernetes.io/pv-protection` finalizer while it
 * is Bound to a claim; once it is not, the finalizer goes and the API server
 * removes it. Volumes created without the finalizer get it.
 */
import { type SharedInformer } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import type { PV } from './annotations.js';
import { PV_PROTECTION_FINALIZER, isDeletionCandidate, isVolumeInUse, needToAddFinalizer, withFinalizer, withoutFinalizer } from './protection.js';
import { VOLUME_GVR } from './pv-controller.js';

export const PV_PROTECTION_CONTROLLER = 'pv-protection';

export interface PVProtectionControllerOptions {
  volumeInformer: SharedInformer<PV>;
  updateVolume: (pv: PV) => Promise<PV>;
  clock: Clock;
  logger: Logger;
}

export class PVProtectionController implements Controller {
  readonly name = PV_PROTECTION_CONTROLLER;
  readonly queue: RateLimitingQueue<string>;
  private readonly handlers: Disposable[] = [];

  constructor(private readonly opts: PVProtectionControllerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    const volume = (pv: PV) => {
      if (needToAddFinalizer(pv, PV_PROTECTION_FINALIZER) || isDeletionCandidate(pv, PV_PROTECTION_FINALIZER)) this.queue.add(pv.metadata.name!);
    };
    this.handlers.push(opts.volumeInformer.addEventHandler({ onAdd: volume, onUpdate: (_o, n) => volume(n) }));
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    await runSyncedWorkers({
      informers: [this.opts.volumeInformer],
      handlers: this.handlers,
      onSynced: () => this.opts.logger.info('starting controller', { controller: this.name, workers }),
      queue: this.queue,
      reconcile: (key) => this.sync(key),
      workers,
      signal,
      logger: this.opts.logger,
    });
  }

  async sync(name: string): Promise<void> {
    const pv = this.opts.volumeInformer.lister().get('', name);
    if (!pv) return;
    if (isDeletionCandidate(pv, PV_PROTECTION_FINALIZER)) {
      if (isVolumeInUse(pv)) {
        this.opts.logger.debug('keeping volume because it is bound', { pv: name });
        return;
      }
      await this.opts.updateVolume(withoutFinalizer(pv, PV_PROTECTION_FINALIZER));
      this.opts.logger.debug('removed protection finalizer', { pv: name });
      return;
    }
    if (needToAddFinalizer(pv, PV_PROTECTION_FINALIZER)) await this.opts.updateVolume(withFinalizer(pv, PV_PROTECTION_FINALIZER));
  }
}

export const pvProtectionControllerDescriptor: ControllerDescriptor = {
  name: PV_PROTECTION_CONTROLLER,
  init: (ctx: ControllerContext) => {
    const volumes = new ResourceClient<PV>(ctx.rest, VOLUME_GVR.pvs);
    return new PVProtectionController({
      volumeInformer: ctx.informers.informerFor<PV>(VOLUME_GVR.pvs),
      updateVolume: (pv) => volumes.update(pv),
      clock: ctx.clock,
      logger: ctx.logger,
    });
  },
};
