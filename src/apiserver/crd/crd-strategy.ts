/**
 * The strategy of customresourcedefinitions themselves (upstream's CRD
 * strategy and REST Delete): status starts with the storage version in
 * storedVersions and keeps gaining new storage versions; the first delete
 * request does not remove the CRD but marks it, adds the cleanup finalizer
 * and the Terminating condition, so the CRD controller can delete every
 * custom resource before the definition goes.
 */
import type { CustomResourceDefinitionT } from '../../api/apiextensions/v1/types.js';
import type { ResourceType } from '../../api/scheme.js';
import { type Clock, rfc3339 } from '../../machinery/clock.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type Strategy, defaultStrategy } from '../registry/strategy.js';
import { isConditionTrue, setCondition } from './conditions.js';
import { storageVersionOf } from './resource-types.js';

export const CUSTOM_RESOURCE_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

function asCRD(obj: KubeObject): CustomResourceDefinitionT {
  return obj as unknown as CustomResourceDefinitionT;
}

/** Adds the storage version to status.storedVersions when it is not there yet. */
function recordStorageVersion(crd: CustomResourceDefinitionT): void {
  const storage = storageVersionOf(crd);
  if (!storage) return;
  const status = (crd.status ??= {});
  const stored = (status.storedVersions ??= []);
  if (!stored.includes(storage)) stored.push(storage);
}

export function crdStrategy(rt: ResourceType, opts: { clock: Clock }): Strategy {
  const base = defaultStrategy(rt);
  return {
    ...base,
    prepareForCreate(ctx, obj) {
      base.prepareForCreate(ctx, obj);
      const crd = asCRD(obj);
      crd.status = { acceptedNames: { plural: '', kind: '' } };
      recordStorageVersion(crd);
    },
    prepareForUpdate(ctx, obj, old) {
      base.prepareForUpdate(ctx, obj, old);
      // The carried-over status is the old object's own value: copy it before adding to it.
      if (obj.status !== undefined) obj.status = JSON.parse(JSON.stringify(obj.status)) as unknown;
      recordStorageVersion(asCRD(obj));
    },
    // Only the first delete request is held: later ones (and the final
    // finalizer removal) let the object go once its finalizers are gone.
    holdsDeletion(obj) {
      return !obj.metadata.deletionTimestamp;
    },
    prepareForDelete(obj) {
      const finalizers = obj.metadata.finalizers ?? [];
      if (!finalizers.includes(CUSTOM_RESOURCE_CLEANUP_FINALIZER)) obj.metadata.finalizers = [...finalizers, CUSTOM_RESOURCE_CLEANUP_FINALIZER];
      // A repeated delete must not reset the progress the controller reported.
      if (isConditionTrue(asCRD(obj), 'Terminating')) return;
      setCondition(
        asCRD(obj),
        { type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' },
        rfc3339(opts.clock.now()),
      );
    },
  };
}
