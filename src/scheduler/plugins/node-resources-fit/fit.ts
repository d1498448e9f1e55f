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

const NONE: InsufficientResource[] = [];

/** A request's extended resources in name order, worked out once per request map (the filter runs on every node). */
const scalarNames = new WeakMap<ResourceMap, string[]>();

function scalarResourcesOf(podRequest: ResourceMap): string[] {
  let names = scalarNames.get(podRequest);
  if (!names) scalarNames.set(podRequest, (names = [...podRequest.keys()].filter(isScalarResource).sort()));
  return names;
}

function checkResource(out: InsufficientResource[] | undefined, podRequest: ResourceMap, nodeInfo: NodeInfo, name: string, reason: string): InsufficientResource[] | undefined {
  const want = podRequest.get(name) ?? 0;
  if (want <= 0) return out;
  const alloc = nodeInfo.allocatableOf(name);
  const used = nodeInfo.requested.get(name) ?? 0;
  if (want <= alloc - used) return out;
  (out ??= []).push({ resourceName: name, reason, requested: want, used, capacity: alloc, unresolvable: want > alloc });
  return out;
}

export function fitsRequest(podRequest: ResourceMap, nodeInfo: NodeInfo, opts: FitOptions = {}): InsufficientResource[] {
  let out: InsufficientResource[] | undefined;
  const allowed = nodeInfo.allowedPodNumber();
  if (nodeInfo.pods.length + 1 > allowed) {
    out = [{ resourceName: PODS, reason: 'Too many pods', requested: 1, used: nodeInfo.pods.length, capacity: allowed, unresolvable: false }];
  }
  out = checkResource(out, podRequest, nodeInfo, CPU, 'Insufficient cpu');
  out = checkResource(out, podRequest, nodeInfo, MEMORY, 'Insufficient memory');
  out = checkResource(out, podRequest, nodeInfo, EPHEMERAL_STORAGE, 'Insufficient ephemeral-storage');
  for (const name of scalarResourcesOf(podRequest)) {
    if (opts.ignoredResources?.has(name)) continue;
    const slash = name.indexOf('/');
    if (slash > 0 && opts.ignoredResourceGroups?.has(name.slice(0, slash))) continue;
    out = checkResource(out, podRequest, nodeInfo, name, `Insufficient ${name}`);
  }
  return out ?? NONE;
}
