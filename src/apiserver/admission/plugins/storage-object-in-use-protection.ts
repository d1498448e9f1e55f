/**
 * StorageObjectInUseProtection: every new PersistentVolumeClaim gets the
 * finalizer `kubernetes.io/pvc-protection` and every new PersistentVolume
 * `kubernetes.io/pv-protection`, so deleting one only marks it Terminating
 * until the pvc-protection / pv-protection controllers see it is no longer
 * in use and remove the finalizer.
 */
import type { AdmissionAttributes, AdmissionOperation, MutatingPlugin } from '../types.js';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

const FINALIZER_BY_RESOURCE: Record<string, string> = {
  persistentvolumeclaims: PVC_PROTECTION_FINALIZER,
  persistentvolumes: PV_PROTECTION_FINALIZER,
};

export class StorageObjectInUseProtection implements MutatingPlugin {
  readonly name = 'StorageObjectInUseProtection';

  handles(op: AdmissionOperation): boolean {
    return op === 'CREATE';
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    if (a.group !== '' || a.subresource || !a.object) return;
    const finalizer = FINALIZER_BY_RESOURCE[a.resource];
    if (!finalizer) return;
    const finalizers = a.object.metadata.finalizers ?? [];
    if (finalizers.includes(finalizer)) return;
    a.object.metadata.finalizers = [...finalizers, finalizer];
  }
}
