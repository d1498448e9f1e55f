/**
 * Field errors as upstream's field.Error: a type (which becomes the cause
 * `reason`), a dotted path, the bad value and a detail. Their text matches
 * upstream so kubectl prints the familiar messages.
 */

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  /** The offending value; omitted from the message when `undefined`. */
  value?: unknown;
  detail?: string;
  /** For NotSupported: the allowed values. */
  valid?: string[];
}

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

function quoteValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v) || typeof v === 'object') {
    try {
      return JSON.stringify(v);
    } catch {
      return '<value>';
    }
  }
  return String(v);
}

/** The error's text without the field path, as upstream's ErrorBody. */
export function fieldErrorBody(e: FieldError): string {
  let s = typeText[e.type];
  const hasValue = e.value !== undefined && e.type !== 'FieldValueRequired' && e.type !== 'FieldValueForbidden' && e.type !== 'InternalError' && e.type !== 'FieldValueTooMany';
  if (hasValue) s += `: ${quoteValue(e.value)}`;
  if (e.type === 'FieldValueNotSupported' && e.valid && e.valid.length) {
    s += `: supported values: ${e.valid.map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (e.detail) {
    s += `: ${e.detail}`;
  }
  return s;
}

export function fieldErrorText(e: FieldError): string {
  return e.field ? `${e.field}: ${fieldErrorBody(e)}` : fieldErrorBody(e);
}

export const field = {
  required: (path: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field: path, detail }),
  invalid: (path: string, value: unknown, detail?: string): FieldError => ({ type: 'FieldValueInvalid', field: path, value, detail }),
  notSupported: (path: string, value: unknown, valid: string[]): FieldError => ({ type: 'FieldValueNotSupported', field: path, value, valid }),
  duplicate: (path: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field: path, value }),
  forbidden: (path: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field: path, detail }),
  tooLong: (path: string, value: unknown, max: number): FieldError => ({ type: 'FieldValueTooLong', field: path, value, detail: `may not be more than ${max} bytes` }),
  tooMany: (path: string, actual: number, max: number): FieldError => ({ type: 'FieldValueTooMany', field: path, value: actual, detail: `must have at most ${max} items` }),
  notFound: (path: string, value: unknown): FieldError => ({ type: 'FieldValueNotFound', field: path, value }),
  typeInvalid: (path: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueTypeInvalid', field: path, value, detail }),
  internal: (path: string, detail: string): FieldError => ({ type: 'InternalError', field: path, detail }),
};

/** Builds child paths the way upstream prints them: a.b[0].c, a.b[key]. */
export class FieldPath {
  constructor(readonly text: string = '') {}
  child(name: string): FieldPath {
    return new FieldPath(this.text ? `${this.text}.${name}` : name);
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }
  toString(): string {
    return this.text;
  }
}
