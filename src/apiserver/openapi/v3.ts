/**
 * OpenAPI v3, served per group-version at /openapi/v3/<key> with an index at
 * /openapi/v3 whose URLs carry `?hash=<sha512>` so clients can cache them.
 * Each document holds only the schemas its operations reach; kubectl explain
 * finds kinds by their x-kubernetes-group-version-kind, and kubectl's query
 * parameter check looks for fieldValidation on the resource's PATCH operation.
 */
import { createHash } from 'node:crypto';
import type { Scheme } from '../../api/scheme.js';
import type { Schema } from '../../machinery/schema/types.js';
import { collectRefs, publishedDefinitions, reachableDefinitions, toV3Schema } from './definitions.js';
import { META, type OperationSpec, type PathSpec, PATCH_TYPES, QUERY_PARAMS, gvPrefix, groupCamel, pathsForGroupVersion, tagOf } from './operations.js';
import { responseText } from './v2.js';

export interface OpenAPIV3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

export interface OpenAPIV3Served {
  doc: object;
  /** The document's JSON text, serialized once. */
  json: string;
  /** Upper-case hex sha512 of `json`, as upstream's ETag and `hash` query value. */
  hash: string;
}

interface SchemeCache {
  version: number;
  defs?: Map<string, Schema>;
  docs: Map<string, OpenAPIV3Served | null>;
  index?: OpenAPIV3Index;
}

const caches = new WeakMap<Scheme, SchemeCache>();

function cacheOf(scheme: Scheme): SchemeCache {
  let c = caches.get(scheme);
  if (!c || c.version !== scheme.version) {
    c = { version: scheme.version, docs: new Map() };
    caches.set(scheme, c);
  }
  return c;
}

function definitionsOf(scheme: Scheme, c: SchemeCache): Map<string, Schema> {
  if (!c.defs) c.defs = publishedDefinitions(scheme);
  return c.defs;
}

/** Index keys: `api`, `api/v1`, `apis`, `apis/<group>`, `apis/<group>/<version>`. */
function indexKeys(scheme: Scheme): string[] {
  const keys = new Set<string>(['api', 'apis']);
  for (const t of scheme.types()) {
    if (t.group) {
      keys.add(`apis/${t.group}`);
      keys.add(`apis/${t.group}/${t.version}`);
    } else {
      keys.add(`api/${t.version}`);
    }
  }
  return [...keys].sort();
}

export function buildOpenAPIV3Index(scheme: Scheme): OpenAPIV3Index {
  const c = cacheOf(scheme);
  if (c.index) return c.index;
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const key of indexKeys(scheme)) {
    const served = openAPIV3Document(scheme, key);
    if (served) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${served.hash}` };
  }
  c.index = { paths };
  return c.index;
}

export function buildOpenAPIV3GroupVersion(scheme: Scheme, group: string, version: string): object | undefined {
  return openAPIV3Document(scheme, group ? `apis/${group}/${version}` : `api/${version}`)?.doc;
}

/** The document for one index key with its serialized form and hash, or undefined for an unknown key. */
export function openAPIV3Document(scheme: Scheme, key: string): OpenAPIV3Served | undefined {
  const c = cacheOf(scheme);
  const hit = c.docs.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const doc = buildDocument(scheme, key, definitionsOf(scheme, c));
  let served: OpenAPIV3Served | null = null;
  if (doc) {
    const json = JSON.stringify(doc);
    served = { doc, json, hash: createHash('sha512').update(json).digest('hex').toUpperCase() };
  }
  c.docs.set(key, served);
  return served ?? undefined;
}

function buildDocument(scheme: Scheme, key: string, defs: Map<string, Schema>): object | undefined {
  const parts = key.split('/');
  let paths: Record<string, unknown>;
  let title: string;
  if (key === 'api') {
    paths = { '/api/': discoveryPath('getCoreAPIVersions', 'get available API versions', 'core', META + 'APIVersions') };
    title = 'Kubernetes';
  } else if (key === 'apis') {
    paths = { '/apis/': discoveryPath('getAPIVersions', 'get available API versions', 'apis', META + 'APIGroupList') };
    title = 'Kubernetes';
  } else if (parts[0] === 'apis' && parts.length === 2) {
    const group = parts[1]!;
    if (!scheme.types().some((t) => t.group === group)) return undefined;
    paths = { [`/apis/${group}/`]: discoveryPath(`get${groupCamel(group)}APIGroup`, 'get information of a group', tagOf(group, '').slice(0, -1), META + 'APIGroup') };
    title = 'Kubernetes';
  } else if ((parts[0] === 'api' && parts.length === 2) || (parts[0] === 'apis' && parts.length === 3)) {
    const group = parts[0] === 'api' ? '' : parts[1]!;
    const version = parts[parts.length - 1]!;
    const specs = pathsForGroupVersion(scheme, group, version);
    if (!specs.length) return undefined;
    paths = {
      [`${gvPrefix(group, version)}/`]: discoveryPath(`get${groupCamel(group)}${version[0]!.toUpperCase()}${version.slice(1)}APIResources`, 'get available resources', tagOf(group, version), META + 'APIResourceList'),
    };
    for (const p of specs) paths[p.path] = pathItem(p);
    title = 'Kubernetes';
  } else {
    return undefined;
  }
  const roots = new Set<string>();
  collectRefs(paths, roots);
  const schemas: Record<string, Schema> = {};
  for (const name of [...reachableDefinitions(roots, defs)].sort()) {
    const v3 = toV3Schema(defs.get(name)!);
    const oneOf = V3_ONE_OF[name];
    schemas[name] = oneOf ? { description: v3.description, ...oneOf } : v3;
  }
  return {
    openapi: '3.0.0',
    info: { title, version: 'unversioned' },
    paths: rewriteRefs(paths),
    components: { schemas, securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } } },
    security: [{ BearerToken: [] }],
  };
}

/**
 * Upstream publishes these scalars in v3 as a typeless oneOf (their
 * OpenAPIV3OneOfTypes), so kubectl explain names fields by the definition
 * (`<IntOrString>`, `map[string]Quantity`) rather than as plain strings.
 */
const V3_ONE_OF: Record<string, Schema> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
};

/** Operation bodies are written with definition refs first so reachability can be computed, then moved under components. */
function rewriteRefs(v: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(v).replaceAll('"#/definitions/', '"#/components/schemas/')) as Record<string, unknown>;
}

const ref = (name: string): Schema => ({ $ref: '#/definitions/' + name });

function content(def: string | undefined, types: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of types) out[t] = def ? { schema: ref(def) } : {};
  return out;
}

function discoveryPath(operationId: string, description: string, tag: string, def: string): Record<string, unknown> {
  return {
    get: {
      tags: [tag],
      description,
      operationId,
      responses: { '200': { description: 'OK', content: content(def, ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']) }, '401': { description: 'Unauthorized' } },
    },
  };
}

function param(name: string, where: 'path' | 'query', description: string, type: string, required?: boolean): Record<string, unknown> {
  const p: Record<string, unknown> = { name, in: where, description };
  if (required) p.required = true;
  p.schema = { type, uniqueItems: true };
  return p;
}

function pathItem(p: PathSpec): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const op of p.operations) item[op.method] = operation(op);
  const params = p.pathParams.map((n) => param(n, 'path', n === 'name' ? 'name of the object' : 'object name and auth scope, such as for teams and projects', 'string', true));
  params.push(param('pretty', 'query', QUERY_PARAMS.pretty.description, 'string'));
  item.parameters = params;
  return item;
}

function operation(op: OperationSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { tags: [op.tag], description: op.description, operationId: op.operationId };
  if (op.query.length) out.parameters = op.query.map((q) => param(q, 'query', QUERY_PARAMS[q].description, QUERY_PARAMS[q].type));
  if (op.body) {
    const body: Record<string, unknown> = { content: content(op.body, op.method === 'patch' ? PATCH_TYPES : ['*/*']) };
    if (op.bodyRequired) body.required = true;
    out.requestBody = body;
  }
  const responses: Record<string, unknown> = {};
  for (const [code, def] of Object.entries(op.responses)) {
    responses[code] = def ? { description: responseText(code), content: content(def, op.produces) } : { description: responseText(code) };
  }
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, version: op.gvk.version, kind: op.gvk.kind };
  return out;
}
