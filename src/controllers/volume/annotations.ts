/**
 * The annotations and names the persistent volume binder, the provisioners
 * and the scheduler agree on, spelled exactly as upstream so objects written
 * by either side read the same to kubectl and to external tools.
 */
import type { PersistentVolumeClaimT, PersistentVolumeT } from '../../api/core/v1/types.js';
import type { StorageClassT } from '../../api/storage/v1/types.js';
import type { KubeObject } from '../../machinery/meta/types.js';

export type PV = PersistentVolumeT & KubeObject;
export type PVC = PersistentVolumeClaimT & KubeObject;
export type StorageClass = StorageClassT & KubeObject;

/** On a claim: the binder finished binding it (value "yes"). */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** On a claim or volume: the binder (not the user) set volumeName / claimRef. */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** On a volume: which provisioner created it, and so which one deletes it. */
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** On a claim: the provisioner asked to create its volume. */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** On a claim: the node the scheduler picked for a WaitForFirstConsumer volume. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** The deprecated way of naming a claim's or volume's class; still honoured first. */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';

/** The node label local volumes are pinned with. */
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

export const PVC_KIND = 'PersistentVolumeClaim';

/** Upstream GetPersistentVolumeClaimClass: the beta annotation wins over the field; none is "". */
export function claimClass(pvc: PVC): string {
  return pvc.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pvc.spec?.storageClassName ?? '';
}

/** Upstream GetPersistentVolumeClass. */
export function volumeClass(pv: PV): string {
  return pv.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pv.spec?.storageClassName ?? '';
}

/** The provisioner a claim was handed to, by either annotation. */
export function claimProvisioner(pvc: PVC): string | undefined {
  const a = pvc.metadata.annotations ?? {};
  return a[ANN_STORAGE_PROVISIONER] ?? a[ANN_BETA_STORAGE_PROVISIONER];
}

export function isDefaultClass(sc: StorageClass): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[ANN_DEFAULT_CLASS] === 'true' || a[ANN_BETA_DEFAULT_CLASS] === 'true';
}

/** Upstream picks the newest default class when several are marked default. */
export function defaultClass(classes: readonly StorageClass[]): StorageClass | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  return defaults[0];
}

/** The claim names a pod's volumes refer to, including generic ephemeral volumes' "<pod>-<volume>". */
export function podClaimNames(pod: { metadata: { name?: string }; spec?: unknown }): string[] {
  const volumes = (pod.spec as { volumes?: { name: string; persistentVolumeClaim?: { claimName?: string }; ephemeral?: unknown }[] } | undefined)?.volumes ?? [];
  const out: string[] = [];
  for (const v of volumes) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata.name ?? ''}-${v.name}`);
  }
  return out;
}
