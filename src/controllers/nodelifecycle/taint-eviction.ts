/**
 * The taint eviction controller (upstream's NoExecuteTaintManager): a pod on
 * a node with NoExecute taints it does not tolerate is deleted now; one that
 * tolerates them all for a limited time is deleted once the shortest
 * tolerationSeconds has passed since the taints were first seen; tolerating
 * them forever, or the taints going away, cancels the eviction.
 * Level-triggered on pod keys; the wait is a delayed requeue on ctx.clock.
 */
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { EventRecorder, type CoreEvent } from '../../client/events/event-recorder.js';
import { type SharedInformer, isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { isNotFound } from '../../machinery/errors/index.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import type { EventSink } from '../framework/pod-control.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import { type Taint, matchTolerations, minTolerationMs } from '../framework/taints.js';
import type { Node, TolerantPod } from './types.js';

/** What to do with a pod given its node's NoExecute taints. */
export type EvictionDecision = { kind: 'keep' } | { kind: 'evict-now' } | { kind: 'evict-after'; ms: number };

export function evictionDecision(pod: TolerantPod, taints: readonly Taint[]): EvictionDecision {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (!noExecute.length) return { kind: 'keep' };
  const { used, untolerated } = matchTolerations(noExecute, pod.spec?.tolerations ?? []);
  if (untolerated.length) return { kind: 'evict-now' };
  const ms = minTolerationMs(used);
  return ms === undefined ? { kind: 'keep' } : ms === 0 ? { kind: 'evict-now' } : { kind: 'evict-after', ms };
}

export interface PodEvicter {
  /** Marks the pod with a DisruptionTarget condition (best effort), then deletes it. */
  evict(pod: TolerantPod): Promise<void>;
}

export interface TaintEvictionControllerOptions {
  nodeInformer: SharedInformer<Node>;
  podInformer: SharedInformer<TolerantPod>;
  evicter: PodEvicter;
  recorder: EventSink;
  clock: Clock;
  logger: Logger;
}

const podRef = (pod: TolerantPod) => ({ ...pod, apiVersion: 'v1', kind: 'Pod' });

export class TaintEvictionController implements Controller {
  readonly name = 'taint-eviction-controller';
  readonly queue: RateLimitingQueue<string>;
  private readonly handlers: Disposable[] = [];
  /** Pod key -> uid and when (controller clock) its eviction was first scheduled. */
  private readonly scheduled = new Map<string, { uid: string; since: number }>();

  constructor(private readonly opts: TaintEvictionControllerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    const enqueuePod = (p: TolerantPod) => {
      if (p.spec?.nodeName) this.queue.add(metaNamespaceKey(p));
    };
    this.handlers.push(
      opts.podInformer.addEventHandler({
        onAdd: enqueuePod,
        onUpdate: (o, n) => {
          if (o.spec?.nodeName !== n.spec?.nodeName || JSON.stringify(o.spec?.tolerations) !== JSON.stringify(n.spec?.tolerations)) enqueuePod(n);
        },
        onDelete: (obj) => {
          const p = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
          this.scheduled.delete(metaNamespaceKey(p));
        },
      }),
      opts.nodeInformer.addEventHandler({
        onAdd: (n) => this.enqueueNode(n),
        onUpdate: (o, n) => {
          if (JSON.stringify(noExecute(o)) !== JSON.stringify(noExecute(n))) this.enqueueNode(n);
        },
      }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    await runSyncedWorkers({
      informers: [this.opts.nodeInformer, this.opts.podInformer],
      handlers: this.handlers,
      queue: this.queue,
      reconcile: (key) => this.sync(key),
      workers,
      signal,
      logger: this.opts.logger,
    });
  }

  private enqueueNode(node: Node): void {
    const name = node.metadata.name;
    for (const p of this.opts.podInformer.lister().list()) if (p.spec?.nodeName === name) this.queue.add(metaNamespaceKey(p));
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const pod = this.opts.podInformer.lister().get(namespace, name);
    if (!pod || pod.metadata.deletionTimestamp || !pod.spec?.nodeName) {
      this.scheduled.delete(key);
      return;
    }
    const node = this.opts.nodeInformer.lister().get('', pod.spec.nodeName);
    const decision = evictionDecision(pod, node?.spec?.taints ?? []);
    const prior = this.scheduled.get(key);
    const samePod = prior?.uid === pod.metadata.uid;
    if (decision.kind === 'keep') {
      if (prior) {
        this.scheduled.delete(key);
        if (samePod) void this.opts.recorder.event(podRef(pod), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
      }
      return;
    }
    const now = this.opts.clock.now();
    if (decision.kind === 'evict-after') {
      const since = samePod && prior ? prior.since : now;
      if (!samePod) this.scheduled.set(key, { uid: pod.metadata.uid ?? '', since });
      const due = since + decision.ms;
      if (due > now) {
        this.queue.addAfter(key, due - now);
        return;
      }
    }
    this.scheduled.delete(key);
    void this.opts.recorder.event(podRef(pod), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    this.opts.logger.info('evicting pod for a NoExecute taint', { pod: key, node: pod.spec.nodeName });
    try {
      await this.opts.evicter.evict(pod);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

function noExecute(node: Node): Taint[] {
  return (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute').map((t) => ({ key: t.key, value: t.value, effect: t.effect }));
}

const gvr = {
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  pods: { group: '', version: 'v1', resource: 'pods' },
  events: { group: '', version: 'v1', resource: 'events' },
};

export function newTaintEvictionController(ctx: ControllerContext): TaintEvictionController {
  const pods = new ResourceClient<TolerantPod>(ctx.rest, gvr.pods);
  return new TaintEvictionController({
    nodeInformer: ctx.informers.informerFor<Node>(gvr.nodes),
    podInformer: ctx.informers.informerFor<TolerantPod>(gvr.pods),
    evicter: {
      evict: async (pod) => {
        const client = pods.inNamespace(pod.metadata.namespace ?? '');
        const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: ctx.clock.nowRFC3339() };
        try {
          await client.patch(pod.metadata.name!, 'strategic', { status: { conditions: [condition] } }, { subresource: 'status' });
        } catch (err) {
          ctx.logger.debug('disruption condition not set', { pod: metaNamespaceKey(pod), err });
        }
        await client.delete(pod.metadata.name!);
      },
    },
    recorder: new EventRecorder({ events: new ResourceClient<CoreEvent>(ctx.rest, gvr.events), component: 'taint-eviction-controller', clock: ctx.clock, onError: (err) => ctx.logger.debug('event not recorded', { err }) }),
    clock: ctx.clock,
    logger: ctx.logger,
  });
}

export const taintEvictionControllerDescriptor: ControllerDescriptor = {
  name: 'taint-eviction-controller',
  init: newTaintEvictionController,
};
