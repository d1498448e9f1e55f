/**
 * The node IPAM controller (upstream's range allocator): every Node without
 * `spec.podCIDR` gets the next free subnet of the cluster CIDR. The table of
 * taken subnets is rebuilt from the nodes' own podCIDRs once the informer has
 * synced, so allocations survive restarts without state of their own; a
 * deleted node's subnet is freed. Nodes that bring their podCIDR (simulated
 * nodes do) are only recorded as taken.
 */
import type { SharedInformer } from '../../client/informers/shared-informer.js';
import { EventRecorder, type CoreEvent } from '../../client/events/event-recorder.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { isNotFound } from '../../machinery/errors/index.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { GroupVersionResource, KubeObject } from '../../machinery/meta/types.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { runWorkers } from '../framework/queue-worker.js';
import { CIDRSet } from './cidr-set.js';

export interface IPAMNode extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[]; [k: string]: unknown };
}

/** Writes a node's podCIDR; rejects with Conflict when the node changed since `node` was read. */
export interface NodeCIDRClient {
  setPodCIDR(node: Readonly<IPAMNode>, cidr: string): Promise<void>;
}

export interface NodeEventSink {
  event(node: Readonly<IPAMNode>, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface NodeIPAMControllerOptions {
  nodeInformer: SharedInformer<IPAMNode>;
  client: NodeCIDRClient;
  events: NodeEventSink;
  clusterCIDR: string;
  nodeCIDRMaskSize: number;
  clock: Clock;
  logger: Logger;
}

const NODES: GroupVersionResource = { group: '', version: 'v1', resource: 'nodes' };
const EVENTS: GroupVersionResource = { group: '', version: 'v1', resource: 'events' };

export function podCIDRsOf(node: Readonly<IPAMNode>): string[] {
  const spec = node.spec ?? {};
  if (spec.podCIDRs?.length) return spec.podCIDRs;
  return spec.podCIDR ? [spec.podCIDR] : [];
}

export class NodeIPAMController implements Controller {
  readonly name = 'nodeipam';
  readonly queue: RateLimitingQueue<string>;
  /** Undefined when the configured range is unusable: the controller then only logs why and idles. */
  readonly cidrs?: CIDRSet;
  private readonly configError?: string;
  /** Subnets handed to a node whose write has not been seen back yet, by node name. */
  private readonly pending = new Map<string, string>();
  private readonly handlers: Disposable[] = [];

  constructor(private readonly opts: NodeIPAMControllerOptions) {
    const created = CIDRSet.create(opts.clusterCIDR, opts.nodeCIDRMaskSize);
    if (created.ok) this.cidrs = created.set;
    else this.configError = created.message;
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    this.handlers.push(
      opts.nodeInformer.addEventHandler({
        onAdd: (n) => this.observe(n),
        onUpdate: (_old, n) => this.observe(n),
        onDelete: (n) => this.forget('kind' in n && n.kind === 'DeletedFinalStateUnknown' ? (n as { obj: IPAMNode }).obj : (n as IPAMNode)),
      }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    try {
      if (this.configError) {
        this.opts.logger.error('node IPAM disabled: unusable cluster CIDR', { clusterCIDR: this.opts.clusterCIDR, err: this.configError });
        return;
      }
      if (!(await this.opts.nodeInformer.waitForSync(signal))) return;
      // One worker: allocation is a read-modify-write of one shared table.
      void workers;
      await runWorkers({ queue: this.queue, reconcile: (key) => this.sync(key), workers: 1, signal, logger: this.opts.logger });
    } finally {
      this.queue.shutDown();
      for (const h of this.handlers) h.dispose();
    }
  }

  private observe(node: IPAMNode): void {
    const cidrs0 = this.cidrs;
    if (!cidrs0) return;
    const name = node.metadata.name ?? '';
    const cidrs = podCIDRsOf(node);
    if (cidrs.length) {
      for (const c of cidrs) cidrs0.occupy(c);
      const mine = this.pending.get(name);
      // The node took another subnet than the one we picked (someone else set it): ours is free again.
      if (mine && !cidrs.includes(mine)) cidrs0.release(mine);
      this.pending.delete(name);
      return;
    }
    this.queue.add(name);
  }

  private forget(node: IPAMNode): void {
    const set = this.cidrs;
    if (!set) return;
    const name = node.metadata.name ?? '';
    const freed = [...podCIDRsOf(node)];
    const mine = this.pending.get(name);
    if (mine) freed.push(mine);
    this.pending.delete(name);
    if (!freed.length) return;
    for (const c of freed) set.release(c);
    // Two nodes may claim one subnet (a node that brought its own): keep what the others still hold.
    for (const other of this.opts.nodeInformer.lister().list()) {
      if (other.metadata.name !== name) for (const c of podCIDRsOf(other)) set.occupy(c);
    }
    for (const c of this.pending.values()) set.occupy(c);
    this.opts.logger.debug('released pod CIDR', { node: name, cidrs: freed.join(',') });
  }

  /** Gives the node a podCIDR if it has none. */
  async sync(name: string): Promise<void> {
    const set = this.cidrs;
    const node = this.opts.nodeInformer.lister().get('', name);
    if (!set || !node || podCIDRsOf(node).length || node.metadata.deletionTimestamp) return;
    let cidr = this.pending.get(name);
    if (!cidr) {
      cidr = set.allocateNext();
      if (!cidr) {
        this.opts.events.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        throw new Error(`no remaining CIDRs in ${this.opts.clusterCIDR} for node ${name}`);
      }
      this.pending.set(name, cidr);
    }
    try {
      await this.opts.client.setPodCIDR(node, cidr);
      this.opts.logger.info('assigned pod CIDR', { node: name, podCIDR: cidr });
    } catch (err) {
      if (isNotFound(err)) {
        this.pending.delete(name);
        set.release(cidr);
        return;
      }
      // A conflict keeps the pick: the next attempt reads the node afresh and writes the same subnet.
      throw err;
    }
  }
}

export function newNodeIPAMController(ctx: ControllerContext): NodeIPAMController {
  const nodes = new ResourceClient<IPAMNode>(ctx.rest, NODES);
  const recorder = new EventRecorder({
    events: new ResourceClient<CoreEvent>(ctx.rest, EVENTS),
    component: 'cidrAllocator',
    clock: ctx.clock,
    onError: (err) => ctx.logger.debug('event not recorded', { err }),
  });
  return new NodeIPAMController({
    nodeInformer: ctx.informers.informerFor<IPAMNode>(NODES),
    client: {
      // A full update carries the resourceVersion read, so a node changed meanwhile is a Conflict, never overwritten.
      setPodCIDR: async (node, cidr) => {
        const copy = structuredClone(node) as IPAMNode;
        copy.spec = { ...copy.spec, podCIDR: cidr, podCIDRs: [cidr] };
        await nodes.update(copy, { fieldManager: 'kube-controller-manager' });
      },
    },
    events: { event: (node, type, reason, message) => void recorder.event({ apiVersion: 'v1', kind: 'Node', ...node, metadata: { ...node.metadata, namespace: '' } }, type, reason, message) },
    clusterCIDR: ctx.config.clusterCIDR,
    nodeCIDRMaskSize: ctx.config.nodeCIDRMaskSize,
    clock: ctx.clock,
    logger: ctx.logger.with({ controller: 'nodeipam' }),
  });
}

export const nodeIPAMControllerDescriptor: ControllerDescriptor = {
  name: 'nodeipam',
  init: (ctx) => newNodeIPAMController(ctx),
};
