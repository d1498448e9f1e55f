/** metav1 LabelSelector validation (ValidateLabelSelector) with upstream paths and messages. */
import { type FieldError, FieldPath, field } from '../../../../machinery/errors/field.js';
import { isValidLabelValue, validateLabels } from '../../../../machinery/validation/names.js';
import type { LabelSelectorT } from '../../../meta/v1.js';
import { labelName } from './common.js';

export function validateLabelSelector(sel: LabelSelectorT | undefined, path: FieldPath): FieldError[] {
  if (!sel) return [];
  const errs: FieldError[] = [];
  (sel.matchExpressions ?? []).forEach((r, i) => {
    const p = path.child('matchExpressions').index(i);
    const n = r.values?.length ?? 0;
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (n === 0) errs.push(field.required(p.child('values').text, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (n > 0) errs.push(field.forbidden(p.child('values').text, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(field.invalid(p.child('operator').text, r.operator, 'not a valid selector operator'));
    }
    errs.push(...labelName(r.key ?? '', p.child('key')));
    (r.values ?? []).forEach((v, j) => {
      for (const m of isValidLabelValue(v)) errs.push(field.invalid(p.child('values').index(j).text, v, m));
    });
  });
  errs.push(...validateLabels(sel.matchLabels, path.child('matchLabels').text));
  return errs;
}

/** Whether a set-based selector (matchLabels only, as RC uses) selects the labels. */
export function mapSelectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}
