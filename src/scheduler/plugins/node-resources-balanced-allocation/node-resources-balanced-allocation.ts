/**
 * NodeResourcesBalancedAllocation: favour nodes whose resource usage
 * fractions stay close to each other after placing the pod (one minus
 * their standard deviation).
 */
import type { PodT } from '../../../api/core/v1/types.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, type PreScorePlugin, type ScoreOutput, type ScorePlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { podRequests, type ResourceMap } from '../../framework/resource.js';
import { Status } from '../../framework/status.js';
import { DEFAULT_RESOURCES, allocatableFor, requestedAfter, type ResourceSpec } from '../node-resources-fit/scoring.js';

export const NAME = 'NodeResourcesBalancedAllocation';
const STATE_KEY = 'PreScore' + NAME;

export interface BalancedAllocationArgs {
  resources?: ResourceSpec[];
}

class Requests implements StateData {
  constructor(readonly requests: ResourceMap) {}
  clone(): StateData {
    return this;
  }
}

export function balancedScore(fractions: readonly number[]): number {
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  private readonly resources: ResourceSpec[];

  constructor(args: BalancedAllocationArgs = {}) {
    this.resources = args.resources?.length ? args.resources : DEFAULT_RESOURCES;
  }

  preScore(state: CycleState, pod: PodT): Status {
    const req = podRequests(pod);
    // A best-effort pod changes no balance.
    if (this.resources.every((r) => !(req.get(r.name) ?? 0))) return Status.skip();
    state.write(STATE_KEY, new Requests(req));
    return Status.success();
  }

  score(state: CycleState, pod: PodT, nodeInfo: NodeInfo): ScoreOutput {
    const req = state.read<Requests>(STATE_KEY)?.requests ?? podRequests(pod);
    const fractions: number[] = [];
    for (const r of this.resources) {
      const alloc = allocatableFor(nodeInfo, req, r.name);
      if (alloc === 0) continue;
      fractions.push(Math.min(requestedAfter(nodeInfo, req, r.name, true) / alloc, 1));
    }
    return { score: balancedScore(fractions) };
  }
}
