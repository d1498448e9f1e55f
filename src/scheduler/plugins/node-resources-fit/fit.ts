/**
 * The resource fit check: pod count, then cpu, memory, ephemeral storage
 * and extended resources against what is left of allocatable.
 */
import { CPU, EPHEMERAL_STORAGE, MEMORY, PODS, isScalarResource, type ResourceMap } from '../../framework/resource.js';
import type { NodeInfo } from '../../framework/node-info.js';

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
  /** The request exceeds the node's allocatable outright: no preemption can help. */
  unresolvable: boolean;
}

export interface FitOptions {
  ignoredResources?: ReadonlySet<string>;
  /** Extended resources whose name prefix (before "/") is in this set are not checked. */
  ignoredResourceGroups?: ReadonlySet<string>;
}

export function fitsRequest(podRequest: ResourceMap, nodeInfo: NodeInfo, opts: FitOptions = {}): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const allowed = nodeInfo.allowedPodNumber();
  if (nodeInfo.pods.length + 1 > allowed) {
    out.push({ resourceName: PODS, reason: 'Too many pods', requested: 1, used: nodeInfo.pods.length, capacity: allowed, unresolvable: false });
  }
  const check = (name: string, reason: string) => {
    const want = podRequest.get(name) ?? 0;
    if (want <= 0) return;
    const alloc = nodeInfo.allocatableOf(name);
    const used = nodeInfo.requested.get(name) ?? 0;
    if (want > alloc - used) out.push({ resourceName: name, reason, requested: want, used, capacity: alloc, unresolvable: want > alloc });
  };
  check(CPU, 'Insufficient cpu');
  check(MEMORY, 'Insufficient memory');
  check(EPHEMERAL_STORAGE, 'Insufficient ephemeral-storage');
  for (const name of [...podRequest.keys()].sort()) {
    if (!isScalarResource(name)) continue;
    if (opts.ignoredResources?.has(name)) continue;
    const slash = name.indexOf('/');
    if (slash > 0 && opts.ignoredResourceGroups?.has(name.slice(0, slash))) continue;
    check(name, `Insufficient ${name}`);
  }
  return out;
}
