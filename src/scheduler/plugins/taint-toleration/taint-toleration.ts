/**
 * TaintToleration: NoSchedule and NoExecute taints must be tolerated;
 * nodes with fewer untolerated PreferNoSchedule taints score higher.
 */
import type { PodT, TaintT } from '../../../api/core/v1/types.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import { ActionType, type ClusterEventWithHint } from '../../framework/events.js';
import { MAX_NODE_SCORE, type EnqueueExtensions, type FilterPlugin, type NodeScore, type PreScorePlugin, type ScoreOutput, type ScorePlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';
import { defaultNormalizeScore } from '../shared/normalize.js';
import { findUntoleratedTaint, tolerationsTolerate } from '../shared/taints.js';

export const NAME = 'TaintToleration';
const STATE_KEY = 'PreScore' + NAME;

export function untoleratedTaintReason(taint: TaintT): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

class PreScoreState implements StateData {
  constructor(readonly tolerations: NonNullable<PodT['spec']>['tolerations']) {}
  clone(): StateData {
    return this;
  }
}

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: PodT, nodeInfo: NodeInfo): Status {
    const taint = findUntoleratedTaint(nodeInfo.node.spec?.taints, pod.spec?.tolerations, ['NoSchedule', 'NoExecute']);
    return taint ? Status.unresolvable(untoleratedTaintReason(taint)) : Status.success();
  }

  preScore(state: CycleState, pod: PodT): Status {
    const tolerations = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(STATE_KEY, new PreScoreState(tolerations));
    return Status.success();
  }

  score(state: CycleState, _pod: PodT, nodeInfo: NodeInfo): ScoreOutput {
    const tolerations = state.read<PreScoreState>(STATE_KEY)?.tolerations ?? [];
    let count = 0;
    for (const taint of nodeInfo.node.spec?.taints ?? []) {
      if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerate(tolerations, taint)) count++;
    }
    return { score: count };
  }

  normalizeScore(_state: CycleState, _pod: PodT, scores: NodeScore[]): Status {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
    return Status.success();
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint | ActionType.Update } },
      { event: { resource: 'Pod', actionType: ActionType.UpdatePodTolerations } },
    ];
  }
}
