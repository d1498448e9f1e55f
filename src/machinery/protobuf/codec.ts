/**
 * Kubernetes' protobuf serialization of API objects
 * (`application/vnd.kubernetes.protobuf`), translated to and from the JSON
 * form the rest of the server works on. The message layout of every type is
 * derived from its schema; only field numbers come from the tag tables.
 */
import { type Schema, type SchemaResolver, refName } from '../schema/types.js';
import { type NormalizedFieldTag, type ProtoMessageTags, type ProtoUnionTags, isUnionTags, normalizeFieldTag } from './tags.js';
import { decodeEmbeddedJSON, encodeEmbeddedJSON, specialMessages, INT_OR_STRING } from './special-messages.js';
import { WireType, WireWriter, type WireField, fixed32ToFloat, fixed64ToDouble, readFields, readPackedVarints, utf8, varintToSigned } from './wire.js';

/** What the codec needs to know about the types it translates; the API layer provides it. */
export interface ProtoSchemaLookup {
  resolver: SchemaResolver;
  tags(definitionName: string): ProtoMessageTags | undefined;
  /** The definition of a kind, e.g. ('apps', 'v1', 'Deployment') -> 'io.k8s.api.apps.v1.Deployment'. */
  definitionForKind(group: string, version: string, kind: string): string | undefined;
}

/** The 4 bytes every Kubernetes protobuf body starts with ("k8s" and a zero). */
export const KUBERNETES_PROTOBUF_MAGIC = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]);

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

/** How one schema node travels on the wire. */
type ValueKind =
  | { k: 'string' }
  | { k: 'bytes' }
  | { k: 'int' }
  | { k: 'double' }
  | { k: 'bool' }
  | { k: 'raw' }
  | { k: 'special'; name: string }
  | { k: 'union'; name: string; tags: ProtoUnionTags }
  | { k: 'message'; name: string }
  | { k: 'array'; item: ValueKind }
  | { k: 'map'; value: ValueKind };

interface FieldPlan {
  json: string;
  value: ValueKind;
  omitEmpty: boolean;
  mapValueWrapper?: number;
}

/** A message's fields by number; an inlined Go struct is a nested plan writing into the same JSON object. */
interface MessagePlan {
  byTag: Map<number, FieldPlan | MessagePlan>;
}

const plans = new WeakMap<ProtoSchemaLookup, Map<string, MessagePlan>>();

function isAny(s: Schema): boolean {
  if (s.properties || (s.additionalProperties && typeof s.additionalProperties === 'object')) return false;
  return s['x-kubernetes-preserve-unknown-fields'] === true || s['x-kubernetes-embedded-resource'] === true || (!s.type && !s.$ref && !s.allOf && !s.items);
}

function kindOf(schema: Schema, lookup: ProtoSchemaLookup, where: string): ValueKind {
  if (schema.$ref) {
    const name = refName(schema.$ref);
    if (specialMessages.has(name)) return { k: 'special', name };
    const tags = lookup.tags(name);
    if (tags && isUnionTags(tags)) return { k: 'union', name, tags };
    const target = lookup.resolver.resolveRef(schema.$ref);
    if (!target) throw new Error(`protobuf: unknown definition ${name}`);
    if (tags || target.properties) return { k: 'message', name };
    return kindOf(target, lookup, name);
  }
  if (schema.allOf && schema.allOf.length === 1) return kindOf(schema.allOf[0]!, lookup, where);
  if (schema['x-kubernetes-int-or-string']) return { k: 'special', name: INT_OR_STRING };
  if (schema.type === 'array') {
    if (!schema.items) throw new Error(`protobuf: array without items at ${where}`);
    return { k: 'array', item: kindOf(schema.items, lookup, where) };
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    return { k: 'map', value: kindOf(schema.additionalProperties, lookup, where) };
  }
  if (isAny(schema)) return { k: 'raw' };
  switch (schema.type) {
    case 'string':
      return schema.format === 'byte' ? { k: 'bytes' } : { k: 'string' };
    case 'integer':
      return { k: 'int' };
    case 'number':
      return { k: 'double' };
    case 'boolean':
      return { k: 'bool' };
    default:
      throw new Error(`protobuf: ${where} has an inline object with no definition of its own`);
  }
}

function planFor(name: string, lookup: ProtoSchemaLookup): MessagePlan {
  let cache = plans.get(lookup);
  if (!cache) {
    cache = new Map();
    plans.set(lookup, cache);
  }
  const hit = cache.get(name);
  if (hit) return hit;
  const tags = lookup.tags(name);
  if (!tags || isUnionTags(tags)) throw new Error(`protobuf: no protobuf field numbers for ${name}`);
  const def = lookup.resolver.resolveRef('#/definitions/' + name);
  if (!def) throw new Error(`protobuf: unknown definition ${name}`);
  const plan: MessagePlan = { byTag: new Map() };
  // Cached before the fields are filled so recursive types (JSONSchemaProps) terminate.
  cache.set(name, plan);
  for (const [json, raw] of Object.entries(tags)) {
    const propSchema = def.properties?.[json];
    if (!propSchema) continue;
    const t: NormalizedFieldTag = normalizeFieldTag(raw);
    const field: FieldPlan = { json, value: kindOf(propSchema, lookup, `${name}.${json}`), omitEmpty: t.omitEmpty };
    if (t.mapValueWrapper !== undefined) field.mapValueWrapper = t.mapValueWrapper;
    let node = plan;
    for (let i = 0; i < t.path.length - 1; i++) {
      const tag = t.path[i]!;
      let next = node.byTag.get(tag);
      if (!next) {
        next = { byTag: new Map() };
        node.byTag.set(tag, next);
      }
      if (!('byTag' in next)) throw new Error(`protobuf: ${name} field ${tag} is both a field and an inlined message`);
      node = next;
    }
    node.byTag.set(t.path[t.path.length - 1]!, field);
  }
  return plan;
}

// ---------------------------------------------------------------- decoding

function bytesOf(f: WireField, what: string): Uint8Array {
  if (f.wireType !== WireType.LengthDelimited) throw new Error(`protobuf: ${what}: expected a length-delimited field, got wire type ${f.wireType}`);
  return f.value;
}

function scalarFrom(f: WireField, kind: ValueKind, what: string): unknown {
  switch (kind.k) {
    case 'int':
      if (f.wireType === WireType.Varint) return varintToSigned(f.value);
      break;
    case 'bool':
      if (f.wireType === WireType.Varint) return f.value !== 0n;
      break;
    case 'double':
      if (f.wireType === WireType.Fixed64) return fixed64ToDouble(f.value);
      if (f.wireType === WireType.Fixed32) return fixed32ToFloat(f.value);
      break;
    case 'string':
      return utf8(bytesOf(f, what));
    case 'bytes':
      return Buffer.from(bytesOf(f, what)).toString('base64');
    default:
      break;
  }
  throw new Error(`protobuf: ${what}: wire type ${f.wireType} does not fit a ${kind.k}`);
}

function decodeRaw(bytes: Uint8Array, lookup: ProtoSchemaLookup): unknown {
  for (const f of readFields(bytes)) {
    if (f.tag !== 1 || f.wireType !== WireType.LengthDelimited) continue;
    // A RawExtension may hold a whole protobuf-encoded object (watch events do).
    if (hasMagic(f.value)) return decodeKubernetesProtobuf(f.value, lookup).object;
    return decodeEmbeddedJSON(f.value);
  }
  return undefined;
}

function decodeUnion(bytes: Uint8Array, u: ProtoUnionTags, lookup: ProtoSchemaLookup): unknown {
  const spec = u.$union;
  let bool: boolean | undefined;
  let obj: unknown;
  const arr: unknown[] = [];
  for (const f of readFields(bytes)) {
    if (spec.boolean === f.tag && f.wireType === WireType.Varint) bool = f.value !== 0n;
    else if (spec.object?.tag === f.tag) obj = decodeMessage(bytesOf(f, 'union'), spec.object.definition, lookup);
    else if (spec.array?.tag === f.tag) {
      const b = bytesOf(f, 'union');
      arr.push(spec.array.definition ? decodeMessage(b, spec.array.definition, lookup) : utf8(b));
    }
  }
  if (obj !== undefined) return obj;
  if (arr.length) return arr;
  return bool ?? (spec.array ? [] : false);
}

function decodeSingle(f: WireField, kind: ValueKind, lookup: ProtoSchemaLookup, what: string): unknown {
  switch (kind.k) {
    case 'special':
      return specialMessages.get(kind.name)!.decode(bytesOf(f, what));
    case 'union':
      return decodeUnion(bytesOf(f, what), kind.tags, lookup);
    case 'message':
      return decodeMessage(bytesOf(f, what), kind.name, lookup);
    case 'raw':
      return decodeRaw(bytesOf(f, what), lookup);
    case 'array':
    case 'map':
      throw new Error(`protobuf: ${what}: nested collections have no protobuf form`);
    default:
      return scalarFrom(f, kind, what);
  }
}

function isVarintKind(kind: ValueKind): boolean {
  return kind.k === 'int' || kind.k === 'bool';
}

function decodeMapEntry(bytes: Uint8Array, field: FieldPlan, valueKind: ValueKind, lookup: ProtoSchemaLookup): [string, unknown] {
  let key = '';
  let value: unknown;
  for (const f of readFields(bytes)) {
    if (f.tag === 1) key = utf8(bytesOf(f, `${field.json} key`));
    else if (f.tag === 2) {
      if (field.mapValueWrapper === undefined) value = decodeSingle(f, valueKind, lookup, `${field.json}[${key}]`);
      else value = decodeWrapped(bytesOf(f, field.json), field.mapValueWrapper, valueKind, lookup, field.json);
    }
  }
  if (value === undefined) value = zeroOf(valueKind);
  return [key, value];
}

/** The JSON value held in field `tag` of a wrapper message (ExtraValue's items). */
function decodeWrapped(bytes: Uint8Array, tag: number, kind: ValueKind, lookup: ProtoSchemaLookup, what: string): unknown {
  const holder: Record<string, unknown> = {};
  const inner: FieldPlan = { json: 'v', value: kind, omitEmpty: false };
  for (const f of readFields(bytes)) if (f.tag === tag) addField(holder, inner, f, lookup, what);
  return holder.v ?? zeroOf(kind);
}

function zeroOf(kind: ValueKind): unknown {
  switch (kind.k) {
    case 'string':
    case 'bytes':
      return '';
    case 'int':
    case 'double':
      return 0;
    case 'bool':
      return false;
    case 'array':
      return [];
    case 'map':
    case 'message':
      return {};
    default:
      return null;
  }
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function addField(out: Record<string, unknown>, field: FieldPlan, f: WireField, lookup: ProtoSchemaLookup, what: string): void {
  const kind = field.value;
  if (kind.k === 'array') {
    const list = (out[field.json] as unknown[] | undefined) ?? [];
    if (isVarintKind(kind.item) && f.wireType === WireType.LengthDelimited) {
      for (const v of readPackedVarints(f.value)) list.push(kind.item.k === 'bool' ? v !== 0n : varintToSigned(v));
    } else if (kind.item.k === 'double' && f.wireType === WireType.LengthDelimited) {
      for (let i = 0; i + 8 <= f.value.length; i += 8) list.push(fixed64ToDouble(f.value.subarray(i, i + 8)));
    } else {
      list.push(decodeSingle(f, kind.item, lookup, what));
    }
    out[field.json] = list;
    return;
  }
  if (kind.k === 'map') {
    const map = (out[field.json] as Record<string, unknown> | undefined) ?? {};
    const [k, v] = decodeMapEntry(bytesOf(f, what), field, kind.value, lookup);
    map[k] = v;
    out[field.json] = map;
    return;
  }
  const v = decodeSingle(f, kind, lookup, what);
  if (v === undefined) return;
  if (field.omitEmpty && isZero(v)) {
    delete out[field.json];
    return;
  }
  out[field.json] = v;
}

function decodeInto(out: Record<string, unknown>, bytes: Uint8Array, plan: MessagePlan, name: string, lookup: ProtoSchemaLookup): void {
  for (const f of readFields(bytes)) {
    const p = plan.byTag.get(f.tag);
    if (!p) continue;
    if ('byTag' in p) decodeInto(out, bytesOf(f, `${name} inlined field ${f.tag}`), p, name, lookup);
    else addField(out, p, f, lookup, `${name}.${p.json}`);
  }
}

/** Decodes one message of the given definition into its JSON form. */
export function decodeMessage(bytes: Uint8Array, definitionName: string, lookup: ProtoSchemaLookup): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  decodeInto(out, bytes, planFor(definitionName, lookup), definitionName, lookup);
  return out;
}

function hasMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && KUBERNETES_PROTOBUF_MAGIC.every((b, i) => bytes[i] === b);
}

function splitAPIVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Decodes a request body: the magic prefix, then runtime.Unknown wrapping the object's message. */
export function decodeKubernetesProtobuf(bytes: Uint8Array, lookup: ProtoSchemaLookup): DecodedObject {
  if (!hasMagic(bytes)) throw new Error('protobuf: body does not start with the Kubernetes protobuf prefix');
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array(0);
  let contentEncoding = '';
  for (const f of readFields(bytes.subarray(4))) {
    if (f.tag === 1 && f.wireType === WireType.LengthDelimited) {
      for (const t of readFields(f.value)) {
        if (t.tag === 1 && t.wireType === WireType.LengthDelimited) apiVersion = utf8(t.value);
        else if (t.tag === 2 && t.wireType === WireType.LengthDelimited) kind = utf8(t.value);
      }
    } else if (f.tag === 2 && f.wireType === WireType.LengthDelimited) raw = f.value;
    else if (f.tag === 3 && f.wireType === WireType.LengthDelimited) contentEncoding = utf8(f.value);
  }
  if (contentEncoding) throw new Error(`protobuf: unsupported content encoding ${JSON.stringify(contentEncoding)}`);
  if (!kind) throw new Error('protobuf: object has no kind');
  const { group, version } = splitAPIVersion(apiVersion);
  const def = lookup.definitionForKind(group, version, kind);
  if (!def) throw new Error(`protobuf: no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)}`);
  const body = decodeMessage(raw, def, lookup);
  return { apiVersion, kind, object: { apiVersion, kind, ...body } };
}

// ---------------------------------------------------------------- encoding

function writeSingle(w: WireWriter, tag: number, kind: ValueKind, v: unknown, lookup: ProtoSchemaLookup, what: string): void {
  switch (kind.k) {
    case 'string':
      w.string(tag, String(v));
      return;
    case 'bytes':
      w.bytes(tag, Buffer.from(String(v), 'base64'));
      return;
    case 'int':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`protobuf: ${what}: ${JSON.stringify(v)} is not an integer`);
      w.varint(tag, v);
      return;
    case 'double':
      w.double(tag, Number(v));
      return;
    case 'bool':
      w.varint(tag, v === true);
      return;
    case 'raw':
      w.bytes(tag, encodeEmbeddedJSON(1, v));
      return;
    case 'special':
      w.bytes(tag, specialMessages.get(kind.name)!.encode(v));
      return;
    case 'union':
      w.bytes(tag, encodeUnion(v, kind.tags, lookup, what));
      return;
    case 'message':
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`protobuf: ${what}: expected an object`);
      w.bytes(tag, encodeMessage(v as Record<string, unknown>, kind.name, lookup));
      return;
    default:
      throw new Error(`protobuf: ${what}: nested collections have no protobuf form`);
  }
}

function encodeUnion(v: unknown, u: ProtoUnionTags, lookup: ProtoSchemaLookup, what: string): Uint8Array {
  const spec = u.$union;
  const w = new WireWriter();
  if (typeof v === 'boolean' && spec.boolean !== undefined) return w.varint(spec.boolean, v).finish();
  if (Array.isArray(v) && spec.array) {
    for (const item of v) {
      if (spec.array.definition) w.bytes(spec.array.tag, encodeMessage(item as Record<string, unknown>, spec.array.definition, lookup));
      else w.string(spec.array.tag, String(item));
    }
    return w.finish();
  }
  if (typeof v === 'object' && v !== null && spec.object) {
    // A schema in place of a boolean means "allowed", as upstream writes it.
    if (spec.boolean !== undefined) w.varint(spec.boolean, true);
    return w.bytes(spec.object.tag, encodeMessage(v as Record<string, unknown>, spec.object.definition, lookup)).finish();
  }
  throw new Error(`protobuf: ${what}: value does not fit any member of the union`);
}

function writeField(w: WireWriter, tag: number, field: FieldPlan, v: unknown, lookup: ProtoSchemaLookup, what: string): void {
  const kind = field.value;
  if (kind.k === 'array') {
    if (!Array.isArray(v)) throw new Error(`protobuf: ${what}: expected an array`);
    for (const item of v) writeSingle(w, tag, kind.item, item, lookup, what);
    return;
  }
  if (kind.k === 'map') {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`protobuf: ${what}: expected an object`);
    // Sorted keys: upstream writes map entries in key order, so equal objects encode to equal bytes.
    for (const key of Object.keys(v).sort()) {
      const entry = new WireWriter().string(1, key);
      const value = (v as Record<string, unknown>)[key];
      if (field.mapValueWrapper !== undefined) {
        const inner = new WireWriter();
        writeField(inner, field.mapValueWrapper, { json: field.json, value: kind.value, omitEmpty: false }, value, lookup, what);
        entry.bytes(2, inner.finish());
      } else if (value !== null && value !== undefined) {
        writeSingle(entry, 2, kind.value, value, lookup, `${what}[${key}]`);
      }
      w.bytes(tag, entry.finish());
    }
    return;
  }
  writeSingle(w, tag, kind, v, lookup, what);
}

function encodeWith(obj: Record<string, unknown>, plan: MessagePlan, name: string, lookup: ProtoSchemaLookup): Uint8Array {
  const w = new WireWriter();
  for (const tag of [...plan.byTag.keys()].sort((a, b) => a - b)) {
    const p = plan.byTag.get(tag)!;
    if ('byTag' in p) {
      w.bytes(tag, encodeWith(obj, p, name, lookup));
      continue;
    }
    const v = obj[p.json];
    if (v === undefined || v === null) continue;
    writeField(w, tag, p, v, lookup, `${name}.${p.json}`);
  }
  return w.finish();
}

/** Encodes one object as the message of the given definition (no envelope). */
export function encodeMessage(obj: Record<string, unknown>, definitionName: string, lookup: ProtoSchemaLookup): Uint8Array {
  return encodeWith(obj, planFor(definitionName, lookup), definitionName, lookup);
}

/** Encodes a whole object as a Kubernetes protobuf body: magic, then runtime.Unknown. */
export function encodeKubernetesProtobuf(obj: Record<string, unknown>, definitionName: string, lookup: ProtoSchemaLookup): Uint8Array {
  const typeMeta = new WireWriter()
    .string(1, typeof obj.apiVersion === 'string' ? obj.apiVersion : '')
    .string(2, typeof obj.kind === 'string' ? obj.kind : '')
    .finish();
  const unknown = new WireWriter().bytes(1, typeMeta).bytes(2, encodeMessage(obj, definitionName, lookup)).string(3, '').string(4, '').finish();
  const out = new Uint8Array(4 + unknown.length);
  out.set(KUBERNETES_PROTOBUF_MAGIC, 0);
  out.set(unknown, 4);
  return out;
}
