/** PersistentVolume and PersistentVolumeClaim validation, create and update. */
import { type FieldError, FieldPath, field } from '../../../../machinery/errors/field.js';
import type { PersistentVolumeClaimSpecT, PersistentVolumeClaimT, PersistentVolumeSpecT, PersistentVolumeT } from '../types/persistent-volume.js';
import { diffPaths, dnsSubdomain, immutable, IS_NOT_POSITIVE, isNil, quantity, semanticEqual } from './common.js';
import { validateLabelSelector } from './label-selector.js';
import { validateResourceQuantityValue } from './resources.js';
import { validateNodeSelector } from './scheduling.js';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const PV_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc', 'flocker',
  'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'local',
  'storageos', 'csi',
] as const;

function validateAccessModes(modes: string[] | undefined, path: FieldPath, requiredDetail: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!modes?.length) return [field.required(path.text, requiredDetail)];
  for (const m of modes) if (!ACCESS_MODES.includes(m)) errs.push(field.notSupported(path.text, m, ACCESS_MODES));
  if (modes.includes('ReadWriteOncePod') && modes.some((m) => m !== 'ReadWriteOncePod')) {
    errs.push(field.forbidden(path.text, 'may not use ReadWriteOncePod with other access modes'));
  }
  return errs;
}

function positiveQuantity(value: unknown, path: FieldPath): FieldError[] {
  const q = quantity(value);
  return q && q.sign() <= 0 ? [field.invalid(path.text, q.toString(), IS_NOT_POSITIVE)] : [];
}

/** ValidatePersistentVolumeClaimSpec. */
export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpecT | undefined, path: FieldPath): FieldError[] {
  const s = spec ?? {};
  const errs = validateAccessModes(s.accessModes, path.child('accessModes'), 'at least 1 access mode is required');
  if (s.selector) errs.push(...validateLabelSelector(s.selector, path.child('selector')));
  // Upstream reports the storage request under `resources[storage]`.
  const storagePath = path.child('resources').key('storage');
  const storage = s.resources?.requests?.storage;
  if (isNil(storage)) errs.push(field.required(storagePath.text, ''));
  else {
    const pos = positiveQuantity(storage, storagePath);
    errs.push(...(pos.length ? pos : validateResourceQuantityValue('storage', storage, storagePath)));
  }
  if (s.storageClassName) errs.push(...dnsSubdomain(s.storageClassName, path.child('storageClassName')));
  if (!isNil(s.volumeMode) && !VOLUME_MODES.includes(s.volumeMode)) errs.push(field.notSupported(path.child('volumeMode').text, s.volumeMode, VOLUME_MODES));
  for (const k of ['dataSource', 'dataSourceRef'] as const) {
    const ref = s[k];
    if (!ref) continue;
    const p = path.child(k);
    if (!ref.name) errs.push(field.required(p.child('name').text, ''));
    if (!ref.kind) errs.push(field.required(p.child('kind').text, ''));
    if (!ref.apiGroup && ref.kind && ref.kind !== 'PersistentVolumeClaim') {
      errs.push(field.invalid(p.text, ref.kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
    }
  }
  if (s.dataSource && s.dataSourceRef) {
    const same = semanticEqual({ ...s.dataSource, apiGroup: s.dataSource.apiGroup ?? '' }, { apiGroup: s.dataSourceRef.apiGroup ?? '', kind: s.dataSourceRef.kind, name: s.dataSourceRef.name });
    if (!same || s.dataSourceRef.namespace) errs.push(field.invalid(path.text, path.child('dataSource').text, 'must match dataSourceRef'));
  }
  return errs;
}

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaimT): FieldError[] {
  return validatePersistentVolumeClaimSpec(pvc.spec, new FieldPath('spec'));
}

/** ValidatePersistentVolumeClaimUpdate: after binding only the storage request may grow. */
export function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaimT, old: PersistentVolumeClaimT): FieldError[] {
  const errs = validatePersistentVolumeClaim(pvc);
  const next = structuredClone(pvc.spec ?? {}) as PersistentVolumeClaimSpecT;
  const prev = structuredClone(old.spec ?? {}) as PersistentVolumeClaimSpecT;
  // The binder sets volumeName once; a claim created before a default class existed may get one later.
  if (!prev.volumeName) prev.volumeName = next.volumeName;
  if (prev.storageClassName === undefined || prev.storageClassName === null) prev.storageClassName = next.storageClassName;
  if (pvc.status?.phase === 'Bound' && next.resources?.requests) {
    const oldStorage = prev.resources?.requests?.storage;
    if (isNil(oldStorage)) delete next.resources.requests.storage;
    else next.resources.requests.storage = oldStorage;
  }
  if (!semanticEqual(next, prev)) {
    const diff = diffPaths(prev, next).map((p) => `spec.${p}`).join(', ');
    errs.push(field.forbidden('spec', `spec is immutable after creation except resources.requests for bound claims\n  changed: ${diff}`));
  }
  const newSize = quantity(pvc.spec?.resources?.requests?.storage);
  const oldSize = quantity(old.spec?.resources?.requests?.storage);
  if (newSize && oldSize && newSize.cmp(oldSize) < 0) errs.push(field.forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  errs.push(...immutable(pvc.spec?.volumeMode, old.spec?.volumeMode, new FieldPath('volumeMode')));
  return errs;
}

export function validatePersistentVolumeSpec(spec: PersistentVolumeSpecT | undefined, path: FieldPath): FieldError[] {
  const s = spec ?? {};
  const errs = validateAccessModes(s.accessModes, path.child('accessModes'), '');
  const cap = s.capacity ?? {};
  const capPath = path.child('capacity');
  if (Object.keys(cap).length === 0) errs.push(field.required(capPath.text, ''));
  if (!('storage' in cap) || Object.keys(cap).length > 1) errs.push(field.notSupported(capPath.text, cap, ['storage']));
  for (const [k, v] of Object.entries(cap)) errs.push(...positiveQuantity(v, capPath.key(k)));
  if (s.storageClassName) errs.push(...dnsSubdomain(s.storageClassName, path.child('storageClassName')));
  if (!isNil(s.volumeMode) && !VOLUME_MODES.includes(s.volumeMode)) errs.push(field.notSupported(path.child('volumeMode').text, s.volumeMode, VOLUME_MODES));
  const policy = s.persistentVolumeReclaimPolicy;
  if (!isNil(policy) && !RECLAIM_POLICIES.includes(policy)) errs.push(field.notSupported(path.child('persistentVolumeReclaimPolicy').text, policy, RECLAIM_POLICIES));
  const rec = s as Record<string, unknown>;
  const present = PV_SOURCES.filter((k) => !isNil(rec[k]));
  if (present.length === 0) errs.push(field.required(path.text, 'must specify a volume type'));
  for (const extra of present.slice(1)) errs.push(field.forbidden(path.child(extra).text, 'may not specify more than 1 volume type'));
  if (s.hostPath && !s.hostPath.path) errs.push(field.required(path.child('hostPath').child('path').text, ''));
  if (s.nfs) {
    if (!s.nfs.server) errs.push(field.required(path.child('nfs').child('server').text, ''));
    if (!s.nfs.path) errs.push(field.required(path.child('nfs').child('path').text, ''));
  }
  if (s.local) {
    if (!s.local.path) errs.push(field.required(path.child('local').child('path').text, ''));
    if (!s.nodeAffinity) errs.push(field.required(path.child('nodeAffinity').text, 'Local volume requires node affinity'));
  }
  if (s.csi) {
    if (!s.csi.driver) errs.push(field.required(path.child('csi').child('driver').text, ''));
    if (!s.csi.volumeHandle) errs.push(field.required(path.child('csi').child('volumeHandle').text, ''));
  }
  if (s.nodeAffinity) {
    const p = path.child('nodeAffinity');
    if (!s.nodeAffinity.required) errs.push(field.required(p.child('required').text, 'must specify required node constraints'));
    else errs.push(...validateNodeSelector(s.nodeAffinity.required, p.child('required')));
  }
  return errs;
}

export function validatePersistentVolume(pv: PersistentVolumeT): FieldError[] {
  return validatePersistentVolumeSpec(pv.spec, new FieldPath('spec'));
}

/** The volume source fields of a PV spec, which may never change. */
function pvSource(spec: PersistentVolumeSpecT | undefined): Record<string, unknown> {
  const rec = (spec ?? {}) as Record<string, unknown>;
  return Object.fromEntries(PV_SOURCES.filter((k) => !isNil(rec[k])).map((k) => [k, rec[k]]));
}

export function validatePersistentVolumeUpdate(pv: PersistentVolumeT, old: PersistentVolumeT): FieldError[] {
  const errs = validatePersistentVolume(pv);
  const next = pvSource(pv.spec);
  const prev = pvSource(old.spec);
  if (!semanticEqual(next, prev)) {
    errs.push(field.forbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n  changed: ${diffPaths(prev, next).join(', ')}`));
  }
  errs.push(...immutable(pv.spec?.volumeMode, old.spec?.volumeMode, new FieldPath('volumeMode')));
  if (old.spec?.nodeAffinity && !semanticEqual(pv.spec?.nodeAffinity, old.spec.nodeAffinity)) {
    errs.push(field.forbidden('spec.nodeAffinity', 'field is immutable'));
  }
  return errs;
}
