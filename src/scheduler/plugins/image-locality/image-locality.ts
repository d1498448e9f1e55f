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

/** What every node's score needs, worked out once per cycle: the cluster size and the pod's images, normalized. */
class PodImages implements StateData {
  constructor(
    readonly totalNodes: number,
    /** One entry per container (init and regular), undefined for a container without an image. */
    readonly images: readonly (string | undefined)[],
  ) {}
  clone(): StateData {
    return this;
  }
}

function podImages(pod: PodT, totalNodes: number): PodImages {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return new PodImages(totalNodes, containers.map((c) => (c.image ? normalizedImageName(c.image) : undefined)));
}

export function imageLocalityScore(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const s = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  return Math.trunc((MAX_NODE_SCORE * (s - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  preScore(state: CycleState, pod: PodT, _nodes: readonly NodeInfo[], snapshot: Snapshot): Status {
    state.write(STATE_KEY, podImages(pod, snapshot.numNodes()));
    return Status.success();
  }

  score(state: CycleState, pod: PodT, nodeInfo: NodeInfo): ScoreOutput {
    const p = state.read<PodImages>(STATE_KEY) ?? podImages(pod, 1);
    let sum = 0;
    if (nodeInfo.imageStates.size) {
      for (const image of p.images) {
        const st = image ? nodeInfo.imageStates.get(image) : undefined;
        if (st) sum += Math.trunc((st.size * st.numNodes) / (p.totalNodes || 1));
      }
    }
    return { score: imageLocalityScore(sum, p.images.length || 1) };
  }
}
