/**
 * The root-ca-cert-publisher: every namespace holds ConfigMap
 * `kube-root-ca.crt` whose `ca.crt` is the cluster CA, so pods can verify
 * the API server; edits and deletions are undone. Keyed by namespace name.
 */
import type { DeletedFinalStateUnknown, SharedInformer } from '../../client/informers/shared-informer.js';
import { isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import { isAlreadyExists, isNotFound } from '../../machinery/errors/index.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { GroupVersionResource, KubeObject } from '../../machinery/meta/types.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import { NAMESPACES, type Namespace, namespaceGoneOrTerminating } from './serviceaccounts-controller.js';

const CONFIG_MAPS: GroupVersionResource = { group: '', version: 'v1', resource: 'configmaps' };

export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export interface RootCAPublisherOptions {
  rootCA: string;
  namespaceInformer: SharedInformer<Namespace>;
  configMapInformer: SharedInformer<ConfigMap>;
  configMaps: ResourceClient<ConfigMap>;
  queue: RateLimitingQueue<string>;
  logger: Logger;
}

/** The published map is exactly the CA plus its description. */
export function rootCAUpToDate(cm: ConfigMap, rootCA: string): boolean {
  const data = cm.data ?? {};
  return Object.keys(data).length === 1 && data['ca.crt'] === rootCA && !!cm.metadata.annotations?.[DESCRIPTION_ANNOTATION];
}

export class RootCACertPublisher implements Controller {
  readonly name = 'root-ca-cert-publisher';
  private readonly handlers: Disposable[] = [];

  constructor(private readonly opts: RootCAPublisherOptions) {
    const enqueueNs = (ns: Namespace) => opts.queue.add(ns.metadata.name!);
    const cmChanged = (obj: ConfigMap | DeletedFinalStateUnknown<ConfigMap>) => {
      const cm = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      if (cm.metadata.name === ROOT_CA_CONFIG_MAP) opts.queue.add(cm.metadata.namespace ?? '');
    };
    this.handlers.push(
      opts.namespaceInformer.addEventHandler({ onAdd: enqueueNs, onUpdate: (_o, ns) => enqueueNs(ns) }),
      opts.configMapInformer.addEventHandler({ onUpdate: (_o, cm) => cmChanged(cm), onDelete: cmChanged }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    const { opts } = this;
    await runSyncedWorkers({ informers: [opts.namespaceInformer, opts.configMapInformer], handlers: this.handlers, queue: opts.queue, reconcile: (key) => this.sync(key), workers, signal, logger: opts.logger });
  }

  async sync(namespace: string): Promise<void> {
    const ns = this.opts.namespaceInformer.lister().get('', namespace);
    // Without a CA there is nothing truthful to publish.
    if (!ns || ns.metadata.deletionTimestamp || !this.opts.rootCA) return;
    const client = this.opts.configMaps.inNamespace(namespace);
    const cm = this.opts.configMapInformer.lister().get(namespace, ROOT_CA_CONFIG_MAP);
    if (!cm) {
      try {
        await client.create({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIG_MAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } },
          data: { 'ca.crt': this.opts.rootCA },
        });
      } catch (err) {
        if (isAlreadyExists(err) || namespaceGoneOrTerminating(err)) return;
        throw err;
      }
      return;
    }
    if (rootCAUpToDate(cm, this.opts.rootCA)) return;
    const next: ConfigMap = structuredClone(cm);
    next.data = { 'ca.crt': this.opts.rootCA };
    next.metadata.annotations = { ...next.metadata.annotations, [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION };
    try {
      await client.update(next);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}

export const rootCACertPublisherDescriptor: ControllerDescriptor = {
  name: 'root-ca-cert-publisher',
  init: (ctx: ControllerContext) =>
    new RootCACertPublisher({
      rootCA: ctx.config.rootCAPEM ?? '',
      namespaceInformer: ctx.informers.informerFor<Namespace>(NAMESPACES),
      configMapInformer: ctx.informers.informerFor<ConfigMap>(CONFIG_MAPS),
      configMaps: new ResourceClient<ConfigMap>(ctx.rest, CONFIG_MAPS),
      queue: new RateLimitingQueue<string>({ clock: ctx.clock }),
      logger: ctx.logger,
    }),
};
