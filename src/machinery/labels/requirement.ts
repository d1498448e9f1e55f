/**
 * One label selector requirement (`key op values`) with upstream's
 * validation, matching and canonical string form.
 */
import { type FieldError, FieldPath, field, fieldErrorText } from '../errors/field.js';
import { isQualifiedName, isValidLabelValue } from '../validation/names.js';

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export const BINARY_OPERATORS: readonly Operator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
export const VALID_REQUIREMENT_OPERATORS: readonly Operator[] = [...BINARY_OPERATORS, 'exists', '!'];

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** Values as given (upstream keeps them sorted and de-duplicated when parsed). */
  readonly values: readonly string[];
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** strconv.ParseInt(s, 10, 64) as a value. */
export function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

export function validateLabelKey(key: string, path: FieldPath | undefined): FieldError | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? field.invalid(pathText(path), key, errs.join('; ')) : undefined;
}

/** Upstream prints a missing path as `<nil>`. */
function pathText(path: FieldPath | undefined): string {
  return path ? path.text : '<nil>';
}

/** Field errors for a requirement, as upstream NewRequirement. */
export function validateRequirement(r: Requirement, path?: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const keyErr = validateLabelKey(r.key, childOf(path, 'key'));
  if (keyErr) errs.push(keyErr);
  const valuePath = childOf(path, 'values');
  const vals = r.values;
  switch (r.operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0) errs.push(field.invalid(valuePath.text, [...vals], "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) errs.push(field.invalid(valuePath.text, [...vals], 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0) errs.push(field.invalid(valuePath.text, [...vals], 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1) errs.push(field.invalid(valuePath.text, [...vals], "for 'Gt', 'Lt' operators, exactly one value is required"));
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(field.invalid(valuePath.index(i).text, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(field.notSupported(childOf(path, 'operator').text, r.operator, [...VALID_REQUIREMENT_OPERATORS]));
  }
  vals.forEach((v, i) => {
    const m = isValidLabelValue(v);
    if (m.length) errs.push(field.invalid(valuePath.index(i).key(r.key).text, v, m.join('; ')));
  });
  return errs;
}

function childOf(path: FieldPath | undefined, name: string): FieldPath {
  return path ? path.child(name) : new FieldPath(name);
}

/** An aggregate's text as upstream's utilerrors.NewAggregate: one message, or `[a, b]`. */
export function aggregateText(errs: FieldError[]): string {
  const msgs = [...new Set(errs.map(fieldErrorText))];
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}

export function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key]! : '';
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const lv = parseInt64(value);
      const rv = parseInt64(r.values[0]!);
      if (lv === undefined || rv === undefined) return false;
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
    default:
      return false;
  }
}

/** Upstream's canonical text: values sorted, `in`/`notin` parenthesised. */
export function requirementString(r: Requirement): string {
  let s = r.operator === '!' ? '!' + r.key : r.key;
  switch (r.operator) {
    case 'exists':
    case '!':
      return s;
    case '=':
    case '==':
    case '!=':
      s += r.operator;
      break;
    case 'in':
    case 'notin':
      s += ` ${r.operator} `;
      break;
    case 'gt':
      s += '>';
      break;
    case 'lt':
      s += '<';
      break;
  }
  const vals = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  return r.operator === 'in' || r.operator === 'notin' ? `${s}(${vals})` : s + vals;
}
