/**
 * Upstream's ActivePodsWithRanks ordering: the pods earlier in the order are
 * the ones a scale-down deletes first.
 */
import { type Pod, isPodReady, podReadyCondition } from './pods.js';

const phaseOrder: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** Negative when `a` should be deleted before `b`. `rank`: pods sharing a's node (doubled-up pods go first). */
export function compareForDeletion(a: Pod, b: Pod, rank: (p: Pod) => number = () => 0): number {
  const aNode = a.spec?.nodeName ?? '';
  const bNode = b.spec?.nodeName ?? '';
  // Unassigned < assigned.
  if (!aNode !== !bNode) return !aNode ? -1 : 1;
  const pa = phaseOrder[a.status?.phase ?? 'Pending'] ?? 0;
  const pb = phaseOrder[b.status?.phase ?? 'Pending'] ?? 0;
  // Pending < Unknown < Running.
  if (pa !== pb) return pa - pb;
  // Not ready < ready.
  if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? 1 : -1;
  // More pods on the same node first.
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return rb - ra;
  // Ready for less time < ready for longer.
  if (isPodReady(a) && isPodReady(b)) {
    const ta = time(podReadyCondition(a)?.lastTransitionTime);
    const tb = time(podReadyCondition(b)?.lastTransitionTime);
    if (ta !== tb) return tb - ta;
  }
  // More restarts first.
  const ca = maxRestarts(a);
  const cb = maxRestarts(b);
  if (ca !== cb) return cb - ca;
  // Newer first.
  const na = time(a.metadata.creationTimestamp ?? undefined);
  const nb = time(b.metadata.creationTimestamp ?? undefined);
  return nb - na;
}

/** The `count` pods to delete from `pods`, ranked by how many of `related` share their node. */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number): Pod[] {
  if (count >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rank = (p: Pod) => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  return [...pods].sort((a, b) => compareForDeletion(a, b, rank)).slice(0, count);
}

function maxRestarts(p: Pod): number {
  return Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

function time(s: string | undefined): number {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? 0 : t;
}
