/** Upstream ValidateLabelSelector: the structural rules every LabelSelector obeys. */
import { type FieldError, field } from '../../../machinery/errors/field.js';
import { isQualifiedName, validateLabels, isValidLabelValue } from '../../../machinery/validation/names.js';
import type { LabelSelectorT } from '../../meta/v1.js';

export function validateLabelSelector(sel: LabelSelectorT | undefined, path: string): FieldError[] {
  if (!sel) return [];
  const out: FieldError[] = [];
  (sel.matchExpressions ?? []).forEach((req, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (!req.values || req.values.length === 0) out.push(field.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (req.values && req.values.length > 0) out.push(field.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        out.push(field.invalid(`${p}.operator`, req.operator, 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(req.key ?? '')) out.push(field.invalid(`${p}.key`, req.key, m));
    (req.values ?? []).forEach((v, j) => {
      for (const m of isValidLabelValue(v)) out.push(field.invalid(`${p}.values[${j}]`, v, m));
    });
  });
  out.push(...validateLabels(sel.matchLabels, `${path}.matchLabels`));
  return out;
}
