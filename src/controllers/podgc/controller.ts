/**
 * The pod garbage collector: every gc period it deletes the pods plan.ts
 * picks. An orphan is only deleted after the API confirms its node is gone,
 * since a node informer can lag behind a node that was just created. Pods
 * deleted for their node are first marked Failed with a DisruptionTarget
 * condition, as upstream does, then deleted without grace.
 */
import { metaNamespaceKey } from '../../client/cache/keys.js';
import type { SharedInformer } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import type { Clock } from '../../machinery/clock.js';
import { isNotFound } from '../../machinery/errors/index.js';
import type { Logger } from '../../machinery/log.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import type { Pod } from '../framework/pods.js';
import { type GCNode, type GCVictim, planPodGC } from './plan.js';

/** Upstream's gcCheckPeriod. */
export const GC_CHECK_PERIOD_MS = 20_000;

export interface PodGCClient {
  /** True when the API server says the node does not exist. */
  nodeGone(name: string): Promise<boolean>;
  markFailed(pod: Pod, message: string): Promise<void>;
  deletePod(pod: Pod, opts: { force: boolean }): Promise<void>;
}

export interface PodGCControllerOptions {
  podInformer: SharedInformer<Pod>;
  nodeInformer: SharedInformer<GCNode & Pod>;
  client: PodGCClient;
  clock: Clock;
  logger: Logger;
  terminatedPodThreshold: number;
  periodMs?: number;
}

const disruptionMessage: Partial<Record<GCVictim['reason'], string>> = {
  'orphaned': 'PodGC: node no longer exists',
  'out-of-service': 'PodGC: node is out-of-service',
};

/** Upstream's quarantine: a node must be missing this long before its pods are orphans (it may be re-registering). */
export const ORPHAN_QUARANTINE_MS = 40_000;

export class PodGCController implements Controller {
  readonly name = 'podgc';
  /** When each missing node was first seen missing. */
  private readonly missingSince = new Map<string, number>();

  constructor(private readonly opts: PodGCControllerOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.opts.podInformer.waitForSync(signal), this.opts.nodeInformer.waitForSync(signal)]);
    if (!synced.every(Boolean)) return;
    while (!signal.aborted) {
      try {
        await this.gc();
      } catch (err) {
        this.opts.logger.warn('pod gc pass', { err });
      }
      try {
        await this.opts.clock.sleep(this.opts.periodMs ?? GC_CHECK_PERIOD_MS, signal);
      } catch {
        return;
      }
    }
  }

  /** One pass; answers the pods it deleted (their keys). */
  async gc(): Promise<string[]> {
    const nodes = new Map(this.opts.nodeInformer.lister().list().map((n) => [n.metadata.name!, n as GCNode]));
    const victims = planPodGC(this.opts.podInformer.lister().list(), nodes, { terminatedThreshold: this.opts.terminatedPodThreshold });
    const deleted: string[] = [];
    const goneCache = new Map<string, boolean>();
    const now = this.opts.clock.now();
    for (const name of this.missingSince.keys()) if (nodes.has(name)) this.missingSince.delete(name);
    for (const { pod, reason } of victims) {
      const key = metaNamespaceKey(pod);
      try {
        if (reason === 'orphaned') {
          const node = pod.spec!.nodeName!;
          const since = this.missingSince.get(node) ?? now;
          this.missingSince.set(node, since);
          if (now - since < ORPHAN_QUARANTINE_MS) continue;
          if (!goneCache.has(node)) goneCache.set(node, await this.opts.client.nodeGone(node));
          if (!goneCache.get(node)) continue;
        }
        const message = disruptionMessage[reason];
        if (message && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') await this.opts.client.markFailed(pod, message);
        await this.opts.client.deletePod(pod, { force: reason !== 'terminated' });
        deleted.push(key);
        this.opts.logger.info('garbage collected pod', { pod: key, reason });
      } catch (err) {
        if (!isNotFound(err)) this.opts.logger.warn('pod gc', { pod: key, err });
      }
    }
    return deleted;
  }
}

const gvr = {
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  pods: { group: '', version: 'v1', resource: 'pods' },
};

export function newPodGCController(ctx: ControllerContext): PodGCController {
  const pods = new ResourceClient<Pod>(ctx.rest, gvr.pods);
  const nodes = new ResourceClient(ctx.rest, gvr.nodes);
  return new PodGCController({
    podInformer: ctx.informers.informerFor<Pod>(gvr.pods),
    nodeInformer: ctx.informers.informerFor<GCNode & Pod>(gvr.nodes),
    client: {
      nodeGone: async (name) => {
        try {
          await nodes.get(name);
          return false;
        } catch (err) {
          if (isNotFound(err)) return true;
          throw err;
        }
      },
      markFailed: async (pod, message) => {
        const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message, lastTransitionTime: ctx.clock.nowRFC3339() };
        await pods.inNamespace(pod.metadata.namespace ?? '').patch(pod.metadata.name!, 'strategic', { status: { phase: 'Failed', conditions: [condition] } }, { subresource: 'status' });
      },
      deletePod: async (pod, opts) => {
        await pods.inNamespace(pod.metadata.namespace ?? '').delete(pod.metadata.name!, { gracePeriodSeconds: opts.force ? 0 : undefined, preconditions: { uid: pod.metadata.uid } });
      },
    },
    clock: ctx.clock,
    logger: ctx.logger,
    terminatedPodThreshold: ctx.config.terminatedPodGCThreshold,
  });
}

export const podGCControllerDescriptor: ControllerDescriptor = {
  name: 'podgc',
  init: newPodGCController,
};
