/**
 * The resourcequota controller: status.hard mirrors spec.hard and
 * status.used is recomputed from the objects really in the namespace. New or
 * changed quotas are synced at once; pods finishing and objects deleted give
 * usage back; every quota is recomputed from scratch each sync period, which
 * also returns what admission charged for writes that then failed.
 * Objects counted as `count/<resource>.<group>` are watched through informers
 * started on demand.
 */
import type { DeletedFinalStateUnknown, SharedInformer } from '../../client/informers/shared-informer.js';
import { isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import type { SharedInformerFactory } from '../../client/informers/shared-informer-factory.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { isNotFound } from '../../machinery/errors/index.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { GroupVersionResource, KubeObject } from '../../machinery/meta/types.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import {
  type QuotaEvaluator,
  type QuotaPod,
  type ResourceList,
  type ResourceQuota,
  type WireResourceList,
  addLists,
  evaluatorFor,
  mask,
  parseCountName,
  parseResourceList,
  podCountsForCompute,
  quotaScopeRequirements,
  toWire,
} from '../../api/quota/evaluator.js';

export const RESOURCE_QUOTAS: GroupVersionResource = { group: '', version: 'v1', resource: 'resourcequotas' };

/** Kinds whose informers are always running: they have more to count than their number. */
const CORE_COUNTED: readonly string[] = ['pods', 'services', 'persistentvolumeclaims', 'configmaps', 'secrets', 'replicationcontrollers', 'resourcequotas'];

/** Resolves the version served for a group (its preferred one), or undefined when not served. */
export type VersionResolver = (group: string, resource: string) => Promise<string | undefined>;

export function discoveryVersionResolver(rest: RESTClient): VersionResolver {
  const cache = new Map<string, string | undefined>();
  return async (group, resource) => {
    const key = `${group}/${resource}`;
    if (cache.has(key)) return cache.get(key);
    let version: string | undefined;
    if (!group) version = 'v1';
    else {
      try {
        const g = await rest.do<{ preferredVersion?: { version?: string } }>({ method: 'GET', path: `/apis/${group}` });
        version = g.preferredVersion?.version;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (version) {
      const path = group ? `/apis/${group}/${version}` : '/api/v1';
      const list = await rest.do<{ resources?: { name: string; namespaced?: boolean }[] }>({ method: 'GET', path });
      if (!list.resources?.some((r) => r.name === resource && r.namespaced)) version = undefined;
    }
    cache.set(key, version);
    return version;
  };
}

export interface ResourceQuotaControllerOptions {
  informers: SharedInformerFactory;
  quotas: ResourceClient<ResourceQuota & KubeObject>;
  resolveVersion: VersionResolver;
  clock: Clock;
  logger: Logger;
  syncPeriodMs: number;
}

/** Whether two ResourceLists hold the same quantities under the same names. */
function sameList(a: WireResourceList | undefined, b: WireResourceList | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  const pa = parseResourceList(a);
  const pb = parseResourceList(b);
  return ka.every((k) => pb[k] !== undefined && pa[k] !== undefined && pa[k]!.cmp(pb[k]!) === 0);
}

/**
 * The status a quota should have given the objects in its namespace:
 * `objectsFor` answers the objects an evaluator counts (undefined when that
 * kind is unknown, which leaves earlier observations alone).
 */
export function computeQuotaStatus(
  quota: ResourceQuota,
  evaluators: readonly { evaluator: QuotaEvaluator; objects: readonly unknown[] | undefined }[],
  nowMs: number,
): { hard: WireResourceList; used: WireResourceList } {
  const hard = { ...(quota.spec?.hard ?? {}) };
  const hardNames = Object.keys(hard);
  const scopes = quotaScopeRequirements(quota);
  let used: ResourceList = mask(parseResourceList(quota.status?.used), hardNames);
  for (const { evaluator, objects } of evaluators) {
    const names = evaluator.matchingResources(hardNames);
    if (!names.length || objects === undefined) continue;
    let sum: ResourceList = Object.fromEntries(names.map((n) => [n, parseResourceList({ [n]: '0' })[n]!]));
    for (const obj of objects) {
      if (!evaluator.matchesScopes(scopes, obj)) continue;
      sum = addLists(sum, mask(evaluator.usage(obj, nowMs), names));
    }
    used = { ...used, ...sum };
  }
  return { hard, used: toWire(mask(used, hardNames)) };
}

export class ResourceQuotaController implements Controller {
  readonly name = 'resourcequota';
  readonly queue: RateLimitingQueue<string>;
  private readonly quotaInformer: SharedInformer<ResourceQuota & KubeObject>;
  private readonly counted = new Map<string, SharedInformer<KubeObject>>();
  private readonly handlers: Disposable[] = [];
  private signal?: AbortSignal;

  constructor(private readonly opts: ResourceQuotaControllerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    this.quotaInformer = opts.informers.informerFor<ResourceQuota & KubeObject>(RESOURCE_QUOTAS);
    this.handlers.push(
      this.quotaInformer.addEventHandler({
        onAdd: (q) => this.queue.add(metaNamespaceKey(q)),
        onUpdate: (old, q) => {
          // Status changes are admission's charges or our own writes: only a new spec needs a sync.
          if (JSON.stringify(old.spec) !== JSON.stringify(q.spec)) this.queue.add(metaNamespaceKey(q));
        },
      }),
    );
    for (const resource of CORE_COUNTED) {
      if (resource === 'resourcequotas') {
        this.counted.set('/resourcequotas', this.quotaInformer as unknown as SharedInformer<KubeObject>);
        continue;
      }
      this.watchCounted('', resource, opts.informers.informerFor<KubeObject>({ group: '', version: 'v1', resource }));
    }
  }

  /** Replenishment: usage given back (deletes, pods finishing) re-syncs the namespace's quotas. */
  private watchCounted(group: string, resource: string, informer: SharedInformer<KubeObject>): void {
    this.counted.set(`${group}/${resource}`, informer);
    const evaluator = evaluatorFor(group, resource);
    const now = () => this.opts.clock.now();
    const onDelete = (obj: KubeObject | DeletedFinalStateUnknown<KubeObject>) => {
      const o = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      this.enqueueNamespace(o.metadata.namespace ?? '', evaluator);
    };
    const onUpdate = (old: KubeObject, cur: KubeObject) => {
      let changed: boolean;
      if (!group && resource === 'pods') changed = podCountsForCompute(old as unknown as QuotaPod, now()) && !podCountsForCompute(cur as unknown as QuotaPod, now());
      else if (!group && (resource === 'services' || resource === 'persistentvolumeclaims')) {
        changed = JSON.stringify(toWire(evaluator.usage(old, now()))) !== JSON.stringify(toWire(evaluator.usage(cur, now())));
      } else changed = false;
      if (changed) this.enqueueNamespace(cur.metadata.namespace ?? '', evaluator);
    };
    const h = informer.addEventHandler({ onUpdate, onDelete });
    this.handlers.push(h);
  }

  private enqueueNamespace(namespace: string, evaluator: QuotaEvaluator): void {
    for (const q of this.quotaInformer.lister().listInNamespace(namespace)) {
      if (evaluator.matchingResources(Object.keys(q.spec?.hard ?? {})).length) this.queue.add(metaNamespaceKey(q));
    }
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    this.signal = signal;
    await runSyncedWorkers({
      informers: [...new Set(this.counted.values())],
      handlers: this.handlers,
      queue: this.queue,
      reconcile: (key) => this.sync(key),
      workers,
      signal,
      logger: this.opts.logger,
    });
  }

  /** The informer counting group/resource, started on first use; undefined when the server does not serve it. */
  private async countedInformer(group: string, resource: string): Promise<SharedInformer<KubeObject> | undefined> {
    const known = this.counted.get(`${group}/${resource}`);
    if (known) return known;
    const version = await this.opts.resolveVersion(group, resource);
    if (!version) return undefined;
    const informer = this.opts.informers.informerFor<KubeObject>({ group, version, resource });
    this.watchCounted(group, resource, informer);
    if (this.signal) this.opts.informers.start(this.signal);
    return informer;
  }

  /** Thrown to come back once a just-started informer has listed. */
  private notSynced(group: string, resource: string): Error {
    return new Error(`informer for ${resource}${group ? '.' + group : ''} has not synced yet`);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const quota = this.quotaInformer.lister().get(namespace, name);
    if (!quota) return;
    const hardNames = Object.keys(quota.spec?.hard ?? {});
    const kinds = new Map<string, { group: string; resource: string }>();
    for (const r of CORE_COUNTED) kinds.set(`/${r}`, { group: '', resource: r });
    for (const n of hardNames) {
      const gr = parseCountName(n);
      if (gr) kinds.set(`${gr.group}/${gr.resource}`, gr);
    }
    const evaluators: { evaluator: QuotaEvaluator; objects: readonly unknown[] | undefined }[] = [];
    for (const { group, resource } of kinds.values()) {
      const evaluator = evaluatorFor(group, resource);
      if (!evaluator.matchingResources(hardNames).length) continue;
      const informer = await this.countedInformer(group, resource);
      if (informer && !informer.hasSynced()) throw this.notSynced(group, resource);
      // A kind the server does not serve has no objects.
      evaluators.push({ evaluator, objects: informer ? informer.lister().listInNamespace(namespace) : [] });
    }
    const status = computeQuotaStatus(quota, evaluators, this.opts.clock.now());
    if (!sameList(quota.status?.hard, status.hard) || !sameList(quota.status?.used, status.used)) {
      // Conditional on the cached resourceVersion: a charge admission made meanwhile makes this conflict and retry.
      await this.opts.quotas.inNamespace(namespace).updateStatus({ ...structuredClone(quota), status });
    }
    this.queue.addAfter(key, this.opts.syncPeriodMs);
  }
}

export function newResourceQuotaController(ctx: ControllerContext): ResourceQuotaController {
  return new ResourceQuotaController({
    informers: ctx.informers,
    quotas: new ResourceClient<ResourceQuota & KubeObject>(ctx.rest, RESOURCE_QUOTAS),
    resolveVersion: discoveryVersionResolver(ctx.rest),
    clock: ctx.clock,
    logger: ctx.logger,
    syncPeriodMs: ctx.config.resourceQuotaSyncPeriodMs,
  });
}

export const resourceQuotaControllerDescriptor: ControllerDescriptor = {
  name: 'resourcequota',
  init: newResourceQuotaController,
};
