/**
 * The checks kube-apiserver makes on a CRD's openAPIV3Schema before serving
 * it: the schema-level rules of CRD validation ($ref, uniqueItems,
 * properties vs additionalProperties, list and map types), structural
 * invariants (types everywhere, value validations free of structure,
 * metadata restricted to name/generateName), and defaults that validate and
 * survive pruning. Messages are upstream's.
 */
import { type FieldError, fieldErrorText } from '../errors/field.js';
import { type Schema, type SchemaResolver } from './types.js';
import { validateValue } from './validate.js';
import { pruneUnknownFields } from './prune.js';
import { cloneJSON, deepEqual } from './json-value.js';

type Level = 'root' | 'item' | 'field';

const noRefs: SchemaResolver = { resolveRef: () => undefined };

const LIST_TYPES = ['atomic', 'set', 'map'];
const MAP_TYPES = ['atomic', 'granular'];
const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);

interface SchemaCtx {
  isRoot: boolean;
  /** Why defaults are forbidden here, when they are. */
  noDefaults?: string;
  insideMeta: boolean;
}

export function checkStructuralSchema(schema: Schema, path: string): FieldError[] {
  const schemaErrs: FieldError[] = [];
  checkOpenAPISchema(schema, path, { isRoot: true, insideMeta: false }, schemaErrs);
  const structuralErrs: FieldError[] = [];
  checkInvariants(schema, 'root', path, structuralErrs);
  structuralErrs.sort((a, b) => (fieldErrorText(a) < fieldErrorText(b) ? -1 : fieldErrorText(a) > fieldErrorText(b) ? 1 : 0));
  const out = schemaErrs.concat(structuralErrs);
  // Upstream validates defaults only on a schema that is otherwise structural.
  if (!out.length) checkDefaults(schema, path, 'root', false, out);
  return out;
}

function typeOf(s: Schema): string {
  return (s.type as string | undefined) ?? '';
}

function own(o: object | undefined, k: string): boolean {
  return !!o && Object.prototype.hasOwnProperty.call(o, k);
}

/** ValidateCustomResourceDefinitionOpenAPISchema's rules that do not depend on CEL. */
function checkOpenAPISchema(s: Schema | undefined, p: string, ctx: SchemaCtx, errs: FieldError[]): void {
  if (!s) return;
  if (s.default !== undefined && ctx.noDefaults) errs.push({ type: 'FieldValueForbidden', field: `${p}.default`, detail: `must not be set ${ctx.noDefaults}` });
  if (s.$ref !== undefined) errs.push({ type: 'FieldValueForbidden', field: `${p}.$ref`, detail: '$ref is not supported' });
  if (typeOf(s) === 'null') errs.push({ type: 'FieldValueForbidden', field: `${p}.type`, detail: 'type cannot be set to null, use nullable as an alternative' });
  if (s.uniqueItems === true) errs.push({ type: 'FieldValueForbidden', field: `${p}.uniqueItems`, detail: 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic' });

  if (s.additionalProperties !== undefined) {
    if (s.properties && Object.keys(s.properties).length && (s.additionalProperties === false || typeof s.additionalProperties === 'object')) {
      errs.push({ type: 'FieldValueForbidden', field: `${p}.additionalProperties`, detail: 'additionalProperties and properties are mutual exclusive' });
    }
    if (typeof s.additionalProperties === 'object') {
      const sub = ctx.insideMeta ? { ...ctx, isRoot: false, noDefaults: 'inside additionalProperties applying to object metadata' } : { ...ctx, isRoot: false };
      checkOpenAPISchema(s.additionalProperties, `${p}.additionalProperties`, sub, errs);
    }
  }
  for (const [k, ps] of Object.entries(s.properties ?? {})) {
    let sub: SchemaCtx = { ...ctx, isRoot: false };
    if ((ctx.isRoot || s['x-kubernetes-embedded-resource']) && META_FIELDS.has(k)) {
      sub = { ...sub, insideMeta: true };
      if (ctx.isRoot) sub.noDefaults = `in top-level ${k}`;
    }
    checkOpenAPISchema(ps, `${p}.properties[${k}]`, sub, errs);
  }
  const nested = { ...ctx, isRoot: false };
  checkOpenAPISchema(s.not, `${p}.not`, nested, errs);
  for (const [name, list] of [['allOf', s.allOf], ['oneOf', s.oneOf], ['anyOf', s.anyOf]] as const) {
    list?.forEach((b, i) => checkOpenAPISchema(b, `${p}.${name}[${i}]`, nested, errs));
  }
  checkOpenAPISchema(s.items, `${p}.items`, nested, errs);

  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push({ type: 'FieldValueInvalid', field: `${p}.x-kubernetes-preserve-unknown-fields`, value: false, detail: 'must be true or undefined' });
  }
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined && typeOf(s) !== 'object') errs.push(typeMust(p, s, 'must be object if x-kubernetes-map-type is specified'));
  if (mapType !== undefined && !MAP_TYPES.includes(mapType)) errs.push({ type: 'FieldValueNotSupported', field: `${p}.x-kubernetes-map-type`, value: mapType, valid: MAP_TYPES });
  checkListType(s, p, errs);
}

function typeMust(p: string, s: Schema, detail: string): FieldError {
  const t = typeOf(s);
  return t ? { type: 'FieldValueInvalid', field: `${p}.type`, value: t, detail } : { type: 'FieldValueRequired', field: `${p}.type`, detail };
}

function checkListType(s: Schema, p: string, errs: FieldError[]): void {
  const listType = s['x-kubernetes-list-type'] as string | undefined;
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (listType !== undefined && typeOf(s) !== 'array') errs.push(typeMust(p, s, 'must be array if x-kubernetes-list-type is specified'));
  if (listType !== undefined && !LIST_TYPES.includes(listType)) errs.push({ type: 'FieldValueNotSupported', field: `${p}.x-kubernetes-list-type`, value: listType, valid: LIST_TYPES });
  if (keys.length) {
    if (listType === undefined) errs.push({ type: 'FieldValueRequired', field: `${p}.x-kubernetes-list-type`, detail: 'must be map if x-kubernetes-list-map-keys is non-empty' });
    else if (listType !== 'map') errs.push({ type: 'FieldValueInvalid', field: `${p}.x-kubernetes-list-type`, value: listType, detail: 'must be map if x-kubernetes-list-map-keys is non-empty' });
  }
  if (listType !== 'map') {
    if (listType === 'set' && s.items?.nullable) errs.push({ type: 'FieldValueForbidden', field: `${p}.items.nullable`, detail: 'cannot be nullable when x-kubernetes-list-type is set' });
    return;
  }
  if (!keys.length) errs.push({ type: 'FieldValueRequired', field: `${p}.x-kubernetes-list-map-keys`, detail: 'must not be empty if x-kubernetes-list-type is map' });
  const items = s.items;
  if (!items) {
    errs.push({ type: 'FieldValueRequired', field: `${p}.items`, detail: 'must have a schema if x-kubernetes-list-type is map' });
    return;
  }
  if (typeOf(items) !== 'object') {
    errs.push({ type: 'FieldValueInvalid', field: `${p}.items.type`, value: typeOf(items), detail: "must be object if parent array's x-kubernetes-list-type is map" });
    return;
  }
  const seen = new Set<string>();
  for (const k of keys) {
    const ks = items.properties?.[k];
    if (ks) {
      if (typeOf(ks) === 'array' || typeOf(ks) === 'object') {
        errs.push({ type: 'FieldValueInvalid', field: `${p}.items.properties[${k}].type`, value: typeOf(items), detail: "must be a scalar type if parent array's x-kubernetes-list-type is map" });
      }
    } else {
      errs.push({ type: 'FieldValueInvalid', field: `${p}.x-kubernetes-list-map-keys`, value: keys, detail: 'entries must all be names of item properties' });
    }
    if (seen.has(k)) errs.push({ type: 'FieldValueInvalid', field: `${p}.x-kubernetes-list-map-keys`, value: keys, detail: 'must not contain duplicate entries' });
    seen.add(k);
  }
  if (items.nullable) errs.push({ type: 'FieldValueForbidden', field: `${p}.items.nullable`, detail: 'cannot be nullable when x-kubernetes-list-type is map' });
  const required = new Set(items.required ?? []);
  for (const k of keys) {
    const ks = items.properties?.[k];
    if (!ks) continue;
    if (!required.has(k) && ks.default === undefined) {
      errs.push({ type: 'FieldValueRequired', field: `${p}.items.properties[${k}].default`, detail: 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property' });
    }
    if (ks.nullable) errs.push({ type: 'FieldValueForbidden', field: `${p}.items.properties[${k}].nullable`, detail: 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable' });
  }
}

function isIntOrStringAnyOf(list: Schema[] | undefined): boolean {
  return !!list && list.length === 2 && deepEqual(list[0], { type: 'integer' }) && deepEqual(list[1], { type: 'string' });
}

/** Structural invariants: the structural part of the schema (type, properties, items, additionalProperties) is complete. */
function checkInvariants(s: Schema | undefined, lvl: Level, p: string, errs: FieldError[]): void {
  if (!s) return;
  const t = typeOf(s);
  if (t === 'array' && !s.items) errs.push({ type: 'FieldValueRequired', field: `${p}.items`, detail: 'must be specified' });
  checkInvariants(s.items, 'item', `${p}.items`, errs);
  for (const [k, ps] of Object.entries(s.properties ?? {})) checkInvariants(ps, 'field', `${p}.properties[${k}]`, errs);
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') errs.push({ type: 'FieldValueForbidden', field: `${p}.additionalProperties`, detail: 'must not be used at the root' });
    if (typeof s.additionalProperties === 'object') checkInvariants(s.additionalProperties, 'field', `${p}.additionalProperties`, errs);
  }
  const ios = s['x-kubernetes-int-or-string'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (ios && preserve) errs.push({ type: 'FieldValueInvalid', field: `${p}.x-kubernetes-preserve-unknown-fields`, value: true, detail: 'must be false if x-kubernetes-int-or-string is true' });
  if (ios && embedded) errs.push({ type: 'FieldValueInvalid', field: `${p}.x-kubernetes-embedded-resource`, value: true, detail: 'must be false if x-kubernetes-int-or-string is true' });

  const skipAnyOf = isIntOrStringAnyOf(s.anyOf);
  const skipFirstAllOfAnyOf = !!s.allOf?.length && isIntOrStringAnyOf(s.allOf[0]!.anyOf);
  checkValueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, p, errs);

  if (embedded && t !== 'object') {
    errs.push(t ? { type: 'FieldValueInvalid', field: `${p}.type`, value: t, detail: 'must be object if x-kubernetes-embedded-resource is true' } : { type: 'FieldValueRequired', field: `${p}.type`, detail: 'must be object if x-kubernetes-embedded-resource is true' });
  } else if (!t && !ios && !preserve) {
    const detail = lvl === 'root' ? 'must not be empty at the root' : lvl === 'item' ? 'must not be empty for specified array items' : 'must not be empty for specified object fields';
    errs.push({ type: 'FieldValueRequired', field: `${p}.type`, detail });
  }
  if (embedded && s.additionalProperties !== undefined) errs.push({ type: 'FieldValueForbidden', field: `${p}.additionalProperties`, detail: 'must not be used if x-kubernetes-embedded-resource is set' });
  if (lvl === 'root' && t && t !== 'object') errs.push({ type: 'FieldValueInvalid', field: `${p}.type`, value: t, detail: 'must be object at the root' });

  const checkMeta = lvl === 'root' || embedded;
  const props = s.properties ?? {};
  if (checkMeta && own(props, 'kind') && typeOf(props.kind!) !== 'string') errs.push({ type: 'FieldValueInvalid', field: `${p}.properties[kind].type`, value: typeOf(props.kind!), detail: 'must be string' });
  if (checkMeta && own(props, 'apiVersion') && typeOf(props.apiVersion!) !== 'string') errs.push({ type: 'FieldValueInvalid', field: `${p}.properties[apiVersion].type`, value: typeOf(props.apiVersion!), detail: 'must be string' });
  if (checkMeta && own(props, 'metadata') && typeOf(props.metadata!) !== 'object') errs.push({ type: 'FieldValueInvalid', field: `${p}.properties[metadata].type`, value: typeOf(props.metadata!), detail: 'must be object' });
  if (lvl === 'root' && own(props, 'metadata') && !metadataOnlyNames(props.metadata!)) {
    errs.push({ type: 'FieldValueForbidden', field: `${p}.properties[metadata]`, detail: 'must not specify anything other than name and generateName, but metadata is implicitly specified' });
  }
  if (embedded && !preserve && !Object.keys(props).length) {
    errs.push({ type: 'FieldValueRequired', field: `${p}.properties`, detail: 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields' });
  }
}

/** Root metadata may restrict name and generateName; anything else would contradict ObjectMeta. */
function metadataOnlyNames(m: Schema): boolean {
  for (const k of Object.keys(m)) {
    if (k === 'type' || k === 'default') continue;
    if (k === 'properties') {
      const names = Object.keys(m.properties ?? {});
      if (names.some((n) => n !== 'name' && n !== 'generateName')) return false;
      continue;
    }
    return false;
  }
  return true;
}

function checkValueValidation(s: Schema, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, p: string, errs: FieldError[]): void {
  if (!skipAnyOf) s.anyOf?.forEach((b, i) => checkNested(b, false, `${p}.anyOf[${i}]`, errs));
  s.allOf?.forEach((b, i) => checkNested(b, skipFirstAllOfAnyOf && i === 0, `${p}.allOf[${i}]`, errs));
  s.oneOf?.forEach((b, i) => checkNested(b, false, `${p}.oneOf[${i}]`, errs));
  if (s.not) checkNested(s.not, false, `${p}.not`, errs);
  if (s.pattern !== undefined) {
    try {
      new RegExp(s.pattern, 'u');
    } catch (err) {
      errs.push({ type: 'FieldValueInvalid', field: `${p}.pattern`, value: s.pattern, detail: `must be a valid regular expression, but isn't: ${(err as Error).message}` });
    }
  }
}

/** Inside allOf/anyOf/oneOf/not only value validations may appear. */
function checkNested(v: Schema, skipAnyOf: boolean, p: string, errs: FieldError[]): void {
  checkValueValidation(v, skipAnyOf, false, p, errs);
  if (v.items) checkNested(v.items, false, `${p}.items`, errs);
  for (const [k, ps] of Object.entries(v.properties ?? {})) checkNested(ps, false, `${p}.properties[${k}]`, errs);
  const forbid = (k: string, detail: string): void => {
    errs.push({ type: 'FieldValueForbidden', field: `${p}.${k}`, detail });
  };
  if (v.type) forbid('type', 'must be empty to be structural');
  if (v.additionalProperties !== undefined) forbid('additionalProperties', 'must be undefined to be structural');
  if (v.default !== undefined) forbid('default', 'must be undefined to be structural');
  if (v.title) forbid('title', 'must be empty to be structural');
  if (v.description) forbid('description', 'must be empty to be structural');
  if (v.nullable) forbid('nullable', 'must be false to be structural');
  if (v['x-kubernetes-preserve-unknown-fields']) forbid('x-kubernetes-preserve-unknown-fields', 'must be false to be structural');
  if (v['x-kubernetes-embedded-resource']) forbid('x-kubernetes-embedded-resource', 'must be false to be structural');
  if (v['x-kubernetes-int-or-string']) forbid('x-kubernetes-int-or-string', 'must be false to be structural');
  if (v['x-kubernetes-list-map-keys']?.length) forbid('x-kubernetes-list-map-keys', 'must be empty to be structural');
  if (v['x-kubernetes-list-type'] !== undefined) forbid('x-kubernetes-list-type', 'must be undefined to be structural');
  if (own(v.properties, 'metadata')) errs.push({ type: 'FieldValueForbidden', field: `${p}.properties[metadata]`, detail: 'must not be specified in a nested context' });
}

/** Every default must validate against its own node and be unchanged by pruning. */
function checkDefaults(s: Schema | undefined, p: string, lvl: Level, insideRootMeta: boolean, errs: FieldError[]): void {
  if (!s) return;
  if (s.default !== undefined && !insideRootMeta) {
    const embedded = s['x-kubernetes-embedded-resource'] === true;
    const pruned = cloneJSON(s.default);
    pruneUnknownFields(pruned, s, { resolver: noRefs, resourceRoot: embedded, preserveMetadata: true });
    if (!deepEqual(pruned, s.default)) {
      errs.push({ type: 'FieldValueInvalid', field: `${p}.default`, value: s.default, detail: 'must not have unknown fields' });
    } else {
      errs.push(...validateValue(s.default, s, { resolver: noRefs, fieldPrefix: `${p}.default` }));
    }
  }
  checkDefaults(s.items, `${p}.items`, 'item', false, errs);
  for (const [k, ps] of Object.entries(s.properties ?? {})) {
    checkDefaults(ps, `${p}.properties[${k}]`, 'field', insideRootMeta || (lvl === 'root' && META_FIELDS.has(k)), errs);
  }
  if (typeof s.additionalProperties === 'object') checkDefaults(s.additionalProperties, `${p}.additionalProperties`, 'field', insideRootMeta, errs);
}
