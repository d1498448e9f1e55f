/**
 * NodeResourcesFit: the pod's effective requests must fit what is left of
 * the node's allocatable; feasible nodes score by the configured strategy.
 */
import type { PodT } from '../../../api/core/v1/types.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import { ActionType, type ClusterEventWithHint } from '../../framework/events.js';
import type { EnqueueExtensions, FilterPlugin, PreFilterOutput, PreFilterPlugin, PreScorePlugin, ScoreOutput, ScorePlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { podRequests, type ResourceMap } from '../../framework/resource.js';
import { Code, Status } from '../../framework/status.js';
import { fitsRequest } from './fit.js';
import { DEFAULT_RESOURCES, strategyScore, type ScoringStrategy } from './scoring.js';

export const NAME = 'NodeResourcesFit';
const PRE_FILTER_KEY = 'PreFilter' + NAME;
const PRE_SCORE_KEY = 'PreScore' + NAME;

export interface NodeResourcesFitArgs {
  ignoredResources?: string[];
  ignoredResourceGroups?: string[];
  scoringStrategy?: ScoringStrategy;
}

class Requests implements StateData {
  constructor(readonly requests: ResourceMap) {}
  clone(): StateData {
    return this;
  }
}

/** Field errors of the args, with paths relative to the args object. */
export function validateNodeResourcesFitArgs(args: NodeResourcesFitArgs, path: string): string[] {
  const errs: string[] = [];
  const s = args.scoringStrategy;
  if (!s) return errs;
  const types = ['LeastAllocated', 'MostAllocated', 'RequestedToCapacityRatio'];
  if (!types.includes(s.type)) errs.push(`${path}.scoringStrategy.type: Unsupported value: "${s.type}": supported values: ${types.map((t) => `"${t}"`).join(', ')}`);
  (s.resources ?? []).forEach((r, i) => {
    if (!(r.weight >= 1 && r.weight <= 100)) errs.push(`${path}.scoringStrategy.resources[${i}].weight: Invalid value: ${r.weight}: resource weight of ${r.name} should be in range [1, 100]`);
  });
  if (s.type === 'RequestedToCapacityRatio') {
    const shape = s.requestedToCapacityRatio?.shape ?? [];
    if (shape.length === 0) errs.push(`${path}.scoringStrategy.requestedToCapacityRatio.shape: Required value: at least one point must be specified`);
    shape.forEach((p, i) => {
      if (!(p.utilization >= 0 && p.utilization <= 100)) errs.push(`${path}.scoringStrategy.requestedToCapacityRatio.shape[${i}].utilization: Invalid value: ${p.utilization}: not in valid range [0, 100]`);
      else if (i > 0 && p.utilization <= shape[i - 1]!.utilization) errs.push(`${path}.scoringStrategy.requestedToCapacityRatio.shape[${i}].utilization: Invalid value: ${p.utilization}: utilization values must be sorted in increasing order`);
      if (!(p.score >= 0 && p.score <= 10)) errs.push(`${path}.scoringStrategy.requestedToCapacityRatio.shape[${i}].score: Invalid value: ${p.score}: not in valid range [0, 10]`);
    });
  }
  return errs;
}

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  private readonly strategy: ScoringStrategy;
  private readonly ignoredResources: Set<string>;
  private readonly ignoredResourceGroups: Set<string>;

  constructor(args: NodeResourcesFitArgs = {}) {
    const s = args.scoringStrategy;
    this.strategy = s ? ({ ...s, resources: s.resources?.length ? s.resources : DEFAULT_RESOURCES } as ScoringStrategy) : { type: 'LeastAllocated', resources: DEFAULT_RESOURCES };
    this.ignoredResources = new Set(args.ignoredResources ?? []);
    this.ignoredResourceGroups = new Set(args.ignoredResourceGroups ?? []);
  }

  preFilter(state: CycleState, pod: PodT): PreFilterOutput {
    state.write(PRE_FILTER_KEY, new Requests(podRequests(pod)));
    return { status: Status.success() };
  }

  filter(state: CycleState, pod: PodT, nodeInfo: NodeInfo): Status {
    const req = state.read<Requests>(PRE_FILTER_KEY)?.requests ?? podRequests(pod);
    const insufficient = fitsRequest(req, nodeInfo, { ignoredResources: this.ignoredResources, ignoredResourceGroups: this.ignoredResourceGroups });
    if (insufficient.length === 0) return Status.success();
    const code = insufficient.some((r) => r.unresolvable) ? Code.UnschedulableAndUnresolvable : Code.Unschedulable;
    return new Status(code, insufficient.map((r) => r.reason));
  }

  preScore(state: CycleState, pod: PodT): Status {
    state.write(PRE_SCORE_KEY, new Requests(podRequests(pod, { nonZero: true })));
    return Status.success();
  }

  score(state: CycleState, pod: PodT, nodeInfo: NodeInfo): ScoreOutput {
    const req = state.read<Requests>(PRE_SCORE_KEY)?.requests ?? podRequests(pod, { nonZero: true });
    return { score: strategyScore(this.strategy, nodeInfo, req) };
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Pod', actionType: ActionType.Delete | ActionType.UpdatePodScaleDown } },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeAllocatable | ActionType.Update } },
    ];
  }
}
