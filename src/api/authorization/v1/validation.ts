/** Upstream Validate{Subject,SelfSubject,LocalSubject}AccessReview and ValidateSelfSubjectRulesReview. */
import { type FieldError, field } from '../../../machinery/errors/field.js';
import type { LocalSubjectAccessReviewT, NonResourceAttributesT, ResourceAttributesT, SelfSubjectAccessReviewT, SelfSubjectRulesReviewT, SubjectAccessReviewT } from './types.js';

function validateAttributes(res: ResourceAttributesT | undefined, nonRes: NonResourceAttributesT | undefined): FieldError[] {
  if (res && nonRes) return [field.invalid('spec.nonResourceAttributes', nonRes, 'cannot be specified in combination with resourceAttributes')];
  if (!res && !nonRes) return [field.required('spec.resourceAttributes', 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  const out: FieldError[] = [];
  for (const which of ['fieldSelector', 'labelSelector'] as const) {
    const sel = res?.[which];
    if (sel?.rawSelector && sel.requirements && sel.requirements.length > 0) {
      out.push(field.invalid(`spec.resourceAttributes.${which}.rawSelector`, sel.rawSelector, 'may not specified at the same time as requirements'));
    }
  }
  return out;
}

export function validateSubjectAccessReview(r: SubjectAccessReviewT): FieldError[] {
  const spec = r.spec ?? {};
  const out = validateAttributes(spec.resourceAttributes, spec.nonResourceAttributes);
  if (!spec.user && (!spec.groups || spec.groups.length === 0)) out.push(field.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
  return out;
}

export function validateSelfSubjectAccessReview(r: SelfSubjectAccessReviewT): FieldError[] {
  const spec = r.spec ?? {};
  return validateAttributes(spec.resourceAttributes, spec.nonResourceAttributes);
}

export function validateLocalSubjectAccessReview(r: LocalSubjectAccessReviewT): FieldError[] {
  const spec = r.spec ?? {};
  const out = validateSubjectAccessReview(r);
  const ns = r.metadata?.namespace ?? '';
  if (spec.resourceAttributes && (spec.resourceAttributes.namespace ?? '') !== ns) {
    out.push(field.invalid('spec.resourceAttributes.namespace', spec.resourceAttributes.namespace ?? '', 'must match metadata.namespace'));
  }
  if (spec.nonResourceAttributes) out.push(field.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request'));
  return out;
}

export function validateSelfSubjectRulesReview(_r: SelfSubjectRulesReviewT): FieldError[] {
  return [];
}
