/**
 * NodeAffinity: nodeSelector and required node affinity must match (plus
 * any affinity the profile adds for every pod); preferred terms score by
 * the sum of their weights.
 */
import { matchesNodeSelectorAndAffinity, nodeSelectorMatches, nodeSelectorTermMatches } from '../../../api/core/v1/node-selector.js';
import type { NodeAffinityT, PodT, PreferredSchedulingTermT } from '../../../api/core/v1/types.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import { ActionType, type ClusterEventWithHint } from '../../framework/events.js';
import {
  MAX_NODE_SCORE, type EnqueueExtensions, type FilterPlugin, type NodeScore, type PreFilterOutput, type PreFilterPlugin,
  type PreScorePlugin, type ScoreOutput, type ScorePlugin,
} from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';
import { defaultNormalizeScore } from '../shared/normalize.js';

export const NAME = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
const SCORE_KEY = 'PreScore' + NAME;

export interface NodeAffinityArgs {
  /** Affinity applied to every pod of the profile, on top of the pod's own. */
  addedAffinity?: NodeAffinityT;
}

class PreferredState implements StateData {
  constructor(readonly terms: PreferredSchedulingTermT[]) {}
  clone(): StateData {
    return this;
  }
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;

  constructor(private readonly args: NodeAffinityArgs = {}) {}

  /** Narrows the candidates when every required term pins metadata.name. */
  preFilter(_state: CycleState, pod: PodT): PreFilterOutput {
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required && !pod.spec?.nodeSelector && !this.args.addedAffinity?.requiredDuringSchedulingIgnoredDuringExecution) return { status: Status.skip() };
    const terms = required?.nodeSelectorTerms ?? [];
    if (terms.length === 0) return { status: Status.success() };
    const names = new Set<string>();
    for (const term of terms) {
      const pin = (term.matchFields ?? []).find((f) => f.key === 'metadata.name' && f.operator === 'In');
      if (!pin) return { status: Status.success() };
      for (const v of pin.values ?? []) names.add(v);
    }
    if (names.size === 0) return { status: Status.unresolvable(ERR_REASON_POD) };
    return { status: Status.success(), result: { nodeNames: names } };
  }

  filter(_state: CycleState, pod: PodT, nodeInfo: NodeInfo): Status {
    if (!nodeSelectorMatches(this.args.addedAffinity?.requiredDuringSchedulingIgnoredDuringExecution, nodeInfo.node)) return Status.unresolvable(ERR_REASON_ENFORCED);
    return matchesNodeSelectorAndAffinity(pod.spec, nodeInfo.node) ? Status.success() : Status.unresolvable(ERR_REASON_POD);
  }

  preScore(state: CycleState, pod: PodT): Status {
    const terms = [
      ...(this.args.addedAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []),
      ...(pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []),
    ];
    if (terms.length === 0) return Status.skip();
    state.write(SCORE_KEY, new PreferredState(terms));
    return Status.success();
  }

  score(state: CycleState, _pod: PodT, nodeInfo: NodeInfo): ScoreOutput {
    let sum = 0;
    for (const t of state.read<PreferredState>(SCORE_KEY)?.terms ?? []) {
      if (t.weight !== 0 && nodeSelectorTermMatches(t.preference, nodeInfo.node)) sum += t.weight;
    }
    return { score: sum };
  }

  normalizeScore(_state: CycleState, _pod: PodT, scores: NodeScore[]): Status {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
    return Status.success();
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [{ event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel | ActionType.Update } }];
  }
}
