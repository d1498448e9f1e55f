/**
 * The node lifecycle controller: every node-monitor-period it checks each
 * node's signs of life (health.ts). A node silent for longer than
 * node-monitor-grace-period (node-startup-grace-period before it ever posted
 * Ready) has its conditions set Unknown, and the pods on it are marked not
 * Ready. NoSchedule taints follow the conditions at once; the not-ready /
 * unreachable NoExecute taints (which the taint eviction controller acts on)
 * go away at once but arrive through a per-zone queue paced by the zone's
 * disruption state (zones.ts), drained every NODE_EVICTION_PERIOD_MS.
 */
import type { EventSink } from '../framework/pod-control.js';
import { EventRecorder, type CoreEvent } from '../../client/events/event-recorder.js';
import type { SharedInformer } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import type { Clock } from '../../machinery/clock.js';
import { isConflict, isNotFound } from '../../machinery/errors/index.js';
import type { Logger } from '../../machinery/log.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { isPodReady } from '../framework/pods.js';
import type { Taint } from '../framework/taints.js';
import { type HealthRecord, desiredTaints, needsNoExecuteTaint, noExecuteTaints, observeHealth, readyCondition, taintsEqual, unknownConditions, withoutNoExecuteTaints } from './health.js';
import type { TimedValue, TryResult } from './rate-limited-timed-queue.js';
import { type Lease, NODE_LEASE_NAMESPACE, type Node, type NodeCondition, type TolerantPod } from './types.js';
import { type ZoneEvictionSettings, ZoneTainters, isExcludedFromDisruptionChecks, zoneKey } from './zones.js';

/** How often the zones' taint queues are drained (upstream's NodeEvictionPeriod). */
export const NODE_EVICTION_PERIOD_MS = 100;

export interface NodeWriter {
  updateStatus(node: Node): Promise<Node>;
  /** Replaces spec.taints, failing with Conflict if the node changed since `resourceVersion`. */
  setTaints(node: Node, taints: Taint[]): Promise<Node>;
  updatePodStatus(pod: TolerantPod): Promise<unknown>;
  /** A fresh read past the cache, to retry a taint write that met a Conflict (undefined: gone). */
  getNode(name: string): Promise<Node | undefined>;
}

export interface NodeLifecycleControllerOptions {
  nodeInformer: SharedInformer<Node>;
  leaseInformer: SharedInformer<Lease>;
  podInformer: SharedInformer<TolerantPod>;
  writer: NodeWriter;
  recorder: EventSink;
  clock: Clock;
  logger: Logger;
  monitorPeriodMs: number;
  gracePeriodMs: number;
  /** The grace of a node that never posted Ready (defaults to gracePeriodMs). */
  startupGracePeriodMs?: number;
  /** Zone-aware pacing of NoExecute taints. */
  eviction: ZoneEvictionSettings;
}

export class NodeLifecycleController implements Controller {
  readonly name = 'nodelifecycle';
  private readonly health = new Map<string, HealthRecord>();
  readonly zones: ZoneTainters;

  constructor(private readonly opts: NodeLifecycleControllerOptions) {
    this.zones = new ZoneTainters(opts.eviction, opts.clock);
  }

  /**
   * One loop for both periodic passes, so a tainting pass never runs in the
   * middle of a monitor pass that is about to change the zones' rates.
   */
  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.opts.nodeInformer, this.opts.leaseInformer, this.opts.podInformer].map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) return;
    const { clock, logger, monitorPeriodMs } = this.opts;
    let nextMonitor = clock.now();
    while (!signal.aborted) {
      if (clock.now() >= nextMonitor) {
        nextMonitor = clock.now() + monitorPeriodMs;
        try {
          await this.monitorNodeHealth();
        } catch (err) {
          logger.warn('monitoring node health', { err });
        }
      }
      try {
        await this.doNoExecuteTaintingPass();
      } catch (err) {
        logger.warn('tainting not-ready nodes', { err });
      }
      try {
        await clock.sleep(Math.max(0, Math.min(NODE_EVICTION_PERIOD_MS, nextMonitor - clock.now())), signal);
      } catch {
        return;
      }
    }
  }

  /**
   * One pass over every node, then the zones' states from what it found; a
   * failure on one node does not stop the others.
   */
  async monitorNodeHealth(): Promise<void> {
    const now = this.opts.clock.now();
    const nowRFC = this.opts.clock.nowRFC3339();
    const nodes = this.opts.nodeInformer.lister().list();
    const names = new Set(nodes.map((n) => n.metadata.name!));
    for (const name of this.health.keys()) if (!names.has(name)) this.health.delete(name);
    const readyByZone = new Map<string, (NodeCondition | undefined)[]>();
    for (const cached of nodes) {
      const name = cached.metadata.name!;
      let ready = readyCondition(cached);
      try {
        ready = readyCondition(await this.monitorNode(cached, now, nowRFC));
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) this.opts.logger.warn('node health', { node: name, err });
      }
      if (isExcludedFromDisruptionChecks(cached)) continue;
      const zone = zoneKey(cached);
      const list = readyByZone.get(zone);
      if (list) list.push(ready);
      else readyByZone.set(zone, [ready]);
    }
    const transition = this.zones.handleDisruption(readyByZone);
    if (transition === 'entered-full-disruption') {
      this.opts.logger.info('all nodes are not ready: entering master disruption mode, no NoExecute taints');
      for (const node of nodes) await this.markNodeAsReachable(node);
    } else if (transition === 'exited-full-disruption') {
      this.opts.logger.info('some nodes are ready: exiting master disruption mode');
      // Every node gets a full grace period from now, not from before the outage.
      for (const record of this.health.values()) record.probeTimestamp = now;
    }
  }

  /** Drains each zone's taint queue as fast as its rate allows (upstream doNoExecuteTaintingPass). */
  async doNoExecuteTaintingPass(): Promise<void> {
    for (const queue of this.zones.queues()) await queue.try((v) => this.taintNode(v));
  }

  private async taintNode(v: TimedValue): Promise<TryResult> {
    const nowRFC = this.opts.clock.nowRFC3339();
    try {
      const written = await this.updateTaints(v.value, (node) => {
        if (node.metadata.uid !== v.uid) return undefined;
        return noExecuteTaints(node, nowRFC);
      });
      if (written) this.opts.logger.info('node tainted NoExecute', { node: v.value });
      return { done: true };
    } catch (err) {
      this.opts.logger.warn('tainting node', { node: v.value, err });
      return { done: false, retryAfterMs: 0 };
    }
  }

  /** Lifts the controller's NoExecute taints and drops the node from its zone's queue (upstream markNodeAsReachable). */
  private async markNodeAsReachable(node: Node): Promise<void> {
    this.zones.tainter(zoneKey(node)).remove(node.metadata.name!);
    try {
      await this.updateTaints(node.metadata.name!, (n) => withoutNoExecuteTaints(n));
    } catch (err) {
      this.opts.logger.warn('removing NoExecute taints', { node: node.metadata.name, err });
    }
  }

  /**
   * Writes `change(node)` (undefined: nothing to do) onto the cached node,
   * and once more onto a fresh read if the cache was behind. True when written.
   */
  private async updateTaints(name: string, change: (node: Node) => Taint[] | undefined): Promise<boolean> {
    let node = this.opts.nodeInformer.lister().get('', name);
    for (let attempt = 0; node; attempt++) {
      const taints = change(node);
      if (!taints || taintsEqual(taints, node.spec?.taints)) return false;
      try {
        await this.opts.writer.setTaints(node, taints);
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        if (!isConflict(err) || attempt > 0) throw err;
      }
      node = await this.opts.writer.getNode(name);
    }
    return false;
  }

  /** Brings one node's conditions and taints up to date; answers the node as written. */
  private async monitorNode(cached: Node, now: number, nowRFC: string): Promise<Node> {
    const name = cached.metadata.name!;
    const lease = this.opts.leaseInformer.lister().get(NODE_LEASE_NAMESPACE, name);
    const record = observeHealth(this.health.get(name), cached, lease, now);
    this.health.set(name, record);
    let node = cached;
    const wasReady = readyCondition(cached)?.status === 'True';
    const grace = readyCondition(cached) ? this.opts.gracePeriodMs : (this.opts.startupGracePeriodMs ?? this.opts.gracePeriodMs);
    if (now - record.probeTimestamp > grace) {
      const conditions = unknownConditions(cached, nowRFC);
      if (conditions) {
        const next = structuredClone(cached) as Node;
        next.status = { ...(next.status ?? {}), conditions };
        node = await this.opts.writer.updateStatus(next);
        this.opts.logger.info('node stopped posting status', { node: name });
      }
    }
    const ready = readyCondition(node)?.status === 'True';
    if (wasReady && !ready) void this.opts.recorder.event({ ...node, apiVersion: 'v1', kind: 'Node' }, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    const taints = desiredTaints(node, nowRFC, { liftNoExecute: this.zones.allFullyDisrupted() });
    if (!taintsEqual(taints, node.spec?.taints)) node = await this.opts.writer.setTaints(node, taints);
    const tainter = this.zones.tainter(zoneKey(node));
    if (ready) tainter.remove(name);
    else if (needsNoExecuteTaint(node) && !tainter.pending().some((v) => v.value === name)) {
      // Forget an earlier pass (the taint was since removed by hand) so the node queues again.
      tainter.remove(name);
      tainter.add(name, node.metadata.uid ?? '');
    }
    if (!ready) await this.markPodsNotReady(name, nowRFC);
    return node;
  }

  /** Upstream's MarkPodsNotReady: the kubelet cannot say, so the pods stop being Ready. */
  private async markPodsNotReady(nodeName: string, nowRFC: string): Promise<void> {
    const pods = this.opts.podInformer.lister().list().filter((p) => p.spec?.nodeName === nodeName && isPodReady(p));
    for (const pod of pods) {
      const next = structuredClone(pod) as TolerantPod;
      for (const c of next.status?.conditions ?? []) {
        if (c.type !== 'Ready') continue;
        c.status = 'False';
        c.lastTransitionTime = nowRFC;
      }
      try {
        await this.opts.writer.updatePodStatus(next);
        void this.opts.recorder.event({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
    }
  }
}

const gvr = {
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
  pods: { group: '', version: 'v1', resource: 'pods' },
  events: { group: '', version: 'v1', resource: 'events' },
};

export function newNodeLifecycleController(ctx: ControllerContext): NodeLifecycleController {
  const nodes = new ResourceClient<Node>(ctx.rest, gvr.nodes);
  const pods = new ResourceClient<TolerantPod>(ctx.rest, gvr.pods);
  return new NodeLifecycleController({
    nodeInformer: ctx.informers.informerFor<Node>(gvr.nodes),
    leaseInformer: ctx.informers.informerFor<Lease>(gvr.leases),
    podInformer: ctx.informers.informerFor<TolerantPod>(gvr.pods),
    writer: {
      updateStatus: (node) => nodes.updateStatus(node),
      setTaints: (node, taints) => nodes.patch(node.metadata.name!, 'merge', { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: taints?.length ? taints : null } }),
      updatePodStatus: (pod) => pods.inNamespace(pod.metadata.namespace ?? '').updateStatus(pod),
      getNode: async (name) => {
        try {
          return await nodes.get(name);
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      },
    },
    recorder: new EventRecorder({ events: new ResourceClient<CoreEvent>(ctx.rest, gvr.events), component: 'node-controller', clock: ctx.clock, onError: (err) => ctx.logger.debug('event not recorded', { err }) }),
    clock: ctx.clock,
    logger: ctx.logger,
    monitorPeriodMs: ctx.config.nodeMonitorPeriodMs,
    gracePeriodMs: ctx.config.nodeMonitorGracePeriodMs,
    startupGracePeriodMs: ctx.config.nodeStartupGracePeriodMs,
    eviction: {
      nodeEvictionRate: ctx.config.nodeEvictionRate,
      secondaryNodeEvictionRate: ctx.config.secondaryNodeEvictionRate,
      largeClusterSizeThreshold: ctx.config.largeClusterSizeThreshold,
      unhealthyZoneThreshold: ctx.config.unhealthyZoneThreshold,
    },
  });
}

export const nodeLifecycleControllerDescriptor: ControllerDescriptor = {
  name: 'nodelifecycle',
  init: newNodeLifecycleController,
};
