/**
 * The Swagger 2.0 document served at /openapi/v2: every definition, the
 * operations of every resource with the parameters kubectl looks for, and
 * x-kubernetes-group-version-kind on kinds, lists and operations. Built once
 * per scheme version.
 */
import type { Scheme } from '../../api/scheme.js';
import { type Schema, DEFINITION_PREFIX } from '../../machinery/schema/types.js';
import { publishedDefinitions, toV2Schema } from './definitions.js';
import { type OperationSpec, type PathSpec, QUERY_PARAMS, pathsForGroupVersion } from './operations.js';

export interface OpenAPIInfo {
  title: string;
  version: string;
}

export interface OpenAPIV2Document {
  swagger: '2.0';
  info: OpenAPIInfo;
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, Schema>;
  securityDefinitions: Record<string, unknown>;
  security: Record<string, string[]>[];
}

const cache = new WeakMap<Scheme, { version: number; key: string; doc: OpenAPIV2Document }>();

export function buildOpenAPIV2(scheme: Scheme, info: OpenAPIInfo): OpenAPIV2Document {
  const key = `${info.title}\u0000${info.version}`;
  const hit = cache.get(scheme);
  if (hit && hit.version === scheme.version && hit.key === key) return hit.doc;
  const doc = build(scheme, info);
  cache.set(scheme, { version: scheme.version, key, doc });
  return doc;
}

function groupVersions(scheme: Scheme): [string, string][] {
  const seen = new Map<string, [string, string]>();
  for (const t of scheme.types()) seen.set(`${t.group}/${t.version}`, [t.group, t.version]);
  return [...seen.values()].sort(([ga, va], [gb, vb]) => (ga === gb ? (va < vb ? -1 : 1) : ga < gb ? -1 : 1));
}

function build(scheme: Scheme, info: OpenAPIInfo): OpenAPIV2Document {
  const definitions: Record<string, Schema> = {};
  for (const [name, s] of publishedDefinitions(scheme)) definitions[name] = toV2Schema(s);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [group, version] of groupVersions(scheme)) {
    for (const p of pathsForGroupVersion(scheme, group, version)) paths[p.path] = pathItem(p);
  }
  return {
    swagger: '2.0',
    info: { title: info.title, version: info.version },
    paths,
    definitions,
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } },
    security: [{ BearerToken: [] }],
  };
}

function pathParam(name: 'name' | 'namespace'): Record<string, unknown> {
  const description = name === 'name' ? 'name of the object' : 'object name and auth scope, such as for teams and projects';
  return { uniqueItems: true, type: 'string', description, name, in: 'path', required: true };
}

function queryParam(name: keyof typeof QUERY_PARAMS): Record<string, unknown> {
  const p = QUERY_PARAMS[name];
  return { uniqueItems: true, type: p.type, description: p.description, name, in: 'query' };
}

function pathItem(p: PathSpec): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const op of p.operations) item[op.method] = operation(op);
  item.parameters = [...p.pathParams.map(pathParam), queryParam('pretty')];
  return item;
}

function operation(op: OperationSpec): Record<string, unknown> {
  const parameters: Record<string, unknown>[] = [];
  if (op.body) {
    const body: Record<string, unknown> = { name: 'body', in: 'body', schema: { $ref: DEFINITION_PREFIX + op.body } };
    if (op.bodyRequired) body.required = true;
    parameters.push(body);
  }
  for (const q of op.query) parameters.push(queryParam(q));
  const responses: Record<string, unknown> = {};
  for (const [code, def] of Object.entries(op.responses)) {
    responses[code] = def ? { description: responseText(code), schema: { $ref: DEFINITION_PREFIX + def } } : { description: responseText(code) };
  }
  const out: Record<string, unknown> = {
    description: op.description,
    consumes: op.consumes,
    produces: op.produces,
    schemes: ['https'],
    tags: [op.tag],
    operationId: op.operationId,
  };
  if (parameters.length) out.parameters = parameters;
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
  return out;
}

export function responseText(code: string): string {
  switch (code) {
    case '200':
      return 'OK';
    case '201':
      return 'Created';
    case '202':
      return 'Accepted';
    case '401':
      return 'Unauthorized';
    default:
      return code;
  }
}
