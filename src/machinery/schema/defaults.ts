/**
 * Structural defaulting as apiextensions-apiserver applies it to custom
 * resources: a property's `default` fills the field when it is absent (or a
 * null the schema does not allow), then defaulting continues inside it; array
 * items and map values are defaulted the same way.
 */
import type { Schema, SchemaResolver } from './types.js';
import { cloneJSON, isPlainObject } from './json-value.js';

export interface DefaultsOptions {
  resolver: SchemaResolver;
}

/** Mutates `value` in place; the caller owns it. */
export function applyDefaults(value: unknown, schema: Schema, opts: DefaultsOptions): void {
  walk(value, schema, opts.resolver, 0);
}

/** The node's own default, or the one on the definition it refers to. */
function defaultOf(declared: Schema, resolved: Schema | undefined): unknown {
  if (declared.default !== undefined) return declared.default;
  return resolved?.default;
}

function nullableOf(declared: Schema, resolved: Schema | undefined): boolean {
  return declared.nullable === true || resolved?.nullable === true;
}

function resolve(schema: Schema | undefined, resolver: SchemaResolver): Schema | undefined {
  let s = schema;
  for (let i = 0; s && i < 32; i++) {
    if (s.$ref) s = resolver.resolveRef(s.$ref);
    else if (s.allOf && s.allOf.length === 1 && !s.type && !s.properties && s.allOf[0]!.$ref) s = s.allOf[0];
    else break;
  }
  return s;
}

/** Whether `slot` needs the default: absent, or null where null is not allowed. */
function fill(present: boolean, current: unknown, declared: Schema, resolved: Schema | undefined): unknown {
  const d = defaultOf(declared, resolved);
  if (d === undefined) return undefined;
  if (!present || (current === null && !nullableOf(declared, resolved))) return cloneJSON(d);
  return undefined;
}

/**
 * Whether any `default` exists at or below a schema node. Built-in types carry
 * few schema defaults (their defaulting is code), so most subtrees are skipped.
 * A cycle (recursive definitions) answers true: walking is always correct.
 */
const mayDefaultMemo = new WeakMap<Schema, boolean>();
function mayDefault(s: Schema, resolver: SchemaResolver, onStack: Set<Schema> = new Set()): boolean {
  const memo = mayDefaultMemo.get(s);
  if (memo !== undefined) return memo;
  if (onStack.has(s)) return true;
  onStack.add(s);
  const child = (c: Schema | undefined): boolean => {
    if (!c) return false;
    if (c.default !== undefined) return true;
    const r = resolve(c, resolver);
    return !!r && (r.default !== undefined || mayDefault(r, resolver, onStack));
  };
  let result = s.default !== undefined;
  if (!result && s.properties) result = Object.values(s.properties).some(child);
  if (!result && s.items) result = child(s.items);
  if (!result && s.additionalProperties && typeof s.additionalProperties === 'object') result = child(s.additionalProperties);
  if (!result) result = [...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])].some(child);
  onStack.delete(s);
  mayDefaultMemo.set(s, result);
  return result;
}

/** The properties of a node that carry a default or have one below them. */
const relevantMemo = new WeakMap<Schema, [string, Schema][]>();
function relevantProperties(s: Schema, resolver: SchemaResolver): [string, Schema][] {
  let r = relevantMemo.get(s);
  if (!r) {
    r = Object.entries(s.properties ?? {}).filter(([, ps]) => {
      if (ps.default !== undefined) return true;
      const resolved = resolve(ps, resolver);
      return !!resolved && (resolved.default !== undefined || mayDefault(resolved, resolver));
    });
    relevantMemo.set(s, r);
  }
  return r;
}

function walk(v: unknown, schema: Schema, resolver: SchemaResolver, depth: number): void {
  // Recursive definitions only recurse as deep as the value; the guard stops cyclic values.
  if (depth > 512) return;
  const s = resolve(schema, resolver);
  if (!s || !mayDefault(s, resolver)) return;
  if (Array.isArray(v)) {
    if (!s.items) return;
    const items = s.items;
    const resolvedItems = resolve(items, resolver);
    for (let i = 0; i < v.length; i++) {
      const d = fill(true, v[i], items, resolvedItems);
      if (d !== undefined) v[i] = d;
      walk(v[i], items, resolver, depth + 1);
    }
    return;
  }
  if (!isPlainObject(v)) return;
  if (s.properties) {
    for (const [k, ps] of relevantProperties(s, resolver)) {
      const present = Object.prototype.hasOwnProperty.call(v, k);
      const d = fill(present, v[k], ps, resolve(ps, resolver));
      if (d !== undefined) v[k] = d;
      if (Object.prototype.hasOwnProperty.call(v, k)) walk(v[k], ps, resolver, depth + 1);
    }
  }
  const ap = s.additionalProperties;
  if (ap && typeof ap === 'object') {
    const resolvedAp = resolve(ap, resolver);
    for (const k of Object.keys(v)) {
      if (s.properties && Object.prototype.hasOwnProperty.call(s.properties, k)) continue;
      const d = fill(true, v[k], ap, resolvedAp);
      if (d !== undefined) v[k] = d;
      walk(v[k], ap, resolver, depth + 1);
    }
  }
}
