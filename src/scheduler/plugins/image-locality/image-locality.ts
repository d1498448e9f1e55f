/**
 * ImageLocality: favour nodes that already hold the pod's images, weighted
 * by image size and damped by how widely the image is spread (so one big
 * image does not pull every pod onto the same few nodes).
 */
import type { PodT } from '../../../api/core/v1/types.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, type PreScorePlugin, type ScoreOutput, type ScorePlugin } from '../../framework/interface.js';
import { normalizedImageName, type NodeInfo } from '../../framework/node-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import { Status } from '../../framework/status.js';

export const NAME = 'ImageLocality';
const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;
const STATE_KEY = 'PreScore' + NAME;

class TotalNodes implements StateData {
  constructor(readonly n: number) {}
  clone(): StateData {
    return this;
  }
}

export function imageLocalityScore(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const s = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  return Math.trunc((MAX_NODE_SCORE * (s - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  preScore(state: CycleState, _pod: PodT, _nodes: readonly NodeInfo[], snapshot: Snapshot): Status {
    state.write(STATE_KEY, new TotalNodes(snapshot.numNodes()));
    return Status.success();
  }

  score(state: CycleState, pod: PodT, nodeInfo: NodeInfo): ScoreOutput {
    const total = state.read<TotalNodes>(STATE_KEY)?.n ?? 1;
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    let sum = 0;
    for (const c of containers) {
      const st = c.image ? nodeInfo.imageStates.get(normalizedImageName(c.image)) : undefined;
      if (st) sum += Math.trunc((st.size * st.numNodes) / total);
    }
    return { score: imageLocalityScore(sum, containers.length || 1) };
  }
}
