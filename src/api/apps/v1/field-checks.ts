/**
 * Small upstream validation primitives used by every workload group:
 * ValidateNonnegativeField, ValidateImmutableField and semantic equality.
 */
import { type FieldError, FieldPath, field } from '../../../machinery/errors/field.js';

export function validateNonnegative(v: number | undefined, path: FieldPath): FieldError[] {
  return v !== undefined && v < 0 ? [field.invalid(path.text, v, 'must be greater than or equal to 0')] : [];
}

export function validateImmutable(next: unknown, prev: unknown, path: FieldPath): FieldError[] {
  return semanticEqual(next, prev) ? [] : [field.invalid(path.text, next, 'field is immutable')];
}

/**
 * Deep equality that, like Go's semantic DeepEqual on decoded objects,
 * ignores key order, treats an absent field like an explicit null and an
 * empty list like an absent one.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && a.length === 0 && b == null) return true;
  if (Array.isArray(b) && b.length === 0 && a == null) return true;
  if (a == null || b == null) return a == null && b == null;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) if (!semanticEqual(ao[k], bo[k])) return false;
    return true;
  }
  return false;
}
