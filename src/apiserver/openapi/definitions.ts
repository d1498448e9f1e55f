/**
 * The definitions an OpenAPI document publishes: the scheme's, each kind
 * tagged with x-kubernetes-group-version-kind, plus what every server
 * publishes even when no group declares it (list kinds, Patch, Status,
 * DeleteOptions, discovery types). The scheme's schemas are never mutated.
 */
import type { Scheme } from '../../api/scheme.js';
import { type Schema, DEFINITION_PREFIX, refName } from '../../machinery/schema/types.js';
import { DELETE_OPTIONS, LIST_META, META, PATCH, STATUS, listDefinitionName } from './operations.js';

type GVKList = NonNullable<Schema['x-kubernetes-group-version-kind']>;

const ref = (name: string): Schema => ({ $ref: DEFINITION_PREFIX + name });
const str = (description: string): Schema => ({ type: 'string', description });

/** Shapes always present in an upstream document, used when the scheme has none of its own. */
function fallbackDefinitions(): [string, Schema][] {
  const gvDiscovery = META + 'GroupVersionForDiscovery';
  const cidr = META + 'ServerAddressByClientCIDR';
  const apiResource = META + 'APIResource';
  return [
    [PATCH, { type: 'object', description: 'The body of a PATCH request; its media type selects the patch format.' }],
    [LIST_META, { type: 'object', properties: { continue: str('Token for the next page.'), remainingItemCount: { type: 'integer', format: 'int64' }, resourceVersion: str('Version the list was read at.'), selfLink: str('Deprecated.') } }],
    [STATUS, { type: 'object', properties: { apiVersion: str('API version.'), code: { type: 'integer', format: 'int32' }, details: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, kind: str('Kind.'), message: str('Human-readable description.'), metadata: ref(LIST_META), reason: str('Machine-readable reason.'), status: str('Success or Failure.') } }],
    [DELETE_OPTIONS, { type: 'object', properties: { apiVersion: str('API version.'), dryRun: { type: 'array', items: { type: 'string' } }, gracePeriodSeconds: { type: 'integer', format: 'int64' }, kind: str('Kind.'), orphanDependents: { type: 'boolean' }, propagationPolicy: str('Orphan, Background or Foreground.') } }],
    [gvDiscovery, { type: 'object', required: ['groupVersion', 'version'], properties: { groupVersion: str('group/version'), version: str('version') } }],
    [cidr, { type: 'object', required: ['clientCIDR', 'serverAddress'], properties: { clientCIDR: str('CIDR'), serverAddress: str('host:port') } }],
    [META + 'APIGroup', { type: 'object', required: ['name', 'versions'], properties: { apiVersion: str('API version.'), kind: str('Kind.'), name: str('Group name.'), preferredVersion: ref(gvDiscovery), serverAddressByClientCIDRs: { type: 'array', items: ref(cidr) }, versions: { type: 'array', items: ref(gvDiscovery) } }, 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'APIGroup' }] }],
    [META + 'APIGroupList', { type: 'object', required: ['groups'], properties: { apiVersion: str('API version.'), groups: { type: 'array', items: ref(META + 'APIGroup') }, kind: str('Kind.') }, 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'APIGroupList' }] }],
    [META + 'APIVersions', { type: 'object', required: ['versions', 'serverAddressByClientCIDRs'], properties: { apiVersion: str('API version.'), kind: str('Kind.'), serverAddressByClientCIDRs: { type: 'array', items: ref(cidr) }, versions: { type: 'array', items: { type: 'string' } } }, 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'APIVersions' }] }],
    [apiResource, { type: 'object', required: ['name', 'singularName', 'namespaced', 'kind', 'verbs'], properties: { categories: { type: 'array', items: { type: 'string' } }, group: str('Group.'), kind: str('Kind.'), name: str('Plural name.'), namespaced: { type: 'boolean' }, shortNames: { type: 'array', items: { type: 'string' } }, singularName: str('Singular name.'), storageVersionHash: str('Hash of the storage version.'), verbs: { type: 'array', items: { type: 'string' } }, version: str('Version.') } }],
    [META + 'APIResourceList', { type: 'object', required: ['groupVersion', 'resources'], properties: { apiVersion: str('API version.'), groupVersion: str('group/version'), kind: str('Kind.'), resources: { type: 'array', items: ref(apiResource) } }, 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'APIResourceList' }] }],
  ];
}

function addGVK(s: Schema, gvk: { group: string; version: string; kind: string }): Schema {
  const list: GVKList = [...(s['x-kubernetes-group-version-kind'] ?? [])];
  if (!list.some((x) => x.group === gvk.group && x.version === gvk.version && x.kind === gvk.kind)) list.push(gvk);
  return { ...s, 'x-kubernetes-group-version-kind': list };
}

/** Every published definition by name, in a stable (sorted) order. */
export function publishedDefinitions(scheme: Scheme): Map<string, Schema> {
  const defs = new Map<string, Schema>(scheme.allDefinitions());
  for (const [name, s] of fallbackDefinitions()) if (!defs.has(name)) defs.set(name, s);
  for (const rt of scheme.types()) {
    const name = rt.definition.name;
    defs.set(name, addGVK(defs.get(name) ?? rt.definition.definition, { group: rt.group, version: rt.version, kind: rt.kind }));
    const listName = listDefinitionName(rt);
    const listGVK = { group: rt.group, version: rt.version, kind: `${rt.kind}List` };
    const existing = defs.get(listName);
    defs.set(
      listName,
      addGVK(
        existing ?? {
          description: `${rt.kind}List is a list of ${rt.kind}.`,
          type: 'object',
          required: ['items'],
          properties: {
            apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
            items: { type: 'array', description: `List of ${rt.resource}.`, items: ref(name) },
            kind: str('Kind is a string value representing the REST resource this object represents.'),
            metadata: { allOf: [ref(LIST_META)], description: 'Standard list metadata.' },
          },
        },
        listGVK,
      ),
    );
  }
  return new Map([...defs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Names of every definition referenced from a schema, directly or nested. */
export function collectRefs(s: unknown, out: Set<string>): void {
  if (Array.isArray(s)) {
    for (const x of s) collectRefs(x, out);
    return;
  }
  if (!s || typeof s !== 'object') return;
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref' && typeof v === 'string') out.add(refName(v));
    else if (k !== 'default' && k !== 'example' && k !== 'enum' && k !== 'x-kubernetes-group-version-kind') collectRefs(v, out);
  }
}

/** The closure of definitions reachable from `roots`. */
export function reachableDefinitions(roots: Iterable<string>, defs: ReadonlyMap<string, Schema>): Set<string> {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name) || !defs.has(name)) continue;
    seen.add(name);
    const refs = new Set<string>();
    collectRefs(defs.get(name), refs);
    for (const r of refs) if (!seen.has(r)) queue.push(r);
  }
  return seen;
}

const V2_DROPPED = new Set(['nullable', 'anyOf', 'oneOf', 'not', 'x-kubernetes-validations']);

/** A schema node as Swagger 2.0 writes it: `$ref` with siblings, no v3-only keywords. */
export function toV2Schema(s: Schema): Schema {
  let node: Schema = s;
  if (s.allOf && s.allOf.length === 1 && s.allOf[0]!.$ref && !s.type && !s.properties) {
    const { allOf: _allOf, ...rest } = s;
    node = { $ref: s.allOf[0]!.$ref, ...rest };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (V2_DROPPED.has(k)) continue;
    out[k] = convertChildren(k, v, toV2Schema);
  }
  return out as Schema;
}

/** A schema node as OpenAPI 3.0 writes it: refs under components, `$ref` siblings moved into allOf. */
export function toV3Schema(s: Schema): Schema {
  const out: Record<string, unknown> = {};
  if (s.$ref) {
    const target = '#/components/schemas/' + refName(s.$ref);
    const rest = Object.keys(s).filter((k) => k !== '$ref');
    if (!rest.length) return { $ref: target };
    out.allOf = [{ $ref: target }];
    for (const k of rest) out[k] = convertChildren(k, (s as Record<string, unknown>)[k], toV3Schema);
    return out as Schema;
  }
  for (const [k, v] of Object.entries(s)) out[k] = convertChildren(k, v, toV3Schema);
  return out as Schema;
}

function convertChildren(key: string, v: unknown, conv: (s: Schema) => Schema): unknown {
  switch (key) {
    case 'properties': {
      const o: Record<string, Schema> = {};
      for (const [name, ps] of Object.entries(v as Record<string, Schema>)) o[name] = conv(ps);
      return o;
    }
    case 'items':
    case 'not':
      return conv(v as Schema);
    case 'additionalProperties':
      return typeof v === 'object' && v !== null ? conv(v as Schema) : v;
    case 'allOf':
    case 'anyOf':
    case 'oneOf':
      return (v as Schema[]).map(conv);
    default:
      return v;
  }
}
