/**
 * What the handlers need to serve one group/version/resource: the served type,
 * the store of its storage resource (shared by every version), the strategies
 * for the main resource and /status, conversion to and from the storage
 * version, and the field selectors it supports.
 */
import type { ResourceType } from '../../api/scheme.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { apiVersionOf } from '../../machinery/meta/types.js';
import type { FieldGetter } from './field-selectors.js';
import type { Store } from './store.js';
import type { Strategy } from './strategy.js';

export interface Endpoint {
  /** The served version's type. */
  rt: ResourceType;
  /** The storage version's type. */
  storageType: ResourceType;
  store: Store;
  statusStrategy?: Strategy;
  /** False when served and storage versions are the same (no conversion needed). */
  converts: boolean;
  fieldGetters: Map<string, FieldGetter>;
  /** True for custom resources (CRDs): full schema validation, merge patch only. */
  custom: boolean;
}

/** Storage form -> served form (apiVersion/kind set). Returns a new object when converting. */
export function toServed(ep: Endpoint, obj: KubeObject): KubeObject {
  const out = ep.converts && ep.rt.convert ? ep.rt.convert(obj, 'fromStorage') : obj;
  out.apiVersion = apiVersionOf(ep.rt.group, ep.rt.version);
  out.kind = ep.rt.kind;
  return out;
}

/** Served form -> storage form. */
export function toStorage(ep: Endpoint, obj: KubeObject): KubeObject {
  const out = ep.converts && ep.rt.convert ? ep.rt.convert(obj, 'toStorage') : obj;
  out.apiVersion = apiVersionOf(ep.storageType.group, ep.storageType.version);
  out.kind = ep.storageType.kind;
  return out;
}

/** Endpoints by group/version/resource; changes as CRDs come and go. */
export class EndpointRegistry {
  private readonly byGVR = new Map<string, Endpoint>();

  set(ep: Endpoint): void {
    this.byGVR.set(`${ep.rt.group}/${ep.rt.version}/${ep.rt.resource}`, ep);
  }

  delete(group: string, version: string, resource: string): void {
    this.byGVR.delete(`${group}/${version}/${resource}`);
  }

  get(group: string, version: string, resource: string): Endpoint | undefined {
    return this.byGVR.get(`${group}/${version}/${resource}`);
  }

  all(): Endpoint[] {
    return [...this.byGVR.values()];
  }
}
