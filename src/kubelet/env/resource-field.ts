/**
 * resourceFieldRef values: a container's limit or request expressed in units
 * of a divisor, rounded up. A missing limit reads as the node's allocatable
 * amount, since that is what bounds the container in practice.
 */
import type { ContainerT, ResourceRequirementsT } from '../../api/core/v1/types.js';
import { type Quantity, tryParseQuantity } from '../../machinery/quantity.js';
import type { FieldResult } from './field-path.js';

export type ResourceList = Record<string, string | number>;

/** Limits for cpu, memory and ephemeral-storage filled from allocatable where unset. */
export function limitsWithAllocatable(resources: ResourceRequirementsT | undefined, allocatable: ResourceList | undefined): ResourceRequirementsT {
  const limits: ResourceList = { ...(resources?.limits ?? {}) };
  for (const name of ['cpu', 'memory', 'ephemeral-storage']) {
    if (limits[name] === undefined && allocatable?.[name] !== undefined) limits[name] = allocatable[name]!;
  }
  return { ...resources, limits };
}

function quantity(v: string | number | undefined): Quantity | undefined {
  if (v === undefined) return undefined;
  const r = tryParseQuantity(v);
  return r.ok ? r.quantity : undefined;
}

function ceilDiv(a: number, b: number): string {
  return String(Math.ceil(a / b));
}

export interface ResourceFieldSelector {
  resource: string;
  divisor?: string | number;
}

/** The value of `limits.cpu`, `requests.memory`... of a container (limits already defaulted by the caller). */
export function extractContainerResource(sel: ResourceFieldSelector, container: Pick<ContainerT, 'resources'>): FieldResult {
  const divisorQ = quantity(sel.divisor);
  const divisor = divisorQ && !divisorQ.isZero() ? divisorQ : undefined;
  const dot = sel.resource.indexOf('.');
  const kind = sel.resource.slice(0, dot);
  const name = sel.resource.slice(dot + 1);
  const list = kind === 'limits' ? container.resources?.limits : kind === 'requests' ? container.resources?.requests : undefined;
  if (dot < 0 || (kind !== 'limits' && kind !== 'requests')) return { ok: false, message: `unsupported container resource : ${sel.resource}` };
  const q = quantity(list?.[name]);
  switch (name) {
    case 'cpu':
      return { ok: true, value: ceilDiv(q?.milliValue() ?? 0, divisor?.milliValue() ?? 1000) };
    case 'memory':
    case 'ephemeral-storage':
      return { ok: true, value: ceilDiv(q?.value() ?? 0, divisor?.value() ?? 1) };
  }
  if (name.startsWith('hugepages-')) return { ok: true, value: ceilDiv(q?.value() ?? 0, divisor?.value() ?? 1) };
  return { ok: false, message: `unsupported container resource : ${sel.resource}` };
}
