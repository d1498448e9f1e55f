/**
 * Uniqueness of `x-kubernetes-list-type: set` elements and `map` keys, as
 * apiextensions-apiserver checks after schema validation: only the first
 * repetition of each value is reported.
 */
import type { FieldError } from '../errors/field.js';
import type { Schema } from './types.js';
import { isPlainObject } from './json-value.js';

const UNSPECIFIED = '\u0000unspecified';

/** Keys of an element that compare like Go map keys: scalars by value and type, compounds by their JSON. */
function identity(x: unknown): string {
  if (x === UNSPECIFIED) return UNSPECIFIED;
  if (x === null || typeof x !== 'object') return `${typeof x}:${JSON.stringify(x)}`;
  return `json:${JSON.stringify(x)}`;
}

function firstRepeats(keys: unknown[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    const id = identity(keys[i]);
    const times = seen.get(id) ?? 0;
    seen.set(id, times + 1);
    if (times === 1) out.push(i);
  }
  return out;
}

export function validateListType(list: unknown[], s: Schema, fieldPath: string): FieldError[] {
  const type = s['x-kubernetes-list-type'];
  if (type === 'set') {
    if (list.length <= 1) return [];
    return firstRepeats(list).map((i) => ({ type: 'FieldValueDuplicate', field: `${fieldPath}[${i}]`, value: list[i] }));
  }
  if (type !== 'map') return [];
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x !== null && !isPlainObject(x)) {
      return [{ type: 'FieldValueInvalid', field: `${fieldPath}[${i}]`, value: x, detail: 'must be an object for an array of list-type map' }];
    }
  }
  if (list.length <= 1) return [];
  const keyFields = s['x-kubernetes-list-map-keys'] ?? [];
  const keys = list.map((x) => {
    const key: Record<string, unknown> = {};
    if (!isPlainObject(x)) return keyFields.length === 1 ? UNSPECIFIED : key;
    if (keyFields.length === 1) return Object.prototype.hasOwnProperty.call(x, keyFields[0]!) ? x[keyFields[0]!] : UNSPECIFIED;
    for (const k of keyFields) if (Object.prototype.hasOwnProperty.call(x, k)) key[k] = x[k];
    return key;
  });
  return firstRepeats(keys).map((i) => {
    let value: unknown = keys[i];
    if (keyFields.length === 1) value = keys[i] === UNSPECIFIED ? {} : { [keyFields[0]!]: keys[i] };
    return { type: 'FieldValueDuplicate', field: `${fieldPath}[${i}]`, value };
  });
}
