/**
 * The DaemonSet controller: one daemon pod on every eligible node, pinned
 * there by required node affinity and placed by the scheduler; template
 * changes roll out by RollingUpdate (maxUnavailable / maxSurge) or wait for
 * OnDelete, with every template kept as a ControllerRevision so kubectl
 * `rollout history/undo/status` work. Level-triggered: handlers only enqueue.
 */
import type { SharedInformer } from '../../client/informers/shared-informer.js';
import { isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { type CoreEvent, EventRecorder } from '../../client/events/event-recorder.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { isNotFound } from '../../machinery/errors/index.js';
import { type Selector, labelSelectorAsSelector } from '../../machinery/labels/selector.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { availabilityRecheckMs, controllerRefEventHandler } from '../framework/controller-ref-handler.js';
import { claimObjects, claimPods, isSameLiveObject } from '../framework/controller-ref-manager.js';
import { ControllerExpectations } from '../framework/expectations.js';
import { type EventSink, type PodControl, RealPodControl, controllerRefFor } from '../framework/pod-control.js';
import type { Pod, PodTemplateSpec } from '../framework/pods.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import { slowStartBatch } from '../framework/slow-start.js';
import { type ControllerRevisionControl, RealControllerRevisionControl } from '../history/revision-control.js';
import { CONTROLLER_REVISION_HASH_LABEL, type ControllerRevision, POD_REVISION_HASH_LABEL, equalRevision, newControllerRevision, nextRevision, revisionsToTruncate, sortRevisions, templatePatch } from '../history/revisions.js';
import { type DaemonPodSpec, type Node, type NodeFit, nodeShouldRunDaemonPod, targetNodeName, withDaemonTolerations, withNodeNameAffinity } from './eligibility.js';
import { planNodes } from './node-pods.js';
import { rollingUpdateStep, updateBudget } from './rolling-update.js';
import { calculateStatus, statusEqual } from './status.js';
import { DAEMONSET_KIND, type DaemonSet, POD_TEMPLATE_GENERATION_LABEL, TEMPLATE_GENERATION_ANNOTATION } from './types.js';

/** Upstream's BurstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 250;
const FAILED_BACKOFF_INITIAL_MS = 1_000;
const FAILED_BACKOFF_MAX_MS = 15 * 60_000;
const DEFAULT_REVISION_HISTORY_LIMIT = 10;

export interface DaemonSetControllerOptions {
  dsInformer: SharedInformer<DaemonSet>;
  podInformer: SharedInformer<Pod>;
  nodeInformer: SharedInformer<Node>;
  revisionInformer: SharedInformer<ControllerRevision>;
  podControl: PodControl;
  revisionControl: ControllerRevisionControl;
  updateStatus: (ds: DaemonSet) => Promise<unknown>;
  /** A fresh read past the cache, asked before adopting orphans (absent: adopt without asking). */
  getDaemonSet?: (namespace: string, name: string) => Promise<DaemonSet>;
  events: EventSink;
  clock: Clock;
  logger: Logger;
  burstReplicas?: number;
}

const podKey = (p: Pod) => metaNamespaceKey(p);

export class DaemonSetController implements Controller {
  readonly name = 'daemonset';
  readonly queue: RateLimitingQueue<string>;
  /** Creations and deletions tracked apart: one sync may ask for both. */
  readonly creations: ControllerExpectations;
  readonly deletions: ControllerExpectations;
  private readonly failedBackoff = new Map<string, { delayMs: number; until: number }>();
  private readonly handlers: Disposable[] = [];
  private readonly burst: number;

  constructor(private readonly opts: DaemonSetControllerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    this.creations = new ControllerExpectations(opts.clock);
    this.deletions = new ControllerExpectations(opts.clock);
    this.burst = opts.burstReplicas ?? BURST_REPLICAS;
    const owned = {
      ownerKind: DAEMONSET_KIND.kind,
      owners: opts.dsInformer.lister(),
      selector: (ds: DaemonSet) => labelSelectorAsSelector(ds.spec?.selector),
      enqueue: (ds: DaemonSet) => this.enqueue(ds),
    };
    this.handlers.push(
      opts.dsInformer.addEventHandler({
        onAdd: (ds) => this.enqueue(ds),
        onUpdate: (_old, ds) => this.enqueue(ds),
        onDelete: (obj) => {
          const ds = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
          this.creations.delete(metaNamespaceKey(ds));
          this.deletions.delete(metaNamespaceKey(ds));
          this.enqueue(ds);
        },
      }),
      opts.podInformer.addEventHandler(
        controllerRefEventHandler<DaemonSet, Pod>({
          ...owned,
          creationObserved: (ds) => this.creations.creationObserved(metaNamespaceKey(ds)),
          deletionObserved: (ds, pod) => this.deletions.deletionObserved(metaNamespaceKey(ds), podKey(pod)),
          updated: (ds, oldPod, pod) => {
            const after = availabilityRecheckMs(oldPod, pod, ds.spec?.minReadySeconds ?? 0);
            if (after !== undefined) this.queue.addAfter(metaNamespaceKey(ds), after);
          },
        }),
      ),
      // Revisions wake their DaemonSet too, so an orphan revision is adopted promptly.
      opts.revisionInformer.addEventHandler(controllerRefEventHandler<DaemonSet, ControllerRevision>(owned)),
      opts.nodeInformer.addEventHandler({
        onAdd: () => this.enqueueAll(),
        onUpdate: (oldNode, node) => {
          if (nodeSchedulingChanged(oldNode, node)) this.enqueueAll();
        },
        onDelete: () => this.enqueueAll(),
      }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    const { dsInformer, podInformer, nodeInformer, revisionInformer } = this.opts;
    await runSyncedWorkers({
      informers: [dsInformer, podInformer, nodeInformer, revisionInformer],
      handlers: this.handlers,
      onSynced: () => this.opts.logger.info('starting controller', { controller: this.name, workers }),
      queue: this.queue,
      reconcile: (key) => this.sync(key),
      workers,
      signal,
      logger: this.opts.logger,
    });
  }

  private satisfied(key: string): boolean {
    return this.creations.satisfied(key) && this.deletions.satisfied(key);
  }

  /** One reconcile pass for `namespace/name`; throws to be retried with back-off. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.opts.dsInformer.lister().get(namespace, name);
    if (!cached) {
      this.creations.delete(key);
      this.deletions.delete(key);
      return;
    }
    // The garbage collector takes the pods of a DaemonSet being deleted.
    if (cached.metadata.deletionTimestamp) return;
    const ds: DaemonSet = { ...DAEMONSET_KIND, ...cached };
    let selector: Selector;
    try {
      selector = labelSelectorAsSelector(ds.spec?.selector);
    } catch (err) {
      this.opts.logger.error('invalid selector', { daemonset: key, err });
      return;
    }

    const { current, old, collisionCount } = await this.constructHistory(ds, selector);
    const hash = current.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';

    const nodes = this.opts.nodeInformer.lister().list();
    const nodeNames = nodes.map((n) => n.metadata.name!).sort();
    const byName = new Map(nodes.map((n) => [n.metadata.name!, n]));
    const fits = new Map<string, NodeFit>();
    const fit = (node: string): NodeFit => {
      let f = fits.get(node);
      if (!f) {
        const n = byName.get(node);
        f = n ? nodeShouldRunDaemonPod(n, ds.spec?.template?.spec as DaemonPodSpec | undefined) : { shouldRun: false, shouldContinueRunning: false };
        fits.set(node, f);
      }
      return f;
    };

    const controllerRef = controllerRefFor(ds, DAEMONSET_KIND);
    const nsPods = this.opts.podInformer.lister().listInNamespace(namespace);
    const claim = await claimPods(nsPods, { owner: ds, controllerRef, selector, podControl: this.opts.podControl });
    if (claim.error !== undefined) throw claim.error;
    const nodeToPods = groupByNode(claim.claimed);

    let actionError: unknown;
    if (this.satisfied(key)) {
      actionError = await this.manage(key, ds, nodeNames, nodeToPods, fit, hash);
      const strategy = ds.spec?.updateStrategy?.type ?? 'RollingUpdate';
      if (actionError === undefined && strategy === 'RollingUpdate' && this.satisfied(key)) {
        const desired = nodeNames.filter((n) => fit(n).shouldRun).length;
        const budget = updateBudget(ds.spec?.updateStrategy?.rollingUpdate, desired);
        const step = rollingUpdateStep({ nodeToPods, hash, ...budget, minReadySeconds: ds.spec?.minReadySeconds ?? 0, now: this.opts.clock.now(), shouldRun: (n) => fit(n).shouldRun, desiredNumberScheduled: desired });
        actionError = await this.syncNodes(key, ds, step.delete, step.createOn, hash);
      }
      if (actionError === undefined) await this.cleanupHistory(ds, old, current, claim.claimed);
    }

    const status = calculateStatus({ ds, nodes: nodeNames, nodeToPods, fit, hash, now: this.opts.clock.now(), collisionCount });
    if (!statusEqual(cached.status, status)) await this.opts.updateStatus({ ...structuredClone(ds), status });
    if (actionError !== undefined) throw actionError;
    const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
    // Availability arrives with time passing, which no event announces.
    if (minReadySeconds > 0 && status.numberReady !== (status.numberAvailable ?? 0)) this.queue.addAfter(key, minReadySeconds * 1000);
  }

  /** Creates the missing daemon pods and deletes failed, surplus and misplaced ones. */
  private async manage(key: string, ds: DaemonSet, nodes: string[], nodeToPods: Map<string, Pod[]>, fit: (n: string) => NodeFit, hash: string): Promise<unknown> {
    const now = this.opts.clock.now();
    const ru = ds.spec?.updateStrategy;
    const allowsSurge = (ru?.type ?? 'RollingUpdate') === 'RollingUpdate' && updateBudget(ru?.rollingUpdate, 1).maxSurge > 0;
    const plan = planNodes(nodes, nodeToPods, {
      fit,
      allowsSurge,
      hash,
      inFailedBackoff: (node) => {
        const b = this.failedBackoff.get(`${key}/${node}`);
        if (!b || b.until <= now) return false;
        this.queue.addAfter(key, b.until - now);
        return true;
      },
    });
    for (const { pod, node } of plan.failed) {
      const bk = `${key}/${node}`;
      const prev = this.failedBackoff.get(bk);
      const delayMs = prev ? Math.min(prev.delayMs * 2, FAILED_BACKOFF_MAX_MS) : FAILED_BACKOFF_INITIAL_MS;
      this.failedBackoff.set(bk, { delayMs, until: now + delayMs });
      void this.opts.events.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node}, will try to kill it`);
    }
    return this.syncNodes(key, ds, plan.delete, plan.createOn, hash);
  }

  /** Deletes `victims` and creates one daemon pod on each of `createOn`; answers the first error. */
  private async syncNodes(key: string, ds: DaemonSet, victims: Pod[], createOn: string[], hash: string): Promise<unknown> {
    const deletes = victims.slice(0, this.burst);
    const creates = createOn.slice(0, this.burst);
    const namespace = ds.metadata.namespace ?? '';
    // Expect before acting: the informer may report a pod before the call returns.
    if (creates.length) this.creations.expectCreations(key, creates.length);
    if (deletes.length) this.deletions.expectDeletions(key, deletes.map(podKey));
    let firstError: unknown;
    if (creates.length) {
      const template = this.podTemplate(ds, hash);
      const controllerRef = controllerRefFor(ds, DAEMONSET_KIND);
      let next = 0;
      const res = await slowStartBatch(creates.length, 1, async () => {
        const node = creates[next++]!;
        const spec = withNodeNameAffinity(template.spec as DaemonPodSpec, node);
        await this.opts.podControl.createPod(namespace, { ...template, spec }, ds, controllerRef);
      });
      // Creates that failed or never ran produce no watch event.
      for (let i = res.successes; i < creates.length; i++) this.creations.creationObserved(key);
      firstError = res.error;
    }
    const results = await Promise.allSettled(
      deletes.map(async (pod) => {
        try {
          await this.opts.podControl.deletePod(namespace, pod.metadata.name!, ds);
        } catch (err) {
          this.deletions.deletionObserved(key, podKey(pod));
          if (!isNotFound(err)) throw err;
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    return firstError ?? failed?.reason;
  }

  /** The template every daemon pod of the current revision is made from. */
  private podTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
    const template = structuredClone(ds.spec?.template ?? {});
    const labels: Record<string, string> = { ...(template.metadata?.labels ?? {}), [POD_REVISION_HASH_LABEL]: hash };
    const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
    if (generation) labels[POD_TEMPLATE_GENERATION_LABEL] = generation;
    return { metadata: { ...(template.metadata ?? {}), labels }, spec: withDaemonTolerations((template.spec ?? {}) as DaemonPodSpec) };
  }

  /**
   * The revision matching the current template (created, or renumbered when
   * a rollback brought an old template back) and the older ones.
   */
  private async constructHistory(ds: DaemonSet, selector: Selector): Promise<{ current: ControllerRevision; old: ControllerRevision[]; collisionCount?: number }> {
    const uid = ds.metadata.uid!;
    const owned = await this.controlledHistories(ds, selector);
    const data = templatePatch(ds.spec?.template ?? {});
    const probe: ControllerRevision = { metadata: {}, data, revision: 0 };
    const matching = sortRevisions(owned.filter((r) => equalRevision(r, probe)));
    const old = owned.filter((r) => !matching.includes(r));
    const next = nextRevision(old);
    let current = matching.at(-1);
    let collisionCount = ds.status?.collisionCount;
    if (!current) {
      const rev = newControllerRevision({
        owner: ds,
        ownerKind: DAEMONSET_KIND,
        labels: ds.spec?.template?.metadata?.labels,
        annotations: ds.metadata.annotations,
        data,
        revision: next,
        collisionCount: collisionCount ?? 0,
      });
      const created = await this.opts.revisionControl.create(uid, rev, collisionCount ?? 0);
      current = created.revision;
      if (created.collisionCount !== (collisionCount ?? 0)) collisionCount = created.collisionCount;
    } else if (current.revision < next) {
      current = await this.opts.revisionControl.updateRevisionNumber(current, next);
    }
    // Duplicates of the current data (a rare race) are history too.
    old.push(...matching.slice(0, -1));
    return { current, old, collisionCount };
  }

  /**
   * The revisions this DaemonSet controls, after adopting matching orphans
   * and releasing those that stopped matching (upstream controlledHistories).
   */
  private async controlledHistories(ds: DaemonSet, selector: Selector): Promise<ControllerRevision[]> {
    const namespace = ds.metadata.namespace ?? '';
    const { getDaemonSet } = this.opts;
    const claim = await claimObjects(this.opts.revisionInformer.lister().listInNamespace(namespace), {
      owner: ds,
      controllerRef: controllerRefFor(ds, DAEMONSET_KIND),
      selector,
      patch: (ns, name, patch) => this.opts.revisionControl.patch(ns, name, patch),
      canAdopt: getDaemonSet && (() => isSameLiveObject(ds, () => getDaemonSet(namespace, ds.metadata.name!))),
    });
    if (claim.error !== undefined) throw claim.error;
    return claim.claimed;
  }

  /** Deletes old revisions beyond revisionHistoryLimit that no pod still runs. */
  private async cleanupHistory(ds: DaemonSet, old: ControllerRevision[], current: ControllerRevision, pods: Pod[]): Promise<void> {
    const limit = ds.spec?.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
    if (old.length <= limit) return;
    const hashes = new Set(pods.map((p) => p.metadata.labels?.[POD_REVISION_HASH_LABEL]).filter((h): h is string => !!h));
    const live = new Set([current.metadata.name!, ...old.filter((r) => hashes.has(r.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '')).map((r) => r.metadata.name!)]);
    for (const r of revisionsToTruncate(old, live, limit)) await this.opts.revisionControl.delete(r.metadata.namespace ?? '', r.metadata.name!);
  }

  private enqueue(ds: DaemonSet): void {
    this.queue.add(metaNamespaceKey(ds));
  }

  private enqueueAll(): void {
    for (const ds of this.opts.dsInformer.lister().list()) this.enqueue(ds);
  }
}

/** Daemon pods keyed by the node they run on or are pinned to. */
export function groupByNode(pods: readonly Pod[]): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const p of pods) {
    const node = targetNodeName(p);
    if (!node) continue;
    const list = out.get(node);
    if (list) list.push(p);
    else out.set(node, [p]);
  }
  return out;
}

/** Whether a node change can change which DaemonSets should run on it. */
function nodeSchedulingChanged(a: Node, b: Node): boolean {
  return JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {}) || JSON.stringify(a.spec?.taints ?? []) !== JSON.stringify(b.spec?.taints ?? []) || !!a.spec?.unschedulable !== !!b.spec?.unschedulable;
}

const gvr = {
  daemonsets: { group: 'apps', version: 'v1', resource: 'daemonsets' },
  pods: { group: '', version: 'v1', resource: 'pods' },
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  controllerrevisions: { group: 'apps', version: 'v1', resource: 'controllerrevisions' },
  events: { group: '', version: 'v1', resource: 'events' },
};

export function newDaemonSetController(ctx: ControllerContext): DaemonSetController {
  const recorder = new EventRecorder({
    events: new ResourceClient<CoreEvent>(ctx.rest, gvr.events),
    component: 'daemonset-controller',
    clock: ctx.clock,
    onError: (err) => ctx.logger.debug('event not recorded', { err }),
  });
  const daemonSets = new ResourceClient<DaemonSet>(ctx.rest, gvr.daemonsets);
  return new DaemonSetController({
    dsInformer: ctx.informers.informerFor<DaemonSet>(gvr.daemonsets),
    podInformer: ctx.informers.informerFor<Pod>(gvr.pods),
    nodeInformer: ctx.informers.informerFor<Node>(gvr.nodes),
    revisionInformer: ctx.informers.informerFor<ControllerRevision>(gvr.controllerrevisions),
    podControl: new RealPodControl(new ResourceClient<Pod>(ctx.rest, gvr.pods), recorder),
    revisionControl: new RealControllerRevisionControl(new ResourceClient<ControllerRevision>(ctx.rest, gvr.controllerrevisions)),
    updateStatus: (ds) => daemonSets.inNamespace(ds.metadata.namespace ?? '').updateStatus(ds),
    getDaemonSet: (namespace, name) => daemonSets.inNamespace(namespace).get(name),
    events: recorder,
    clock: ctx.clock,
    logger: ctx.logger,
  });
}

export const daemonSetControllerDescriptor: ControllerDescriptor = {
  name: 'daemonset',
  init: (ctx) => newDaemonSetController(ctx),
};
