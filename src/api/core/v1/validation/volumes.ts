/** Pod volumes: names, exactly one source, and the essentials of each source upstream checks. */
import { type FieldError, FieldPath, field } from '../../../../machinery/errors/field.js';
import type { KeyToPathT } from '../types/volume-sources.js';
import type { VolumeT } from '../types/volume.js';
import { dnsLabel, fileMode, quantity } from './common.js';
import { validatePersistentVolumeClaimSpec } from './persistent-volume.js';

/** Upstream's order of sources when counting them; the second one found is reported. */
const SOURCE_ORDER = [
  'hostPath', 'emptyDir', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs', 'flocker',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'downwardAPI', 'fc', 'azureFile', 'configMap', 'vsphereVolume',
  'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'projected', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
] as const;

const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

/** validateLocalDescendingPath: relative, without '..' segments. */
export function validateLocalDescendingPath(target: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(field.invalid(path.text, target, 'must be a relative path'));
  if (target.split(/[\\/]/).includes('..')) errs.push(field.invalid(path.text, target, "must not contain '..'"));
  return errs;
}

function validateLocalNonReservedPath(target: string, path: FieldPath): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..')) errs.push(field.invalid(path.text, target, "must not start with '..'"));
  return errs;
}

function validateKeyToPaths(items: KeyToPathT[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (items ?? []).forEach((it, i) => {
    const p = path.index(i);
    if (!it.key) errs.push(field.required(p.child('key').text, ''));
    if (!it.path) errs.push(field.required(p.child('path').text, ''));
    else errs.push(...validateLocalNonReservedPath(it.path, p.child('path')));
    errs.push(...fileMode(it.mode, p.child('mode')));
  });
  return errs;
}

function validateSourceDetails(v: VolumeT, path: FieldPath, opts: { isTemplate: boolean }): FieldError[] {
  const errs: FieldError[] = [];
  if (v.hostPath) {
    const p = path.child('hostPath');
    if (!v.hostPath.path) errs.push(field.required(p.child('path').text, ''));
    if (v.hostPath.type !== undefined && !HOST_PATH_TYPES.includes(v.hostPath.type)) errs.push(field.notSupported(p.child('type').text, v.hostPath.type, HOST_PATH_TYPES));
  }
  if (v.emptyDir?.sizeLimit !== undefined) {
    const q = quantity(v.emptyDir.sizeLimit);
    if (q && q.sign() <= 0) errs.push(field.forbidden(path.child('emptyDir').child('sizeLimit').text, 'SizeLimit field must be a valid resource quantity'));
  }
  if (v.secret) {
    const p = path.child('secret');
    if (!v.secret.secretName) errs.push(field.required(p.child('secretName').text, ''));
    errs.push(...fileMode(v.secret.defaultMode, p.child('defaultMode')), ...validateKeyToPaths(v.secret.items, p.child('items')));
  }
  if (v.configMap) {
    const p = path.child('configMap');
    if (!v.configMap.name) errs.push(field.required(p.child('name').text, ''));
    errs.push(...fileMode(v.configMap.defaultMode, p.child('defaultMode')), ...validateKeyToPaths(v.configMap.items, p.child('items')));
  }
  if (v.downwardAPI) {
    const p = path.child('downwardAPI');
    errs.push(...fileMode(v.downwardAPI.defaultMode, p.child('defaultMode')));
    (v.downwardAPI.items ?? []).forEach((f, i) => {
      const fp = p.child('items').index(i);
      if (!f.path) errs.push(field.required(fp.child('path').text, ''));
      else errs.push(...validateLocalNonReservedPath(f.path, fp.child('path')));
      errs.push(...fileMode(f.mode, fp.child('mode')));
      if (f.fieldRef && f.resourceFieldRef) errs.push(field.invalid(fp.text, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
      else if (!f.fieldRef && !f.resourceFieldRef) errs.push(field.required(fp.text, 'one of fieldRef and resourceFieldRef is required'));
    });
  }
  if (v.projected) {
    const p = path.child('projected');
    errs.push(...fileMode(v.projected.defaultMode, p.child('defaultMode')));
    (v.projected.sources ?? []).forEach((s, i) => {
      const sp = p.child('sources').index(i);
      const set = (['secret', 'downwardAPI', 'configMap', 'serviceAccountToken', 'clusterTrustBundle'] as const).filter((k) => s[k]);
      if (set.length === 0) errs.push(field.required(sp.text, 'must specify exactly 1 projection type'));
      for (const extra of set.slice(1)) errs.push(field.forbidden(sp.child(extra).text, 'may not specify more than 1 volume type per source'));
      if (s.serviceAccountToken) {
        const tp = sp.child('serviceAccountToken');
        const exp = s.serviceAccountToken.expirationSeconds;
        if (typeof exp === 'number') {
          if (exp < 10 * 60) errs.push(field.invalid(tp.child('expirationSeconds').text, exp, 'may not specify a duration less than 10 minutes'));
          else if (exp > 2 ** 32) errs.push(field.invalid(tp.child('expirationSeconds').text, exp, 'may not specify a duration larger than 2^32 seconds'));
        }
        if (!s.serviceAccountToken.path) errs.push(field.required(tp.child('path').text, ''));
      }
      if (s.secret) errs.push(...validateKeyToPaths(s.secret.items, sp.child('secret').child('items')));
      if (s.configMap) errs.push(...validateKeyToPaths(s.configMap.items, sp.child('configMap').child('items')));
    });
  }
  if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(field.required(path.child('persistentVolumeClaim').child('claimName').text, ''));
  if (v.nfs) {
    const p = path.child('nfs');
    if (!v.nfs.server) errs.push(field.required(p.child('server').text, ''));
    if (!v.nfs.path) errs.push(field.required(p.child('path').text, ''));
    else if (!v.nfs.path.startsWith('/')) errs.push(field.invalid(p.child('path').text, v.nfs.path, 'must be an absolute path'));
  }
  if (v.csi && !v.csi.driver) errs.push(field.required(path.child('csi').child('driver').text, ''));
  if (v.ephemeral) {
    const p = path.child('ephemeral');
    const tpl = v.ephemeral.volumeClaimTemplate;
    if (!tpl) errs.push(field.required(p.child('volumeClaimTemplate').text, ''));
    else errs.push(...validatePersistentVolumeClaimSpec(tpl.spec, p.child('volumeClaimTemplate').child('spec')));
  }
  if (v.image && !opts.isTemplate && !v.image.reference) errs.push(field.required(path.child('image').child('reference').text, ''));
  if (v.image?.pullPolicy !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(v.image.pullPolicy)) {
    errs.push(field.notSupported(path.child('image').child('pullPolicy').text, v.image.pullPolicy, ['Always', 'IfNotPresent', 'Never']));
  }
  return errs;
}

/** Validates pod volumes and returns the volume names (for volumeMounts). */
export function validateVolumes(volumes: VolumeT[] | undefined, path: FieldPath, opts: { isTemplate: boolean }): { errors: FieldError[]; names: Set<string> } {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((v, i) => {
    const p = path.index(i);
    const rec = v as Record<string, unknown>;
    const present = SOURCE_ORDER.filter((k) => rec[k] !== undefined && rec[k] !== null);
    if (present.length === 0) errors.push(field.required(p.text, 'must specify a volume type'));
    for (const extra of present.slice(1)) errors.push(field.forbidden(p.child(extra).text, 'may not specify more than 1 volume type'));
    if (present.length) errors.push(...validateSourceDetails(v, p, opts));
    const namePath = p.child('name');
    if (!v.name) errors.push(field.required(namePath.text, ''));
    else errors.push(...dnsLabel(v.name, namePath));
    if (v.name && names.has(v.name)) errors.push(field.duplicate(namePath.text, v.name));
    if (v.name) names.add(v.name);
  });
  return { errors, names };
}

