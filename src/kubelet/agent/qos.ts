/** The pod's QoS class from its containers' requests and limits, as upstream computes it. */
import type { ContainerT, PodT } from '../../api/core/v1/types.js';
import { tryParseQuantity } from '../../machinery/quantity.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const SUPPORTED = ['cpu', 'memory'];

function isZero(v: unknown): boolean {
  const q = tryParseQuantity(v);
  return !q.ok || q.quantity.milliValue() === 0;
}

function milli(v: unknown): number | undefined {
  const q = tryParseQuantity(v);
  return q.ok ? q.quantity.milliValue() : undefined;
}

export function podQOSClass(pod: PodT): QOSClass {
  const containers: ContainerT[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let allLimited = true;
  for (const c of containers) {
    const req = (c.resources?.requests ?? {}) as Record<string, unknown>;
    const lim = (c.resources?.limits ?? {}) as Record<string, unknown>;
    for (const name of SUPPORTED) {
      if (req[name] !== undefined && !isZero(req[name])) requests.set(name, (requests.get(name) ?? 0) + milli(req[name])!);
      if (lim[name] !== undefined && !isZero(lim[name])) limits.set(name, (limits.get(name) ?? 0) + milli(lim[name])!);
    }
    if (!SUPPORTED.every((n) => lim[n] !== undefined && !isZero(lim[n]))) allLimited = false;
  }
  if (!requests.size && !limits.size) return 'BestEffort';
  // Requests default to limits, so only an explicit different request breaks Guaranteed.
  const explicitDiff = containers.some((c) => SUPPORTED.some((n) => {
    const r = (c.resources?.requests as Record<string, unknown> | undefined)?.[n];
    const l = (c.resources?.limits as Record<string, unknown> | undefined)?.[n];
    return r !== undefined && milli(r) !== milli(l);
  }));
  if (allLimited && !explicitDiff) return 'Guaranteed';
  return 'Burstable';
}
