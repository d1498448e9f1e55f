/** Namespace and Node validation. */
import { type FieldError, FieldPath, field } from '../../../../machinery/errors/field.js';
import { isQualifiedName } from '../../../../machinery/validation/names.js';
import type { NamespaceT } from '../types/namespace.js';
import type { NodeT } from '../types/node.js';
import { validateResourceList } from './resources.js';
import { validateTaints } from './scheduling.js';

/** Finalizer names without a domain must be one of the standard ones. */
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateFinalizerName(name: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(name).map((m) => field.invalid(path.text, name, m));
  if (errs.length) return errs;
  if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
    errs.push(field.invalid(path.text, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

export function validateNamespace(ns: NamespaceT): FieldError[] {
  const path = new FieldPath('spec').child('finalizers');
  return (ns.spec?.finalizers ?? []).flatMap((f) => validateFinalizerName(f, path));
}

export function validateNamespaceUpdate(ns: NamespaceT, old: NamespaceT, subresource?: string): FieldError[] {
  const errs = validateNamespace(ns);
  // spec.finalizers change only through the finalize subresource.
  if (subresource !== 'finalize' && JSON.stringify(ns.spec?.finalizers ?? []) !== JSON.stringify(old.spec?.finalizers ?? [])) {
    errs.push(field.forbidden('spec.finalizers', 'field is immutable; use the finalize subresource'));
  }
  return errs;
}

function parseCIDR(cidr: string): 4 | 6 | undefined {
  const m = /^(.+)\/(\d{1,3})$/.exec(cidr);
  if (!m) return undefined;
  const [, ip = '', bits = ''] = m;
  const n = Number(bits);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip) && ip.split('.').every((p) => Number(p) <= 255) && n <= 32) return 4;
  if (ip.includes(':') && /^[0-9a-fA-F:.]+$/.test(ip) && n <= 128) return 6;
  return undefined;
}

export function validateNode(node: NodeT): FieldError[] {
  const errs: FieldError[] = [];
  const spec = new FieldPath('spec');
  errs.push(...validateTaints(node.spec?.taints, spec.child('taints')));
  const cidrs = node.spec?.podCIDRs ?? [];
  const families: number[] = [];
  cidrs.forEach((c, i) => {
    const fam = parseCIDR(c);
    if (!fam) errs.push(field.invalid(spec.child('podCIDRs').index(i).text, c, 'must be a valid CIDR'));
    else families.push(fam);
  });
  if (cidrs.length > 2 || (families.length === 2 && families[0] === families[1])) {
    errs.push(field.invalid(spec.child('podCIDRs').text, cidrs, 'may specify no more than one CIDR for each IP family'));
  }
  if (node.spec?.podCIDR && cidrs.length && node.spec.podCIDR !== cidrs[0]) {
    errs.push(field.invalid(spec.child('podCIDRs').text, cidrs, 'first value must match `podCIDR`'));
  }
  const status = new FieldPath('status');
  errs.push(...validateResourceList(node.status?.capacity, status.child('capacity')));
  errs.push(...validateResourceList(node.status?.allocatable, status.child('allocatable')));
  return errs;
}

export function validateNodeUpdate(node: NodeT, old: NodeT): FieldError[] {
  const errs = validateNode(node);
  const prevCIDRs = old.spec?.podCIDRs ?? (old.spec?.podCIDR ? [old.spec.podCIDR] : []);
  const nextCIDRs = node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []);
  if (prevCIDRs.length && JSON.stringify(prevCIDRs) !== JSON.stringify(nextCIDRs)) {
    errs.push(field.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old.spec?.providerID && node.spec?.providerID !== old.spec.providerID) {
    errs.push(field.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}
