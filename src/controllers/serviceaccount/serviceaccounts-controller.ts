/**
 * The serviceaccount controller: every active namespace has the
 * ServiceAccounts it should (`default`), created again when deleted.
 * Keyed by namespace name.
 */
import type { DeletedFinalStateUnknown, SharedInformer } from '../../client/informers/shared-informer.js';
import { isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import { isAlreadyExists, isNotFound, isStatusError } from '../../machinery/errors/index.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { GroupVersionResource, KubeObject } from '../../machinery/meta/types.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';

export const NAMESPACES: GroupVersionResource = { group: '', version: 'v1', resource: 'namespaces' };
const SERVICE_ACCOUNTS: GroupVersionResource = { group: '', version: 'v1', resource: 'serviceaccounts' };

/** Names every namespace gets, as upstream's default. */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'];

export interface Namespace extends KubeObject {
  status?: { phase?: string };
}

/** A namespace that may receive new content. */
export function isNamespaceActive(ns: Namespace): boolean {
  return !ns.metadata.deletionTimestamp && (ns.status?.phase ?? 'Active') === 'Active';
}

/** The create was refused because the namespace is gone or going: nothing to retry. */
export function namespaceGoneOrTerminating(err: unknown): boolean {
  if (isNotFound(err)) return true;
  return isStatusError(err) && !!err.details?.causes?.some((c) => c.reason === 'NamespaceTerminating');
}

export interface ServiceAccountsControllerOptions {
  namespaceInformer: SharedInformer<Namespace>;
  serviceAccountInformer: SharedInformer<KubeObject>;
  serviceAccounts: ResourceClient<KubeObject>;
  queue: RateLimitingQueue<string>;
  logger: Logger;
  names?: readonly string[];
}

export class ServiceAccountsController implements Controller {
  readonly name = 'serviceaccount';
  private readonly handlers: Disposable[] = [];
  private readonly names: readonly string[];

  constructor(private readonly opts: ServiceAccountsControllerOptions) {
    this.names = opts.names ?? DEFAULT_SERVICE_ACCOUNTS;
    const enqueueNs = (ns: Namespace) => opts.queue.add(ns.metadata.name!);
    const saGone = (obj: KubeObject | DeletedFinalStateUnknown<KubeObject>) => {
      const sa = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      if (this.names.includes(sa.metadata.name ?? '')) opts.queue.add(sa.metadata.namespace ?? '');
    };
    this.handlers.push(
      opts.namespaceInformer.addEventHandler({ onAdd: enqueueNs, onUpdate: (_o, ns) => enqueueNs(ns) }),
      opts.serviceAccountInformer.addEventHandler({ onDelete: saGone }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    const { opts } = this;
    await runSyncedWorkers({ informers: [opts.namespaceInformer, opts.serviceAccountInformer], handlers: this.handlers, queue: opts.queue, reconcile: (key) => this.sync(key), workers, signal, logger: opts.logger });
  }

  async sync(namespace: string): Promise<void> {
    const ns = this.opts.namespaceInformer.lister().get('', namespace);
    if (!ns || !isNamespaceActive(ns)) return;
    for (const name of this.names) {
      if (this.opts.serviceAccountInformer.lister().get(namespace, name)) continue;
      try {
        await this.opts.serviceAccounts.inNamespace(namespace).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
      } catch (err) {
        if (isAlreadyExists(err) || namespaceGoneOrTerminating(err)) continue;
        throw err;
      }
    }
  }
}

export const serviceAccountControllerDescriptor: ControllerDescriptor = {
  name: 'serviceaccount',
  init: (ctx: ControllerContext) =>
    new ServiceAccountsController({
      namespaceInformer: ctx.informers.informerFor<Namespace>(NAMESPACES),
      serviceAccountInformer: ctx.informers.informerFor<KubeObject>(SERVICE_ACCOUNTS),
      serviceAccounts: new ResourceClient<KubeObject>(ctx.rest, SERVICE_ACCOUNTS),
      queue: new RateLimitingQueue<string>({ clock: ctx.clock }),
      logger: ctx.logger,
    }),
};
