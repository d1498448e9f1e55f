/** Upstream ValidateLease. */
import { type FieldError, field } from '../../../machinery/errors/field.js';
import { isQualifiedName } from '../../../machinery/validation/names.js';
import type { LeaseT } from './types.js';

export const OLDEST_EMULATION_VERSION = 'OldestEmulationVersion';

export function validateLease(lease: LeaseT): FieldError[] {
  const out: FieldError[] = [];
  const spec = lease.spec ?? {};
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    out.push(field.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    out.push(field.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  if (spec.strategy !== undefined && spec.strategy !== OLDEST_EMULATION_VERSION) {
    // Custom strategies must be prefixed ("example.com/my-strategy") so they never collide with built-in ones.
    const [prefix, name] = spec.strategy.includes('/') ? spec.strategy.split('/', 2) : [undefined, spec.strategy];
    if (!prefix) out.push(field.notSupported('spec.strategy', spec.strategy, [OLDEST_EMULATION_VERSION]));
    else for (const m of isQualifiedName(`${prefix}/${name}`)) out.push(field.invalid('spec.strategy', spec.strategy, m));
  }
  if (spec.preferredHolder && !spec.strategy) out.push(field.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  return out;
}
