/**
 * The node lifecycle controller: every node-monitor-period it checks each
 * node's signs of life (health.ts). A node silent for longer than
 * node-monitor-grace-period has its conditions set Unknown, and the pods on
 * it are marked not Ready; a node's taints always follow its conditions, so
 * the not-ready / unreachable NoExecute taints appear and go away with them
 * (the taint eviction controller acts on those).
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
import { type HealthRecord, desiredTaints, observeHealth, readyCondition, taintsEqual, unknownConditions } from './health.js';
import { type Lease, NODE_LEASE_NAMESPACE, type Node, type TolerantPod } from './types.js';

export interface NodeWriter {
  updateStatus(node: Node): Promise<Node>;
  /** Replaces spec.taints, failing with Conflict if the node changed since `resourceVersion`. */
  setTaints(node: Node, taints: Taint[]): Promise<Node>;
  updatePodStatus(pod: TolerantPod): Promise<unknown>;
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
}

export class NodeLifecycleController implements Controller {
  readonly name = 'nodelifecycle';
  private readonly health = new Map<string, HealthRecord>();

  constructor(private readonly opts: NodeLifecycleControllerOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.opts.nodeInformer, this.opts.leaseInformer, this.opts.podInformer].map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) return;
    while (!signal.aborted) {
      try {
        await this.monitorNodeHealth();
      } catch (err) {
        this.opts.logger.warn('monitoring node health', { err });
      }
      try {
        await this.opts.clock.sleep(this.opts.monitorPeriodMs, signal);
      } catch {
        return;
      }
    }
  }

  /** One pass over every node; a failure on one node does not stop the others. */
  async monitorNodeHealth(): Promise<void> {
    const now = this.opts.clock.now();
    const nowRFC = this.opts.clock.nowRFC3339();
    const nodes = this.opts.nodeInformer.lister().list();
    const names = new Set(nodes.map((n) => n.metadata.name!));
    for (const name of this.health.keys()) if (!names.has(name)) this.health.delete(name);
    for (const cached of nodes) {
      const name = cached.metadata.name!;
      try {
        await this.monitorNode(cached, now, nowRFC);
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) this.opts.logger.warn('node health', { node: name, err });
      }
    }
  }

  private async monitorNode(cached: Node, now: number, nowRFC: string): Promise<void> {
    const name = cached.metadata.name!;
    const lease = this.opts.leaseInformer.lister().get(NODE_LEASE_NAMESPACE, name);
    const record = observeHealth(this.health.get(name), cached, lease, now);
    this.health.set(name, record);
    let node = cached;
    const wasReady = readyCondition(cached)?.status === 'True';
    if (now - record.probeTimestamp > this.opts.gracePeriodMs) {
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
    const taints = desiredTaints(node, nowRFC);
    if (!taintsEqual(taints, node.spec?.taints)) node = await this.opts.writer.setTaints(node, taints);
    if (!ready) await this.markPodsNotReady(name, nowRFC);
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
    },
    recorder: new EventRecorder({ events: new ResourceClient<CoreEvent>(ctx.rest, gvr.events), component: 'node-controller', clock: ctx.clock, onError: (err) => ctx.logger.debug('event not recorded', { err }) }),
    clock: ctx.clock,
    logger: ctx.logger,
    monitorPeriodMs: ctx.config.nodeMonitorPeriodMs,
    gracePeriodMs: ctx.config.nodeMonitorGracePeriodMs,
  });
}

export const nodeLifecycleControllerDescriptor: ControllerDescriptor = {
  name: 'nodelifecycle',
  init: newNodeLifecycleController,
};
