/** Toleration matching as upstream's v1helper.TolerationsTolerateTaint. */
import type { TaintT, TolerationT } from '../../../api/core/v1/types.js';

export function toleratesTaint(t: TolerationT, taint: TaintT): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      // An empty key is only meaningful with Exists.
      return !!t.key && (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

export function tolerationsTolerate(tolerations: readonly TolerationT[] | undefined, taint: TaintT): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first taint with one of the effects that no toleration tolerates. */
export function findUntoleratedTaint(taints: readonly TaintT[] | undefined, tolerations: readonly TolerationT[] | undefined, effects: readonly string[]): TaintT | undefined {
  return (taints ?? []).find((taint) => effects.includes(taint.effect) && !tolerationsTolerate(tolerations, taint));
}
