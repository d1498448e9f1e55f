/** Resource names and quantities: container requirements, quotas, limit ranges. */
import { type FieldError, FieldPath, field } from '../../../../machinery/errors/field.js';
import { isQualifiedName } from '../../../../machinery/validation/names.js';
import type { ResourceRequirementsT } from '../types/container.js';
import { IS_NEGATIVE, IS_NOT_INTEGER, quantity } from './common.js';

type ResourceList = Record<string, string | number> | undefined;

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const INTEGER_RESOURCES = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers',
]);

export function isHugePageResource(name: string): boolean {
  return name.startsWith('hugepages-');
}

/** Native resources have no domain or a kubernetes.io domain. */
export function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePageResource(name);
}

function isIntegerResource(name: string): boolean {
  return INTEGER_RESOURCES.has(name) || name.startsWith('count/') || isExtendedResourceName(name);
}

/** ValidateResourceQuantityValue: not negative, whole for countable resources. */
export function validateResourceQuantityValue(name: string, value: unknown, path: FieldPath): FieldError[] {
  const q = quantity(value);
  if (!q) return [];
  if (q.sign() < 0) return [field.invalid(path.text, q.toString(), IS_NEGATIVE)];
  if (isIntegerResource(name) && q.milliValue() % 1000 !== 0) return [field.invalid(path.text, q.toString(), IS_NOT_INTEGER)];
  return [];
}

function validateResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(name).map((m) => field.invalid(path.text, name, m));
  if (errs.length) return errs;
  if (name.includes('/') && !isNativeResource(name)) {
    for (const m of isQualifiedName(`requests.${name}`)) errs.push(field.invalid(path.text, name, m));
  }
  return errs;
}

function validateContainerResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePageResource(name)) errs.push(field.invalid(path.text, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(field.invalid(path.text, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** ValidateResourceRequirements: names, non-negative values, requests within limits. */
export function validateResourceRequirements(r: ResourceRequirementsT | undefined, path: FieldPath): FieldError[] {
  if (!r) return [];
  const errs: FieldError[] = [];
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  const limits: ResourceList = r.limits ?? {};
  for (const [name, value] of Object.entries(limits)) {
    const p = limPath.key(name);
    errs.push(...validateContainerResourceName(name, p), ...validateResourceQuantityValue(name, value, p));
  }
  for (const [name, value] of Object.entries(r.requests ?? {})) {
    const p = reqPath.key(name);
    errs.push(...validateContainerResourceName(name, p), ...validateResourceQuantityValue(name, value, p));
    const req = quantity(value);
    const lim = name in limits ? quantity(limits[name]) : undefined;
    if (lim && req) {
      if (!isOvercommitAllowed(name) && req.cmp(lim) !== 0) {
        errs.push(field.invalid(reqPath.text, req.toString(), `must be equal to ${name} limit of ${lim.toString()}`));
      } else if (req.cmp(lim) > 0) {
        errs.push(field.invalid(reqPath.text, req.toString(), `must be less than or equal to ${name} limit of ${lim.toString()}`));
      }
    } else if (!(name in limits) && !isOvercommitAllowed(name)) {
      errs.push(field.required(limPath.text, 'Limit must be set for non overcommitable resources'));
    }
  }
  const seen = new Set<string>();
  (r.claims ?? []).forEach((c, i) => {
    const p = path.child('claims').index(i);
    if (!c.name) errs.push(field.required(p.child('name').text, ''));
    else if (seen.has(c.name)) errs.push(field.duplicate(p.text, c.name));
    seen.add(c.name);
  });
  return errs;
}

/** Quota resource lists: qualified names and non-negative quantities. */
export function validateResourceList(list: ResourceList, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, value] of Object.entries(list ?? {})) {
    const p = path.key(name);
    errs.push(...validateResourceName(name, p), ...validateResourceQuantityValue(name, value, p));
  }
  return errs;
}
