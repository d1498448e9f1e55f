/**
 * The REST operations a Scheme serves, described once and rendered by both
 * the OpenAPI v2 and v3 writers: paths, operation ids, actions, query
 * parameters, bodies and responses, named as kube-apiserver names them.
 */
import type { ResourceType, Scheme, SubresourceInfo } from '../../api/scheme.js';

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const DELETE_OPTIONS = META + 'DeleteOptions';
export const STATUS = META + 'Status';
export const PATCH = META + 'Patch';
export const LIST_META = META + 'ListMeta';

export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

export interface OperationSpec {
  method: Method;
  operationId: string;
  description: string;
  /** x-kubernetes-action */
  action: 'list' | 'post' | 'deletecollection' | 'get' | 'put' | 'patch' | 'delete';
  gvk: GVK;
  tag: string;
  query: QueryParamName[];
  /** Definition name of the request body, when the operation takes one. */
  body?: string;
  bodyRequired?: boolean;
  consumes: string[];
  produces: string[];
  /** Status code -> definition name of the response body. */
  responses: Record<string, string | undefined>;
}

export interface PathSpec {
  path: string;
  pathParams: ('name' | 'namespace')[];
  operations: OperationSpec[];
}

export type QueryParamName =
  | 'allowWatchBookmarks'
  | 'continue'
  | 'dryRun'
  | 'fieldManager'
  | 'fieldSelector'
  | 'fieldValidation'
  | 'force'
  | 'gracePeriodSeconds'
  | 'ignoreStoreReadErrorWithClusterBreakingPotential'
  | 'labelSelector'
  | 'limit'
  | 'orphanDependents'
  | 'pretty'
  | 'propagationPolicy'
  | 'resourceVersion'
  | 'resourceVersionMatch'
  | 'sendInitialEvents'
  | 'timeoutSeconds'
  | 'watch';

export interface QueryParamInfo {
  type: 'string' | 'boolean' | 'integer';
  description: string;
}

export const QUERY_PARAMS: Record<QueryParamName, QueryParamInfo> = {
  allowWatchBookmarks: { type: 'boolean', description: 'Requests watch events of type BOOKMARK; servers may ignore it.' },
  continue: { type: 'string', description: 'The continue token of a previous paged list call, to fetch the next page.' },
  dryRun: { type: 'string', description: 'When present, modifications are not persisted. The only valid value is All.' },
  fieldManager: { type: 'string', description: 'The name of the actor making the change, recorded in managedFields.' },
  fieldSelector: { type: 'string', description: 'Restricts the returned objects by their fields.' },
  fieldValidation: { type: 'string', description: 'How to handle unknown or duplicate fields in the body: Ignore, Warn or Strict.' },
  force: { type: 'boolean', description: 'Forces an apply request through conflicts by taking ownership of the fields.' },
  gracePeriodSeconds: { type: 'integer', description: 'Seconds before the object is deleted; zero means immediately.' },
  ignoreStoreReadErrorWithClusterBreakingPotential: { type: 'boolean', description: 'Deletes a corrupt object that cannot be read from storage.' },
  labelSelector: { type: 'string', description: 'Restricts the returned objects by their labels.' },
  limit: { type: 'integer', description: 'The maximum number of items to return in one page.' },
  orphanDependents: { type: 'boolean', description: 'Deprecated: use propagationPolicy.' },
  pretty: { type: 'string', description: 'When true, the output is indented.' },
  propagationPolicy: { type: 'string', description: 'Whether and how garbage collection deletes dependents: Orphan, Background or Foreground.' },
  resourceVersion: { type: 'string', description: 'Constrains which resource versions a request may be served from.' },
  resourceVersionMatch: { type: 'string', description: 'How resourceVersion is applied to list calls: Exact or NotOlderThan.' },
  sendInitialEvents: { type: 'boolean', description: 'Starts a watch with synthetic ADDED events for the current state.' },
  timeoutSeconds: { type: 'integer', description: 'Timeout for the list or watch call.' },
  watch: { type: 'boolean', description: 'Watch for changes to the described resources and return them as a stream of events.' },
};

const LIST_QUERY: QueryParamName[] = ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch'];
const WRITE_QUERY: QueryParamName[] = ['dryRun', 'fieldManager', 'fieldValidation'];
const PATCH_QUERY: QueryParamName[] = ['dryRun', 'fieldManager', 'fieldValidation', 'force'];
const DELETE_QUERY: QueryParamName[] = ['dryRun', 'gracePeriodSeconds', 'ignoreStoreReadErrorWithClusterBreakingPotential', 'orphanDependents', 'propagationPolicy'];
const DELETECOLLECTION_QUERY: QueryParamName[] = [
  'continue',
  'dryRun',
  'fieldSelector',
  'gracePeriodSeconds',
  'ignoreStoreReadErrorWithClusterBreakingPotential',
  'labelSelector',
  'limit',
  'orphanDependents',
  'propagationPolicy',
  'resourceVersion',
  'resourceVersionMatch',
  'sendInitialEvents',
  'timeoutSeconds',
];

export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/apply-patch+cbor'];
const PRODUCES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const PRODUCES_WATCH = [...PRODUCES, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];

function upperFirst(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** `apps` -> `Apps`, `rbac.authorization.k8s.io` -> `RbacAuthorization`, core -> `Core`. */
export function groupCamel(group: string): string {
  if (!group) return 'Core';
  return group.replace(/\.k8s\.io$/, '').split(/[.-]/).map(upperFirst).join('');
}

/** Operation tags: `core_v1`, `apps_v1`, `rbacAuthorization_v1`. */
export function tagOf(group: string, version: string): string {
  const g = groupCamel(group);
  return `${g[0]!.toLowerCase()}${g.slice(1)}_${version}`;
}

export function gvPrefix(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

export function listDefinitionName(rt: ResourceType): string {
  return rt.listDefinition ?? `${rt.definition.name}List`;
}

/** The definition behind a subresource's kind (Scale lives in autoscaling/v1), if the scheme has it. */
function subresourceDefinition(scheme: Scheme, rt: ResourceType, sub: SubresourceInfo): { def?: string; gvk: GVK } {
  if (sub.name === 'status' || (sub.kind === rt.kind && !sub.group)) return { def: rt.definition.name, gvk: { group: rt.group, version: rt.version, kind: rt.kind } };
  const gvk = { group: sub.group ?? rt.group, version: sub.version ?? rt.version, kind: sub.kind };
  const typed = scheme.byKind(gvk.group, gvk.version, gvk.kind);
  if (typed) return { def: typed.definition.name, gvk };
  for (const [name, s] of scheme.allDefinitions()) {
    if (s['x-kubernetes-group-version-kind']?.some((x) => x.group === gvk.group && x.version === gvk.version && x.kind === gvk.kind)) return { def: name, gvk };
  }
  if (sub.name === 'scale' && scheme.definition('io.k8s.api.autoscaling.v1.Scale')) return { def: 'io.k8s.api.autoscaling.v1.Scale', gvk };
  return { gvk };
}

/** Every path served for the resources of one group-version, in a stable order. */
export function pathsForGroupVersion(scheme: Scheme, group: string, version: string): PathSpec[] {
  const types = scheme
    .types()
    .filter((t) => t.group === group && t.version === version)
    .sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  const out: PathSpec[] = [];
  for (const rt of types) out.push(...pathsForResource(scheme, rt));
  return out;
}

export function pathsForResource(scheme: Scheme, rt: ResourceType): PathSpec[] {
  const prefix = gvPrefix(rt.group, rt.version);
  const gv = groupCamel(rt.group) + upperFirst(rt.version);
  const scope = rt.namespaced ? 'Namespaced' : '';
  const collection = `${prefix}${rt.namespaced ? '/namespaces/{namespace}' : ''}/${rt.resource}`;
  const nsParams: ('name' | 'namespace')[] = rt.namespaced ? ['namespace'] : [];
  const gvk: GVK = { group: rt.group, version: rt.version, kind: rt.kind };
  const tag = tagOf(rt.group, rt.version);
  const def = rt.definition.name;
  const listDef = listDefinitionName(rt);
  const has = (v: string): boolean => rt.verbs.includes(v as never);
  const kindText = rt.kind;
  const out: PathSpec[] = [];

  const collOps: OperationSpec[] = [];
  if (has('list')) {
    collOps.push({ method: 'get', operationId: `list${gv}${scope}${rt.kind}`, description: `list or watch objects of kind ${kindText}`, action: 'list', gvk, tag, query: LIST_QUERY, consumes: ['*/*'], produces: PRODUCES_WATCH, responses: { '200': listDef, '401': undefined } });
  }
  if (has('create')) {
    collOps.push({ method: 'post', operationId: `create${gv}${scope}${rt.kind}`, description: `create a ${kindText}`, action: 'post', gvk, tag, query: WRITE_QUERY, body: def, bodyRequired: true, consumes: ['*/*'], produces: PRODUCES, responses: { '200': def, '201': def, '202': def, '401': undefined } });
  }
  if (has('deletecollection')) {
    collOps.push({ method: 'delete', operationId: `deletecollection${gv}${scope}${rt.kind}`, description: `delete collection of ${kindText}`, action: 'deletecollection', gvk, tag, query: DELETECOLLECTION_QUERY, body: DELETE_OPTIONS, consumes: ['*/*'], produces: PRODUCES, responses: { '200': STATUS, '401': undefined } });
  }
  if (collOps.length) out.push({ path: collection, pathParams: nsParams, operations: collOps });

  const itemOps: OperationSpec[] = [];
  if (has('get')) {
    itemOps.push({ method: 'get', operationId: `read${gv}${scope}${rt.kind}`, description: `read the specified ${kindText}`, action: 'get', gvk, tag, query: [], consumes: ['*/*'], produces: PRODUCES, responses: { '200': def, '401': undefined } });
  }
  if (has('update')) {
    itemOps.push({ method: 'put', operationId: `replace${gv}${scope}${rt.kind}`, description: `replace the specified ${kindText}`, action: 'put', gvk, tag, query: WRITE_QUERY, body: def, bodyRequired: true, consumes: ['*/*'], produces: PRODUCES, responses: { '200': def, '201': def, '401': undefined } });
  }
  if (has('delete')) {
    itemOps.push({ method: 'delete', operationId: `delete${gv}${scope}${rt.kind}`, description: `delete a ${kindText}`, action: 'delete', gvk, tag, query: DELETE_QUERY, body: DELETE_OPTIONS, consumes: ['*/*'], produces: PRODUCES, responses: { '200': STATUS, '202': STATUS, '401': undefined } });
  }
  if (has('patch')) {
    itemOps.push({ method: 'patch', operationId: `patch${gv}${scope}${rt.kind}`, description: `partially update the specified ${kindText}`, action: 'patch', gvk, tag, query: PATCH_QUERY, body: PATCH, bodyRequired: true, consumes: PATCH_TYPES, produces: PRODUCES, responses: { '200': def, '201': def, '401': undefined } });
  }
  if (itemOps.length) out.push({ path: `${collection}/{name}`, pathParams: ['name', ...nsParams], operations: itemOps });

  for (const sub of rt.subresources ?? []) {
    if (sub.name !== 'status' && sub.name !== 'scale') continue;
    const target = subresourceDefinition(scheme, rt, sub);
    const suffix = upperFirst(sub.name);
    const subOps: OperationSpec[] = [];
    const resp = target.def;
    if (sub.verbs.includes('get')) {
      subOps.push({ method: 'get', operationId: `read${gv}${scope}${rt.kind}${suffix}`, description: `read ${sub.name} of the specified ${kindText}`, action: 'get', gvk: target.gvk, tag, query: [], consumes: ['*/*'], produces: PRODUCES, responses: { '200': resp, '401': undefined } });
    }
    if (sub.verbs.includes('update')) {
      subOps.push({ method: 'put', operationId: `replace${gv}${scope}${rt.kind}${suffix}`, description: `replace ${sub.name} of the specified ${kindText}`, action: 'put', gvk: target.gvk, tag, query: WRITE_QUERY, body: resp, bodyRequired: true, consumes: ['*/*'], produces: PRODUCES, responses: { '200': resp, '201': resp, '401': undefined } });
    }
    if (sub.verbs.includes('patch')) {
      subOps.push({ method: 'patch', operationId: `patch${gv}${scope}${rt.kind}${suffix}`, description: `partially update ${sub.name} of the specified ${kindText}`, action: 'patch', gvk: target.gvk, tag, query: PATCH_QUERY, body: PATCH, bodyRequired: true, consumes: PATCH_TYPES, produces: PRODUCES, responses: { '200': resp, '201': resp, '401': undefined } });
    }
    if (subOps.length) out.push({ path: `${collection}/{name}/${sub.name}`, pathParams: ['name', ...nsParams], operations: subOps });
  }

  if (rt.namespaced && has('list')) {
    out.push({
      path: `${prefix}/${rt.resource}`,
      pathParams: [],
      operations: [{ method: 'get', operationId: `list${gv}${rt.kind}ForAllNamespaces`, description: `list or watch objects of kind ${kindText}`, action: 'list', gvk, tag, query: LIST_QUERY, consumes: ['*/*'], produces: PRODUCES_WATCH, responses: { '200': listDef, '401': undefined } }],
    });
  }
  return out;
}
