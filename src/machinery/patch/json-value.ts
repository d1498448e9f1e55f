/**
 * Plain JSON value helpers shared by the patch algorithms: cloning (inputs
 * may be cached objects and are never mutated), structural equality, and
 * the type names Go's encoding/json and fmt print in error texts.
 */

export type JsonObject = Record<string, unknown>;

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepClone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepClone) as T;
  if (isJsonObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepClone(x);
    return out as T;
  }
  return v;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The JSON kind, the unit Go's reflect.TypeOf distinguishes after decoding. */
export type JsonKind = 'null' | 'object' | 'array' | 'string' | 'number' | 'boolean';

export function kindOf(v: unknown): JsonKind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean') return t;
  return 'object';
}

/** Go's name of the decoded type, as reflect.TypeOf prints it. */
export function goTypeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'null':
      return '<nil>';
    case 'array':
      return '[]interface {}';
    case 'object':
      return 'map[string]interface {}';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int64' : 'float64';
  }
}

function goFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    const [m, e] = n.toExponential().split('e');
    const sign = e!.startsWith('-') ? '-' : '+';
    const digits = e!.replace(/^[+-]/, '');
    return `${m}e${sign}${digits.length < 2 ? '0' + digits : digits}`;
  }
  return String(n);
}

/** A decoded JSON value as Go's fmt %v prints it (maps with sorted keys). */
export function goFormat(v: unknown): string {
  switch (kindOf(v)) {
    case 'null':
      return '<nil>';
    case 'array':
      return `[${(v as unknown[]).map(goFormat).join(' ')}]`;
    case 'object': {
      const o = v as JsonObject;
      return `map[${Object.keys(o)
        .sort()
        .map((k) => `${k}:${goFormat(o[k])}`)
        .join(' ')}]`;
    }
    case 'number':
      return goFloat(v as number);
    default:
      return String(v);
  }
}
