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

function walk(v: unknown, schema: Schema, resolver: SchemaResolver, depth: number): void {
  // Recursive definitions only recurse as deep as the value; the guard stops cyclic values.
  if (depth > 512) return;
  const s = resolve(schema, resolver);
  if (!s) return;
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
    for (const [k, ps] of Object.entries(s.properties)) {
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
