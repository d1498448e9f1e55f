/**
 * How a schema node looks to Go's encoding/json, so the server can produce the
 * decode error a built-in kube-apiserver returns for a mistyped field
 * (`json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`).
 */
import { type Schema, type SchemaResolver, deref, refName } from './types.js';

const QUANTITY_DEFINITION = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING_DEFINITION = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** Facts about a type mismatch that both CRD and built-in error texts need. */
export interface TypeMismatch {
  /** The OpenAPI type (or format) the schema asks for, as CRD validation prints it. */
  expected: string;
  /** The JSON type of the value, as CRD validation prints it ('integer', 'number', 'string', 'boolean', 'array', 'object', 'null'). */
  found: string;
  /** The Go type the field has in a built-in type: `int32`, `[]v1.Container`, `map[string]string`, `v1.PodSpec`. */
  goType: string;
  /** The innermost named struct holding the field (`DeploymentSpec`), empty at the root. */
  goStruct: string;
  /** The field's JSON path without list indices, as Go reports it (`spec.template.spec.containers.image`). */
  goField: string;
  /**
   * The value as Go's UnmarshalTypeError names it: `string`, `number 1.5`, `bool`, `array`, `object`.
   * Empty for null: Go ignores a null for any field, so no decode error exists.
   */
  goValue: string;
}

/** The text of Go's UnmarshalTypeError for a mismatch, or undefined when Go would accept the value (null). */
export function goDecodeMessage(tm: TypeMismatch): string | undefined {
  if (!tm.goValue) return undefined;
  if (!tm.goStruct) return `json: cannot unmarshal ${tm.goValue} into Go value of type ${tm.goType}`;
  return `json: cannot unmarshal ${tm.goValue} into Go struct field ${tm.goStruct}.${tm.goField} of type ${tm.goType}`;
}

/** `io.k8s.api.core.v1.Container` -> `v1.Container`. */
export function goNamedType(definitionName: string): string {
  const parts = definitionName.split('.');
  if (parts.length < 2) return definitionName;
  const pkg = parts[parts.length - 2]!;
  const name = parts[parts.length - 1]!;
  if (definitionName === INT_OR_STRING_DEFINITION) return 'intstr.IntOrString';
  if (definitionName === QUANTITY_DEFINITION) return 'resource.Quantity';
  return `${pkg}.${name}`;
}

/** The short struct name of a definition (`DeploymentSpec`). */
export function goStructName(definitionName: string): string {
  const i = definitionName.lastIndexOf('.');
  return i < 0 ? definitionName : definitionName.slice(i + 1);
}

/** The Go type a schema node decodes into; follows refs up to a small depth for element types. */
export function goTypeOf(schema: Schema | undefined, resolver: SchemaResolver | undefined, depth = 0): string {
  if (!schema) return 'interface {}';
  if (schema.$ref) return goNamedType(refName(schema.$ref));
  if (schema.allOf && schema.allOf.length === 1 && !schema.type && schema.allOf[0]!.$ref) return goNamedType(refName(schema.allOf[0]!.$ref));
  if (schema['x-kubernetes-int-or-string']) return 'intstr.IntOrString';
  switch (schema.type) {
    case 'integer':
      return schema.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return schema.format === 'float' ? 'float32' : 'float64';
    case 'boolean':
      return 'bool';
    case 'string':
      return schema.format === 'byte' ? '[]uint8' : 'string';
    case 'array':
      return depth > 8 ? '[]interface {}' : `[]${goTypeOf(schema.items, resolver, depth + 1)}`;
    case 'object':
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        return depth > 8 ? 'map[string]interface {}' : `map[string]${goTypeOf(schema.additionalProperties, resolver, depth + 1)}`;
      }
      if (schema.properties) return 'struct';
      return 'map[string]interface {}';
    default:
      return 'interface {}';
  }
}

/** Go's UnmarshalTypeError.Value for a JSON value. */
export function goValueOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return `number ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return 'array';
  return 'object';
}

/** The schema a JSON path (field names and list indices) leads to, following refs; undefined where it leaves the schema. */
export function schemaAtPath(schema: Schema | undefined, path: ReadonlyArray<string | number>, resolver: SchemaResolver | undefined): Schema | undefined {
  let at = schema;
  for (const seg of path) {
    const s = deref(at, resolver);
    if (!s) return undefined;
    if (typeof seg === 'number') at = s.items;
    else at = s.properties?.[seg] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
  }
  return at;
}

/**
 * What Go's decoder leaves for a `null` in a list of this type, as JSON: the zero value of a
 * struct, string, number or bool (`{}`, `""`, `0`, `false`). Undefined where the item stays
 * null (maps, slices, byte strings, times and anything the schema does not type).
 */
export function goZeroOfNull(schema: Schema | undefined, resolver: SchemaResolver | undefined): unknown {
  if (!schema) return undefined;
  const ref = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0]!.$ref : undefined);
  if (ref) {
    const name = refName(ref);
    if (name === QUANTITY_DEFINITION) return '0';
    if (name === INT_OR_STRING_DEFINITION) return 0;
  }
  if (schema['x-kubernetes-int-or-string']) return 0;
  const s = deref(schema, resolver);
  if (!s) return undefined;
  if (s['x-kubernetes-int-or-string']) return 0;
  switch (s.type) {
    case 'string':
      return s.format === 'byte' || s.format === 'date-time' ? undefined : '';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    default:
      return s.properties ? {} : undefined;
  }
}
