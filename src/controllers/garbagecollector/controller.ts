/**
 * The garbage collector: watches every resource the server serves (found by
 * discovery, re-run periodically so CRDs added later are watched too), keeps
 * the ownership graph, and
 * - deletes objects whose owners are all gone (owners verified by UID: a
 *   re-created owner with the same name is another object),
 * - for an owner deleted in the foreground, deletes its dependents and
 *   removes `foregroundDeletion` once no blocking dependent remains,
 * - for an owner deleted with `orphan`, removes its ownerReference from every
 *   dependent, then the finalizer.
 * The queue holds UIDs; a reconcile reads the object from the caches.
 */
import type { SharedInformer } from '../../client/informers/shared-informer.js';
import { isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { type CoreEvent, EventRecorder } from '../../client/events/event-recorder.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { isNotFound } from '../../machinery/errors/index.js';
import type { Logger } from '../../machinery/log.js';
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import type { EventSink } from '../framework/pod-control.js';
import { runWorkers } from '../framework/queue-worker.js';
import { type MonitoredResource, RESTMapper, discoverMonitoredResources, gvrKey } from './discovery.js';
import { type GraphNode, OwnerGraph } from './graph.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';
/** Upstream re-reads discovery every 30 seconds. */
export const DEFAULT_REDISCOVERY_PERIOD_MS = 30_000;

/** The API writes and live reads the collector makes; a fake in unit tests. */
export interface GarbageCollectorClient {
  /** The live object, or undefined when it does not exist. */
  get(resource: MonitoredResource, namespace: string, name: string): Promise<KubeObject | undefined>;
  /** Deletes with a UID precondition; an object already gone is not an error. */
  delete(resource: MonitoredResource, namespace: string, name: string, opts: { uid: string; propagationPolicy: 'Foreground' | 'Background' | 'Orphan' }): Promise<void>;
  /** A JSON merge patch; an object already gone is not an error. */
  patch(resource: MonitoredResource, namespace: string, name: string, body: unknown): Promise<void>;
}

export interface GarbageCollectorOptions {
  discover: () => Promise<MonitoredResource[]>;
  informerFor: (resource: MonitoredResource) => SharedInformer<KubeObject>;
  /** Starts informers handed out since the last call, until `signal` aborts. */
  startInformers: (signal: AbortSignal) => void;
  client: GarbageCollectorClient;
  events: EventSink;
  clock: Clock;
  logger: Logger;
  rediscoveryPeriodMs?: number;
}

/** How one owner reference of a dependent stands. */
export type OwnerState = 'solid' | 'dangling' | 'waitingForDependentsDeletion';

const hasFinalizer = (obj: KubeObject, f: string) => (obj.metadata.finalizers ?? []).includes(f);

export class GarbageCollector implements Controller {
  readonly name = 'garbagecollector';
  readonly queue: RateLimitingQueue<string>;
  readonly graph = new OwnerGraph();
  private mapper = new RESTMapper([]);
  private readonly monitors = new Map<string, { resource: MonitoredResource; informer: SharedInformer<KubeObject> }>();
  private readonly disposers: (() => void)[] = [];

  constructor(private readonly opts: GarbageCollectorOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    try {
      await this.resync(signal);
      // Acting on a partial graph could remove a finalizer while dependents are still unseen.
      const synced = await Promise.all([...this.monitors.values()].map((m) => m.informer.waitForSync(signal)));
      if (!synced.every(Boolean)) return;
      this.opts.logger.info('starting controller', { controller: this.name, workers, resources: this.monitors.size });
      const rediscovery = this.rediscoverLoop(signal);
      await runWorkers({ queue: this.queue, reconcile: (uid) => this.sync(uid), workers, signal, logger: this.opts.logger });
      await rediscovery;
    } finally {
      this.queue.shutDown();
      for (const d of this.disposers) d();
    }
  }

  private async rediscoverLoop(signal: AbortSignal): Promise<void> {
    const period = this.opts.rediscoveryPeriodMs ?? DEFAULT_REDISCOVERY_PERIOD_MS;
    while (!signal.aborted) {
      try {
        await this.opts.clock.sleep(period, signal);
      } catch {
        return;
      }
      try {
        await this.resync(signal);
      } catch (err) {
        this.opts.logger.debug('rediscovery failed', { err });
      }
    }
  }

  /** Watches every resource discovery now reports that is not watched yet. */
  async resync(signal: AbortSignal): Promise<void> {
    const resources = await this.opts.discover();
    this.mapper = new RESTMapper(resources);
    let added = 0;
    for (const resource of resources) {
      const key = gvrKey(resource.gvr);
      if (this.monitors.has(key)) continue;
      const informer = this.opts.informerFor(resource);
      const handle = informer.addEventHandler({
        onAdd: (obj) => this.onAdd(resource, obj),
        onUpdate: (oldObj, obj) => this.onUpdate(resource, oldObj, obj),
        onDelete: (obj) => this.onDelete(isDeletedFinalStateUnknown(obj) ? obj.obj : obj),
      });
      this.disposers.push(() => handle.dispose());
      this.monitors.set(key, { resource, informer });
      added++;
    }
    if (added) this.opts.startInformers(signal);
  }

  private onAdd(resource: MonitoredResource, obj: KubeObject): void {
    this.graph.upsert(resource, obj);
    if (obj.metadata.ownerReferences?.length || this.isDeletingWithFinalizer(obj)) this.enqueue(obj.metadata.uid);
  }

  private onUpdate(resource: MonitoredResource, oldObj: KubeObject, obj: KubeObject): void {
    const dropped = this.graph.upsert(resource, obj);
    // An owner waiting for its dependents may be done once one stops naming it.
    for (const uid of dropped) this.enqueue(uid);
    const refsChanged = JSON.stringify(oldObj.metadata.ownerReferences ?? []) !== JSON.stringify(obj.metadata.ownerReferences ?? []);
    const deletionChanged = oldObj.metadata.deletionTimestamp !== obj.metadata.deletionTimestamp || JSON.stringify(oldObj.metadata.finalizers ?? []) !== JSON.stringify(obj.metadata.finalizers ?? []);
    if (refsChanged || (deletionChanged && this.isDeletingWithFinalizer(obj))) this.enqueue(obj.metadata.uid);
  }

  private onDelete(obj: KubeObject): void {
    const node = this.graph.remove(obj.metadata.uid);
    if (!node) return;
    // Its dependents may now be orphans, and owners in the foreground may be done waiting.
    for (const d of this.graph.dependentsOf(node.uid)) this.enqueue(d.uid);
    for (const r of node.owners) this.enqueue(r.uid);
  }

  private isDeletingWithFinalizer(obj: KubeObject): boolean {
    return !!obj.metadata.deletionTimestamp && (hasFinalizer(obj, FINALIZER_ORPHAN) || hasFinalizer(obj, FINALIZER_FOREGROUND));
  }

  private enqueue(uid: string | undefined): void {
    if (uid) this.queue.add(uid);
  }

  /** The cached object behind a graph node, if it is still the same object. */
  private cached(node: GraphNode): KubeObject | undefined {
    const m = this.monitors.get(gvrKey(node.resource.gvr));
    const obj = m?.informer.lister().get(node.namespace, node.name);
    return obj && obj.metadata.uid === node.uid ? obj : undefined;
  }

  /** One reconcile pass for the object with `uid`; throws to be retried with back-off. */
  async sync(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    const obj = this.cached(node);
    if (!obj) return;
    if (obj.metadata.deletionTimestamp) {
      if (hasFinalizer(obj, FINALIZER_ORPHAN)) return this.orphanDependents(node, obj);
      if (hasFinalizer(obj, FINALIZER_FOREGROUND)) return this.processDeletingDependents(node, obj);
      // Being deleted without waiting on us: nothing to add.
      return;
    }
    if (obj.metadata.ownerReferences?.length) await this.attemptToDelete(node, obj);
  }

  /** Orphan propagation: every dependent stops naming the owner, then the owner may go. */
  private async orphanDependents(owner: GraphNode, obj: KubeObject): Promise<void> {
    for (const dep of this.graph.dependentsOf(owner.uid)) {
      const depObj = this.cached(dep);
      if (!depObj) continue;
      await this.removeOwnerRefs(dep, depObj, new Set([owner.uid]));
    }
    await this.removeFinalizer(owner, obj, FINALIZER_ORPHAN);
  }

  /** Foreground propagation: dependents go first; blocking ones hold the owner until they are gone. */
  private async processDeletingDependents(owner: GraphNode, obj: KubeObject): Promise<void> {
    const deps = this.graph.dependentsOf(owner.uid);
    const blocking = deps.filter((d) => d.owners.some((r) => r.uid === owner.uid && r.blockOwnerDeletion === true));
    if (blocking.length === 0) {
      await this.removeFinalizer(owner, obj, FINALIZER_FOREGROUND);
      return;
    }
    for (const d of deps) {
      const depObj = this.cached(d);
      // A dependent deleting its own dependents first is already on its way.
      if (depObj && !depObj.metadata.deletionTimestamp) this.enqueue(d.uid);
    }
  }

  /** Classifies every owner reference; deletes the object when none is solid. */
  private async attemptToDelete(node: GraphNode, obj: KubeObject): Promise<void> {
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const state = await this.ownerState(node, obj, ref);
      if (state === 'solid') solid.push(ref);
      else if (state === 'dangling') dangling.push(ref);
      else waiting.push(ref);
    }
    if (solid.length) {
      if (!dangling.length && !waiting.length) return;
      // Other owners keep it alive: only the references to gone or going owners are dropped.
      await this.removeOwnerRefs(node, obj, new Set([...dangling, ...waiting].map((r) => r.uid)));
      return;
    }
    let policy: 'Foreground' | 'Background' | 'Orphan';
    if (waiting.length && this.graph.dependentsOf(node.uid).length) policy = 'Foreground';
    else if (hasFinalizer(obj, FINALIZER_ORPHAN)) policy = 'Orphan';
    else if (hasFinalizer(obj, FINALIZER_FOREGROUND)) policy = 'Foreground';
    else policy = 'Background';
    this.opts.logger.debug('deleting object whose owners are gone', { object: `${node.resource.gvr.resource}/${node.namespace ? `${node.namespace}/` : ''}${node.name}`, policy });
    await this.opts.client.delete(node.resource, node.namespace, node.name, { uid: node.uid, propagationPolicy: policy });
  }

  /** Whether the owner a reference names exists (same UID), is gone, or is deleting its dependents. */
  async ownerState(node: GraphNode, obj: KubeObject, ref: OwnerReference): Promise<OwnerState> {
    const res = this.mapper.resourceFor(ref.apiVersion, ref.kind);
    if (!res) throw new Error(`unable to find the resource for ownerReference kind ${ref.kind} in ${ref.apiVersion}`);
    const ownerNamespace = res.namespaced ? node.namespace : '';
    if (res.namespaced && !node.namespace) {
      // A cluster-scoped object cannot be owned by a namespaced one: unresolvable, so never collected.
      this.invalidNamespace(node, obj, ref, ownerNamespace);
      return 'solid';
    }
    const known = this.graph.get(ref.uid);
    if (known) {
      if (known.namespace !== ownerNamespace) {
        this.invalidNamespace(node, obj, ref, ownerNamespace);
        return 'dangling';
      }
      const owner = this.cached(known);
      if (owner) return stateOf(owner);
    }
    // The cache may lag behind a just-created owner: ask the server before calling it gone.
    const live = await this.opts.client.get(res, ownerNamespace, ref.name);
    if (!live || live.metadata.uid !== ref.uid) return 'dangling';
    return stateOf(live);
  }

  private invalidNamespace(node: GraphNode, obj: KubeObject, ref: OwnerReference, ownerNamespace: string): void {
    const involved = { ...obj, apiVersion: node.resource.apiVersion, kind: node.resource.kind };
    const message = `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: ${ownerNamespace}, name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace "${node.namespace}"`;
    void this.opts.events.event(involved, 'Warning', 'OwnerRefInvalidNamespace', message);
  }

  private async removeOwnerRefs(node: GraphNode, obj: KubeObject, uids: ReadonlySet<string>): Promise<void> {
    const refs = (obj.metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid));
    if (refs.length === (obj.metadata.ownerReferences ?? []).length) return;
    // The resourceVersion makes this a compare-and-swap: a concurrent change retries with fresh data.
    await this.opts.client.patch(node.resource, node.namespace, node.name, { metadata: { uid: node.uid, resourceVersion: obj.metadata.resourceVersion, ownerReferences: refs.length ? refs : null } });
  }

  private async removeFinalizer(node: GraphNode, obj: KubeObject, finalizer: string): Promise<void> {
    const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    await this.opts.client.patch(node.resource, node.namespace, node.name, { metadata: { uid: node.uid, resourceVersion: obj.metadata.resourceVersion, finalizers: finalizers.length ? finalizers : null } });
  }
}

function stateOf(owner: KubeObject): OwnerState {
  return owner.metadata.deletionTimestamp && hasFinalizer(owner, FINALIZER_FOREGROUND) ? 'waitingForDependentsDeletion' : 'solid';
}

/** The collector's API access through the REST client. */
export class RESTGarbageCollectorClient implements GarbageCollectorClient {
  constructor(private readonly rest: ControllerContext['rest']) {}

  private client(resource: MonitoredResource, namespace: string): ResourceClient<KubeObject> {
    return new ResourceClient<KubeObject>(this.rest, resource.gvr, namespace);
  }

  async get(resource: MonitoredResource, namespace: string, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.client(resource, namespace).get(name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async delete(resource: MonitoredResource, namespace: string, name: string, opts: { uid: string; propagationPolicy: 'Foreground' | 'Background' | 'Orphan' }): Promise<void> {
    try {
      await this.client(resource, namespace).delete(name, { preconditions: { uid: opts.uid }, propagationPolicy: opts.propagationPolicy });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async patch(resource: MonitoredResource, namespace: string, name: string, body: unknown): Promise<void> {
    try {
      await this.client(resource, namespace).patch(name, 'merge', body);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export function newGarbageCollector(ctx: ControllerContext, opts: { rediscoveryPeriodMs?: number } = {}): GarbageCollector {
  const events = new EventRecorder({
    events: new ResourceClient<CoreEvent>(ctx.rest, { group: '', version: 'v1', resource: 'events' }),
    component: 'garbage-collector-controller',
    clock: ctx.clock,
    onError: (err) => ctx.logger.debug('event not recorded', { err }),
  });
  return new GarbageCollector({
    discover: () => discoverMonitoredResources(ctx.rest),
    informerFor: (r) => ctx.informers.informerFor<KubeObject>(r.gvr),
    startInformers: (signal) => ctx.informers.start(signal),
    client: new RESTGarbageCollectorClient(ctx.rest),
    events,
    clock: ctx.clock,
    logger: ctx.logger,
    rediscoveryPeriodMs: opts.rediscoveryPeriodMs,
  });
}

export const garbageCollectorDescriptor: ControllerDescriptor = {
  name: 'garbagecollector',
  init: (ctx) => newGarbageCollector(ctx),
};
