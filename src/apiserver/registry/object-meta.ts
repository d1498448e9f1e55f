/**
 * Validation every object's metadata gets, whatever its kind (upstream
 * ValidateObjectMeta / ValidateObjectMetaUpdate).
 */
import { type FieldError, field } from '../../machinery/errors/field.js';
import type { ObjectMeta } from '../../machinery/meta/types.js';
import {
  type NameValidator,
  isQualifiedName,
  nameIsDNSSubdomain,
  validateAnnotations,
  validateLabels,
} from '../../machinery/validation/names.js';

const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/**
 * `kubeFinalizers: false` drops core validation's rule that unqualified finalizers be standard ones:
 * apiextensions objects and custom resources only get the generic (qualified name) check upstream.
 */
export function validateObjectMeta(meta: ObjectMeta, opts: { namespaced: boolean; nameValidator?: NameValidator; kubeFinalizers?: boolean }): FieldError[] {
  const errs: FieldError[] = [];
  const validName = opts.nameValidator ?? nameIsDNSSubdomain;
  if (meta.generateName) {
    for (const m of validName(meta.generateName, true)) errs.push(field.invalid('metadata.generateName', meta.generateName, m));
  }
  if (!meta.name) {
    errs.push(field.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const m of validName(meta.name, false)) errs.push(field.invalid('metadata.name', meta.name, m));
  }
  if (opts.namespaced) {
    if (!meta.namespace) errs.push(field.required('metadata.namespace', ''));
  }
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  const refs = meta.ownerReferences ?? [];
  let controllers = 0;
  refs.forEach((r, i) => {
    const p = `metadata.ownerReferences[${i}]`;
    if (!r.apiVersion) errs.push(field.invalid(`${p}.apiVersion`, r.apiVersion ?? '', 'version must not be empty'));
    if (!r.kind) errs.push(field.invalid(`${p}.kind`, r.kind ?? '', 'kind must not be empty'));
    if (!r.name) errs.push(field.invalid(`${p}.name`, r.name ?? '', 'name must not be empty'));
    if (!r.uid) errs.push(field.invalid(`${p}.uid`, r.uid ?? '', 'uid must not be empty'));
    if (r.controller) controllers++;
  });
  if (controllers > 1) errs.push(field.invalid('metadata.ownerReferences', refs, 'Only one reference can have Controller set to true'));
  (meta.finalizers ?? []).forEach((f, i) => {
    const msgs = isQualifiedName(f);
    if (msgs.length) for (const m of msgs) errs.push(field.invalid(`metadata.finalizers[${i}]`, f, m));
    else if (opts.kubeFinalizers !== false && !f.includes('/') && !standardFinalizers.has(f)) {
      errs.push(field.invalid(`metadata.finalizers[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, opts: { namespaced: boolean; nameValidator?: NameValidator; kubeFinalizers?: boolean }): FieldError[] {
  const errs = validateObjectMeta(meta, opts);
  const immutable = (path: string, a: unknown, b: unknown) => {
    if ((a ?? '') !== (b ?? '')) errs.push(field.invalid(path, a, 'field is immutable'));
  };
  immutable('metadata.name', meta.name, old.name);
  immutable('metadata.namespace', meta.namespace, old.namespace);
  immutable('metadata.uid', meta.uid, old.uid);
  immutable('metadata.creationTimestamp', meta.creationTimestamp, old.creationTimestamp);
  if (old.deletionTimestamp && meta.deletionTimestamp !== old.deletionTimestamp) immutable('metadata.deletionTimestamp', meta.deletionTimestamp, old.deletionTimestamp);
  if (old.deletionTimestamp) {
    const added = (meta.finalizers ?? []).filter((f) => !(old.finalizers ?? []).includes(f));
    if (added.length) errs.push(field.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`));
  }
  return errs;
}
