/**
 * The resources the garbage collector watches, found through discovery:
 * every top-level resource that can be listed, watched and deleted, in its
 * group's preferred version. Owner references name a kind, so the result
 * also maps group + kind to its resource (any version of a group maps to
 * the preferred one: the object is the same whatever version names it).
 */
import type { RESTClient } from '../../client/rest/rest-client.js';
import { type GroupVersionResource, parseApiVersion } from '../../machinery/meta/types.js';

export interface MonitoredResource {
  gvr: GroupVersionResource;
  apiVersion: string;
  kind: string;
  namespaced: boolean;
}

interface APIResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

/** Events are never owners worth tracking and are written constantly (upstream ignores them too). */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);
const REQUIRED_VERBS = ['list', 'watch', 'delete'];

export const gvrKey = (gvr: GroupVersionResource): string => `${gvr.group}/${gvr.version}/${gvr.resource}`;

export async function discoverMonitoredResources(rest: RESTClient): Promise<MonitoredResource[]> {
  const out: MonitoredResource[] = [];
  const add = (group: string, version: string, list: { resources?: APIResource[] }) => {
    for (const r of list.resources ?? []) {
      if (r.name.includes('/') || IGNORED.has(`${group}/${r.name}`)) continue;
      if (!REQUIRED_VERBS.every((v) => r.verbs?.includes(v))) continue;
      out.push({ gvr: { group, version, resource: r.name }, apiVersion: group ? `${group}/${version}` : version, kind: r.kind, namespaced: r.namespaced });
    }
  };
  add('', 'v1', await rest.do<{ resources?: APIResource[] }>({ method: 'GET', path: '/api/v1' }));
  const groups = await rest.do<{ groups?: { name: string; preferredVersion?: { version: string } }[] }>({ method: 'GET', path: '/apis' });
  for (const g of groups.groups ?? []) {
    const version = g.preferredVersion?.version;
    if (!version) continue;
    try {
      add(g.name, version, await rest.do<{ resources?: APIResource[] }>({ method: 'GET', path: `/apis/${g.name}/${version}` }));
    } catch {
      // A group that just went away (a CRD being deleted) must not hide every other one.
    }
  }
  return out;
}

/** Owner reference (apiVersion, kind) → the resource serving it. */
export class RESTMapper {
  private readonly byGroupKind = new Map<string, MonitoredResource>();

  constructor(resources: readonly MonitoredResource[]) {
    for (const r of resources) this.byGroupKind.set(`${r.gvr.group}/${r.kind}`, r);
  }

  resourceFor(apiVersion: string, kind: string): MonitoredResource | undefined {
    return this.byGroupKind.get(`${parseApiVersion(apiVersion).group}/${kind}`);
  }
}
