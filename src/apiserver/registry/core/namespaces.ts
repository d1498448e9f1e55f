/**
 * Namespaces: born Active with the `kubernetes` finalizer in spec; deleting
 * one turns it Terminating and it stays until its spec.finalizers are empty
 * (the namespace controller empties it, then finalizes through /finalize).
 */
import type { ResourceType } from '../../../api/scheme.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import { type Strategy, defaultStrategy, restoreStored, statusStrategy } from '../strategy.js';

type NamespaceSpec = { finalizers?: string[] };

export function namespaceStrategy(rt: ResourceType): Strategy {
  const base = defaultStrategy(rt);
  return {
    ...base,
    returnDeletedObject: true,
    prepareForCreate(ctx, obj) {
      base.prepareForCreate(ctx, obj);
      const spec = (obj.spec ??= {}) as NamespaceSpec;
      if (!spec.finalizers?.includes('kubernetes')) spec.finalizers = [...(spec.finalizers ?? []), 'kubernetes'];
      obj.status = { phase: 'Active' };
    },
    prepareForUpdate(ctx, obj, old) {
      base.prepareForUpdate(ctx, obj, old);
      // spec.finalizers change only through /finalize.
      obj.spec = old.spec;
      obj.status = old.status;
    },
    holdsDeletion(obj: KubeObject) {
      return ((obj.spec as NamespaceSpec | undefined)?.finalizers ?? []).length > 0;
    },
    prepareForDelete(obj: KubeObject) {
      obj.status = { ...((obj.status as object) ?? {}), phase: 'Terminating' };
    },
  };
}

/** PUT /api/v1/namespaces/{name}/finalize: only spec.finalizers change. */
export function namespaceFinalizeStrategy(rt: ResourceType, base: Strategy): Strategy {
  const status = statusStrategy(base, rt);
  return {
    ...status,
    prepareForUpdate(_ctx, obj, old) {
      const finalizers = (obj.spec as NamespaceSpec | undefined)?.finalizers;
      restoreStored(obj, old);
      const spec = ((obj.spec as NamespaceSpec | undefined) ?? {}) as NamespaceSpec;
      // An empty list is omitted, as Go's encoder does.
      if (finalizers?.length) spec.finalizers = finalizers;
      else delete spec.finalizers;
      obj.spec = spec;
    },
  };
}
