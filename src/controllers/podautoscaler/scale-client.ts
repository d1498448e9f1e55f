/**
 * The scale subresource of whatever an autoscaler targets: its kind is
 * mapped to a resource through discovery (upstream's RESTMapper), so
 * Deployments, ReplicaSets, StatefulSets, ReplicationControllers and custom
 * resources with a scale subresource all work the same way.
 */
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import type { GroupVersionResource, KubeObject } from '../../machinery/meta/types.js';

export interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

export interface ScaleTargetRef {
  apiVersion?: string;
  kind: string;
  name: string;
}

export type ScaleResult = { ok: true; scale: Scale; gvr: GroupVersionResource } | { ok: false; message: string };

export interface ScaleClient {
  get(namespace: string, ref: ScaleTargetRef): Promise<ScaleResult>;
  /** Writes spec.replicas; rejects with the server's error. */
  update(namespace: string, gvr: GroupVersionResource, scale: Scale): Promise<Scale>;
}

interface APIResourceList {
  resources?: { name: string; kind: string }[];
}

function splitAPIVersion(apiVersion: string | undefined): { group: string; version: string } | undefined {
  const v = apiVersion ?? '';
  const parts = v.split('/');
  if (parts.length === 1) return { group: '', version: parts[0] || 'v1' };
  if (parts.length === 2 && parts[0] && parts[1]) return { group: parts[0], version: parts[1] };
  return undefined;
}

export class DiscoveryScaleClient implements ScaleClient {
  /** Scalable kind -> resource, per group/version; refreshed on a miss so new CRDs are found. */
  private readonly mappings = new Map<string, Map<string, string>>();

  constructor(private readonly rest: RESTClient) {}

  private async discover(group: string, version: string): Promise<Map<string, string>> {
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const list = await this.rest.do<APIResourceList>({ method: 'GET', path });
    const names = new Set((list.resources ?? []).map((r) => r.name));
    const m = new Map<string, string>();
    for (const r of list.resources ?? []) if (!r.name.includes('/') && names.has(`${r.name}/scale`)) m.set(r.kind, r.name);
    this.mappings.set(`${group}/${version}`, m);
    return m;
  }

  private async resourceFor(group: string, version: string, kind: string): Promise<string | undefined> {
    const cached = this.mappings.get(`${group}/${version}`)?.get(kind);
    if (cached) return cached;
    try {
      return (await this.discover(group, version)).get(kind);
    } catch {
      return undefined;
    }
  }

  async get(namespace: string, ref: ScaleTargetRef): Promise<ScaleResult> {
    const gv = splitAPIVersion(ref.apiVersion);
    if (!gv) return { ok: false, message: `unexpected GroupVersion string: ${ref.apiVersion}` };
    const resource = await this.resourceFor(gv.group, gv.version, ref.kind);
    if (!resource) return { ok: false, message: `no matches for kind "${ref.kind}" in group "${gv.group}"` };
    const gvr = { group: gv.group, version: gv.version, resource };
    try {
      const scale = await new ResourceClient(this.rest, gvr, namespace).getSubresource<Scale>(ref.name, 'scale');
      return { ok: true, scale, gvr };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  update(namespace: string, gvr: GroupVersionResource, scale: Scale): Promise<Scale> {
    return new ResourceClient(this.rest, gvr, namespace).updateSubresource<Scale>(scale.metadata.name ?? '', 'scale', scale);
  }
}
