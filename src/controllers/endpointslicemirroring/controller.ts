/**
 * The EndpointSlice mirroring controller (upstream `endpointslicemirroring`):
 * a Service without a selector gets its endpoints from an Endpoints object
 * its user writes; this controller mirrors that object into EndpointSlices
 * (managed-by `endpointslicemirroring-controller.k8s.io`), so slice readers
 * such as kube-proxy and DNS see those endpoints too. Endpoints labelled
 * `endpointslice.kubernetes.io/skip-mirror=true`, leader-election locks and
 * Endpoints of Services with a selector are not mirrored; mirrored slices go
 * when the Endpoints or the Service goes. Keys are `namespace/name` of the
 * Endpoints (the same as its Service's).
 */
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { type CoreEvent, EventRecorder } from '../../client/events/event-recorder.js';
import { type DeletedFinalStateUnknown, type SharedInformer, isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors/index.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { Endpoints } from '../endpoints/controller.js';
import type { EndpointSlice } from '../endpointslice/types.js';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '../endpointslice/types.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { type ObjectWriter, TrackedWriter } from '../framework/write-tracker.js';
import type { EventSink } from '../framework/pod-control.js';
import { errorMessage } from '../framework/pod-control.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import type { Service } from '../framework/service-pods.js';
import { MIRRORING_MAX_ENDPOINTS_PER_SUBSET, desiredMirror } from './desired.js';
import { LEADER_ELECTION_ANNOTATION, MIRRORING_CONTROLLER_NAME, SKIP_MIRROR_LABEL, planMirroredSlices } from './reconciler.js';

export const ENDPOINTSLICE_MIRRORING_CONTROLLER = 'endpointslicemirroring';
/** The component upstream's mirroring controller reports events as. */
export const MIRRORING_EVENT_COMPONENT = 'endpoint-slice-mirroring-controller';

export type MirroredSliceWriter = ObjectWriter<EndpointSlice>;

export interface EndpointSliceMirroringControllerOptions {
  serviceInformer: SharedInformer<Service>;
  endpointsInformer: SharedInformer<Endpoints>;
  sliceInformer: SharedInformer<EndpointSlice>;
  writer: MirroredSliceWriter;
  recorder: EventSink;
  clock: Clock;
  logger: Logger;
  /** Upstream `--mirroring-max-endpoints-per-subset` (default 1000). */
  maxEndpointsPerSubset?: number;
}

/** Retry soon when the cache lags behind our own writes (its watch event usually comes first). */
const STALE_RETRY_MS = 1000;

export function shouldMirror(endpoints: Endpoints | undefined): boolean {
  if (!endpoints) return false;
  if (endpoints.metadata.labels?.[SKIP_MIRROR_LABEL] === 'true') return false;
  return endpoints.metadata.annotations?.[LEADER_ELECTION_ANNOTATION] === undefined;
}

const isMirrored = (s: EndpointSlice) => s.metadata.labels?.[MANAGED_BY_LABEL] === MIRRORING_CONTROLLER_NAME;
const unwrap = <T extends KubeObject>(obj: T | DeletedFinalStateUnknown<T>): T => (isDeletedFinalStateUnknown(obj) ? obj.obj : obj);

export class EndpointSliceMirroringController implements Controller {
  readonly name = ENDPOINTSLICE_MIRRORING_CONTROLLER;
  readonly queue: RateLimitingQueue<string>;
  private readonly handlers: Disposable[] = [];
  /** Per key: slice name -> resourceVersion we wrote (`deleted` for deletions), until the cache shows it. */
  private readonly slices: TrackedWriter<EndpointSlice>;

  constructor(private readonly opts: EndpointSliceMirroringControllerOptions) {
    this.slices = new TrackedWriter(opts.writer);
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    const enqueue = (obj: { metadata: { namespace?: string; name?: string } }) => this.queue.add(metaNamespaceKey(obj));
    const selectorless = (svc: Service) => !svc.spec?.selector;
    const sliceKey = (s: EndpointSlice) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc) this.queue.add(`${s.metadata.namespace ?? ''}/${svc}`);
    };
    this.handlers.push(
      opts.serviceInformer.addEventHandler({
        onAdd: (svc) => selectorless(svc) && enqueue(svc),
        // Gaining or losing a selector moves the endpoints between this controller and the selector-driven ones.
        onUpdate: (o, n) => selectorless(o) !== selectorless(n) && enqueue(n),
        onDelete: (obj) => {
          const svc = unwrap(obj);
          if (selectorless(svc)) enqueue(svc);
        },
      }),
      opts.endpointsInformer.addEventHandler({
        onAdd: (ep) => shouldMirror(ep) && enqueue(ep),
        onUpdate: (o, n) => (shouldMirror(o) || shouldMirror(n)) && enqueue(n),
        onDelete: (obj) => {
          const ep = unwrap(obj);
          if (shouldMirror(ep)) enqueue(ep);
        },
      }),
      opts.sliceInformer.addEventHandler({
        onAdd: (s) => isMirrored(s) && sliceKey(s),
        onUpdate: (o, n) => {
          // A slice handed to or taken from this controller, or moved to another service, concerns both sides.
          if (o.metadata.labels?.[SERVICE_NAME_LABEL] !== n.metadata.labels?.[SERVICE_NAME_LABEL] || isMirrored(o) !== isMirrored(n)) {
            sliceKey(o);
            sliceKey(n);
          } else if (isMirrored(n)) sliceKey(n);
        },
        onDelete: (obj) => {
          const s = unwrap(obj);
          if (isMirrored(s)) sliceKey(s);
        },
      }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    await runSyncedWorkers({
      informers: [this.opts.serviceInformer, this.opts.endpointsInformer, this.opts.sliceInformer],
      handlers: this.handlers,
      onSynced: () => this.opts.logger.info('starting controller', { controller: this.name, workers }),
      queue: this.queue,
      reconcile: (key) => this.sync(key),
      workers,
      signal,
      logger: this.opts.logger,
    });
  }

  private mirroredSlices(namespace: string, name: string): EndpointSlice[] {
    return this.opts.sliceInformer
      .lister()
      .listInNamespace(namespace)
      .filter((s) => isMirrored(s) && s.metadata.labels?.[SERVICE_NAME_LABEL] === name);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const slices = this.mirroredSlices(namespace, name);
    if (!this.slices.caughtUp(key, slices)) {
      this.queue.addAfter(key, STALE_RETRY_MS);
      return;
    }
    const endpoints = this.opts.endpointsInformer.lister().get(namespace, name);
    const svc = this.opts.serviceInformer.lister().get(namespace, name);
    if (!endpoints || !shouldMirror(endpoints) || !svc || svc.spec?.selector) {
      for (const s of slices) await this.slices.delete(key, namespace, s.metadata.name!);
      return;
    }
    const max = this.opts.maxEndpointsPerSubset ?? MIRRORING_MAX_ENDPOINTS_PER_SUBSET;
    const desired = desiredMirror(endpoints, { maxEndpointsPerSubset: max });
    if (desired.invalid > 0) {
      void this.opts.recorder.event(endpoints, 'Warning', 'InvalidIPAddress', `Skipped ${desired.invalid} invalid IP addresses when mirroring to EndpointSlices`);
    }
    if (desired.skipped > desired.invalid) {
      void this.opts.recorder.event(endpoints, 'Warning', 'TooManyAddressesToMirror', `A max of ${max} addresses can be mirrored to EndpointSlices per Endpoints subset. ${desired.skipped} addresses were skipped`);
    }
    const plan = planMirroredSlices(endpoints, desired, slices);
    // An Endpoints object on its way out gets no new slices.
    if (!endpoints.metadata.deletionTimestamp) {
      for (const s of plan.create) {
        try {
          await this.slices.create(key, namespace, s);
        } catch (err) {
          // A namespace being deleted refuses new objects; its endpoints go with it.
          if (isStatusError(err) && err.reason === 'Forbidden' && /being terminated/.test(errorMessage(err))) return;
          throw new Error(`failed to create EndpointSlice for Endpoints ${key}: ${errorMessage(err)}`, { cause: err });
        }
      }
    }
    for (const s of plan.update) await this.slices.update(key, namespace, s);
    for (const s of plan.delete) await this.slices.delete(key, namespace, s.metadata.name!);
  }
}

const gvr = {
  services: { group: '', version: 'v1', resource: 'services' },
  endpoints: { group: '', version: 'v1', resource: 'endpoints' },
  slices: { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' },
  events: { group: '', version: 'v1', resource: 'events' },
};

export function newEndpointSliceMirroringController(ctx: ControllerContext): EndpointSliceMirroringController {
  const client = new ResourceClient<EndpointSlice>(ctx.rest, gvr.slices);
  return new EndpointSliceMirroringController({
    serviceInformer: ctx.informers.informerFor<Service>(gvr.services),
    endpointsInformer: ctx.informers.informerFor<Endpoints>(gvr.endpoints),
    sliceInformer: ctx.informers.informerFor<EndpointSlice>(gvr.slices),
    writer: {
      create: (ns, s) => client.inNamespace(ns).create(s),
      update: (ns, s) => client.inNamespace(ns).update(s),
      delete: (ns, name) => client.inNamespace(ns).delete(name),
    },
    recorder: new EventRecorder({ events: new ResourceClient<CoreEvent>(ctx.rest, gvr.events), component: MIRRORING_EVENT_COMPONENT, clock: ctx.clock, onError: (err) => ctx.logger.debug('event not recorded', { err }) }),
    clock: ctx.clock,
    logger: ctx.logger,
    maxEndpointsPerSubset: ctx.config.mirroringMaxEndpointsPerSubset,
  });
}

export const endpointSliceMirroringControllerDescriptor: ControllerDescriptor = {
  name: ENDPOINTSLICE_MIRRORING_CONTROLLER,
  init: newEndpointSliceMirroringController,
};
