/**
 * Assembles endpoints from the scheme: one Store (and watch-cache prefix) per
 * storage resource, one Endpoint per served group/version/resource, with the
 * resource's strategy chosen from an explicit table.
 */
import type { ResourceType, Scheme } from '../../api/scheme.js';
import type { Clock } from '../../machinery/clock.js';
import type { Backend } from '../../storage/interface.js';
import type { WatchCache } from '../cacher/watch-cache.js';
import { crdStrategy } from '../crd/crd-strategy.js';
import { Allocator, cidrRange, portRange } from './core/allocator.js';
import { namespaceStrategy } from './core/namespaces.js';
import { jobStrategy } from './batch/jobs.js';
import { nodeStrategy } from './core/nodes.js';
import { podStrategy } from './core/pods.js';
import { serviceStrategy } from './core/services.js';
import { type Endpoint, EndpointRegistry } from './endpoint.js';
import { fieldGetters } from './field-selectors.js';
import { type StorageResource, resourcePrefix } from './keys.js';
import { Store } from './store.js';
import { type Strategy, defaultStrategy, statusStrategy } from './strategy.js';

export interface BuildOptions {
  scheme: Scheme;
  backend: Backend;
  cache: WatchCache;
  clock: Clock;
  serviceCIDR: string;
  nodePortRange: string;
  freeze?: boolean;
  /** How long events live after their last write (upstream --event-ttl). */
  eventTTLSeconds?: number;
}

/** Resources served in one group but stored with another's (upstream's storage sharing). */
const SHARED_STORAGE: Record<string, StorageResource> = {
  'events.k8s.io/events': { group: '', resource: 'events' },
};

export interface Registry {
  endpoints: EndpointRegistry;
  stores: Map<string, Store>;
  allocators: { ips: Allocator; nodePorts: Allocator };
  /** Builds (or rebuilds) endpoints for a set of resource types, e.g. a CRD's versions. */
  install(types: ResourceType[], opts?: { custom?: boolean; strategy?: (rt: ResourceType, base: Strategy) => Strategy }): void;
  uninstall(group: string, resource: string): void;
  storeFor(group: string, resource: string): Store | undefined;
}

export function buildRegistry(opts: BuildOptions): Registry {
  const endpoints = new EndpointRegistry();
  const stores = new Map<string, Store>();
  const serviceRange = cidrRange(opts.serviceCIDR);
  const allocators = {
    ips: new Allocator(opts.backend, '/k8ts/allocations/clusterips/', serviceRange),
    nodePorts: new Allocator(opts.backend, '/k8ts/allocations/nodeports/', portRange(opts.nodePortRange)),
  };
  const waitFresh = () => opts.cache.waitFresh();

  function strategyFor(rt: ResourceType, custom: boolean): Strategy {
    switch (`${rt.group}/${rt.resource}`) {
      case '/pods':
        return podStrategy(rt);
      case '/services':
        return serviceStrategy(rt, { ...allocators, serviceCIDR: opts.serviceCIDR });
      case '/namespaces':
        return namespaceStrategy(rt);
      case '/nodes':
        return nodeStrategy(rt);
      case 'batch/jobs':
        return jobStrategy(rt);
      case '/events':
        return { ...defaultStrategy(rt), ttlSeconds: opts.eventTTLSeconds ?? 3600 };
      case 'apiextensions.k8s.io/customresourcedefinitions':
        return crdStrategy(rt, { clock: opts.clock });
      default:
        return defaultStrategy(rt, { custom });
    }
  }

  function storageOf(rt: ResourceType): StorageResource {
    return SHARED_STORAGE[`${rt.group}/${rt.resource}`] ?? { group: rt.group, resource: rt.resource };
  }

  function install(types: ResourceType[], installOpts: { custom?: boolean; strategy?: (rt: ResourceType, base: Strategy) => Strategy } = {}): void {
    const custom = !!installOpts.custom;
    // Storage types first, so shared-storage versions find their store.
    const ordered = [...types].sort((a, b) => Number(!!b.storageVersion) - Number(!!a.storageVersion));
    for (const rt of ordered) {
      const sr = storageOf(rt);
      const storeKey = `${sr.group}/${sr.resource}`;
      let store = stores.get(storeKey);
      const storageType =
        (rt.storageVersion && sr.group === rt.group ? rt : undefined) ??
        opts.scheme.versionsOf(sr.group, sr.resource).find((t) => t.storageVersion) ??
        rt;
      if (!store || (custom && rt.storageVersion)) {
        let strategy = strategyFor(storageType, custom);
        if (installOpts.strategy) strategy = installOpts.strategy(storageType, strategy);
        store = new Store({
          backend: opts.backend,
          cache: opts.cache.register(resourcePrefix(sr)),
          resource: sr,
          kind: storageType.kind,
          strategy,
          clock: opts.clock,
          freeze: opts.freeze,
          waitFresh,
        });
        stores.set(storeKey, store);
      }
      const hasStatus = !!rt.subresources?.some((s) => s.name === 'status');
      const ep: Endpoint = {
        rt,
        storageType,
        store,
        statusStrategy: hasStatus ? statusStrategy(store.strategy, storageType) : undefined,
        converts: storageType !== rt && !!rt.convert,
        fieldGetters: fieldGetters(sr.group, sr.resource),
        custom,
      };
      endpoints.set(ep);
    }
  }

  function uninstall(group: string, resource: string): void {
    for (const ep of endpoints.all()) if (ep.rt.group === group && ep.rt.resource === resource) endpoints.delete(group, ep.rt.version, resource);
    stores.delete(`${group}/${resource}`);
    opts.cache.unregister(resourcePrefix({ group, resource }));
  }

  install(opts.scheme.types());
  return { endpoints, stores, allocators, install, uninstall, storeFor: (g, r) => stores.get(`${g}/${r}`) };
}
