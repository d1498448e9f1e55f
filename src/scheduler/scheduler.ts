/**
 * kube-scheduler as a running component: shared informers feed pending pods
 * of our profiles into the SchedulingQueue and move unschedulable ones back
 * on cluster events; one loop pops a pod, schedules it against a snapshot
 * of the scheduler cache (pods assumed but not yet observed included), reserves and
 * permits it, and binds it in the background. Failures are reported as the
 * upstream FailedScheduling event and PodScheduled=False condition; only the
 * holder of the kube-system/kube-scheduler Lease schedules.
 */
import { setMaxListeners } from 'node:events';
import type { NamespaceT, NodeT, PersistentVolumeClaimT, PersistentVolumeT, PodT } from '../api/core/v1/types.js';
import type { PodDisruptionBudgetT } from '../api/policy/v1/types.js';
import type { StorageClassT } from '../api/storage/v1/types.js';
import { EventRecorder, type CoreEvent } from '../client/events/event-recorder.js';
import { isDeletedFinalStateUnknown, type DeletedFinalStateUnknown } from '../client/informers/shared-informer.js';
import { SharedInformerFactory } from '../client/informers/shared-informer-factory.js';
import { LeaderElector, type Lease } from '../client/leaderelection/leader-elector.js';
import { ResourceClient } from '../client/rest/resource-client.js';
import type { RESTClient } from '../client/rest/rest-client.js';
import type { Clock } from '../machinery/clock.js';
import { isNotFound } from '../machinery/errors/index.js';
import type { Logger } from '../machinery/log.js';
import type { KubeObject } from '../machinery/meta/types.js';
import { SchedulerCache } from './cache.js';
import { type WorkloadLookup, defaultSelector } from './default-selector.js';
import { restClaimAPI } from './plugins/volume-binding/claim-api.js';
import type { Snapshot } from './framework/snapshot.js';
import { APIBinder } from './binder.js';
import { DEFAULT_SCHEDULER_NAME, defaultConfiguration, type KubeSchedulerConfiguration } from './config.js';
import { ActionType, Events, type ClusterEvent, type ClusterEventWithHint } from './framework/events.js';
import { newFramework, type Framework, type Registry } from './framework/framework.js';
import type { PostFilterResult, QueuedPodInfo } from './framework/interface.js';
import { podKey } from './framework/node-info.js';
import { Code, Status } from './framework/status.js';
import { inTreeRegistry } from './plugins/registry.js';
import { SchedulingQueue } from './queue/scheduling-queue.js';
import { type ClusterObjects, volumeLister } from './snapshot-source.js';

export const GVR = {
  pods: { group: '', version: 'v1', resource: 'pods' },
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  namespaces: { group: '', version: 'v1', resource: 'namespaces' },
  pvcs: { group: '', version: 'v1', resource: 'persistentvolumeclaims' },
  pvs: { group: '', version: 'v1', resource: 'persistentvolumes' },
  storageClasses: { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses' },
  pdbs: { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' },
  events: { group: '', version: 'v1', resource: 'events' },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
  services: { group: '', version: 'v1', resource: 'services' },
  replicationControllers: { group: '', version: 'v1', resource: 'replicationcontrollers' },
  replicaSets: { group: 'apps', version: 'v1', resource: 'replicasets' },
  statefulSets: { group: 'apps', version: 'v1', resource: 'statefulsets' },
} as const;

export const LEASE_NAMESPACE = 'kube-system';
export const LEASE_NAME = 'kube-scheduler';

export interface SchedulerOptions {
  rest: RESTClient;
  clock: Clock;
  logger: Logger;
  config?: KubeSchedulerConfiguration;
  /** This instance's name in the Lease and in the events it reports. */
  identity: string;
  registry?: Registry;
  /** Campaign for the Lease before scheduling (default true). */
  leaderElect?: boolean;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  randomInt?: (n: number) => number;
}

type Obj<T> = T & KubeObject;

function asPod(o: KubeObject | DeletedFinalStateUnknown<KubeObject>): PodT {
  return (isDeletedFinalStateUnknown(o) ? o.obj : o) as PodT;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Which parts of a node changed, as ActionType flags. */
export function nodeUpdateFlags(oldNode: NodeT, newNode: NodeT): number {
  let f = 0;
  if (!same(oldNode.status?.allocatable, newNode.status?.allocatable)) f |= ActionType.UpdateNodeAllocatable;
  if (!same(oldNode.metadata?.labels, newNode.metadata?.labels)) f |= ActionType.UpdateNodeLabel;
  if (!same(oldNode.spec?.taints, newNode.spec?.taints)) f |= ActionType.UpdateNodeTaint;
  if (!same(oldNode.status?.conditions?.map((c) => [c.type, c.status]), newNode.status?.conditions?.map((c) => [c.type, c.status]))) f |= ActionType.UpdateNodeCondition;
  if (!same(oldNode.metadata?.annotations, newNode.metadata?.annotations)) f |= ActionType.UpdateNodeAnnotation;
  if (oldNode.spec?.unschedulable !== newNode.spec?.unschedulable) f |= ActionType.Update;
  return f;
}

export class Scheduler {
  readonly config: KubeSchedulerConfiguration;
  private readonly frameworks = new Map<string, Framework>();
  private readonly queue: SchedulingQueue;
  private cache = new SchedulerCache();
  private readonly pods: ResourceClient;
  private readonly events: ResourceClient<CoreEvent>;
  private readonly recorders = new Map<string, EventRecorder>();
  private readonly inFlight = new Set<Promise<void>>();
  private elector?: LeaderElector;

  constructor(private readonly opts: SchedulerOptions) {
    this.config = opts.config ?? defaultConfiguration();
    this.pods = new ResourceClient(opts.rest, GVR.pods);
    const binder = new APIBinder(this.pods);
    const events = new Map<string, ClusterEventWithHint[]>();
    for (const profile of this.config.profiles) {
      const res = newFramework(
        { ...profile, percentageOfNodesToScore: profile.percentageOfNodesToScore ?? this.config.percentageOfNodesToScore },
        { registry: opts.registry ?? inTreeRegistry, binder, claims: restClaimAPI(opts.rest), randomInt: opts.randomInt, nominator: { nominatedPodsForNode: (n) => this.queue.nominatedPodsForNode(n), hasNominatedPods: () => this.queue.hasNominatedPods() } },
      );
      if (!res.ok) throw new Error(`scheduler profile "${profile.schedulerName}": ${res.errors.join('; ')}`);
      this.frameworks.set(profile.schedulerName, res.framework);
      for (const [plugin, evs] of res.framework.eventsToRegister()) events.set(plugin, [...(events.get(plugin) ?? []), ...evs]);
    }
    const first = this.frameworks.values().next().value as Framework;
    this.queue = new SchedulingQueue({
      clock: opts.clock,
      less: (a, b) => first.queueSortLess(a, b),
      preEnqueue: (pod) => this.frameworkFor(pod)?.runPreEnqueue(pod) ?? Status.success(),
      eventsToRegister: events,
      podInitialBackoffMs: this.config.podInitialBackoffSeconds * 1000,
      podMaxBackoffMs: this.config.podMaxBackoffSeconds * 1000,
    });
    this.events = new ResourceClient<CoreEvent>(opts.rest, GVR.events);
  }

  /** Events about a pod come from its profile, as upstream gives each profile a recorder named after it. */
  private recorderFor(pod: PodT): EventRecorder {
    const name = this.profileOf(pod);
    let r = this.recorders.get(name);
    if (!r) {
      r = new EventRecorder({
        events: this.events,
        component: name,
        host: this.opts.identity,
        clock: this.opts.clock,
        onError: (err) => this.opts.logger.warn('recording event failed', { err }),
      });
      this.recorders.set(name, r);
    }
    return r;
  }

  /** Whether this instance currently holds the Lease (always true without leader election). */
  isLeader(): boolean {
    return this.opts.leaderElect === false || (this.elector?.isLeader() ?? false);
  }

  /** The profile a pod asks for by `schedulerName`. */
  private profileOf(pod: PodT): string {
    return pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME;
  }

  private frameworkFor(pod: PodT): Framework | undefined {
    return this.frameworks.get(this.profileOf(pod));
  }

  private responsibleFor(pod: PodT): boolean {
    return this.frameworkFor(pod) !== undefined;
  }

  /** Runs until `signal` aborts, or leadership is lost. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.opts.leaderElect === false) {
      await this.runLeading(signal);
      return;
    }
    let leading: Promise<void> = Promise.resolve();
    this.elector = new LeaderElector({
      leases: new ResourceClient<Lease>(this.opts.rest, GVR.leases, LEASE_NAMESPACE),
      name: LEASE_NAME,
      namespace: LEASE_NAMESPACE,
      identity: this.opts.identity,
      clock: this.opts.clock,
      leaseDurationMs: this.opts.leaseDurationMs,
      renewDeadlineMs: this.opts.renewDeadlineMs,
      retryPeriodMs: this.opts.retryPeriodMs,
      callbacks: {
        onStartedLeading: (s) => {
          this.opts.logger.info('started leading', { identity: this.opts.identity });
          leading = this.runLeading(s);
          return leading;
        },
        onStoppedLeading: () => this.opts.logger.info('stopped leading', { identity: this.opts.identity }),
      },
      onError: (err) => this.opts.logger.warn('leader election', { err }),
    });
    await this.elector.run(signal);
    await leading;
  }

  private async runLeading(parent: AbortSignal): Promise<void> {
    // Every informer, the queue and the loop listen on one signal: more than Node's default of ten.
    const ctl = new AbortController();
    setMaxListeners(64, ctl.signal);
    const forward = () => ctl.abort();
    parent.addEventListener('abort', forward, { once: true });
    if (parent.aborted) ctl.abort();
    const signal = ctl.signal;
    // A new term starts from what its own informers list, like the informers themselves.
    this.cache = new SchedulerCache();
    const factory = new SharedInformerFactory({
      source: this.opts.rest,
      clock: this.opts.clock,
      onError: (gvr, err) => this.opts.logger.debug('informer error', { resource: gvr.resource, err }),
    });
    const inf = {
      pods: factory.informerFor<Obj<PodT>>(GVR.pods),
      nodes: factory.informerFor<Obj<NodeT>>(GVR.nodes),
      namespaces: factory.informerFor<Obj<NamespaceT>>(GVR.namespaces),
      pvcs: factory.informerFor<Obj<PersistentVolumeClaimT>>(GVR.pvcs),
      pvs: factory.informerFor<Obj<PersistentVolumeT>>(GVR.pvs),
      storageClasses: factory.informerFor<Obj<StorageClassT>>(GVR.storageClasses),
      pdbs: factory.informerFor<Obj<PodDisruptionBudgetT>>(GVR.pdbs),
      services: factory.informerFor<KubeObject>(GVR.services),
      replicationControllers: factory.informerFor<KubeObject>(GVR.replicationControllers),
      replicaSets: factory.informerFor<KubeObject>(GVR.replicaSets),
      statefulSets: factory.informerFor<KubeObject>(GVR.statefulSets),
    };
    const workloads: WorkloadLookup = {
      services: (ns) => inf.services.lister().listInNamespace(ns),
      controller: (kind, ns, name) =>
        (kind === 'ReplicationController' ? inf.replicationControllers : kind === 'ReplicaSet' ? inf.replicaSets : inf.statefulSets).lister().get(ns, name),
    };
    const objects: ClusterObjects = {
      nodes: () => inf.nodes.lister().list(),
      pods: () => inf.pods.lister().list(),
      namespaces: () => inf.namespaces.lister().list(),
      pdbs: () => inf.pdbs.lister().list(),
      pvc: (ns, name) => inf.pvcs.lister().get(ns, name),
      pv: (name) => inf.pvs.lister().get('', name),
      storageClass: (name) => inf.storageClasses.lister().get('', name),
    };
    const handlers = [
      inf.pods.addEventHandler({
        onAdd: (p) => this.onPodAdd(p),
        onUpdate: (o, n) => this.onPodUpdate(o, n),
        onDelete: (p) => this.onPodDelete(asPod(p)),
      }),
      inf.nodes.addEventHandler({
        onAdd: (n) => {
          this.cache.addNode(n);
          this.move(Events.nodeAdd, undefined, n);
        },
        onUpdate: (o, n) => {
          this.cache.updateNode(n);
          const flags = nodeUpdateFlags(o, n);
          if (flags) this.move(Events.nodeUpdate(flags), o, n);
        },
        onDelete: (n) => this.cache.removeNode(isDeletedFinalStateUnknown(n) ? n.obj : n),
      }),
      ...(['PersistentVolumeClaim', 'PersistentVolume', 'StorageClass'] as const).map((resource) => {
        const informer = resource === 'PersistentVolumeClaim' ? inf.pvcs : resource === 'PersistentVolume' ? inf.pvs : inf.storageClasses;
        return (informer as typeof inf.pvcs).addEventHandler({
          onAdd: (o) => this.move({ resource, actionType: ActionType.Add, label: `${resource}Add` }, undefined, o),
          onUpdate: (o, n) => this.move({ resource, actionType: ActionType.Update, label: `${resource}Update` }, o, n),
        });
      }),
    ];
    const volumes = volumeLister(objects);
    const defaultSelectorFor = (pod: PodT) => defaultSelector(pod, workloads);
    const snapshot = () => this.cache.snapshot({ namespaces: objects.namespaces(), pdbs: objects.pdbs(), volumes, defaultSelectorFor });
    try {
      factory.start(signal);
      if (!(await factory.waitForCacheSync(signal))) return;
      this.queue.run(signal);
      let cycles = 0;
      for (;;) {
        const q = await this.queue.popWait(signal);
        if (!q) break;
        try {
          await this.scheduleOne(q, snapshot);
          // Cycles are CPU-bound and the queue pops without I/O: let bindings and events make progress.
          if (++cycles % 16 === 0) await new Promise<void>((r) => setImmediate(r));
        } catch (err) {
          this.opts.logger.error('scheduling cycle failed', { pod: podKey(q.pod), err });
          q.unschedulablePlugins.clear();
          this.queue.addUnschedulableIfNotPresent(q, this.queue.schedulingCycle());
        }
      }
    } finally {
      parent.removeEventListener('abort', forward);
      ctl.abort();
      for (const h of handlers) h.dispose();
      await Promise.all([...this.inFlight]);
      await factory.shutdown();
    }
  }

  private move(event: ClusterEvent, oldObj: unknown, newObj: unknown): void {
    this.queue.moveAllToActiveOrBackoffQueue(event, oldObj, newObj);
  }

  private onPodAdd(pod: PodT): void {
    if (pod.spec?.nodeName) {
      this.cache.addPod(pod);
      this.move(Events.assignedPodAdd, undefined, pod);
      return;
    }
    if (this.responsibleFor(pod) && !pod.metadata?.deletionTimestamp && !this.cache.isAssumed(pod)) this.queue.add(pod);
  }

  private onPodUpdate(oldPod: PodT, newPod: PodT): void {
    this.cache.updatePod(newPod);
    if (newPod.spec?.nodeName) {
      if (!oldPod.spec?.nodeName) {
        this.queue.delete(newPod);
        this.move(Events.assignedPodAdd, undefined, newPod);
      } else if (!same(oldPod.metadata?.labels, newPod.metadata?.labels)) {
        this.move(Events.assignedPodUpdate(ActionType.UpdatePodLabel), oldPod, newPod);
      }
      return;
    }
    if (!this.responsibleFor(newPod) || this.cache.isAssumed(newPod)) return;
    if (newPod.metadata?.deletionTimestamp) {
      this.queue.delete(newPod);
      return;
    }
    this.queue.update(oldPod, newPod);
  }

  private onPodDelete(pod: PodT): void {
    this.queue.delete(pod);
    const held = pod.spec?.nodeName || this.cache.isAssumed(pod);
    this.cache.removePod(pod);
    if (held) {
      this.move(Events.assignedPodDelete, pod, undefined);
    }
  }

  private async scheduleOne(q: QueuedPodInfo, snapshot: () => Snapshot): Promise<void> {
    const pod = q.pod;
    const fw = this.frameworkFor(pod);
    if (!fw || pod.metadata?.deletionTimestamp || this.cache.isAssumed(pod)) return;
    const cycle = this.queue.schedulingCycle();
    const result = fw.scheduleOne(pod, snapshot());
    if (result.kind === 'error') {
      await this.failed(q, cycle, { message: result.status.message(), reason: 'SchedulerError' });
      return;
    }
    if (result.kind === 'unschedulable') {
      q.unschedulablePlugins = new Set(result.fitError.diagnosis.unschedulablePlugins);
      // With no rejecting plugin (no nodes at all) the pod backs off instead of waiting for an event.
      q.unschedulablePlugins.delete('');
      await this.failed(q, cycle, { message: result.fitError.message, reason: 'Unschedulable', nominated: result.postFilter });
      return;
    }
    const nodeName = result.nodeName;
    const assumedPod = this.cache.assumePod(pod, nodeName);
    const reserve = fw.runReserve(result.state, assumedPod, nodeName);
    if (!reserve.isSuccess()) {
      this.cache.forgetPod(pod);
      await this.failed(q, cycle, { message: reserve.message(), reason: reserve.code === Code.Error ? 'SchedulerError' : 'Unschedulable' });
      return;
    }
    const permit = fw.runPermit(result.state, assumedPod, nodeName);
    // Waiting permits need a waiting-pods map no in-tree plugin uses yet: treat as a rejection.
    if (!permit.status.isSuccess()) {
      fw.runUnreserve(result.state, assumedPod, nodeName);
      this.cache.forgetPod(pod);
      await this.failed(q, cycle, { message: permit.status.message() || 'pod rejected by permit', reason: 'Unschedulable' });
      return;
    }
    this.queue.deleteNominatedPodIfExists(pod);
    const binding = this.bindingCycle(fw, result.state, q, assumedPod, nodeName, cycle);
    this.inFlight.add(binding);
    void binding.finally(() => this.inFlight.delete(binding));
  }

  private async bindingCycle(fw: Framework, state: Parameters<Framework['runBindingCycle']>[0], q: QueuedPodInfo, pod: PodT, nodeName: string, cycle: number): Promise<void> {
    const st = await fw.runBindingCycle(state, pod, nodeName);
    if (!st.isSuccess()) {
      this.cache.forgetPod(pod);
      // Whatever the failed pod held may have let another pod fit.
      this.move(Events.assignedPodDelete, pod, undefined);
      await this.failed(q, cycle, { message: `Binding rejected: ${st.message()}`, reason: 'SchedulerError' });
      return;
    }
    const ns = pod.metadata?.namespace ?? 'default';
    this.opts.logger.debug('bound pod', { pod: podKey(pod), node: nodeName });
    await this.recorderFor(pod).event(pod as Obj<PodT>, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${pod.metadata?.name} to ${nodeName}`);
  }

  /**
   * The FailedScheduling event, the PodScheduled=False condition (with the
   * nominated node when preemption found one), victims deleted, and the pod
   * back in the queue to wait for an event or its back-off.
   */
  private async failed(q: QueuedPodInfo, cycle: number, f: { message: string; reason: 'Unschedulable' | 'SchedulerError'; nominated?: PostFilterResult }): Promise<void> {
    const pod = q.pod;
    if (f.reason === 'SchedulerError') q.unschedulablePlugins.clear();
    if (f.nominated) this.queue.addNominatedPod(pod, f.nominated.nominatedNodeName);
    this.queue.addUnschedulableIfNotPresent(q, cycle);
    this.opts.logger.debug('unable to schedule pod', { pod: podKey(pod), reason: f.reason, message: f.message });
    await this.recorderFor(pod).event(pod as Obj<PodT>, 'Warning', 'FailedScheduling', f.message);
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const status: Record<string, unknown> = {
      conditions: [{ type: 'PodScheduled', status: 'False', reason: f.reason, message: f.message, lastProbeTime: null, lastTransitionTime: this.opts.clock.nowRFC3339() }],
    };
    if (f.nominated) status.nominatedNodeName = f.nominated.nominatedNodeName;
    try {
      await this.pods.inNamespace(ns).patch(name, 'strategic', { status }, { subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err)) this.opts.logger.warn('updating pod condition failed', { pod: podKey(pod), err });
    }
    for (const victim of f.nominated?.victims ?? []) await this.preempt(pod, victim, f.nominated!.nominatedNodeName);
  }

  /** Deletes a victim with its own grace period, as upstream's preemption does. */
  private async preempt(preemptor: PodT, victim: PodT, nodeName: string): Promise<void> {
    const ns = victim.metadata?.namespace ?? 'default';
    try {
      await this.pods.inNamespace(ns).delete(victim.metadata?.name ?? '', { preconditions: { uid: victim.metadata?.uid } });
      await this.recorderFor(preemptor).event(victim as Obj<PodT>, 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata?.uid ?? ''} on node ${nodeName}`);
    } catch (err) {
      if (!isNotFound(err)) this.opts.logger.warn('preempting victim failed', { pod: podKey(victim), err });
    }
  }
}
