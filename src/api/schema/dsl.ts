/**
 * The one place API types are written. Each builder returns a `T<X>`: a
 * structural schema (what the server validates, prunes, defaults, patches and
 * publishes in OpenAPI) plus a phantom TS type `X` so `Static<typeof Foo>` is
 * the TypeScript type of the same definition. Nothing is written twice.
 *
 * Kubernetes fields are optional unless listed in `required`.
 */
import { type Schema, DEFINITION_PREFIX } from '../../machinery/schema/types.js';

declare const phantom: unique symbol;

export interface T<X> {
  readonly schema: Schema;
  readonly [phantom]?: X;
}

export type Static<D> = D extends T<infer X> ? X : D extends Def<infer Y> ? Y : never;

/** A named definition (e.g. `io.k8s.api.core.v1.Container`). */
export interface Def<X> extends T<X> {
  readonly name: string;
  /** The full schema stored under `name`; `schema` is the `$ref` used by others. */
  readonly definition: Schema;
}

type Common = Pick<Schema, 'description' | 'default' | 'nullable' | 'example'>;
type StringOpts = Common & Pick<Schema, 'format' | 'pattern' | 'minLength' | 'maxLength'>;
type NumberOpts = Common & Pick<Schema, 'minimum' | 'maximum' | 'exclusiveMinimum' | 'exclusiveMaximum' | 'multipleOf'>;

export interface ListOpts extends Common {
  /** x-kubernetes-list-type; `map` needs `mapKeys`. */
  listType?: 'atomic' | 'set' | 'map';
  mapKeys?: string[];
  /** Strategic merge patch merge key (x-kubernetes-patch-merge-key). */
  mergeKey?: string;
  /** Strategic merge patch strategy, e.g. 'merge' or 'merge,retainKeys'. */
  patchStrategy?: string;
  minItems?: number;
  maxItems?: number;
}

export interface MapOpts extends Common {
  mapType?: 'atomic' | 'granular';
  maxProperties?: number;
}

export interface ObjectOpts<K extends string> extends Common {
  required?: readonly K[];
  /** x-kubernetes-map-type for structs: 'atomic' means replaced whole by apply. */
  structType?: 'atomic' | 'granular';
  patchStrategy?: string;
  preserveUnknownFields?: boolean;
}

type Simplify<X> = { [K in keyof X]: X[K] } & {};
type ObjStatic<P extends Record<string, T<any>>, R extends keyof P> = Simplify<
  { [K in R]: Static<P[K]> } & { [K in Exclude<keyof P, R>]?: Static<P[K]> }
>;

function mk<X>(schema: Schema): T<X> {
  return { schema } as T<X>;
}

function pickCommon(o: Common | undefined): Schema {
  const s: Schema = {};
  if (!o) return s;
  if (o.description !== undefined) s.description = o.description;
  if (o.default !== undefined) s.default = o.default;
  if (o.nullable !== undefined) s.nullable = o.nullable;
  if (o.example !== undefined) s.example = o.example;
  return s;
}

export const t = {
  string(opts?: StringOpts): T<string> {
    return mk({ type: 'string', ...opts });
  },
  /** A string restricted to the given values; TS sees the union. */
  enum<const E extends string>(values: readonly E[], opts?: Common): T<E> {
    return mk({ type: 'string', enum: [...values], ...pickCommon(opts) });
  },
  int32(opts?: NumberOpts): T<number> {
    return mk({ type: 'integer', format: 'int32', ...opts });
  },
  int64(opts?: NumberOpts): T<number> {
    return mk({ type: 'integer', format: 'int64', ...opts });
  },
  number(opts?: NumberOpts): T<number> {
    return mk({ type: 'number', format: 'double', ...opts });
  },
  bool(opts?: Common): T<boolean> {
    return mk({ type: 'boolean', ...pickCommon(opts) });
  },
  /** base64 bytes ([]byte in Go). */
  bytes(opts?: Common): T<string> {
    return mk({ type: 'string', format: 'byte', ...pickCommon(opts) });
  },
  array<I>(item: T<I>, opts?: ListOpts): T<I[]> {
    const s: Schema = { type: 'array', items: item.schema, ...pickCommon(opts) };
    if (opts?.listType) s['x-kubernetes-list-type'] = opts.listType;
    if (opts?.mapKeys) s['x-kubernetes-list-map-keys'] = [...opts.mapKeys];
    if (opts?.mergeKey) s['x-kubernetes-patch-merge-key'] = opts.mergeKey;
    if (opts?.patchStrategy) s['x-kubernetes-patch-strategy'] = opts.patchStrategy;
    if (opts?.minItems !== undefined) s.minItems = opts.minItems;
    if (opts?.maxItems !== undefined) s.maxItems = opts.maxItems;
    return mk(s);
  },
  /** map[string]V */
  map<V>(value: T<V>, opts?: MapOpts): T<Record<string, V>> {
    const s: Schema = { type: 'object', additionalProperties: value.schema, ...pickCommon(opts) };
    if (opts?.mapType) s['x-kubernetes-map-type'] = opts.mapType;
    if (opts?.maxProperties !== undefined) s.maxProperties = opts.maxProperties;
    return mk(s);
  },
  object<P extends Record<string, T<any>>, const R extends keyof P & string = never>(props: P, opts?: ObjectOpts<R>): T<ObjStatic<P, R>> {
    const properties: Record<string, Schema> = {};
    for (const [k, v] of Object.entries(props)) properties[k] = v.schema;
    const s: Schema = { type: 'object', properties, ...pickCommon(opts) };
    if (opts?.required && opts.required.length) s.required = [...opts.required];
    if (opts?.structType) s['x-kubernetes-map-type'] = opts.structType;
    if (opts?.patchStrategy) s['x-kubernetes-patch-strategy'] = opts.patchStrategy;
    if (opts?.preserveUnknownFields) s['x-kubernetes-preserve-unknown-fields'] = true;
    return mk(s);
  },
  /** A schema with no builder of its own (Quantity, IntOrString); the caller states the type. */
  raw<X>(schema: Schema): T<X> {
    return mk(schema);
  },
  /** Any JSON value kept as is (RawExtension, JSON). */
  any(opts?: Common): T<unknown> {
    return mk({ 'x-kubernetes-preserve-unknown-fields': true, ...pickCommon(opts) });
  },
  /** An embedded object of any kind (runtime.RawExtension holding an object). */
  embedded(opts?: Common): T<Record<string, unknown>> {
    return mk({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-embedded-resource': true, ...pickCommon(opts) });
  },
  ref<X>(d: Def<X>, opts?: Common): T<X> {
    if (!opts || (opts.description === undefined && opts.default === undefined)) return d;
    // OpenAPI v3 keeps siblings of a $ref only inside allOf.
    return mk({ allOf: [d.schema], ...pickCommon(opts) });
  },
  /** A forward or recursive reference by name; the caller states the type. */
  lazyRef<X>(name: string, opts?: Common): T<X> {
    const r: Schema = { $ref: DEFINITION_PREFIX + name };
    if (!opts || (opts.description === undefined && opts.default === undefined)) return mk(r);
    return mk({ allOf: [r], ...pickCommon(opts) });
  },
  /** Attach or replace a description without changing the type. */
  describe<X>(x: T<X>, description: string): T<X> {
    if (x.schema.$ref) return mk({ allOf: [x.schema], description });
    return mk({ ...x.schema, description });
  },
};

/** Registers a named definition; others point at it with `t.ref(def)`. */
export function def<X>(name: string, body: T<X>, extra?: Pick<Schema, 'description' | 'x-kubernetes-group-version-kind'>): Def<X> {
  const definition: Schema = { ...body.schema, ...extra };
  return { name, definition, schema: { $ref: DEFINITION_PREFIX + name } } as Def<X>;
}

/** A collection of definitions, in order; the scheme merges every group's. */
export type Definitions = readonly Def<any>[];
