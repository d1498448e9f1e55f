/** Upstream ValidateLabelSelector: the structural rules every LabelSelector obeys. */
import { type FieldError, FieldPath } from '../../../machinery/errors/field.js';
import type { LabelSelectorT } from '../../meta/v1.js';
import { validateLabelSelector as validateMetaLabelSelector } from '../../core/v1/validation/label-selector.js';

/** metav1 ValidateLabelSelector (one implementation for every group) with a dotted path. */
export function validateLabelSelector(sel: LabelSelectorT | undefined, path: string): FieldError[] {
  return validateMetaLabelSelector(sel, new FieldPath(path));
}
