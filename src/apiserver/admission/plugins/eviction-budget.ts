/**
 * What the pods/eviction subresource asks before deleting a pod: the one
 * PodDisruptionBudget covering it must allow a disruption, which the eviction
 * then takes from status.disruptionsAllowed with a compare-and-swap write
 * (so two evictions cannot spend the same allowance). Upstream semantics:
 * finished, pending or already-deleting pods need no budget; a pod that is
 * not ready may go per unhealthyPodEvictionPolicy; more than one budget is a
 * server error.
 */
import { type PodDisruptionBudgetCondition, withDisruptionAllowed } from '../../../api/policy/v1/disruption-allowed.js';
import { StatusError, internalError } from '../../../machinery/errors/status-error.js';
import { type LabelSelector, labelSelectorAsSelector } from '../../../machinery/labels/selector.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import { rfc3339 } from '../../../machinery/clock.js';
import type { RequestContext } from '../../context.js';
import type { Endpoint } from '../../registry/endpoint.js';

export interface PodDisruptionBudget {
  metadata: { name?: string; namespace?: string; generation?: number; resourceVersion?: string; [k: string]: unknown };
  spec?: { selector?: LabelSelector; unhealthyPodEvictionPolicy?: string; [k: string]: unknown };
  status?: {
    disruptionsAllowed?: number;
    currentHealthy?: number;
    desiredHealthy?: number;
    expectedPods?: number;
    observedGeneration?: number;
    disruptedPods?: Record<string, string>;
    conditions?: PodDisruptionBudgetCondition[];
  };
}

/** Upstream caps accepted-but-unobserved evictions per budget. */
export const MAX_DISRUPTED_PODS = 2000;

export const EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";

function tooManyRequests(cause: string): StatusError {
  return new StatusError(429, 'TooManyRequests', EVICTION_REFUSED, { causes: [{ reason: 'DisruptionBudget', message: cause }] });
}

interface EvictedPod {
  metadata: { name?: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

/** Pods whose eviction no budget governs. */
export function canIgnoreBudget(pod: EvictedPod): boolean {
  const phase = pod.status?.phase;
  return !!pod.metadata.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending';
}

function isReady(pod: EvictedPod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Budgets whose selector picks the pod; an empty selector picks nothing here. */
export function budgetsFor(pod: EvictedPod, budgets: readonly PodDisruptionBudget[]): PodDisruptionBudget[] {
  return budgets.filter((b) => {
    let sel;
    try {
      sel = labelSelectorAsSelector(b.spec?.selector);
    } catch {
      return false;
    }
    return !sel.isEmpty() && !sel.isNothing() && sel.matches(pod.metadata.labels ?? {});
  });
}

/** The DisruptionAllowed condition for the current allowance, keeping the transition time when unchanged. */
export function disruptionAllowedCondition(pdb: PodDisruptionBudget, nowRFC3339: string): PodDisruptionBudgetCondition[] {
  const s = pdb.status;
  return withDisruptionAllowed(s?.conditions, { disruptionsAllowed: s?.disruptionsAllowed ?? 0, observedGeneration: s?.observedGeneration ?? 0 }, nowRFC3339);
}

/**
 * Takes one disruption from the budget for `podName`, or refuses. Answers
 * the budget to write back.
 */
export function takeDisruption(pdb: PodDisruptionBudget, podName: string, nowMs: number): PodDisruptionBudget {
  const status = pdb.status ?? {};
  const name = pdb.metadata.name ?? '';
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
    throw tooManyRequests(`The disruption budget ${name} is still being processed by the server.`);
  }
  const allowed = status.disruptionsAllowed ?? 0;
  if (allowed < 0) throw new StatusError(403, 'Forbidden', `poddisruptionbudget.policy "${name}" is forbidden: pdb disruptions allowed is negative`, { name, group: 'policy', kind: 'poddisruptionbudget' });
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
    throw new StatusError(403, 'Forbidden', `poddisruptionbudget.policy "${name}" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller`, { name, group: 'policy', kind: 'poddisruptionbudget' });
  }
  if (allowed === 0) {
    throw tooManyRequests(`The disruption budget ${name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
  }
  const next: PodDisruptionBudget = {
    ...pdb,
    status: { ...status, disruptionsAllowed: allowed - 1, disruptedPods: { ...status.disruptedPods, [podName]: rfc3339(nowMs) } },
  };
  if (allowed - 1 === 0) next.status!.conditions = disruptionAllowedCondition(next, rfc3339(nowMs));
  return next;
}

/**
 * Refuses (throws) an eviction the pod's budget does not allow, and charges
 * the budget when it does. `budgets` is the policy/v1 PodDisruptionBudget endpoint.
 */
export async function checkEvictionBudget(ctx: RequestContext, budgets: Endpoint | undefined, pod: KubeObject): Promise<void> {
  const p = pod as unknown as EvictedPod;
  if (!budgets || canIgnoreBudget(p)) return;
  const namespace = pod.metadata.namespace ?? '';
  const listed = await budgets.store.list({ namespace, resourceVersion: '0' });
  const matching = budgetsFor(p, listed.items.map((i) => i.object as unknown as PodDisruptionBudget));
  if (matching.length > 1) throw internalError(new Error('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'));
  const pdb = matching[0];
  if (!pdb) return;
  if (!isReady(p)) {
    if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return;
    const s = pdb.status ?? {};
    // An unready pod costs the budget nothing while the healthy ones suffice.
    if ((s.currentHealthy ?? 0) >= (s.desiredHealthy ?? 0) && (s.desiredHealthy ?? 0) > 0) return;
  }
  await budgets.store.guaranteedUpdate(
    ctx,
    namespace,
    pdb.metadata.name ?? '',
    (current) => {
      if (!current) throw new StatusError(404, 'NotFound', `poddisruptionbudgets.policy "${pdb.metadata.name}" not found`, { name: pdb.metadata.name, group: 'policy', kind: 'poddisruptionbudgets' });
      const next = takeDisruption(current as unknown as PodDisruptionBudget, pod.metadata.name ?? '', ctx.clock.now()) as unknown as KubeObject;
      delete next.metadata.resourceVersion;
      return next;
    },
    { strategy: budgets.statusStrategy },
  );
}
