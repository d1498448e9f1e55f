/**
 * policy/v1 validation as upstream's ValidatePodDisruptionBudget and
 * ValidatePodDisruptionBudgetStatusAndConditions.
 */
import { type FieldError, FieldPath, field } from '../../../machinery/errors/field.js';
import { validateNonnegative } from '../../apps/v1/field-checks.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from '../../apps/v1/int-or-percent.js';
import { validateLabelSelector } from '../../apps/v1/label-selector.js';
import type { PodDisruptionBudgetSpecT, PodDisruptionBudgetStatusT, PodDisruptionBudgetT } from './types.js';

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

export function validatePodDisruptionBudgetSpec(s: PodDisruptionBudgetSpecT | undefined, path: FieldPath): FieldError[] {
  const spec = s ?? {};
  const errs: FieldError[] = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    errs.push(field.invalid(path.text, spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const k of ['minAvailable', 'maxUnavailable'] as const) {
    const v = spec[k];
    if (v === undefined) continue;
    errs.push(...validatePositiveIntOrPercent(v, path.child(k)));
    errs.push(...isNotMoreThan100Percent(v, path.child(k)));
  }
  errs.push(...validateLabelSelector(spec.selector, path.child('selector')));
  const policy = spec.unhealthyPodEvictionPolicy as string | undefined;
  if (policy !== undefined && !EVICTION_POLICIES.includes(policy)) errs.push(field.notSupported(path.child('unhealthyPodEvictionPolicy').text, policy, EVICTION_POLICIES));
  return errs;
}

export function validatePodDisruptionBudgetStatus(st: PodDisruptionBudgetStatusT | undefined, path: FieldPath): FieldError[] {
  const s: Partial<PodDisruptionBudgetStatusT> = st ?? {};
  const errs: FieldError[] = [];
  for (const k of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] as const) errs.push(...validateNonnegative(s[k], path.child(k)));
  const seen = new Set<string>();
  (s.conditions ?? []).forEach((c, i) => {
    const p = path.child('conditions').index(i);
    if (!c.type) errs.push(field.required(p.child('type').text, ''));
    else if (seen.has(c.type)) errs.push(field.duplicate(p.child('type').text, c.type));
    else seen.add(c.type);
    if (!['True', 'False', 'Unknown'].includes(c.status)) errs.push(field.notSupported(p.child('status').text, c.status, ['False', 'True', 'Unknown']));
  });
  return errs;
}

export function validatePodDisruptionBudget(pdb: PodDisruptionBudgetT): FieldError[] {
  return validatePodDisruptionBudgetSpec(pdb.spec, new FieldPath('spec'));
}

/** The spec has been mutable since policy/v1beta1 in 1.15; updates get the create checks. */
export function validatePodDisruptionBudgetUpdate(pdb: PodDisruptionBudgetT, _old: PodDisruptionBudgetT): FieldError[] {
  return validatePodDisruptionBudget(pdb);
}

export function validatePodDisruptionBudgetStatusUpdate(pdb: PodDisruptionBudgetT, _old: PodDisruptionBudgetT): FieldError[] {
  return validatePodDisruptionBudgetStatus(pdb.status, new FieldPath('status'));
}
