/**
 * The DisruptionAllowed condition of a PodDisruptionBudget. Both writers of
 * a budget's status, the disruption controller and the eviction subresource
 * (when it spends the last allowed disruption), must state it alike.
 */

export interface PodDisruptionBudgetCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

/**
 * `conds` with DisruptionAllowed set for the given allowance, keeping its
 * transition time while its status holds. A `failure` text reports a sync
 * that could not compute the allowance (nothing is allowed then).
 */
export function withDisruptionAllowed(
  conds: readonly PodDisruptionBudgetCondition[] | undefined,
  status: { disruptionsAllowed: number; observedGeneration: number },
  nowRFC3339: string,
  failure?: string,
): PodDisruptionBudgetCondition[] {
  const allowed = !failure && status.disruptionsAllowed > 0;
  const want: PodDisruptionBudgetCondition = {
    type: 'DisruptionAllowed',
    status: allowed ? 'True' : 'False',
    reason: failure ? 'SyncFailed' : allowed ? 'SufficientPods' : 'InsufficientPods',
    message: failure ?? '',
    observedGeneration: status.observedGeneration,
    lastTransitionTime: nowRFC3339,
  };
  const out = [...(conds ?? [])];
  const i = out.findIndex((c) => c.type === 'DisruptionAllowed');
  if (i < 0) return [...out, want];
  const old = out[i]!;
  out[i] = { ...want, lastTransitionTime: old.status === want.status && old.lastTransitionTime ? old.lastTransitionTime : nowRFC3339 };
  return out;
}
