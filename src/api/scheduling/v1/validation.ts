/** Upstream ValidatePriorityClass / ValidatePriorityClassUpdate. */
import { type FieldError, field } from '../../../machinery/errors/field.js';
import { HIGHEST_USER_DEFINABLE_PRIORITY, SYSTEM_PRIORITY_CLASS_PREFIX, systemPriorityClassError } from './defaults.js';
import { PREEMPTION_POLICIES, type PriorityClassT } from './types.js';

export function validatePriorityClass(pc: PriorityClassT, old: PriorityClassT | undefined): FieldError[] {
  const out: FieldError[] = [];
  const name = pc.metadata?.name ?? '';
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const why = systemPriorityClassError(name, pc.value, pc.globalDefault ?? false);
    if (why) out.push(field.forbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${why}`));
  } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    out.push(field.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  const policy: string | undefined = pc.preemptionPolicy;
  if (policy === undefined) out.push(field.required('preemptionPolicy', ''));
  else if (!(PREEMPTION_POLICIES as readonly string[]).includes(policy)) out.push(field.notSupported('preemptionPolicy', policy, [...PREEMPTION_POLICIES]));
  if (old) {
    if (old.value !== pc.value) out.push(field.forbidden('value', 'may not be changed in an update.'));
    if (old.preemptionPolicy !== pc.preemptionPolicy) out.push(field.invalid('preemptionPolicy', pc.preemptionPolicy, 'field is immutable'));
  }
  return out;
}
