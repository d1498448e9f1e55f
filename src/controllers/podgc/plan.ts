/**
 * Which pods the pod garbage collector removes, as upstream's podgc:
 * - terminated pods (Succeeded/Failed) beyond terminated-pod-gc-threshold, oldest first;
 * - pods bound to a node that does not exist (orphans);
 * - terminating pods that were never scheduled;
 * - terminating pods on a node that is not Ready and carries the
 *   `node.kubernetes.io/out-of-service` NoExecute taint (its kubelet will never finish them).
 */
import type { Pod } from '../framework/pods.js';
import type { Taint } from '../framework/taints.js';

export const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

export interface GCNode {
  metadata: { name?: string };
  spec?: { taints?: Taint[] };
  status?: { conditions?: { type: string; status: string }[] };
}

export type GCReason = 'terminated' | 'orphaned' | 'unscheduled-terminating' | 'out-of-service';

export interface GCVictim {
  pod: Pod;
  reason: GCReason;
}

export function planPodGC(pods: readonly Pod[], nodes: ReadonlyMap<string, GCNode>, opts: { terminatedThreshold: number }): GCVictim[] {
  const out: GCVictim[] = [];
  const chosen = new Set<Pod>();
  const add = (pod: Pod, reason: GCReason) => {
    if (chosen.has(pod)) return;
    chosen.add(pod);
    out.push({ pod, reason });
  };
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName;
    if (nodeName && !nodes.has(nodeName)) add(pod, 'orphaned');
    else if (!nodeName && pod.metadata.deletionTimestamp) add(pod, 'unscheduled-terminating');
    else if (nodeName && pod.metadata.deletionTimestamp && isOutOfService(nodes.get(nodeName)!)) add(pod, 'out-of-service');
  }
  if (opts.terminatedThreshold > 0) {
    const terminated = pods.filter((p) => !chosen.has(p) && (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed'));
    const excess = terminated.length - opts.terminatedThreshold;
    if (excess > 0) {
      const oldestFirst = [...terminated].sort((a, b) => created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
      for (const p of oldestFirst.slice(0, excess)) add(p, 'terminated');
    }
  }
  return out;
}

function isOutOfService(node: GCNode): boolean {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return !ready && (node.spec?.taints ?? []).some((t) => t.key === OUT_OF_SERVICE_TAINT && t.effect === 'NoExecute');
}

function created(p: Pod): number {
  const t = Date.parse(p.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}
