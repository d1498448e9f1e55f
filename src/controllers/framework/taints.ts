/**
 * Node taints and pod tolerations, with upstream's matching rules
 * (ToleratesTaint): an empty key with `Exists` tolerates everything, an empty
 * effect matches every effect, `Equal` (the default operator) compares values.
 */
export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal' | string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  if (t.operator && t.operator !== 'Equal') return false;
  return (t.value ?? '') === (taint.value ?? '');
}

export function sameTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

/** For each taint the first toleration that tolerates it; `untolerated` lists the others. */
export function matchTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): { used: Toleration[]; untolerated: Taint[] } {
  const used: Toleration[] = [];
  const untolerated: Taint[] = [];
  for (const taint of taints) {
    const t = tolerations.find((tol) => toleratesTaint(tol, taint));
    if (t) used.push(t);
    else untolerated.push(taint);
  }
  return { used, untolerated };
}

/**
 * How long a pod may stay given the tolerations it uses: the smallest
 * tolerationSeconds (negative counts as zero), or undefined for forever.
 */
export function minTolerationMs(used: readonly Toleration[]): number | undefined {
  let min: number | undefined;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    const ms = Math.max(0, t.tolerationSeconds) * 1000;
    if (min === undefined || ms < min) min = ms;
  }
  return min;
}
