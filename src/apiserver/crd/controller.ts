/**
 * The CRD controller of the API server (upstream's naming, establishing and
 * finalizer controllers plus the CR handler's installation in one
 * level-triggered loop). It watches customresourcedefinitions through the
 * watch cache, turns every event into the CRD's name, and `reconcile(name)`
 * brings the served endpoints in line with the stored CRD:
 *
 *   live CRD      -> accept names, serve every served version (scheme types,
 *                    endpoints, printers), then report NamesAccepted,
 *                    Established, acceptedNames and storedVersions
 *   deleting CRD  -> refuse new objects, delete every custom resource,
 *                    stop serving, drop the cleanup finalizer
 *   gone          -> stop serving
 */
import { GROUP as APIEXTENSIONS_GROUP, VERSION as APIEXTENSIONS_VERSION } from '../../api/apiextensions/v1/types.js';
import type { CustomResourceDefinitionNamesT, CustomResourceDefinitionT } from '../../api/apiextensions/v1/types.js';
import type { ResourceType, Scheme } from '../../api/scheme.js';
import { type Clock, rfc3339 } from '../../machinery/clock.js';
import { StatusError, notFound } from '../../machinery/errors/status-error.js';
import type { Logger } from '../../machinery/log.js';
import type { Backend } from '../../storage/interface.js';
import type { WatchCache } from '../cacher/watch-cache.js';
import { type RequestContext, systemContext } from '../context.js';
import { crdPrinter } from '../printers/crd-printer.js';
import type { Printer } from '../printers/types.js';
import type { Registry } from '../registry/build.js';
import { resourcePrefix } from '../registry/keys.js';
import { Store } from '../registry/store.js';
import { type Strategy, defaultStrategy } from '../registry/strategy.js';
import { type ConditionInput, findCondition, isConditionTrue, setCondition } from './conditions.js';
import { CUSTOM_RESOURCE_CLEANUP_FINALIZER } from './crd-strategy.js';
import { customResourceStatusStrategy, customResourceStrategy } from './custom-resource-strategy.js';
import { type UsedNames, acceptNames, addUsedNames, emptyUsedNames } from './naming.js';
import { customResourceTypes } from './resource-types.js';
import { WorkQueue } from './work-queue.js';

const CRD_RESOURCE = 'customresourcedefinitions';

export interface CRDControllerOptions {
  scheme: Scheme;
  registry: Registry;
  /** Where custom resources are stored and cached (per-version stores share them). */
  backend: Backend;
  cache: WatchCache;
  freeze?: boolean;
  /** Custom printers by `group/resource/version` (the server's table). */
  printers: Map<string, Printer>;
  clock: Clock;
  logger: Logger;
}

/** What is being served for one CRD. */
interface Served {
  group: string;
  plural: string;
  versions: string[];
  definitions: string[];
  /** Spec and names it was built from: an unchanged CRD is not reinstalled. */
  fingerprint: string;
  terminating: boolean;
}

/** JSON with object keys sorted, so equal values always compare equal. */
function stableJSON(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.reason === 'NotFound';
}

export class CRDController {
  private readonly served = new Map<string, Served>();
  /** Names each CRD holds, as decided here (ahead of what the cache shows). */
  private readonly accepted = new Map<string, { group: string; names: CustomResourceDefinitionNamesT }>();
  /** Watches of the instances of CRDs waiting for their objects to go. */
  private readonly instanceWatches = new Map<string, AbortController>();
  private readonly queue: WorkQueue;
  private readonly ctx: RequestContext;
  private abort?: AbortController;

  constructor(private readonly opts: CRDControllerOptions) {
    this.ctx = systemContext(opts.clock, { fieldManager: 'k8ts-apiextensions' });
    this.queue = new WorkQueue({
      clock: opts.clock,
      process: (name) => this.reconcile(name),
      onError: (name, err) => opts.logger.warn('reconciling CRD failed; will retry', { crd: name, err: err instanceof Error ? err.message : String(err) }),
    });
  }

  private get store(): Store {
    const s = this.opts.registry.storeFor(APIEXTENSIONS_GROUP, CRD_RESOURCE);
    if (!s) throw new Error('customresourcedefinitions are not served');
    return s;
  }

  private get statusStrategy(): Strategy | undefined {
    return this.opts.registry.endpoints.get(APIEXTENSIONS_GROUP, APIEXTENSIONS_VERSION, CRD_RESOURCE)?.statusStrategy;
  }

  /**
   * Starts following CRDs; resolves once every CRD that exists now has been
   * reconciled, so a restarted server serves them before it reports ready.
   */
  async start(signal: AbortSignal): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    signal.addEventListener('abort', () => this.stop(), { once: true });
    this.watch();
    await this.queue.idle();
  }

  stop(): void {
    this.abort?.abort();
    this.queue.stop();
    for (const w of this.instanceWatches.values()) w.abort();
    this.instanceWatches.clear();
  }

  /** Resolves once queued work is done (tests, startup). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Whether the CRD of this name is currently served. */
  isServed(name: string): boolean {
    return this.served.has(name);
  }

  private watch(): void {
    const abort = this.abort!;
    if (abort.signal.aborted) return;
    // Without a resourceVersion the watch starts with every current CRD.
    this.store.watch({
      namespace: '',
      signal: abort.signal,
      onEvents: (events) => {
        for (const e of events) this.queue.add(e.object.name);
      },
      onError: () => {
        // The cache was reset: follow it again, starting from its current state.
        if (!abort.signal.aborted) queueMicrotask(() => this.watch());
      },
    });
  }

  /** Brings serving and status in line with the stored CRD of this name. */
  async reconcile(name: string): Promise<void> {
    let crd: CustomResourceDefinitionT;
    try {
      crd = (await this.store.get('', name)).clone() as unknown as CustomResourceDefinitionT;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.forget(name);
      return;
    }
    if (crd.metadata?.deletionTimestamp) return this.finalize(name, crd);
    return this.serve(name, crd);
  }

  private forget(name: string): void {
    this.uninstall(name);
    this.releaseNames(name);
    this.instanceWatches.get(name)?.abort();
    this.instanceWatches.delete(name);
  }

  /** Drops a CRD's names and lets the others of its group try for them again. */
  private releaseNames(name: string): void {
    const mine = this.accepted.get(name);
    if (!mine) return;
    this.accepted.delete(name);
    for (const [other, a] of this.accepted) if (a.group === mine.group) this.queue.add(other);
  }

  private async usedNames(group: string, self: string): Promise<UsedNames> {
    const used = emptyUsedNames();
    const seen = new Set<string>([self]);
    for (const [name, a] of this.accepted) {
      if (seen.has(name) || a.group !== group) continue;
      seen.add(name);
      addUsedNames(used, a.names);
    }
    const list = await this.store.list({ namespace: '', resourceVersion: '0' });
    for (const item of list.items) {
      if (seen.has(item.name)) continue;
      const other = item.object as unknown as CustomResourceDefinitionT;
      if (other.spec?.group === group) addUsedNames(used, other.status?.acceptedNames);
    }
    for (const ep of this.opts.registry.endpoints.all()) {
      if (ep.custom || ep.rt.group !== group) continue;
      addUsedNames(used, { plural: ep.rt.resource, singular: ep.rt.singular, shortNames: ep.rt.shortNames, kind: ep.rt.kind, listKind: `${ep.rt.kind}List` });
    }
    return used;
  }

  private async serve(name: string, crd: CustomResourceDefinitionT): Promise<void> {
    const spec = crd.spec;
    const decision = acceptNames(spec.names, crd.status?.acceptedNames, await this.usedNames(spec.group, name));
    this.accepted.set(name, { group: spec.group, names: decision.accepted });
    const wasEstablished = isConditionTrue(crd, 'Established');
    if (decision.ok) this.install(name, crd, decision.accepted, { terminating: false });
    else if (!wasEstablished) this.uninstall(name);
    const now = rfc3339(this.opts.clock.now());
    await this.updateStatus(name, (fresh) => {
      const status = (fresh.status ??= {});
      status.acceptedNames = decision.accepted;
      setCondition(fresh, { type: 'NamesAccepted', status: decision.ok ? 'True' : 'False', reason: decision.reason, message: decision.message }, now);
      if (decision.ok) {
        if (!isConditionTrue(fresh, 'Established')) setCondition(fresh, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
      } else if (!isConditionTrue(fresh, 'Established')) {
        setCondition(fresh, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }, now);
      }
      const storage = spec.versions.find((v) => v.storage)?.name;
      const stored = (status.storedVersions ??= []);
      if (storage && !stored.includes(storage)) stored.push(storage);
    });
  }

  private async finalize(name: string, crd: CustomResourceDefinitionT): Promise<void> {
    if (!(crd.metadata?.finalizers ?? []).includes(CUSTOM_RESOURCE_CLEANUP_FINALIZER)) {
      // Someone else's finalizers hold it; its instances are no longer ours to serve.
      this.uninstall(name);
      return;
    }
    const names = crd.status?.acceptedNames;
    const servable = !!names?.plural && !!names.kind;
    if (servable) this.install(name, crd, names, { terminating: true });
    // Progress is reported once; later passes only report the outcome.
    const terminating = findCondition(crd, 'Terminating');
    if (!terminating || terminating.reason === 'InstanceDeletionPending') {
      await this.setConditions(name, [{ type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }]);
    }

    if (servable) {
      const store = this.opts.registry.storeFor(crd.spec.group, names.plural);
      const remaining = store ? await this.deleteInstances(store) : 0;
      if (remaining > 0) {
        // Objects with finalizers of their own: come back when they go.
        this.watchInstances(name, store!);
        await this.setConditions(name, [
          { type: 'Terminating', status: 'True', reason: 'InstanceDeletionCheck', message: 'could not confirm zero CustomResources remaining: timed out waiting for the condition' },
        ]);
        return;
      }
    }
    this.instanceWatches.get(name)?.abort();
    this.instanceWatches.delete(name);
    this.uninstall(name);
    await this.setConditions(name, [{ type: 'Terminating', status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' }]);
    await this.store
      .guaranteedUpdate(this.ctx, '', name, (current) => {
        if (!current) throw notFound({ group: APIEXTENSIONS_GROUP, resource: CRD_RESOURCE }, name);
        current.metadata.finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== CUSTOM_RESOURCE_CLEANUP_FINALIZER);
        return current;
      })
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    this.releaseNames(name);
  }

  /** Deletes every instance (all namespaces); returns how many are still there. */
  private async deleteInstances(store: Store): Promise<number> {
    const listed = await store.list({ namespace: '' });
    for (const item of listed.items) {
      if (item.object.metadata.deletionTimestamp) continue;
      await store.delete(this.ctx, item.namespace, item.name, {}).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
    return (await store.list({ namespace: '' })).items.length;
  }

  private watchInstances(name: string, store: Store): void {
    if (this.instanceWatches.has(name)) return;
    const abort = new AbortController();
    this.instanceWatches.set(name, abort);
    this.abort?.signal.addEventListener('abort', () => abort.abort(), { once: true });
    store.watch({
      namespace: '',
      resourceVersion: String(store.currentRevision()),
      signal: abort.signal,
      onEvents: (events) => {
        if (events.some((e) => e.type === 'DELETED')) this.queue.add(name);
      },
      onError: () => {
        this.instanceWatches.delete(name);
        this.queue.add(name);
      },
    });
  }

  private setConditions(name: string, conditions: ConditionInput[]): Promise<void> {
    const now = rfc3339(this.opts.clock.now());
    return this.updateStatus(name, (fresh) => {
      for (const c of conditions) setCondition(fresh, c, now);
    });
  }

  /** A status write on the freshest object; a CRD gone meanwhile is not an error. */
  private async updateStatus(name: string, mutate: (crd: CustomResourceDefinitionT) => void): Promise<void> {
    await this.store
      .guaranteedUpdate(
        this.ctx,
        '',
        name,
        (current) => {
          if (!current) throw notFound({ group: APIEXTENSIONS_GROUP, resource: CRD_RESOURCE }, name);
          mutate(current as unknown as CustomResourceDefinitionT);
          return current;
        },
        { strategy: this.statusStrategy },
      )
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
  }

  /** Serves the CRD's versions under the given names; a no-op when nothing changed. */
  private install(name: string, crd: CustomResourceDefinitionT, names: CustomResourceDefinitionNamesT, opts: { terminating: boolean }): void {
    const { scheme, registry, printers } = this.opts;
    const group = crd.spec.group;
    const fingerprint = stableJSON({ spec: crd.spec, names });
    const prev = this.served.get(name);
    if (prev && prev.fingerprint === fingerprint) {
      prev.terminating = opts.terminating;
      return;
    }
    const types = customResourceTypes(crd, { resolver: scheme, names });
    if (prev && (prev.plural !== names.plural || types.length === 0)) this.uninstall(name);
    const current = this.served.get(name);
    const versions = types.map((t) => t.version);
    const definitions = types.map((t) => t.definition.name);
    if (current) {
      for (const v of current.versions) {
        if (versions.includes(v)) continue;
        registry.endpoints.delete(group, v, current.plural);
        scheme.removeType(group, v, current.plural);
        printers.delete(`${group}/${current.plural}/${v}`);
      }
      const stale = current.definitions.filter((d) => !definitions.includes(d));
      if (stale.length) scheme.removeDefinitions(stale);
    }
    if (types.length === 0) return;
    const entry: Served = { group, plural: names.plural, versions, definitions, fingerprint, terminating: opts.terminating };
    this.served.set(name, entry);
    for (const rt of types) scheme.addType(rt);
    registry.install(types, {
      custom: true,
      strategy: (rt: ResourceType, base: Strategy) => customResourceStrategy(rt, base, { terminating: () => entry.terminating }),
    });
    for (const rt of types) {
      const ep = registry.endpoints.get(group, rt.version, rt.resource);
      if (!ep) continue;
      // Objects are validated against the schema of the version they were sent in, before
      // conversion: every other version gets a store of its own over the same storage.
      if (!rt.storageVersion) ep.store = this.versionStore(rt, entry);
      if (ep.statusStrategy) ep.statusStrategy = customResourceStatusStrategy(ep.store.strategy);
      const version = crd.spec.versions.find((v) => v.name === rt.version);
      printers.set(`${group}/${rt.resource}/${rt.version}`, crdPrinter(version?.additionalPrinterColumns ?? []));
    }
    this.opts.logger.info('serving custom resource', { crd: name, versions: versions.join(',') });
  }

  private versionStore(rt: ResourceType, entry: Served): Store {
    const { backend, cache, clock, freeze } = this.opts;
    const resource = { group: rt.group, resource: rt.resource };
    return new Store({
      backend,
      cache: cache.register(resourcePrefix(resource)),
      resource,
      kind: rt.kind,
      strategy: customResourceStrategy(rt, defaultStrategy(rt, { custom: true }), { terminating: () => entry.terminating }),
      clock,
      freeze,
      waitFresh: () => cache.waitFresh(),
    });
  }

  private uninstall(name: string): void {
    const s = this.served.get(name);
    if (!s) return;
    const { scheme, registry, printers } = this.opts;
    registry.uninstall(s.group, s.plural);
    for (const v of s.versions) {
      scheme.removeType(s.group, v, s.plural);
      printers.delete(`${s.group}/${s.plural}/${v}`);
    }
    scheme.removeDefinitions(s.definitions);
    this.served.delete(name);
    this.opts.logger.info('stopped serving custom resource', { crd: name });
  }
}
