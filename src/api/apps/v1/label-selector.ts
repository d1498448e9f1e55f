/**
 * LabelSelector checks the workload types share: upstream's
 * ValidateLabelSelector messages, and the match rule controllers and
 * validation use (an empty selector matches everything, an absent one nothing).
 */
import type { LabelSelectorT } from '../../meta/v1.js';

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

// One implementation of metav1 ValidateLabelSelector serves every group.
export { validateLabelSelector } from '../../core/v1/validation/label-selector.js';

/** True when the selector has no requirement at all (it selects everything). */
export function isEmptySelector(sel: LabelSelectorT | undefined): boolean {
  return !!sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

/** Whether `labels` satisfy `sel`; an absent selector matches nothing, an unknown operator nothing. */
export function selectorMatches(sel: LabelSelectorT | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const req of sel.matchExpressions ?? []) {
    if (!OPERATORS.includes(req.operator)) return false;
    const has = Object.prototype.hasOwnProperty.call(l, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(l[req.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[req.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}
