/**
 * The structural OpenAPI v3 schema subset Kubernetes uses, with its
 * x-kubernetes-* extensions. Built-in types (written with the DSL in
 * `api/schema`) and CRD openAPIV3Schemas are both this shape, so one engine
 * validates, prunes, defaults and drives merge/apply for both.
 *
 * References are `{ $ref: '#/definitions/<name>' }` and are resolved through
 * a `SchemaResolver`; the OpenAPI v3 writer rewrites them to
 * `#/components/schemas/<name>`.
 */

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

export interface Schema {
  $ref?: string;
  type?: SchemaType;
  format?: string;
  title?: string;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  example?: unknown;
  externalDocs?: { description?: string; url?: string };
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  /** Strategic merge patch: e.g. "merge", "retainKeys", "merge,retainKeys". */
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  'x-kubernetes-validations'?: { rule: string; message?: string; messageExpression?: string; reason?: string; fieldPath?: string }[];
  /** Marks a built-in definition whose TS/JSON value is a string or number (Quantity, IntOrString). */
  'x-kubernetes-unions'?: unknown[];
}

/** Looks up named definitions; the same registry backs OpenAPI documents. */
export interface SchemaResolver {
  /** The definition behind a `$ref`, or undefined when unknown. */
  resolveRef(ref: string): Schema | undefined;
}

export const DEFINITION_PREFIX = '#/definitions/';

export function refTo(name: string): Schema {
  return { $ref: DEFINITION_PREFIX + name };
}

export function refName(ref: string): string {
  const i = ref.lastIndexOf('/');
  return i < 0 ? ref : ref.slice(i + 1);
}

/** Follows `$ref`s (and a single-element allOf wrapping one) to a concrete schema. */
export function deref(schema: Schema | undefined, resolver: SchemaResolver | undefined): Schema | undefined {
  let s = schema;
  for (let i = 0; s && i < 32; i++) {
    if (s.$ref) {
      const target = resolver?.resolveRef(s.$ref);
      if (!target) return undefined;
      // A $ref with sibling description/default: keep the target's structure.
      s = target;
      continue;
    }
    if (s.allOf && s.allOf.length === 1 && !s.type && !s.properties) {
      s = s.allOf[0];
      continue;
    }
    return s;
  }
  return s;
}

/** A resolver over a plain map of definitions. */
export class MapResolver implements SchemaResolver {
  constructor(readonly definitions: Map<string, Schema>) {}
  resolveRef(ref: string): Schema | undefined {
    return this.definitions.get(refName(ref));
  }
}
