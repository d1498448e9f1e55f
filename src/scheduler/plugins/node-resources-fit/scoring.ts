/**
 * Resource scoring strategies shared by NodeResourcesFit (LeastAllocated,
 * MostAllocated, RequestedToCapacityRatio) and BalancedAllocation: each
 * takes per-resource (requested, allocatable) and gives a 0-100 score.
 */
import { MAX_NODE_SCORE } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { CPU, MEMORY, isScalarResource, type ResourceMap } from '../../framework/resource.js';

export interface ResourceSpec {
  name: string;
  weight: number;
}

export interface UtilizationShapePoint {
  utilization: number;
  score: number;
}

export type ScoringStrategy =
  | { type: 'LeastAllocated'; resources: ResourceSpec[] }
  | { type: 'MostAllocated'; resources: ResourceSpec[] }
  | { type: 'RequestedToCapacityRatio'; resources: ResourceSpec[]; requestedToCapacityRatio: { shape: UtilizationShapePoint[] } };

export const DEFAULT_RESOURCES: ResourceSpec[] = [
  { name: CPU, weight: 1 },
  { name: MEMORY, weight: 1 },
];

/** The allocatable counted for scoring: 0 for an extended resource the pod does not ask for. */
export function allocatableFor(nodeInfo: NodeInfo, podRequest: ResourceMap, resource: string): number {
  if (!(podRequest.get(resource) ?? 0) && isScalarResource(resource)) return 0;
  return nodeInfo.allocatableOf(resource);
}

/** What the node would have requested with the pod on it (scoring defaults for unset cpu and memory unless `useRequested`). */
export function requestedAfter(nodeInfo: NodeInfo, podRequest: ResourceMap, resource: string, useRequested: boolean): number {
  const base = !useRequested && (resource === CPU || resource === MEMORY) ? nodeInfo.nonZeroRequested : nodeInfo.requested;
  return (base.get(resource) ?? 0) + (podRequest.get(resource) ?? 0);
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

function mostRequested(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  return Math.trunc((Math.min(requested, capacity) * MAX_NODE_SCORE) / capacity);
}

/** Piecewise-linear shape over utilization 0-100; shape scores 0-10 are scaled to 0-100. */
export function brokenLinear(shape: readonly UtilizationShapePoint[], utilization: number): number {
  const pts = shape.map((p) => ({ u: p.utilization, s: (p.score * MAX_NODE_SCORE) / 10 }));
  if (pts.length === 0) return 0;
  if (utilization <= pts[0]!.u) return pts[0]!.s;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    if (utilization <= b.u) return a.s + ((b.s - a.s) * (utilization - a.u)) / (b.u - a.u);
  }
  return pts[pts.length - 1]!.s;
}

export function strategyScore(strategy: ScoringStrategy, nodeInfo: NodeInfo, podRequest: ResourceMap): number {
  let sum = 0;
  let weights = 0;
  for (const r of strategy.resources) {
    const alloc = allocatableFor(nodeInfo, podRequest, r.name);
    if (alloc === 0) continue;
    const req = requestedAfter(nodeInfo, podRequest, r.name, false);
    let s: number;
    if (strategy.type === 'LeastAllocated') s = leastRequested(req, alloc);
    else if (strategy.type === 'MostAllocated') s = mostRequested(req, alloc);
    else s = Math.round(brokenLinear(strategy.requestedToCapacityRatio.shape, Math.trunc((Math.min(req, alloc) * 100) / alloc)));
    sum += s * r.weight;
    weights += r.weight;
  }
  if (weights === 0) return 0;
  return strategy.type === 'RequestedToCapacityRatio' ? Math.round(sum / weights) : Math.trunc(sum / weights);
}
