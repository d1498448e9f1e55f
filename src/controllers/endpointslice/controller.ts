/**
 * The EndpointSlice controller: for every Service with a selector, slices
 * `<service>-<random>` holding its pods' endpoints (see desired.ts and
 * reconciler.ts). Slices are created by generateName, so a cache that has not
 * seen our last writes yet would make us create twice: a sync waits until the
 * informer reflects every slice it wrote (upstream's EndpointSliceTracker).
 */
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { type DeletedFinalStateUnknown, type SharedInformer, isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { selectorFromSet } from '../../machinery/labels/selector.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { type ObjectWriter, TrackedWriter } from '../framework/write-tracker.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import { type EndpointPod, type Service, TriggerTimeTracker, servicesOfPodHandler } from '../framework/service-pods.js';
import { ZONE_LABEL, desiredPortGroups } from './desired.js';
import { planSlices } from './reconciler.js';
import { CONTROLLER_NAME, type EndpointSlice, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './types.js';

export type SliceWriter = ObjectWriter<EndpointSlice>;

export interface EndpointSliceControllerOptions {
  serviceInformer: SharedInformer<Service>;
  podInformer: SharedInformer<EndpointPod>;
  sliceInformer: SharedInformer<EndpointSlice>;
  nodeInformer: SharedInformer<KubeObject>;
  writer: SliceWriter;
  clock: Clock;
  logger: Logger;
  maxEndpointsPerSlice?: number;
}

/** Retry soon when the cache lags behind our own writes (its watch event usually comes first). */
const STALE_RETRY_MS = 1000;

const isManaged = (s: EndpointSlice) => s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME;

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  readonly queue: RateLimitingQueue<string>;
  private readonly handlers: Disposable[] = [];
  private readonly triggerTimes = new TriggerTimeTracker();
  /** Per service: slice name -> resourceVersion we wrote (`deleted` for deletions). */
  private readonly slices: TrackedWriter<EndpointSlice>;

  constructor(private readonly opts: EndpointSliceControllerOptions) {
    this.slices = new TrackedWriter(opts.writer);
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    const svcKey = (obj: Service | DeletedFinalStateUnknown<Service>) => this.queue.add(metaNamespaceKey(isDeletedFinalStateUnknown(obj) ? obj.obj : obj));
    const sliceKey = (obj: EndpointSlice | DeletedFinalStateUnknown<EndpointSlice>) => {
      const s = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && isManaged(s)) this.queue.add(`${s.metadata.namespace}/${svc}`);
    };
    this.handlers.push(
      opts.serviceInformer.addEventHandler({ onAdd: svcKey, onUpdate: (_o, n) => svcKey(n), onDelete: svcKey }),
      opts.podInformer.addEventHandler(servicesOfPodHandler(opts.serviceInformer.lister(), (key) => this.queue.add(key))),
      opts.sliceInformer.addEventHandler({ onAdd: sliceKey, onUpdate: (_o, n) => sliceKey(n), onDelete: sliceKey }),
      opts.nodeInformer.addEventHandler({
        // Zones are rare to change; when one does, every service may list a pod there.
        onUpdate: (o, n) => {
          if (o.metadata.labels?.[ZONE_LABEL] === n.metadata.labels?.[ZONE_LABEL]) return;
          for (const svc of opts.serviceInformer.lister().list()) this.queue.add(metaNamespaceKey(svc));
        },
      }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    const informers = [this.opts.serviceInformer, this.opts.podInformer, this.opts.sliceInformer, this.opts.nodeInformer];
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

  private managedSlices(namespace: string, service: string): EndpointSlice[] {
    return this.opts.sliceInformer
      .lister()
      .listInNamespace(namespace)
      .filter((s) => isManaged(s) && s.metadata.labels?.[SERVICE_NAME_LABEL] === service);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const svc = this.opts.serviceInformer.lister().get(namespace, name);
    const existing = this.managedSlices(namespace, name);
    if (!this.slices.caughtUp(key, existing)) {
      this.queue.addAfter(key, STALE_RETRY_MS);
      return;
    }
    if (!svc) {
      this.triggerTimes.forget(key);
      // The garbage collector would remove them by ownerReference; doing it here does not depend on it running.
      for (const s of existing) await this.slices.delete(key, namespace, s.metadata.name!);
      return;
    }
    // Without a selector the slices are someone else's (users, or the API server for `kubernetes`).
    if (!svc.spec?.selector) return;
    const pods = this.opts.podInformer.lister().listInNamespace(namespace, selectorFromSet(svc.spec.selector));
    const nodes = this.opts.nodeInformer.lister();
    const desired = desiredPortGroups(svc, pods, (node) => nodes.get('', node)?.metadata.labels?.[ZONE_LABEL]);
    const triggerTime = this.triggerTimes.compute(key, svc, pods);
    const plan = planSlices({ service: svc, desired, existing, triggerTime, maxEndpointsPerSlice: this.opts.maxEndpointsPerSlice });
    for (const s of plan.update) await this.slices.update(key, namespace, s);
    for (const s of plan.create) await this.slices.create(key, namespace, s);
    for (const s of plan.delete) await this.slices.delete(key, namespace, s.metadata.name!);
  }

}

const gvr = {
  services: { group: '', version: 'v1', resource: 'services' },
  pods: { group: '', version: 'v1', resource: 'pods' },
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  slices: { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' },
};

export function newEndpointSliceController(ctx: ControllerContext): EndpointSliceController {
  const client = new ResourceClient<EndpointSlice>(ctx.rest, gvr.slices);
  return new EndpointSliceController({
    serviceInformer: ctx.informers.informerFor<Service>(gvr.services),
    podInformer: ctx.informers.informerFor<EndpointPod>(gvr.pods),
    sliceInformer: ctx.informers.informerFor<EndpointSlice>(gvr.slices),
    nodeInformer: ctx.informers.informerFor(gvr.nodes),
    writer: {
      create: (ns, s) => client.inNamespace(ns).create(s),
      update: (ns, s) => client.inNamespace(ns).update(s),
      delete: (ns, name) => client.inNamespace(ns).delete(name),
    },
    clock: ctx.clock,
    logger: ctx.logger,
  });
}

export const endpointSliceControllerDescriptor: ControllerDescriptor = {
  name: 'endpointslice',
  init: newEndpointSliceController,
};
