/**
 * Encodes the v2 document as gnostic's openapi.v2.Document protobuf, the
 * form kubectl asks for (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`).
 * Field numbers follow gnostic's OpenAPIv2.proto; vendor extensions and
 * free-form values (default, enum, example) travel as Any{yaml}, JSON being
 * valid YAML.
 */
import type { Schema } from '../../machinery/schema/types.js';
import { ProtoWriter } from './protobuf-writer.js';
import type { OpenAPIV2Document } from './v2.js';

export const OPENAPI_V2_PROTOBUF_MEDIA_TYPE = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

type Obj = Record<string, unknown>;

function any(value: unknown): ProtoWriter {
  return new ProtoWriter().string(2, JSON.stringify(value) + '\n');
}

function namedAny(name: string, value: unknown): ProtoWriter {
  return new ProtoWriter().string(1, name).message(2, any(value), { force: true });
}

function vendorExtensions(w: ProtoWriter, field: number, o: Obj): void {
  for (const [k, v] of Object.entries(o)) if (k.startsWith('x-') && v !== undefined) w.message(field, namedAny(k, v));
}

export function encodeSchema(s: Schema): ProtoWriter {
  const w = new ProtoWriter();
  w.string(1, s.$ref)
    .string(2, s.format)
    .string(3, s.title)
    .string(4, s.description);
  if (s.default !== undefined) w.message(5, any(s.default), { force: true });
  w.double(6, s.multipleOf)
    .double(7, s.maximum)
    .bool(8, s.exclusiveMaximum)
    .double(9, s.minimum)
    .bool(10, s.exclusiveMinimum)
    .int64(11, s.maxLength)
    .int64(12, s.minLength)
    .string(13, s.pattern)
    .int64(14, s.maxItems)
    .int64(15, s.minItems)
    .bool(16, s.uniqueItems)
    .int64(17, s.maxProperties)
    .int64(18, s.minProperties)
    .strings(19, s.required);
  for (const e of s.enum ?? []) w.message(20, any(e), { force: true });
  if (s.additionalProperties !== undefined) {
    const ap = new ProtoWriter();
    if (typeof s.additionalProperties === 'boolean') ap.bool(2, s.additionalProperties, { force: true });
    else ap.message(1, encodeSchema(s.additionalProperties), { force: true });
    w.message(21, ap, { force: true });
  }
  if (s.type) w.message(22, new ProtoWriter().strings(1, [s.type]));
  if (s.items) w.message(23, new ProtoWriter().message(1, encodeSchema(s.items), { force: true }), { force: true });
  for (const a of s.allOf ?? []) w.message(24, encodeSchema(a), { force: true });
  if (s.properties) {
    const props = new ProtoWriter();
    for (const [name, ps] of Object.entries(s.properties)) props.message(1, new ProtoWriter().string(1, name).message(2, encodeSchema(ps), { force: true }));
    w.message(25, props, { force: true });
  }
  if (s.externalDocs) w.message(29, new ProtoWriter().string(1, s.externalDocs.description).string(2, s.externalDocs.url));
  if (s.example !== undefined) w.message(30, any(s.example), { force: true });
  vendorExtensions(w, 31, s as Obj);
  return w;
}

function encodeParameter(p: Obj): ProtoWriter {
  const param = new ProtoWriter();
  if (p.in === 'body') {
    const body = new ProtoWriter()
      .string(1, p.description as string | undefined)
      .string(2, p.name as string)
      .string(3, 'body')
      .bool(4, p.required as boolean | undefined)
      .message(5, p.schema ? encodeSchema(p.schema as Schema) : undefined);
    param.message(1, body, { force: true });
  } else {
    const nonBody = new ProtoWriter();
    if (p.in === 'path') {
      const sub = new ProtoWriter()
        .bool(1, p.required as boolean | undefined)
        .string(2, 'path')
        .string(3, p.description as string | undefined)
        .string(4, p.name as string)
        .string(5, p.type as string | undefined)
        .bool(19, p.uniqueItems as boolean | undefined);
      nonBody.message(4, sub, { force: true });
    } else {
      const sub = new ProtoWriter()
        .bool(1, p.required as boolean | undefined)
        .string(2, 'query')
        .string(3, p.description as string | undefined)
        .string(4, p.name as string)
        .string(6, p.type as string | undefined)
        .bool(20, p.uniqueItems as boolean | undefined);
      nonBody.message(3, sub, { force: true });
    }
    param.message(2, nonBody, { force: true });
  }
  return new ProtoWriter().message(1, param, { force: true });
}

function encodeOperation(op: Obj): ProtoWriter {
  const w = new ProtoWriter()
    .strings(1, op.tags as string[] | undefined)
    .string(2, op.summary as string | undefined)
    .string(3, op.description as string | undefined)
    .string(5, op.operationId as string | undefined)
    .strings(6, op.produces as string[] | undefined)
    .strings(7, op.consumes as string[] | undefined);
  for (const p of (op.parameters as Obj[] | undefined) ?? []) w.message(8, encodeParameter(p), { force: true });
  const responses = new ProtoWriter();
  for (const [code, r] of Object.entries((op.responses as Record<string, Obj>) ?? {})) {
    const resp = new ProtoWriter().string(1, r.description as string | undefined);
    if (r.schema) resp.message(2, new ProtoWriter().message(1, encodeSchema(r.schema as Schema), { force: true }), { force: true });
    responses.message(1, new ProtoWriter().string(1, code).message(2, new ProtoWriter().message(1, resp, { force: true }), { force: true }));
  }
  w.message(9, responses, { force: true });
  w.strings(10, op.schemes as string[] | undefined);
  w.bool(11, op.deprecated as boolean | undefined);
  vendorExtensions(w, 13, op);
  return w;
}

const METHOD_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function encodePathItem(item: Obj): ProtoWriter {
  const w = new ProtoWriter();
  for (const [method, field] of Object.entries(METHOD_FIELDS)) {
    const op = item[method] as Obj | undefined;
    if (op) w.message(field, encodeOperation(op), { force: true });
  }
  for (const p of (item.parameters as Obj[] | undefined) ?? []) w.message(9, encodeParameter(p), { force: true });
  vendorExtensions(w, 10, item);
  return w;
}

const encoded = new WeakMap<OpenAPIV2Document, Uint8Array>();

/** Encodes once per document object; buildOpenAPIV2 returns the same object while the scheme is unchanged. */
export function encodeOpenAPIV2Protobuf(doc: OpenAPIV2Document): Uint8Array {
  let bytes = encoded.get(doc);
  if (!bytes) {
    bytes = encode(doc);
    encoded.set(doc, bytes);
  }
  return bytes;
}

function encode(doc: OpenAPIV2Document): Uint8Array {
  const w = new ProtoWriter().string(1, doc.swagger);
  w.message(2, new ProtoWriter().string(1, doc.info.title).string(2, doc.info.version), { force: true });
  const paths = new ProtoWriter();
  for (const [path, item] of Object.entries(doc.paths)) paths.message(2, new ProtoWriter().string(1, path).message(2, encodePathItem(item), { force: true }));
  w.message(8, paths, { force: true });
  const defs = new ProtoWriter();
  for (const [name, s] of Object.entries(doc.definitions)) defs.message(1, new ProtoWriter().string(1, name).message(2, encodeSchema(s), { force: true }));
  w.message(9, defs, { force: true });
  for (const req of doc.security) {
    const r = new ProtoWriter();
    for (const [name, scopes] of Object.entries(req)) r.message(1, new ProtoWriter().string(1, name).message(2, new ProtoWriter().strings(1, scopes), { force: true }));
    w.message(12, r, { force: true });
  }
  const sec = new ProtoWriter();
  for (const [name, def] of Object.entries(doc.securityDefinitions as Record<string, Obj>)) {
    const apiKey = new ProtoWriter()
      .string(1, def.type as string)
      .string(2, def.name as string | undefined)
      .string(3, def.in as string | undefined)
      .string(4, def.description as string | undefined);
    sec.message(1, new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(2, apiKey, { force: true }), { force: true }));
  }
  w.message(13, sec);
  return w.finish();
}
