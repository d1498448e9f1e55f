/**
 * Turns a request path into what the rest of the chain reasons about: is it a
 * resource request, for which group/version/resource/namespace/name/subresource,
 * and with which Kubernetes verb (list vs get, watch, deletecollection...).
 */

export type RequestVerb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection'
  | 'connect'
  | 'proxy';

export interface ResourceRequestInfo {
  isResourceRequest: true;
  path: string;
  verb: RequestVerb;
  /** 'api' or 'apis'. */
  apiPrefix: 'api' | 'apis';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

export interface NonResourceRequestInfo {
  isResourceRequest: false;
  path: string;
  /** Lower-case HTTP method, as upstream non-resource verbs. */
  verb: string;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

/**
 * Parses `/api/v1/namespaces/ns/pods/name/status` and friends. Query is passed
 * separately so `watch=true` turns a list into a watch.
 */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const m = method.toUpperCase();
  const httpVerb = m.toLowerCase();
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  const parts = trimmed === '' ? [] : trimmed.split('/').map(decodeSegment);
  const nonResource: NonResourceRequestInfo = { isResourceRequest: false, path, verb: httpVerb };
  if (parts.length < 2 || (parts[0] !== 'api' && parts[0] !== 'apis')) return nonResource;
  const apiPrefix = parts[0] as 'api' | 'apis';
  let rest: string[];
  let group = '';
  let version: string;
  if (apiPrefix === 'api') {
    version = parts[1]!;
    rest = parts.slice(2);
  } else {
    if (parts.length < 3) return nonResource;
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  }
  if (rest.length === 0) return nonResource;

  // Deprecated path form /api/v1/watch/... : verb is watch.
  let verbOverride: RequestVerb | undefined;
  if (rest[0] === 'watch') {
    verbOverride = 'watch';
    rest = rest.slice(1);
  } else if (rest[0] === 'proxy') {
    verbOverride = 'proxy';
    rest = rest.slice(1);
  }

  // Upstream rule: /namespaces/{ns}/{resource}/... is namespaced; /namespaces/{ns}
  // and /namespaces/{ns}/{status|finalize} address the namespace object itself.
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1]!;
    if (rest.length > 2 && rest[2] !== 'status' && rest[2] !== 'finalize') rest = rest.slice(2);
  }
  const resource = rest[0] ?? '';
  const name = rest[1] ?? '';
  const subresource = rest.slice(2).join('/');

  function info(res: string, nm: string, sub: string, ns: string): ResourceRequestInfo {
    let verb: RequestVerb;
    if (verbOverride) verb = verbOverride;
    else {
      switch (m) {
        case 'GET':
        case 'HEAD':
          verb = isWatch(query) ? 'watch' : nm ? 'get' : 'list';
          break;
        case 'POST':
          verb = 'create';
          break;
        case 'PUT':
          verb = 'update';
          break;
        case 'PATCH':
          verb = 'patch';
          break;
        case 'DELETE':
          verb = nm ? 'delete' : 'deletecollection';
          break;
        default:
          verb = httpVerb as RequestVerb;
      }
      if (['exec', 'attach', 'portforward', 'proxy'].includes(sub)) verb = 'connect';
    }
    return { isResourceRequest: true, path, verb, apiPrefix, group, version, namespace: ns, resource: res, subresource: sub, name: nm };
  }
  return info(resource, name, subresource, namespace);
}

function isWatch(q: URLSearchParams): boolean {
  const w = q.get('watch');
  return w === 'true' || w === '1';
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
