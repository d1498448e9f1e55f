/**
 * LimitRanger admission: the LimitRanges of a namespace give new pods'
 * containers their default requests and limits (mutating), and bound what
 * containers, pods and PersistentVolumeClaims may ask for (validating), with
 * upstream's messages. Pods are only checked on create, as their resources
 * are immutable; claims also on update (resize).
 */
import type { KubeObject } from '../../../machinery/meta/types.js';
import type { Quantity } from '../../../machinery/quantity.js';
import type { Registry } from '../../registry/build.js';
import type { AdmissionAttributes, AdmissionOperation, MutatingPlugin, ValidatingPlugin } from '../types.js';
import { type QuotaPod, type ResourceList, type WireResourceList, parseResourceList, podRequestsAndLimits } from '../../../api/quota/evaluator.js';
import { admissionObjectName } from './resource-quota.js';
import { forbidden } from '../../../machinery/errors/status-error.js';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

export interface LimitRangeItem {
  type?: string;
  max?: WireResourceList;
  min?: WireResourceList;
  default?: WireResourceList;
  defaultRequest?: WireResourceList;
  maxLimitRequestRatio?: WireResourceList;
}

export interface LimitRange {
  metadata: { name?: string };
  spec?: { limits?: LimitRangeItem[] };
}

export type LimitRangeLister = (namespace: string) => Promise<LimitRange[]>;

export function registryLimitRanges(registry: Registry): LimitRangeLister {
  return async (namespace) => {
    const store = registry.storeFor('', 'limitranges');
    if (!store) return [];
    const res = await store.list({ namespace, resourceVersion: '0' });
    return res.items.map((i) => i.object as unknown as LimitRange);
  };
}

interface Container {
  name: string;
  resources?: { requests?: WireResourceList; limits?: WireResourceList };
}

function isPodCreate(a: AdmissionAttributes): boolean {
  return a.operation === 'CREATE' && a.group === '' && a.resource === 'pods' && a.subresource === '' && !!a.object;
}

function isClaimWrite(a: AdmissionAttributes): boolean {
  return (a.operation === 'CREATE' || a.operation === 'UPDATE') && a.group === '' && a.resource === 'persistentvolumeclaims' && a.subresource === '' && !!a.object;
}

/** Default requests and limits for containers: every Container item, later items winning. */
function containerDefaults(ranges: readonly LimitRange[]): { requests: WireResourceList; limits: WireResourceList } {
  const requests: WireResourceList = {};
  const limits: WireResourceList = {};
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type !== 'Container') continue;
      Object.assign(requests, item.defaultRequest ?? {});
      Object.assign(limits, item.default ?? {});
    }
  }
  return { requests, limits };
}

/** Fills what a container leaves unset; answers the annotation phrases upstream records. */
function mergeContainer(c: Container, defaults: { requests: WireResourceList; limits: WireResourceList }, prefix: string): string[] {
  const res = (c.resources ??= {});
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of Object.entries(defaults.limits)) {
    if (res.limits?.[k] !== undefined) continue;
    (res.limits ??= {})[k] = v;
    setLimits.push(k);
  }
  for (const [k, v] of Object.entries(defaults.requests)) {
    if (res.requests?.[k] !== undefined) continue;
    (res.requests ??= {})[k] = v;
    setRequests.push(k);
  }
  const out: string[] = [];
  if (setRequests.length) out.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name}`);
  if (setLimits.length) out.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name}`);
  return out;
}

/** Applies container defaults to a pod in place. */
export function applyPodDefaults(pod: KubeObject, ranges: readonly LimitRange[]): void {
  const defaults = containerDefaults(ranges);
  if (!Object.keys(defaults.requests).length && !Object.keys(defaults.limits).length) return;
  const spec = (pod.spec ?? {}) as { containers?: Container[]; initContainers?: Container[] };
  const notes: string[] = [];
  for (const c of spec.containers ?? []) notes.push(...mergeContainer(c, defaults, 'container'));
  for (const c of spec.initContainers ?? []) notes.push(...mergeContainer(c, defaults, 'init container'));
  if (notes.length) pod.metadata.annotations = { ...pod.metadata.annotations, [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
}

// Values compared in milli-units when that cannot overflow, as upstream does.
const MAX_MILLI = Number.MAX_SAFE_INTEGER / 1000;

function comparable(...qs: (Quantity | undefined)[]): number[] {
  const values = qs.map((q) => q?.value() ?? 0);
  if (values.every((v) => Math.abs(v) <= MAX_MILLI)) return qs.map((q) => q?.milliValue() ?? 0);
  return values;
}

function minConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  const [r, l, e] = comparable(req, lim, enforced) as [number, number, number];
  if (!req) return `minimum ${name} usage per ${type} is ${enforced.toString()}.  No request is specified`;
  if (r < e) return `minimum ${name} usage per ${type} is ${enforced.toString()}, but request is ${req.toString()}`;
  if (lim && l < e) return `minimum ${name} usage per ${type} is ${enforced.toString()}, but limit is ${lim.toString()}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  const [r, l, e] = comparable(req, lim, enforced) as [number, number, number];
  if (!lim) return `maximum ${name} usage per ${type} is ${enforced.toString()}.  No limit is specified`;
  if (l > e) return `maximum ${name} usage per ${type} is ${enforced.toString()}, but limit is ${lim.toString()}`;
  if (req && r > e) return `maximum ${name} usage per ${type} is ${enforced.toString()}, but request is ${req.toString()}`;
  return undefined;
}

/** Claims are bounded by what they request; their limits are not user input. */
function maxRequestConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList): string | undefined {
  const req = requests[name];
  const [r, , e] = comparable(req, undefined, enforced) as [number, number, number];
  if (!req) return `maximum ${name} usage per ${type} is ${enforced.toString()}.  No request is specified`;
  if (r > e) return `maximum ${name} usage per ${type} is ${enforced.toString()}, but request is ${req.toString()}`;
  return undefined;
}

/** Go's %f: six decimals. */
function formatRatio(v: number): string {
  return v.toFixed(6);
}

function ratioConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  const [r, l] = comparable(req, lim, enforced) as [number, number, number];
  if (!req || r === 0) return `${name} max limit to request ratio per ${type} is ${enforced.toString()}, but no request is specified or request is 0`;
  if (!lim || l === 0) return `${name} max limit to request ratio per ${type} is ${enforced.toString()}, but no limit is specified or limit is 0`;
  const observed = l / r;
  const fine = enforced.value() <= MAX_MILLI;
  const max = fine ? enforced.milliValue() : enforced.value();
  if ((fine ? observed * 1000 : observed) > max) {
    return `${name} max limit to request ratio per ${type} is ${enforced.toString()}, but provided ratio is ${formatRatio(observed)}`;
  }
  return undefined;
}

const sortedEntries = (list: WireResourceList | undefined) => Object.entries(parseResourceList(list)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function checkBounds(item: LimitRangeItem, type: string, requests: ResourceList, limits: ResourceList, out: string[]): void {
  for (const [k, q] of sortedEntries(item.min)) push(out, minConstraint(type, k, q, requests, limits));
  for (const [k, q] of sortedEntries(item.max)) push(out, maxConstraint(type, k, q, requests, limits));
  for (const [k, q] of sortedEntries(item.maxLimitRequestRatio)) push(out, ratioConstraint(type, k, q, requests, limits));
}

function push(out: string[], msg: string | undefined): void {
  if (msg && !out.includes(msg)) out.push(msg);
}

/** Every bound a pod breaks, in the order the ranges and their items list them. */
export function podViolations(pod: KubeObject, ranges: readonly LimitRange[]): string[] {
  const out: string[] = [];
  const spec = (pod.spec ?? {}) as { containers?: Container[]; initContainers?: Container[] };
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type === 'Container') {
        for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
          checkBounds(item, 'Container', parseResourceList(c.resources?.requests), parseResourceList(c.resources?.limits), out);
        }
      } else if (item.type === 'Pod') {
        const { requests, limits } = podRequestsAndLimits(pod as unknown as QuotaPod);
        checkBounds(item, 'Pod', requests, limits, out);
      }
    }
  }
  return out;
}

export function claimViolations(pvc: KubeObject, ranges: readonly LimitRange[]): string[] {
  const out: string[] = [];
  const requests = parseResourceList((pvc.spec as { resources?: { requests?: WireResourceList } } | undefined)?.resources?.requests);
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type !== 'PersistentVolumeClaim') continue;
      for (const [k, q] of sortedEntries(item.min)) push(out, minConstraint('PersistentVolumeClaim', k, q, requests, {}));
      for (const [k, q] of sortedEntries(item.max)) push(out, maxRequestConstraint('PersistentVolumeClaim', k, q, requests));
    }
  }
  return out;
}

/** Several errors read `[a, b]`, one reads `a`: upstream's aggregate error. */
export function aggregateMessage(msgs: readonly string[]): string {
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}

export class LimitRanger implements MutatingPlugin, ValidatingPlugin {
  readonly name = 'LimitRanger';

  constructor(private readonly limitRanges: LimitRangeLister) {}

  handles(op: AdmissionOperation): boolean {
    return op === 'CREATE' || op === 'UPDATE';
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    if (!isPodCreate(a) || !a.namespace) return;
    const ranges = await this.limitRanges(a.namespace);
    if (ranges.length) applyPodDefaults(a.object!, ranges);
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    const pod = isPodCreate(a);
    if ((!pod && !isClaimWrite(a)) || !a.namespace) return;
    const ranges = await this.limitRanges(a.namespace);
    if (!ranges.length) return;
    const errs = pod ? podViolations(a.object!, ranges) : claimViolations(a.object!, ranges);
    if (errs.length) throw forbidden({ group: a.group, resource: a.resource }, admissionObjectName(a), aggregateMessage(errs));
  }
}
