/**
 * LabelSelector checks the workload types share: upstream's
 * ValidateLabelSelector messages, and the match rule controllers and
 * validation use (an empty selector matches everything, an absent one nothing).
 */
import { type FieldError, FieldPath, field } from '../../../machinery/errors/field.js';
import { isQualifiedName, isValidLabelValue, validateLabels } from '../../../machinery/validation/names.js';
import type { LabelSelectorT } from '../../meta/v1.js';

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export function validateLabelSelector(sel: LabelSelectorT | undefined, path: FieldPath): FieldError[] {
  if (!sel) return [];
  const errs: FieldError[] = [];
  (sel.matchExpressions ?? []).forEach((req, i) => {
    const p = path.child('matchExpressions').index(i);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(field.required(p.child('values').text, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(field.forbidden(p.child('values').text, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(field.invalid(p.child('operator').text, req.operator, 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(req.key ?? '')) errs.push(field.invalid(p.child('key').text, req.key, m));
    values.forEach((v, vi) => {
      for (const m of isValidLabelValue(v)) errs.push(field.invalid(p.child('values').index(vi).text, v, m));
    });
  });
  errs.push(...validateLabels(sel.matchLabels, path.child('matchLabels').text));
  return errs;
}

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
