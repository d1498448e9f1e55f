/**
 * Validates a JSON value against a structural schema the way kube-apiserver
 * validates custom resources: kube-openapi's validators in their order (type,
 * allOf/anyOf/oneOf/not, string, format, number, array, enum, object), their
 * message texts, converted to field errors as apiextensions-apiserver does;
 * then the list-type uniqueness and embedded-resource passes.
 *
 * Error names follow kube-openapi: `spec.items[0].name` for list items and
 * `spec.labels.key` for map values. Type errors also carry what the server
 * needs to print Go's decode error for built-in types (see `TypeMismatch`).
 */
import type { FieldError } from '../errors/field.js';
import { type Schema, type SchemaResolver, refName } from './types.js';
import { type TypeMismatch, goStructName, goTypeOf, goValueOf } from './go-types.js';
import { checkFormat } from './formats.js';
import { validateListType } from './list-type.js';
import { deepEqual, isPlainObject, jsonType } from './json-value.js';

export interface SchemaFieldError extends FieldError {
  /** Set on type errors (reason FieldValueTypeInvalid). */
  typeMismatch?: TypeMismatch;
}

export interface ValidateOptions {
  resolver: SchemaResolver;
  /** Name of the value in messages (`spec` when validating only the spec); root when empty. */
  path?: string;
  /** Prepended to every error's field but not to the names inside messages (upstream validates defaults this way). */
  fieldPrefix?: string;
  /**
   * Only JSON type mismatches that Go's decoder refuses (never null), stopping at the first:
   * what decoding a built-in type checks (its other rules are code). Much cheaper than a full validation.
   */
  typesOnly?: boolean;
}

/**
 * Where a value sits, named three ways; each name is built from the parent's only when asked for
 * (an error is being reported), since a walk visits every field and most have none.
 */
class Loc {
  private nameText: string | undefined;
  private fpathText: string | undefined;
  private goFieldText: string | undefined;

  constructor(
    private readonly parent: Loc | undefined,
    /** `field` (a declared property), `map` (a map value), `index` (a list item); the root has no parent. */
    private readonly step: 'field' | 'map' | 'index',
    private readonly key: string,
    /** Short name of the innermost named struct holding this value. */
    readonly goStruct: string,
  ) {}

  static root(base: string): Loc {
    const l = new Loc(undefined, 'field', base, '');
    l.nameText = l.fpathText = l.goFieldText = base;
    return l;
  }

  /** kube-openapi name: `spec.items[0].labels.key`. */
  get name(): string {
    if (this.nameText === undefined) {
      const p = this.parent!.name;
      this.nameText = this.step === 'index' ? `${p}[${this.key}]` : p ? `${p}.${this.key}` : this.key;
    }
    return this.nameText;
  }

  /** field.Path text: `spec.items[0].labels[key]`. */
  get fpath(): string {
    if (this.fpathText === undefined) {
      const p = this.parent!.fpath;
      this.fpathText = this.step === 'field' ? (p ? `${p}.${this.key}` : this.key) : `${p}[${this.key}]`;
    }
    return this.fpathText;
  }

  /** JSON path without indices, as Go's decoder reports it. */
  get goField(): string {
    if (this.goFieldText === undefined) {
      const p = this.parent!.goField;
      this.goFieldText = this.step === 'index' ? p : p ? `${p}.${this.key}` : this.key;
    }
    return this.goFieldText;
  }
}

interface Ctx {
  resolver: SchemaResolver;
  fieldPrefix: string;
  errors: SchemaFieldError[];
  /** List-type and embedded-resource errors: separate passes upstream, reported after schema errors. */
  later: SchemaFieldError[];
  typesOnly: boolean;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export function validateValue(value: unknown, schema: Schema, opts: ValidateOptions): SchemaFieldError[] {
  const base = opts.path ?? '';
  const ctx: Ctx = { resolver: opts.resolver, fieldPrefix: opts.fieldPrefix ?? '', errors: [], later: [], typesOnly: !!opts.typesOnly };
  validateNode(value, schema, Loc.root(base), ctx);
  return ctx.errors.concat(ctx.later);
}

function fieldOf(ctx: Ctx, name: string): string {
  if (!ctx.fieldPrefix) return name;
  return name ? `${ctx.fieldPrefix}.${name}` : ctx.fieldPrefix;
}

/** Where errors without a path go: upstream reports them on the validator's root path, printed `<nil>` when unset. */
function rootField(ctx: Ctx): string {
  return ctx.fieldPrefix || '<nil>';
}

function childLoc(loc: Loc, key: string, structName: string): Loc {
  return new Loc(loc, 'field', key, structName);
}

function mapValueLoc(loc: Loc, key: string): Loc {
  return new Loc(loc, 'map', key, loc.goStruct);
}

function indexLoc(loc: Loc, i: number): Loc {
  return new Loc(loc, 'index', String(i), loc.goStruct);
}

/** Follows refs and single-ref allOf wrappers; returns the concrete node and the last definition name passed. */
function resolve(schema: Schema, resolver: SchemaResolver): { s: Schema | undefined; def: string } {
  let s: Schema | undefined = schema;
  let def = '';
  for (let i = 0; s && i < 32; i++) {
    if (s.$ref) {
      def = refName(s.$ref);
      s = resolver.resolveRef(s.$ref);
      continue;
    }
    if (s.allOf && s.allOf.length === 1 && !s.type && !s.properties && s.allOf[0]!.$ref) {
      s = s.allOf[0];
      continue;
    }
    break;
  }
  return { s, def };
}

function invalid(ctx: Ctx, name: string, value: unknown, detail: string): SchemaFieldError {
  return { type: 'FieldValueInvalid', field: fieldOf(ctx, name), value: value === undefined || value === null ? '' : value, detail };
}

function validateNode(v: unknown, schema: Schema, loc: Loc, ctx: Ctx): void {
  const { s, def } = resolve(schema, ctx.resolver);
  if (!s) return;
  const childStruct = def ? goStructName(def) : loc.goStruct;

  if (ctx.typesOnly) {
    // Go's decoder takes null for any type (the zero value), so null is never a decode error.
    if (ctx.errors.length || v === null) return;
    checkType(v, s, schema, loc, ctx);
    if (isPlainObject(v)) {
      const ap = s.additionalProperties;
      for (const k of Object.keys(v)) {
        const ps = s.properties && Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : undefined;
        if (ps) validateNode(v[k], ps, childLoc(loc, k, childStruct), ctx);
        else if (ap && typeof ap === 'object') validateNode(v[k], ap, mapValueLoc(loc, k), ctx);
      }
    } else if (Array.isArray(v) && s.items) {
      for (let i = 0; i < v.length; i++) validateNode(v[i], s.items, indexLoc(loc, i), ctx);
    }
    return;
  }

  checkType(v, s, schema, loc, ctx);
  if (s.allOf || s.anyOf || s.oneOf || s.not) checkJunctors(v, s, loc, ctx);

  if (typeof v === 'string') {
    checkString(v, s, loc, ctx);
  } else if (typeof v === 'number') {
    checkNumber(v, s, loc, ctx);
  } else if (Array.isArray(v)) {
    checkArray(v, s, loc, ctx);
  }

  if (s.enum && v !== undefined) checkEnum(v, s.enum, loc, ctx);

  if (isPlainObject(v)) {
    checkObject(v, s, loc, childStruct, ctx);
    if (s['x-kubernetes-embedded-resource']) checkEmbedded(v, loc, ctx);
  }
  if (Array.isArray(v) && (s['x-kubernetes-list-type'] === 'set' || s['x-kubernetes-list-type'] === 'map')) {
    for (const e of validateListType(v, s, fieldOf(ctx, loc.fpath))) ctx.later.push(e);
  }
}

function typeError(ctx: Ctx, loc: Loc, expected: string, found: string, v: unknown, declared: Schema): SchemaFieldError {
  return {
    type: 'FieldValueTypeInvalid',
    field: fieldOf(ctx, loc.name),
    value: found,
    detail: `${loc.name} in body must be of type ${expected}: ${JSON.stringify(found)}`,
    typeMismatch: {
      expected,
      found,
      goType: goTypeOf(declared, ctx.resolver),
      goStruct: loc.goStruct,
      goField: loc.goField,
      goValue: goValueOf(v),
    },
  };
}

/** kube-openapi's type validator, including its format-before-type quirk for non-string values. */
function checkType(v: unknown, s: Schema, declared: Schema, loc: Loc, ctx: Ctx): void {
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const type = intOrString ? 'integer,string' : s.type;
  const format = intOrString ? undefined : s.format;
  if (!type && !format) return;
  if (v === undefined) return;
  if (v === null) {
    if (type && !s.nullable) ctx.errors.push(typeError(ctx, loc, type, 'null', v, declared));
    return;
  }
  const found = jsonType(v);
  const typeOk = intOrString ? found === 'integer' || found === 'string' || (found === 'number' && s.format !== 'int-or-string') : found === type;
  const isIntFloat = found === 'integer' && type === 'number';
  if (format && typeof v !== 'string' && !Array.isArray(v)) {
    // Upstream decodes whole numbers to int64 and others to float64; the format names what it found.
    const foundFormat: string = found === 'integer' ? 'int64' : found === 'number' ? 'float64' : '';
    const formatOk = typeOk || foundFormat === format || isIntFloat || (format === 'double' && foundFormat === 'float64');
    if (!formatOk) {
      ctx.errors.push(typeError(ctx, loc, format, foundFormat, v, declared));
      return;
    }
  }
  if (type !== 'number' && type !== 'integer' && format && (typeof v === 'string' || Array.isArray(v))) return;
  if (!type) return;
  if (!(typeOk || isIntFloat)) {
    ctx.errors.push(typeError(ctx, loc, type, found, v, declared));
    return;
  }
  // Go decodes into int32/int64 and fails beyond their range; JSON numbers beyond 2^53 are not exact here.
  if (found === 'integer' && type === 'integer' && typeof v === 'number') {
    if (s.format === 'int32' && (v < INT32_MIN || v > INT32_MAX)) ctx.errors.push(typeError(ctx, loc, 'int32', 'int64', v, declared));
    else if (!Number.isSafeInteger(v)) ctx.errors.push(typeError(ctx, loc, 'int64', 'number', v, declared));
  }
}

function subValidate(v: unknown, s: Schema, loc: Loc, ctx: Ctx): SchemaFieldError[] {
  const sub: Ctx = { resolver: ctx.resolver, fieldPrefix: ctx.fieldPrefix, errors: [], later: [], typesOnly: ctx.typesOnly };
  validateNode(v, s, loc, sub);
  return sub.errors;
}

function checkJunctors(v: unknown, s: Schema, loc: Loc, ctx: Ctx): void {
  const quoted = JSON.stringify(loc.name);
  if (s.anyOf && s.anyOf.length) {
    let best: SchemaFieldError[] | undefined;
    let ok = false;
    for (const branch of s.anyOf) {
      const errs = subValidate(v, branch, loc, ctx);
      if (!errs.length) {
        ok = true;
        break;
      }
      if (!best || errs.length < best.length) best = errs;
    }
    if (!ok) {
      ctx.errors.push(invalid(ctx, '', '', `${quoted} must validate at least one schema (anyOf)`));
      ctx.errors[ctx.errors.length - 1]!.field = rootField(ctx);
      if (best) ctx.errors.push(...best);
    }
  }
  if (s.oneOf && s.oneOf.length) {
    let best: SchemaFieldError[] | undefined;
    let valid = 0;
    for (const branch of s.oneOf) {
      const errs = subValidate(v, branch, loc, ctx);
      if (!errs.length) {
        valid++;
        best = undefined;
        continue;
      }
      if (valid === 0 && (!best || errs.length < best.length)) best = errs;
    }
    if (valid !== 1) {
      const more = valid === 0 ? 'Found none valid' : `Found ${valid} valid alternatives`;
      const e = invalid(ctx, '', '', `${quoted} must validate one and only one schema (oneOf). ${more}`);
      e.field = rootField(ctx);
      ctx.errors.push(e);
      if (best) ctx.errors.push(...best);
    }
  }
  if (s.allOf && s.allOf.length) {
    let valid = 0;
    for (const branch of s.allOf) {
      const errs = subValidate(v, branch, loc, ctx);
      if (!errs.length) valid++;
      ctx.errors.push(...errs);
    }
    if (valid !== s.allOf.length) {
      const e = invalid(ctx, '', '', `${quoted} must validate all the schemas (allOf)${valid === 0 ? '. None validated' : ''}`);
      e.field = rootField(ctx);
      ctx.errors.push(e);
    }
  }
  if (s.not) {
    if (!subValidate(v, s.not, loc, ctx).length) {
      const e = invalid(ctx, '', '', `${quoted} must not validate the schema (not)`);
      e.field = rootField(ctx);
      ctx.errors.push(e);
    }
  }
}

const regexCache = new Map<string, RegExp | null>();

function compilePattern(pattern: string): RegExp | null {
  let re = regexCache.get(pattern);
  if (re !== undefined) return re;
  try {
    re = new RegExp(pattern, 'u');
  } catch {
    try {
      re = new RegExp(pattern);
    } catch {
      re = null;
    }
  }
  regexCache.set(pattern, re);
  return re;
}

function runeCount(v: string): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    // A surrogate pair is one code point, as Go's utf8.RuneCountInString counts it.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < v.length) {
      const d = v.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function checkString(v: string, s: Schema, loc: Loc, ctx: Ctx): void {
  if (s.maxLength !== undefined || s.minLength !== undefined) {
    const n = runeCount(v);
    if (s.maxLength !== undefined && n > s.maxLength) {
      ctx.errors.push({ type: 'FieldValueTooLong', field: fieldOf(ctx, loc.name), value: v, detail: `may not be more than ${s.maxLength} bytes` });
    }
    if (s.minLength !== undefined && n < s.minLength) {
      ctx.errors.push(invalid(ctx, loc.name, v, `${loc.name} in body should be at least ${s.minLength} chars long`));
    }
  }
  if (s.pattern !== undefined) {
    const re = compilePattern(s.pattern);
    if (re && !re.test(v)) ctx.errors.push(invalid(ctx, loc.name, v, `${loc.name} in body should match '${s.pattern}'`));
  }
  if (s.format && !checkFormat(s.format, v)) {
    const e = invalid(ctx, loc.name, v, `${loc.name} in body must be of type ${s.format}: ${JSON.stringify(v)}`);
    e.type = 'FieldValueTypeInvalid';
    ctx.errors.push(e);
  }
}

function formatNumber(n: number): string {
  return String(n);
}

function checkNumber(v: number, s: Schema, loc: Loc, ctx: Ctx): void {
  if (s.multipleOf !== undefined && s.multipleOf > 0) {
    const q = v / s.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) ctx.errors.push(invalid(ctx, loc.name, v, `${loc.name} in body should be a multiple of ${formatNumber(s.multipleOf)}`));
  }
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum) {
      const rel = s.exclusiveMaximum ? 'less than' : 'less than or equal to';
      ctx.errors.push(invalid(ctx, loc.name, v, `${loc.name} in body should be ${rel} ${formatNumber(s.maximum)}`));
    }
  }
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum) {
      const rel = s.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
      ctx.errors.push(invalid(ctx, loc.name, v, `${loc.name} in body should be ${rel} ${formatNumber(s.minimum)}`));
    }
  }
}

function checkArray(v: unknown[], s: Schema, loc: Loc, ctx: Ctx): void {
  if (s.items) {
    for (let i = 0; i < v.length; i++) validateNode(v[i], s.items, indexLoc(loc, i), ctx);
  }
  if (s.minItems !== undefined && v.length < s.minItems) {
    ctx.errors.push(invalid(ctx, loc.name, v.length, `${loc.name} in body should have at least ${s.minItems} items`));
  }
  if (s.maxItems !== undefined && v.length > s.maxItems) {
    ctx.errors.push({ type: 'FieldValueTooMany', field: fieldOf(ctx, loc.name), value: v.length, detail: `must have at most ${s.maxItems} items` });
  }
  if (s.uniqueItems && hasDuplicates(v)) {
    ctx.errors.push(invalid(ctx, loc.name, '', `${loc.name} in body shouldn't contain duplicates`));
  }
}

function hasDuplicates(v: unknown[]): boolean {
  const seen = new Set<string>();
  for (const x of v) {
    const k = JSON.stringify(x);
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}

function checkEnum(v: unknown, values: unknown[], loc: Loc, ctx: Ctx): void {
  for (const allowed of values) if (deepEqual(v, allowed)) return;
  const valid = values.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));
  ctx.errors.push({ type: 'FieldValueNotSupported', field: fieldOf(ctx, loc.name), value: v === null ? '' : v, valid });
}

function checkObject(v: Record<string, unknown>, s: Schema, loc: Loc, childStruct: string, ctx: Ctx): void {
  const keys = Object.keys(v);
  // Upstream stops at a property-count failure without looking inside.
  if (s.minProperties !== undefined && keys.length < s.minProperties) {
    ctx.errors.push(invalid(ctx, loc.name, keys.length, `${loc.name} in body should have at least ${s.minProperties} properties`));
    return;
  }
  if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
    ctx.errors.push({ type: 'FieldValueTooMany', field: fieldOf(ctx, loc.name), value: keys.length, detail: `must have at most ${s.maxProperties} items` });
    return;
  }
  const props = s.properties;
  const ap = s.additionalProperties;
  if (ap === false) {
    for (const k of keys) {
      if (!props || !Object.prototype.hasOwnProperty.call(props, k)) {
        const e = invalid(ctx, loc.name, k, `${loc.name ? loc.name + '.' : '.'}${k} in body is a forbidden property`);
        if (!loc.name) e.field = rootField(ctx);
        ctx.errors.push(e);
      }
    }
  } else if (ap && typeof ap === 'object') {
    for (const k of keys) {
      if (props && Object.prototype.hasOwnProperty.call(props, k)) continue;
      validateNode(v[k], ap, mapValueLoc(loc, k), ctx);
    }
  }
  if (props) {
    for (const k of keys) {
      const ps = props[k];
      if (ps && Object.prototype.hasOwnProperty.call(props, k)) validateNode(v[k], ps, childLoc(loc, k, childStruct), ctx);
    }
  }
  if (s.required) {
    for (const k of s.required) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) ctx.errors.push({ type: 'FieldValueRequired', field: fieldOf(ctx, loc.name ? `${loc.name}.${k}` : k), detail: '' });
    }
  }
}

/** apiVersion and kind of an embedded object, as apiextensions' objectmeta validation checks them. */
function checkEmbedded(v: Record<string, unknown>, loc: Loc, ctx: Ctx): void {
  const at = (k: string): string => fieldOf(ctx, loc.fpath ? `${loc.fpath}.${k}` : k);
  for (const k of ['apiVersion', 'kind'] as const) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) {
      ctx.later.push({ type: 'FieldValueRequired', field: at(k), detail: 'must not be empty' });
      continue;
    }
    const x = v[k];
    if (typeof x !== 'string') ctx.later.push({ type: 'FieldValueInvalid', field: at(k), value: x, detail: 'must be a string' });
    else if (!x) ctx.later.push({ type: 'FieldValueInvalid', field: at(k), value: x, detail: 'must not be empty' });
    else if (k === 'apiVersion' && x.split('/').length > 2) ctx.later.push({ type: 'FieldValueInvalid', field: at(k), value: x, detail: `unexpected GroupVersion string: ${x}` });
  }
  const md = v.metadata;
  if (md !== undefined && md !== null && !isPlainObject(md)) ctx.later.push({ type: 'FieldValueInvalid', field: at('metadata'), value: md, detail: 'must be an object' });
}
