/**
 * Per-resource behaviour as a value (upstream's RESTCreateStrategy /
 * RESTUpdateStrategy / RESTDeleteStrategy): what a create resets, what an
 * update keeps, which validation runs, how deletion is graceful. The generic
 * Store runs the same flow for every resource and asks the strategy.
 */
import type { ResourceType } from '../../api/scheme.js';
import type { FieldError } from '../../machinery/errors/field.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { RequestContext } from '../context.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

/** Undo for a side effect taken before the write (e.g. an allocated IP). */
export type Rollback = () => Promise<void>;

export interface Strategy {
  readonly namespaced: boolean;
  /** Resets what clients may not set on create (status, generation). */
  prepareForCreate(ctx: RequestContext, obj: KubeObject): void;
  validate(ctx: RequestContext, obj: KubeObject): FieldError[];
  /** Carries over what this endpoint may not change (status on the main resource, spec on /status). */
  prepareForUpdate(ctx: RequestContext, obj: KubeObject, old: KubeObject): void;
  validateUpdate(ctx: RequestContext, obj: KubeObject, old: KubeObject): FieldError[];
  allowCreateOnUpdate: boolean;
  allowUnconditionalUpdate: boolean;
  /** Whether metadata.generation tracks spec changes. */
  tracksGeneration: boolean;
  /** Grace seconds for a delete; 0 deletes at once. */
  gracePeriodSeconds(obj: KubeObject, requested: number | undefined): number;
  /** Default propagation when the client sends none. */
  defaultPropagation: 'Background' | 'Orphan' | 'Foreground';
  /** Side effects before a create is written (allocations); returns how to undo them. */
  beforeCreate?(ctx: RequestContext, obj: KubeObject): Promise<Rollback | undefined>;
  beforeUpdate?(ctx: RequestContext, obj: KubeObject, old: KubeObject): Promise<Rollback | undefined>;
  /** Releases what the object held once it is gone from storage. */
  afterDelete?(obj: KubeObject): Promise<void>;
  /** Whether DELETE returns the object (true) or a Status (false). */
  returnDeletedObject: boolean;
  /** Keeps a deleted object in storage beyond metadata.finalizers (namespaces' spec.finalizers). */
  holdsDeletion?(obj: KubeObject): boolean;
  /** Marks an object whose deletion has begun (e.g. phase Terminating). */
  prepareForDelete?(obj: KubeObject): void;
  /** Objects expire this long after their last write (events: upstream's --event-ttl, 1 h). */
  ttlSeconds?: number;
}

/** Fields that belong to neither spec nor status: kept across both endpoints. */
const TOP_LEVEL_META = new Set(['apiVersion', 'kind', 'metadata']);

/** True when anything but metadata and status differs: the "spec" for generation purposes. */
export function specChanged(a: KubeObject, b: KubeObject): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (TOP_LEVEL_META.has(k) || k === 'status') continue;
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return true;
  }
  return false;
}

const GENERATION_GROUPS = new Set(['apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'apiextensions.k8s.io']);
const GENERATION_RESOURCES = new Set(['replicationcontrollers', 'customresourcedefinitions']);
/** Groups served outside kube-apiserver's core validation (generic finalizer-name rules). */
const GENERIC_META_GROUPS = new Set(['apiextensions.k8s.io', 'apiregistration.k8s.io']);

export interface StrategyOptions {
  /** Custom resources always track generation. */
  custom?: boolean;
}

/** The strategy a resource gets from its ResourceType alone. */
export function defaultStrategy(rt: ResourceType, opts: StrategyOptions = {}): Strategy {
  const hasStatus = !!rt.hasStatus || !!rt.subresources?.some((s) => s.name === 'status');
  const tracksGeneration = !!opts.custom || GENERATION_GROUPS.has(rt.group) || GENERATION_RESOURCES.has(rt.resource);
  const kubeFinalizers = !opts.custom && !GENERIC_META_GROUPS.has(rt.group);
  return {
    namespaced: rt.namespaced,
    tracksGeneration,
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: true,
    defaultPropagation: 'Background',
    returnDeletedObject: false,
    prepareForCreate(_ctx, obj) {
      // Built-in status is a Go struct: a new object serializes it as `status: {}`, as upstream shows.
      if (hasStatus) {
        if (opts.custom) delete obj.status;
        else obj.status = {};
      }
      if (tracksGeneration) obj.metadata.generation = 1;
      else delete obj.metadata.generation;
    },
    validate(_ctx, obj) {
      return [
        ...validateObjectMeta(obj.metadata, { namespaced: rt.namespaced, nameValidator: rt.nameValidator, kubeFinalizers }),
        ...(rt.validate?.(obj, undefined, { operation: 'create' }) ?? []),
      ];
    },
    prepareForUpdate(_ctx, obj, old) {
      if (hasStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = old.status;
      }
      if (tracksGeneration) obj.metadata.generation = (old.metadata.generation ?? 1) + (specChanged(obj, old) ? 1 : 0);
      else delete obj.metadata.generation;
    },
    validateUpdate(_ctx, obj, old) {
      return [
        ...validateObjectMetaUpdate(obj.metadata, old.metadata, { namespaced: rt.namespaced, nameValidator: rt.nameValidator, kubeFinalizers }),
        ...(rt.validate?.(obj, old, { operation: 'update' }) ?? []),
      ];
    },
    gracePeriodSeconds: () => 0,
  };
}

/**
 * Makes `obj` a private copy of the stored `old`, keeping only the resourceVersion the writer sent
 * (its precondition): where a subresource changes one field, it then sets that field from the request.
 */
export function restoreStored(obj: KubeObject, old: KubeObject): void {
  const resourceVersion = obj.metadata.resourceVersion;
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, JSON.parse(JSON.stringify(old)) as KubeObject);
  if (resourceVersion === undefined) delete obj.metadata.resourceVersion;
  else obj.metadata.resourceVersion = resourceVersion;
}

/** The /status endpoint: only status (and metadata) change; spec is carried over. */
export function statusStrategy(base: Strategy, rt: ResourceType): Strategy {
  return {
    ...base,
    allowCreateOnUpdate: false,
    prepareForUpdate(_ctx, obj, old) {
      for (const k of Object.keys(obj)) if (!TOP_LEVEL_META.has(k) && k !== 'status') delete obj[k];
      for (const k of Object.keys(old)) if (!TOP_LEVEL_META.has(k) && k !== 'status') obj[k] = old[k];
      if (old.metadata.generation !== undefined) obj.metadata.generation = old.metadata.generation;
      else delete obj.metadata.generation;
      // Status writers may not change owners or deletion state.
      obj.metadata.ownerReferences = old.metadata.ownerReferences;
      obj.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
      obj.metadata.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      obj.metadata.finalizers = old.metadata.finalizers;
    },
    validateUpdate(_ctx, obj, old) {
      return [
        ...validateObjectMetaUpdate(obj.metadata, old.metadata, { namespaced: rt.namespaced, nameValidator: rt.nameValidator, kubeFinalizers: !GENERIC_META_GROUPS.has(rt.group) }),
        ...(rt.validate?.(obj, old, { operation: 'update', subresource: 'status' }) ?? []),
      ];
    },
  };
}
