/** Checks several core/v1 validators share, with upstream's wording. */
import { type FieldError, FieldPath, field } from '../../../../machinery/errors/field.js';
import { type Quantity, tryParseQuantity } from '../../../../machinery/quantity.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIP, isValidPortName, isValidPortNum } from '../../../../machinery/validation/names.js';

export const IS_NEGATIVE = 'must be greater than or equal to 0';
export const IS_NOT_POSITIVE = 'must be greater than zero';
export const IS_NOT_INTEGER = 'must be an integer';
export const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
/** Upstream's cap on the summed size of a config map or secret. */
export const MAX_SECRET_SIZE = 1024 * 1024;

export function root(name: string): FieldPath {
  return new FieldPath(name);
}

/** Upstream's RegexError text, including its spacing between examples. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (!examples.length) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

const configMapKeyFmt = '[-._a-zA-Z0-9]+';
const configMapKeyRe = new RegExp(`^${configMapKeyFmt}$`);

/** IsConfigMapKey: keys of config maps and secrets. */
export function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!configMapKeyRe.test(key)) errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

export function dnsLabel(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Label(value).map((m) => field.invalid(path.text, value, m));
}

export function dnsSubdomain(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Subdomain(value).map((m) => field.invalid(path.text, value, m));
}

export function labelName(value: string, path: FieldPath): FieldError[] {
  return isQualifiedName(value).map((m) => field.invalid(path.text, value, m));
}

export function nonNegative(value: number | undefined | null, path: FieldPath): FieldError[] {
  return typeof value === 'number' && value < 0 ? [field.invalid(path.text, value, IS_NEGATIVE)] : [];
}

export function fileMode(mode: number | undefined | null, path: FieldPath): FieldError[] {
  return typeof mode === 'number' && (mode < 0 || mode > 0o777) ? [field.invalid(path.text, mode, FILE_MODE_ERROR)] : [];
}

export function validIP(value: string, path: FieldPath): FieldError[] {
  return isValidIP(value) ? [] : [field.invalid(path.text, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

/** ValidatePortNumOrName for IntOrString ports. */
export function portNumOrName(port: string | number | undefined, path: FieldPath): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => field.invalid(path.text, port, m));
  if (typeof port === 'string') {
    if (port === '') return [field.required(path.text, '')];
    return isValidPortName(port).map((m) => field.invalid(path.text, port, m));
  }
  return [field.required(path.text, '')];
}

/** A parsed quantity, or undefined when it is malformed (the schema reports those). */
export function quantity(v: unknown): Quantity | undefined {
  const r = tryParseQuantity(v);
  return r.ok ? r.quantity : undefined;
}

export function isNil(v: unknown): v is undefined | null {
  return v === undefined || v === null;
}

/** Deep equality of JSON values, treating absent and null alike and ignoring key order. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isNil(a) && isNil(b)) return true;
  if (isNil(a) || isNil(b)) return false;
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
  return a === b;
}

/** ValidateImmutableField. */
export function immutable(next: unknown, prev: unknown, path: FieldPath): FieldError[] {
  return semanticEqual(next, prev) ? [] : [field.invalid(path.text, next ?? null, 'field is immutable')];
}

/** Paths (dotted) where two JSON values differ; used to explain a forbidden update. */
export function diffPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (semanticEqual(a, b)) return [];
  const bothObjects = a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) return [prefix || '<root>'];
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const out: string[] = [];
  for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
    const p = Array.isArray(a) ? `${prefix}[${k}]` : prefix ? `${prefix}.${k}` : k;
    out.push(...diffPaths(ao[k], bo[k], p));
  }
  return out;
}
