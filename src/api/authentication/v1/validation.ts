/** Upstream ValidateTokenRequest; reviews themselves carry nothing to validate. */
import { type FieldError, field } from '../../../machinery/errors/field.js';
import type { TokenRequestT } from './types.js';

const MIN_EXPIRATION_SECONDS = 10 * 60;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

export function validateTokenRequest(tr: TokenRequestT): FieldError[] {
  const out: FieldError[] = [];
  const secs = tr.spec?.expirationSeconds ?? 0;
  if (secs < MIN_EXPIRATION_SECONDS) out.push(field.invalid('spec.expirationSeconds', secs, 'may not specify a duration less than 10 minutes'));
  if (secs > MAX_EXPIRATION_SECONDS) out.push(field.invalid('spec.expirationSeconds', secs, 'may not specify a duration larger than 2^32 seconds'));
  return out;
}
