/** Upstream validation for storage.k8s.io/v1 kinds. */
import { type FieldError, field } from '../../../machinery/errors/field.js';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue, type NameValidator } from '../../../machinery/validation/names.js';
import type { CSIDriverT, CSINodeT, CSIStorageCapacityT, StorageClassT, VolumeAttachmentT } from './types.js';

const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;
const CSI_NODE_ID_MAX = 256;
const MIN_TOKEN_SECONDS = 600;
const MAX_TOKEN_SECONDS = 2 ** 32;

const sameJSON = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** CSI driver names: DNS subdomains (case-insensitive) of at most 63 characters. */
export function csiDriverNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 63) errs.push('must be no more than 63 characters');
  errs.push(...isDNS1123Subdomain(name.toLowerCase()));
  return errs;
}

export const nameIsCSIDriverName: NameValidator = (name) => csiDriverNameErrors(name);

function validateCSIDriverName(name: string | undefined, path: string): FieldError[] {
  if (!name) return [field.required(path, '')];
  return csiDriverNameErrors(name).map((m) => field.invalid(path, name, m));
}

export function validateStorageClass(sc: StorageClassT, old: StorageClassT | undefined): FieldError[] {
  const out: FieldError[] = [];
  const provisioner = sc.provisioner ?? '';
  if (!provisioner) out.push(field.required('provisioner', ''));
  else for (const m of isQualifiedName(provisioner.toLowerCase())) out.push(field.invalid('provisioner', provisioner.toLowerCase(), m));

  const params = sc.parameters ?? {};
  const keys = Object.keys(params);
  if (keys.length > MAX_PARAMETERS) out.push(field.tooLong('parameters', 'Provisioner Parameters exceeded max allowed', MAX_PARAMETERS));
  else {
    let size = 0;
    for (const k of keys) {
      if (k.length < 1) out.push(field.invalid('parameters', k, 'field can not be empty.'));
      size += k.length + (params[k]?.length ?? 0);
    }
    if (size > MAX_PARAMETERS_SIZE) out.push(field.tooLong('parameters', '', MAX_PARAMETERS_SIZE));
  }

  const reclaim: string | undefined = sc.reclaimPolicy;
  if (reclaim && reclaim !== 'Delete' && reclaim !== 'Retain') out.push(field.notSupported('reclaimPolicy', reclaim, ['Delete', 'Retain']));
  const mode: string | undefined = sc.volumeBindingMode;
  if (mode === undefined) out.push(field.required('volumeBindingMode', ''));
  else if (mode !== 'Immediate' && mode !== 'WaitForFirstConsumer') out.push(field.notSupported('volumeBindingMode', mode, ['Immediate', 'WaitForFirstConsumer']));

  const seen: string[] = [];
  (sc.allowedTopologies ?? []).forEach((term, i) => {
    const exprs = term.matchLabelExpressions ?? [];
    exprs.forEach((e, j) => {
      const p = `allowedTopologies[${i}].matchLabelExpressions[${j}]`;
      for (const m of isQualifiedName(e.key ?? '')) out.push(field.invalid(`${p}.key`, e.key, m));
      if (!e.values || e.values.length === 0) out.push(field.required(`${p}.values`, ''));
      (e.values ?? []).forEach((v, k) => {
        for (const m of isValidLabelValue(v)) out.push(field.invalid(`${p}.values[${k}]`, v, m));
      });
    });
    const canonical = JSON.stringify(exprs.map((e) => [e.key, [...(e.values ?? [])].sort()]).sort());
    if (seen.includes(canonical)) out.push(field.duplicate(`allowedTopologies[${i}].matchLabelExpressions`, ''));
    seen.push(canonical);
  });

  if (old) {
    if (!sameJSON(old.parameters ?? {}, sc.parameters ?? {})) out.push(field.forbidden('parameters', 'updates to parameters are forbidden.'));
    if (old.provisioner !== sc.provisioner) out.push(field.forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (old.reclaimPolicy !== sc.reclaimPolicy) out.push(field.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    if (old.volumeBindingMode !== sc.volumeBindingMode) out.push(field.invalid('volumeBindingMode', sc.volumeBindingMode, 'field is immutable'));
  }
  return out;
}

export function validateCSIDriver(d: CSIDriverT, old: CSIDriverT | undefined): FieldError[] {
  const out: FieldError[] = [];
  const spec = d.spec ?? {};
  if (spec.attachRequired === undefined) out.push(field.required('spec.attachRequired', ''));
  if (spec.podInfoOnMount === undefined) out.push(field.required('spec.podInfoOnMount', ''));
  if (spec.requiresRepublish === undefined) out.push(field.required('spec.requiresRepublish', ''));
  if (spec.storageCapacity === undefined) out.push(field.required('spec.storageCapacity', ''));
  const fsGroupPolicies = ['File', 'None', 'ReadWriteOnceWithFSType'];
  if (spec.fsGroupPolicy !== undefined && !fsGroupPolicies.includes(spec.fsGroupPolicy)) out.push(field.notSupported('spec.fsGroupPolicy', spec.fsGroupPolicy, fsGroupPolicies));
  for (const mode of spec.volumeLifecycleModes ?? []) {
    if (mode !== 'Persistent' && mode !== 'Ephemeral') out.push(field.notSupported('spec.volumeLifecycleModes', mode, ['Persistent', 'Ephemeral']));
  }
  const audiences = new Set<string>();
  (spec.tokenRequests ?? []).forEach((tr, i) => {
    const p = `spec.tokenRequests[${i}]`;
    if (audiences.has(tr.audience)) out.push(field.duplicate(`${p}.audience`, tr.audience));
    audiences.add(tr.audience);
    const secs = tr.expirationSeconds;
    if (secs !== undefined && secs < MIN_TOKEN_SECONDS) out.push(field.invalid(`${p}.expirationSeconds`, secs, 'may not specify a duration less than 10 minutes'));
    if (secs !== undefined && secs > MAX_TOKEN_SECONDS) out.push(field.invalid(`${p}.expirationSeconds`, secs, 'may not specify a duration larger than 2^32 seconds'));
  });
  if (old) {
    const o = old.spec ?? {};
    if (o.attachRequired !== spec.attachRequired) out.push(field.invalid('spec.attachRequired', spec.attachRequired, 'field is immutable'));
    if (!sameJSON(o.volumeLifecycleModes, spec.volumeLifecycleModes)) out.push(field.invalid('spec.volumeLifecycleModes', spec.volumeLifecycleModes, 'field is immutable'));
  }
  return out;
}

export function validateCSINode(n: CSINodeT): FieldError[] {
  const out: FieldError[] = [];
  const names = new Set<string>();
  (n.spec?.drivers ?? []).forEach((d, i) => {
    const p = `spec.drivers[${i}]`;
    out.push(...validateCSIDriverName(d.name, `${p}.name`));
    if (d.name && names.has(d.name)) out.push(field.duplicate(`${p}.name`, d.name));
    names.add(d.name);
    if (!d.nodeID) out.push(field.required(`${p}.nodeID`, ''));
    else if (d.nodeID.length > CSI_NODE_ID_MAX) out.push(field.invalid(`${p}.nodeID`, d.nodeID, `must be ${CSI_NODE_ID_MAX} characters or less`));
    const keys = new Set<string>();
    (d.topologyKeys ?? []).forEach((k, j) => {
      if (!k) out.push(field.required(`${p}.topologyKeys`, k));
      if (keys.has(k)) out.push(field.duplicate(`${p}.topologyKeys[${j}]`, k));
      keys.add(k);
      if (k) for (const m of isQualifiedName(k)) out.push(field.invalid(`${p}.topologyKeys[${j}]`, k, m));
    });
    const count = d.allocatable?.count;
    if (count !== undefined && count < 0) out.push(field.invalid(`${p}.allocatable.count`, count, 'must be greater than or equal to 0'));
  });
  return out;
}

export function validateVolumeAttachment(va: VolumeAttachmentT, old: VolumeAttachmentT | undefined, opts: { subresource?: string } = {}): FieldError[] {
  const out: FieldError[] = [];
  if (opts.subresource !== 'status') {
    const spec = va.spec ?? ({} as NonNullable<VolumeAttachmentT['spec']>);
    out.push(...validateCSIDriverName(spec.attacher, 'spec.attacher'));
    const src = spec.source ?? {};
    const hasInline = src.inlineVolumeSpec !== undefined;
    const hasPV = src.persistentVolumeName !== undefined;
    if (!hasInline && !hasPV) out.push(field.required('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
    else if (hasInline && hasPV) out.push(field.forbidden('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
    else if (hasPV && !src.persistentVolumeName) out.push(field.required('spec.source.persistentVolumeName', 'must specify non empty persistentVolumeName'));
    const node = spec.nodeName ?? '';
    if (!node) out.push(field.required('spec.nodeName', ''));
    else for (const m of isDNS1123Subdomain(node)) out.push(field.invalid('spec.nodeName', node, m));
    if (old && !sameJSON(old.spec, va.spec)) out.push(field.invalid('spec', va.spec, 'field is immutable'));
  }
  for (const which of ['attachError', 'detachError'] as const) {
    const msg = va.status?.[which]?.message;
    if (msg && msg.length > 1024) out.push(field.tooLong(`status.${which}.message`, msg, 1024));
  }
  return out;
}

export function validateCSIStorageCapacity(c: CSIStorageCapacityT): FieldError[] {
  const out: FieldError[] = [];
  if (!c.storageClassName) out.push(field.required('storageClassName', ''));
  else for (const m of isDNS1123Subdomain(c.storageClassName)) out.push(field.invalid('storageClassName', c.storageClassName, m));
  for (const f of ['capacity', 'maximumVolumeSize'] as const) {
    const q = c[f];
    if (q !== undefined && String(q).trim().startsWith('-')) out.push(field.invalid(f, q, 'must be greater than or equal to 0'));
  }
  return out;
}
