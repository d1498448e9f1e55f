/**
 * Turns a request body into an object of the endpoint's served version, as
 * the upstream decoder does: parse (JSON or YAML), fill or check
 * apiVersion/kind, refuse type mismatches with Go's decode error, drop unknown
 * fields (reporting them per fieldValidation), then apply defaults.
 */
import type { Scheme } from '../../api/scheme.js';
import { StatusError, badRequest } from '../../machinery/errors/status-error.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { apiVersionOf, isObject } from '../../machinery/meta/types.js';
import { applyDefaults } from '../../machinery/schema/defaults.js';
import { parseJSONStrict } from '../../machinery/json/strict.js';
import { parseYAMLStrict } from '../../machinery/json/yaml.js';
import { goDecodeMessage, goZeroOfNull, schemaAtPath } from '../../machinery/schema/go-types.js';
import { pruneUnknownFields, unknownFieldMessage } from '../../machinery/schema/prune.js';
import { type Schema, refTo } from '../../machinery/schema/types.js';
import { validateValue } from '../../machinery/schema/validate.js';
import { type BodyFormat, jsonParseError } from '../http/body.js';
import type { Endpoint } from '../registry/endpoint.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function parseFieldValidation(v: string | null): FieldValidation {
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v}. Must be one of: Strict, Warn, Ignore`);
}

/** Parses a body; duplicate keys are reported for strict validation. */
export function parseBody(body: Buffer, format: BodyFormat): { value: unknown; duplicates: string[] } {
  const text = body.toString('utf8');
  if (format === 'yaml') {
    try {
      return parseYAMLStrict(text);
    } catch (err) {
      throw badRequest(`error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  try {
    return parseJSONStrict(text);
  } catch (err) {
    throw jsonParseError(err);
  }
}

interface NullItems {
  list: unknown[];
  path: Array<string | number>;
}

/**
 * Go's decoder leaves a field at its zero value for `null`, and omitempty drops it on output.
 * Lists holding `null` items are collected with their paths (`path` is the walk's own, pushed
 * and popped), for `zeroNullItems`.
 */
function dropNullFields(v: unknown, path: Array<string | number>, nullItems: NullItems[]): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x === null) {
        if (!nullItems.length || nullItems[nullItems.length - 1]!.list !== v) nullItems.push({ list: v, path: [...path] });
        continue;
      }
      path.push(i);
      dropNullFields(x, path, nullItems);
      path.pop();
    }
  } else if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (o[k] === null) delete o[k];
      else {
        path.push(k);
        dropNullFields(o[k], path, nullItems);
        path.pop();
      }
    }
  }
}

/** A built-in's `null` list items become what Go decodes them into: `[null]` of containers is `[{}]`, which validation then reports. */
function zeroNullItems(nullItems: readonly NullItems[], schema: Schema, scheme: Scheme): void {
  for (const { list, path } of nullItems) {
    const zero = goZeroOfNull(schemaAtPath(schema, [...path, 0], scheme), scheme);
    if (zero === undefined) continue;
    for (let i = 0; i < list.length; i++) if (list[i] === null) list[i] = typeof zero === 'object' ? {} : zero;
  }
}

export interface DecodeOptions {
  scheme: Scheme;
  fieldValidation: FieldValidation;
  /** Where warnings for fieldValidation=Warn go. */
  warnings: string[];
  /** Skip defaulting (patch bases are already defaulted). */
  skipDefaults?: boolean;
  /** Expected kind (scale and other subresources decode another kind than the endpoint's). */
  expect?: { group: string; version: string; kind: string };
  /** The value is a whole create/update body: upstream names the kind in its strict decoding errors then. */
  requestBody?: boolean;
}

/**
 * Checks apiVersion/kind, types, unknown fields; applies defaults. The value
 * must be private to the caller (it is mutated).
 */
export function decodeObject(ep: Endpoint, value: unknown, opts: DecodeOptions, duplicates: string[] = []): KubeObject {
  const want = opts.expect ?? { group: ep.rt.group, version: ep.rt.version, kind: ep.rt.kind };
  const wantAPIVersion = apiVersionOf(want.group, want.version);
  if (!isObject(value)) {
    throw badRequest(`${want.kind} in version "${want.version}" cannot be handled as a ${want.kind}: json: cannot unmarshal ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value} into Go value of type ${want.group || 'core'}.${want.kind}`);
  }
  const obj = value as KubeObject;
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = wantAPIVersion;
  if (obj.kind === undefined || obj.kind === '') obj.kind = want.kind;
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(value).slice(0, 200)}'`);
  if (obj.apiVersion !== wantAPIVersion) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${wantAPIVersion})`);
  }
  if (obj.kind !== want.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${want.kind})`);
  }
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  const rt = opts.expect ? opts.scheme.byKind(want.group, want.version, want.kind) : ep.rt;
  const defName = opts.expect ? opts.scheme.definitionForKind(want.group, want.version, want.kind) : ep.rt.definition.name;
  const schema = defName ? refTo(defName) : undefined;
  if (schema) {
    // Custom resources are validated against their whole schema by their strategy, after
    // defaulting; built-ins only get the decoder's type check here.
    if (!ep.custom || opts.expect) {
      const errs = validateValue(obj, schema, { resolver: opts.scheme, typesOnly: true });
      const typeErr = errs.find((e) => e.typeMismatch && goDecodeMessage(e.typeMismatch));
      if (typeErr) {
        throw badRequest(`${want.kind} in version "${want.version}" cannot be handled as a ${want.kind}: ${goDecodeMessage(typeErr.typeMismatch!)}`);
      }
    }
    const unknown = pruneUnknownFields(obj, schema, { resolver: opts.scheme });
    const nullItems: NullItems[] = [];
    dropNullFields(obj, [], nullItems);
    if (nullItems.length && (!ep.custom || opts.expect)) zeroNullItems(nullItems, schema, opts.scheme);
    const problems = [...duplicates.map((d) => `duplicate field ${JSON.stringify(d)}`), ...unknown.map(unknownFieldMessage)];
    if (problems.length) {
      if (opts.fieldValidation === 'Strict') {
        const prefix = opts.requestBody ? `${want.kind} in version "${want.version}" cannot be handled as a ${want.kind}: ` : '';
        throw new StatusError(400, 'BadRequest', `${prefix}strict decoding error: ${problems.join(', ')}`);
      }
      if (opts.fieldValidation === 'Warn') opts.warnings.push(...problems);
    }
    if (!opts.skipDefaults) {
      applyDefaults(obj, schema, { resolver: opts.scheme });
      rt?.defaults?.(obj);
    }
  }
  return obj;
}
