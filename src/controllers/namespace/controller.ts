/**
 * The namespace controller: a namespace being deleted is emptied of every
 * namespaced resource the server serves (found through discovery, so custom
 * resources go too), and once nothing is left its `kubernetes` finalizer is
 * removed through /finalize, which lets the namespace go.
 */
import type { SharedInformer } from '../../client/informers/shared-informer.js';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import { isNotFound } from '../../machinery/errors/index.js';
import type { Logger } from '../../machinery/log.js';
import type { GroupVersionResource, KubeObject } from '../../machinery/meta/types.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { runWorkers } from '../framework/queue-worker.js';

const NAMESPACES: GroupVersionResource = { group: '', version: 'v1', resource: 'namespaces' };
export const NAMESPACE_FINALIZER = 'kubernetes';

interface APIResource {
  name: string;
  namespaced: boolean;
  verbs: string[];
}

/** Thrown to retry later: content is still going away (finalizers, graceful pods). */
export class ContentRemainingError extends Error {
  constructor(readonly remaining: number) {
    super(`${remaining} object(s) remain in the namespace`);
    this.name = 'ContentRemainingError';
  }
}

/** Every namespaced resource the server lets us list and delete, from discovery. */
export async function deletableNamespacedResources(rest: RESTClient): Promise<GroupVersionResource[]> {
  const out: GroupVersionResource[] = [];
  const fromList = (group: string, version: string, list: { resources?: APIResource[] }) => {
    for (const r of list.resources ?? []) {
      if (!r.namespaced || r.name.includes('/') || !r.verbs.includes('deletecollection') || !r.verbs.includes('list')) continue;
      out.push({ group, version, resource: r.name });
    }
  };
  fromList('', 'v1', await rest.do<{ resources?: APIResource[] }>({ method: 'GET', path: '/api/v1' }));
  const groups = await rest.do<{ groups?: { name: string; preferredVersion?: { version: string } }[] }>({ method: 'GET', path: '/apis' });
  for (const g of groups.groups ?? []) {
    const version = g.preferredVersion?.version;
    if (!version) continue;
    fromList(g.name, version, await rest.do<{ resources?: APIResource[] }>({ method: 'GET', path: `/apis/${g.name}/${version}` }));
  }
  // Events go last, so what deleting the rest reports is not immediately orphaned.
  return out.sort((a, b) => Number(a.resource === 'events') - Number(b.resource === 'events'));
}

export class NamespaceController implements Controller {
  readonly name = 'namespace';
  readonly queue: RateLimitingQueue<string>;
  private readonly informer: SharedInformer<KubeObject>;
  private readonly logger: Logger;

  constructor(private readonly ctx: ControllerContext) {
    this.queue = new RateLimitingQueue<string>({ clock: ctx.clock });
    this.logger = ctx.logger.with({ controller: this.name });
    this.informer = ctx.informers.informerFor<KubeObject>(NAMESPACES);
    const enqueue = (ns: KubeObject) => {
      if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
    };
    this.informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns), onDelete: () => undefined });
  }

  run(signal: AbortSignal, workers: number): Promise<void> {
    return runWorkers({ queue: this.queue, reconcile: (key) => this.reconcile(key), workers, signal, logger: this.logger });
  }

  async reconcile(name: string): Promise<void> {
    const ns = this.informer.lister().get('', name);
    if (!ns?.metadata.deletionTimestamp) return;
    const finalizers = (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    if (!finalizers.includes(NAMESPACE_FINALIZER)) return;
    let remaining = 0;
    for (const gvr of await deletableNamespacedResources(this.ctx.rest)) {
      const client = new ResourceClient(this.ctx.rest, gvr, name);
      try {
        await client.deleteCollection({});
        const left = await client.list({});
        remaining += left.items.length;
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
    }
    if (remaining > 0) throw new ContentRemainingError(remaining);
    const finalize = { ...ns, spec: { ...(ns.spec as object), finalizers: finalizers.filter((f) => f !== NAMESPACE_FINALIZER) } };
    try {
      await this.ctx.rest.do({ method: 'PUT', path: `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, body: finalize });
      this.logger.info('namespace emptied and finalized', { namespace: name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export const namespaceControllerDescriptor: ControllerDescriptor = {
  name: 'namespace',
  init: (ctx) => new NamespaceController(ctx),
};
