/**
 * The endpoints controller: for every Service with a selector, an Endpoints
 * object of the same name listing the pods it selects (see subsets.ts).
 * Services without a selector keep whatever Endpoints their users write.
 * Level-triggered: services, pods and endpoints only enqueue service keys.
 */
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { EventRecorder, type CoreEvent } from '../../client/events/event-recorder.js';
import { type DeletedFinalStateUnknown, type SharedInformer, isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { isNotFound, isStatusError } from '../../machinery/errors/index.js';
import { selectorFromSet } from '../../machinery/labels/selector.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import type { EventSink } from '../framework/pod-control.js';
import { errorMessage } from '../framework/pod-control.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import { type EndpointPod, type Service, HEADLESS_SERVICE_LABEL, LAST_CHANGE_TRIGGER_TIME_ANNOTATION, TriggerTimeTracker, isHeadless, servicesOfPodHandler } from '../framework/service-pods.js';
import { type EndpointSubset, MAX_ENDPOINTS_CAPACITY, computeSubsets } from './subsets.js';

export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

export interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[];
}

export interface EndpointsWriter {
  create(namespace: string, ep: Endpoints): Promise<unknown>;
  update(namespace: string, ep: Endpoints): Promise<unknown>;
  delete(namespace: string, name: string): Promise<unknown>;
}

export interface EndpointsControllerOptions {
  serviceInformer: SharedInformer<Service>;
  podInformer: SharedInformer<EndpointPod>;
  endpointsInformer: SharedInformer<Endpoints>;
  writer: EndpointsWriter;
  recorder: EventSink;
  clock: Clock;
  logger: Logger;
  capacity?: number;
}

export class EndpointsController implements Controller {
  readonly name = 'endpoint';
  readonly queue: RateLimitingQueue<string>;
  private readonly handlers: Disposable[] = [];
  private readonly triggerTimes = new TriggerTimeTracker();

  constructor(private readonly opts: EndpointsControllerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    const svcKey = (obj: KubeObject | DeletedFinalStateUnknown<KubeObject>) => this.queue.add(metaNamespaceKey(isDeletedFinalStateUnknown(obj) ? obj.obj : obj));
    this.handlers.push(
      opts.serviceInformer.addEventHandler({ onAdd: svcKey, onUpdate: (_o, n) => svcKey(n), onDelete: svcKey }),
      opts.podInformer.addEventHandler(servicesOfPodHandler(opts.serviceInformer.lister(), (key) => this.queue.add(key))),
      // Someone else changing or deleting an Endpoints we manage: put it back.
      opts.endpointsInformer.addEventHandler({ onUpdate: (_o, n) => svcKey(n), onDelete: svcKey }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    await runSyncedWorkers({
      informers: [this.opts.serviceInformer, this.opts.podInformer, this.opts.endpointsInformer],
      handlers: this.handlers,
      queue: this.queue,
      reconcile: (key) => this.sync(key),
      workers,
      signal,
      logger: this.opts.logger,
    });
  }


  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const svc = this.opts.serviceInformer.lister().get(namespace, name);
    if (!svc) {
      this.triggerTimes.forget(key);
      // The service is gone: so are the endpoints it had (a no-op when it never had any).
      if (this.opts.endpointsInformer.lister().get(namespace, name)) {
        try {
          await this.opts.writer.delete(namespace, name);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      return;
    }
    // No selector: the Endpoints belong to the user (or to the API server for `kubernetes`).
    if (!svc.spec?.selector) return;
    const selector = selectorFromSet(svc.spec.selector);
    const pods = this.opts.podInformer.lister().listInNamespace(namespace, selector);
    const computed = computeSubsets(svc, pods, this.opts.capacity ?? MAX_ENDPOINTS_CAPACITY);
    const triggerTime = this.triggerTimes.compute(key, svc, pods);

    const current = this.opts.endpointsInformer.lister().get(namespace, name);
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (isHeadless(svc)) labels[HEADLESS_SERVICE_LABEL] = '';
    else delete labels[HEADLESS_SERVICE_LABEL];
    const currentTruncated = current?.metadata.annotations?.[OVER_CAPACITY_ANNOTATION] === 'truncated';
    if (
      current &&
      JSON.stringify(current.subsets ?? []) === JSON.stringify(computed.subsets) &&
      sameMap(current.metadata.labels, labels) &&
      currentTruncated === computed.truncated
    ) {
      return;
    }
    const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
    if (triggerTime) annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION] = triggerTime;
    else delete annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION];
    if (computed.truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
    else delete annotations[OVER_CAPACITY_ANNOTATION];
    const metadata: Endpoints['metadata'] = { ...(current ? structuredClone(current.metadata) : { name, namespace }), labels, annotations };
    if (!Object.keys(annotations).length) delete metadata.annotations;
    const next: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata, subsets: computed.subsets };
    try {
      if (current) await this.opts.writer.update(namespace, next);
      else await this.opts.writer.create(namespace, next);
    } catch (err) {
      // A namespace being deleted refuses new objects; the service goes with it.
      if (!current && isStatusError(err) && err.reason === 'Forbidden' && /being terminated/.test(errorMessage(err))) return;
      void this.opts.recorder.event(svc, 'Warning', current ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint', `Failed to ${current ? 'update' : 'create'} endpoint ${namespace}/${name}: ${errorMessage(err)}`);
      throw err;
    }
  }

  dispose(): void {
    for (const h of this.handlers) h.dispose();
  }
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a![k] === b[k]);
}

const gvr = {
  services: { group: '', version: 'v1', resource: 'services' },
  pods: { group: '', version: 'v1', resource: 'pods' },
  endpoints: { group: '', version: 'v1', resource: 'endpoints' },
  events: { group: '', version: 'v1', resource: 'events' },
};

export function newEndpointsController(ctx: ControllerContext): EndpointsController {
  const client = new ResourceClient<Endpoints>(ctx.rest, gvr.endpoints);
  return new EndpointsController({
    serviceInformer: ctx.informers.informerFor<Service>(gvr.services),
    podInformer: ctx.informers.informerFor<EndpointPod>(gvr.pods),
    endpointsInformer: ctx.informers.informerFor<Endpoints>(gvr.endpoints),
    writer: {
      create: (ns, ep) => client.inNamespace(ns).create(ep),
      update: (ns, ep) => client.inNamespace(ns).update(ep),
      delete: (ns, name) => client.inNamespace(ns).delete(name),
    },
    recorder: new EventRecorder({ events: new ResourceClient<CoreEvent>(ctx.rest, gvr.events), component: 'endpoint-controller', clock: ctx.clock, onError: (err) => ctx.logger.debug('event not recorded', { err }) }),
    clock: ctx.clock,
    logger: ctx.logger,
  });
}

export const endpointsControllerDescriptor: ControllerDescriptor = {
  name: 'endpoint',
  init: newEndpointsController,
};
