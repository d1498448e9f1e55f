/**
 * IntOrString fields that hold a count or a percentage (maxSurge,
 * maxUnavailable, minAvailable): upstream's ValidatePositiveIntOrPercent and
 * IsNotMoreThan100Percent.
 */
import { type FieldError, FieldPath, field } from '../../../machinery/errors/field.js';

const percentRe = /^[0-9]+%$/;

/** Upstream IsValidPercent's message, with its exact example punctuation. */
const PERCENT_MSG = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** The number an int-or-percent holds, and whether it is a percentage; undefined when malformed. */
export function intOrPercentValue(v: string | number | undefined): { value: number; percent: boolean } | undefined {
  if (v === undefined) return { value: 0, percent: false };
  if (typeof v === 'number') return { value: v, percent: false };
  if (percentRe.test(v)) return { value: Number(v.slice(0, -1)), percent: true };
  const n = Number(v);
  return v !== '' && Number.isInteger(n) ? { value: n, percent: false } : undefined;
}

export function validatePositiveIntOrPercent(v: string | number | undefined, path: FieldPath): FieldError[] {
  if (v === undefined) return [];
  if (typeof v === 'string') return percentRe.test(v) ? [] : [field.invalid(path.text, v, PERCENT_MSG)];
  return v < 0 ? [field.invalid(path.text, v, 'must be greater than or equal to 0')] : [];
}

export function isNotMoreThan100Percent(v: string | number | undefined, path: FieldPath): FieldError[] {
  const p = typeof v === 'string' ? intOrPercentValue(v) : undefined;
  if (!p || !p.percent || p.value <= 100) return [];
  return [field.invalid(path.text, v, 'must not be greater than 100%')];
}

/** Zero-ness as upstream's getIntOrPercentValue: a malformed string counts as 0. */
export function isZeroIntOrPercent(v: string | number | undefined): boolean {
  const p = intOrPercentValue(v);
  return !p || p.value === 0;
}
