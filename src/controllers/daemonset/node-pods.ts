/**
 * What one sync must do on each node (upstream's podsShouldBeOnNode): create
 * the missing daemon pod, delete failed, surplus and misplaced ones. Pure:
 * the controller turns the plan into API calls.
 */
import type { Pod } from '../framework/pods.js';
import { POD_REVISION_HASH_LABEL } from '../history/revisions.js';
import type { NodeFit } from './eligibility.js';

export interface NodePlan {
  /** Nodes that need a daemon pod created. */
  createOn: string[];
  delete: Pod[];
  /** Failed pods about to be deleted, for FailedDaemonPod events. */
  failed: { pod: Pod; node: string }[];
}

export interface PlanOptions {
  /** Per node: may a new daemon pod go there, may an existing one stay. */
  fit: (node: string) => NodeFit;
  /** True when a failed pod on this node was deleted too recently to delete another yet. */
  inFailedBackoff?: (node: string) => boolean;
  /** maxSurge > 0 in a RollingUpdate: a node may hold one old and one new pod. */
  allowsSurge: boolean;
  hash: string;
}

export function isPodUpdated(pod: Pod, hash: string): boolean {
  return hash !== '' && pod.metadata.labels?.[POD_REVISION_HASH_LABEL] === hash;
}

/** Scheduled first, then oldest, then by name (upstream podByCreationTimestampAndPhase). */
export function compareOldestFirst(a: Pod, b: Pod): number {
  const sa = !!a.spec?.nodeName;
  const sb = !!b.spec?.nodeName;
  if (sa !== sb) return sa ? -1 : 1;
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/** `nodeToPods` holds every node that has daemon pods; `nodes` every node of the cluster. */
export function planNodes(nodes: readonly string[], nodeToPods: ReadonlyMap<string, readonly Pod[]>, opts: PlanOptions): NodePlan {
  const plan: NodePlan = { createOn: [], delete: [], failed: [] };
  const known = new Set(nodes);
  for (const node of nodes) {
    const pods = nodeToPods.get(node) ?? [];
    const { shouldRun, shouldContinueRunning } = opts.fit(node);
    if (shouldRun && pods.length === 0) {
      plan.createOn.push(node);
      continue;
    }
    if (!shouldContinueRunning) {
      for (const p of pods) if (!p.metadata.deletionTimestamp) plan.delete.push(p);
      continue;
    }
    const running: Pod[] = [];
    for (const p of pods) {
      if (p.metadata.deletionTimestamp) continue;
      const phase = p.status?.phase;
      if (phase === 'Failed') {
        // Deleting a crash-looping pod at full speed would hammer the API: back off per node.
        if (opts.inFailedBackoff?.(node)) continue;
        plan.delete.push(p);
        plan.failed.push({ pod: p, node });
      } else if (phase === 'Succeeded') {
        plan.delete.push(p);
      } else {
        running.push(p);
      }
    }
    if (running.length <= 1) continue;
    running.sort(compareOldestFirst);
    if (!opts.allowsSurge) {
      plan.delete.push(...running.slice(1));
      continue;
    }
    // With surge a node may hold the oldest updated pod and the oldest old pod; the rest go.
    const keptNew = running.find((p) => isPodUpdated(p, opts.hash));
    const keptOld = running.find((p) => !isPodUpdated(p, opts.hash));
    for (const p of running) if (p !== keptNew && p !== keptOld) plan.delete.push(p);
  }
  // Pods pinned to nodes that no longer exist.
  for (const [node, pods] of nodeToPods) {
    if (known.has(node)) continue;
    for (const p of pods) if (!p.metadata.deletionTimestamp) plan.delete.push(p);
  }
  return plan;
}
