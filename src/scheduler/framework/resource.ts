/**
 * Resource arithmetic as the scheduler does it: CPU in millicores, every
 * other resource as an integer count of its base unit, extended resources
 * in a scalar map. Effective pod requests follow upstream's PodRequests.
 */
import type { ContainerT, PodT } from '../../api/core/v1/types.js';
import { tryParseQuantity } from '../../machinery/quantity.js';

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';

/** Requests assumed for scoring when a container sets none (upstream's non-zero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export type ResourceMap = Map<string, number>;

/** A quantity as the scheduler counts it: millicores for CPU, base units otherwise. */
export function quantityAmount(resource: string, q: string | number | undefined): number {
  if (q === undefined) return 0;
  const r = tryParseQuantity(q);
  if (!r.ok) return 0;
  return resource === CPU ? r.quantity.milliValue() : r.quantity.value();
}

export function resourceListAmounts(list: Record<string, string | number> | undefined): ResourceMap {
  const m: ResourceMap = new Map();
  for (const [k, v] of Object.entries(list ?? {})) m.set(k, quantityAmount(k, v));
  return m;
}

function addInto(into: ResourceMap, from: ResourceMap): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

function maxInto(into: ResourceMap, from: ResourceMap): void {
  for (const [k, v] of from) into.set(k, Math.max(into.get(k) ?? 0, v));
}

function containerRequests(c: ContainerT, nonZero: boolean): ResourceMap {
  // A request left unset defaults to the limit, as API defaulting would have made it.
  const m = resourceListAmounts({ ...c.resources?.limits, ...c.resources?.requests });
  if (nonZero) {
    if (!m.get(CPU)) m.set(CPU, DEFAULT_MILLI_CPU_REQUEST);
    if (!m.get(MEMORY)) m.set(MEMORY, DEFAULT_MEMORY_REQUEST);
  }
  return m;
}

/**
 * The pod's effective requests: regular containers and sidecars (init
 * containers with restartPolicy Always) run together; each ordinary init
 * container runs alone next to the sidecars started before it; the pod
 * needs the larger of the two phases, plus its overhead. `nonZero` fills in
 * the scoring defaults for CPU and memory a container leaves unset.
 */
export function podRequests(pod: PodT, opts: { nonZero?: boolean } = {}): ResourceMap {
  const nonZero = opts.nonZero ?? false;
  const reqs: ResourceMap = new Map();
  for (const c of pod.spec?.containers ?? []) addInto(reqs, containerRequests(c, nonZero));
  const sidecars: ResourceMap = new Map();
  const initPeak: ResourceMap = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    const cr = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addInto(reqs, cr);
      addInto(sidecars, cr);
      maxInto(initPeak, sidecars);
    } else {
      const phase = new Map(cr);
      addInto(phase, sidecars);
      maxInto(initPeak, phase);
    }
  }
  maxInto(reqs, initPeak);
  addInto(reqs, resourceListAmounts(pod.spec?.overhead));
  return reqs;
}

/** Whether a resource name is an extended (scalar) resource rather than cpu/memory/storage/pods. */
export function isScalarResource(name: string): boolean {
  return name !== CPU && name !== MEMORY && name !== EPHEMERAL_STORAGE && name !== PODS;
}
