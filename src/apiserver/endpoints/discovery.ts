/**
 * Discovery, legacy and aggregated. Legacy: /api, /apis, /api/v1,
 * /apis/<group>[/<version>]. Aggregated (apidiscovery.k8s.io/v2 and v2beta1):
 * /api and /apis answer with every group, version and resource in one
 * document when the client asks for it in Accept, which kubectl does first.
 * Documents are rebuilt only when the set of served resources changes.
 */
import { createHash } from 'node:crypto';
import type { ResourceType } from '../../api/scheme.js';
import { parseAccept } from '../http/respond.js';
import type { Endpoint } from '../registry/endpoint.js';

/** Preferred-version order as upstream sorts them: GA > beta > alpha, higher first. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0, v] as const;
    const stability = m[2] === 'alpha' ? 1 : m[2] === 'beta' ? 2 : 3;
    return [stability, Number(m[1]), Number(m[3] ?? 0), v] as const;
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pb[i] as number) - (pa[i] as number);
  return a < b ? -1 : a > b ? 1 : 0;
}

interface GroupInfo {
  name: string;
  versions: string[];
}

/** Built-in group order as upstream lists them; others (CRDs) follow alphabetically. */
const GROUP_ORDER = [
  '',
  'apiregistration.k8s.io',
  'apps',
  'events.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'metrics.k8s.io',
];

export interface DiscoveryOptions {
  /** host:port clients use, for serverAddressByClientCIDRs. */
  serverAddress: () => string;
  /** Types served outside the registry (metrics.k8s.io), listed like any other. */
  extraTypes?: () => readonly ResourceType[];
}

export class Discovery {
  private cacheKey = '';
  private groups: GroupInfo[] = [];
  private byGV = new Map<string, Pick<Endpoint, 'rt'>[]>();
  private aggregated = new Map<string, string>();

  constructor(
    private readonly endpoints: () => Endpoint[],
    private readonly opts: DiscoveryOptions,
  ) {}

  private refresh(): void {
    const eps: Pick<Endpoint, 'rt'>[] = [...this.endpoints(), ...(this.opts.extraTypes?.() ?? []).map((rt) => ({ rt }))];
    // Names and subresources are in the key too: an updated CRD changes them in place.
    const key = eps.map((e) => `${e.rt.group}/${e.rt.version}/${e.rt.resource}/${e.rt.kind}/${e.rt.namespaced}/${e.rt.shortNames ?? ''}/${e.rt.categories ?? ''}/${e.rt.subresources?.map((r) => r.name) ?? ''}`).sort().join(',');
    if (key === this.cacheKey) return;
    this.cacheKey = key;
    this.byGV = new Map();
    for (const e of eps) {
      const gv = `${e.rt.group}/${e.rt.version}`;
      const list = this.byGV.get(gv) ?? [];
      list.push(e);
      this.byGV.set(gv, list);
    }
    const groups = new Map<string, Set<string>>();
    for (const e of eps) {
      if (!groups.has(e.rt.group)) groups.set(e.rt.group, new Set());
      groups.get(e.rt.group)!.add(e.rt.version);
    }
    const rank = (g: string) => {
      const i = GROUP_ORDER.indexOf(g);
      return i < 0 ? GROUP_ORDER.length : i;
    };
    this.groups = [...groups.entries()]
      .map(([name, vs]) => ({ name, versions: [...vs].sort(compareVersions) }))
      .sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : 1));
    this.aggregated = new Map();
  }

  /** The `aggregated` Accept form the client wants, if any ('v2' | 'v2beta1'). */
  static wantsAggregated(accept: string | undefined): { version: string; contentType: string } | undefined {
    for (const m of parseAccept(accept)) {
      if (m.type !== 'application/json' && m.type !== '*/*') continue;
      if (m.params.as === 'APIGroupDiscoveryList' && m.params.g === 'apidiscovery.k8s.io' && (m.params.v === 'v2' || m.params.v === 'v2beta1')) {
        return { version: m.params.v, contentType: `application/json;g=apidiscovery.k8s.io;v=${m.params.v};as=APIGroupDiscoveryList` };
      }
      if (!m.params.as) return undefined;
    }
    return undefined;
  }

  apiVersions(): Record<string, unknown> {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.opts.serverAddress() }] };
  }

  private groupObject(g: GroupInfo): Record<string, unknown> {
    const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
    return { name: g.name, versions, preferredVersion: versions[0] };
  }

  apiGroupList(): Record<string, unknown> {
    this.refresh();
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: this.groups.filter((g) => g.name !== '').map((g) => this.groupObject(g)) };
  }

  apiGroup(name: string): Record<string, unknown> | undefined {
    this.refresh();
    const g = this.groups.find((x) => x.name === name && name !== '');
    return g ? { kind: 'APIGroup', apiVersion: 'v1', ...this.groupObject(g) } : undefined;
  }

  resourceList(group: string, version: string): Record<string, unknown> | undefined {
    this.refresh();
    const eps = this.byGV.get(`${group}/${version}`);
    if (!eps) return undefined;
    const resources: Record<string, unknown>[] = [];
    for (const e of [...eps].sort((a, b) => (a.rt.resource < b.rt.resource ? -1 : 1))) {
      const rt = e.rt;
      const r: Record<string, unknown> = { name: rt.resource, singularName: rt.singular, namespaced: rt.namespaced, kind: rt.kind, verbs: rt.verbs };
      if (rt.shortNames?.length) r.shortNames = rt.shortNames;
      if (rt.categories?.length) r.categories = rt.categories;
      r.storageVersionHash = storageVersionHash(rt);
      resources.push(r);
      for (const s of rt.subresources ?? []) {
        const sr: Record<string, unknown> = { name: `${rt.resource}/${s.name}`, singularName: '', namespaced: rt.namespaced, kind: s.kind, verbs: s.verbs };
        // A subresource of another group's kind (scale -> autoscaling/v1 Scale) names both, as upstream.
        if (s.group !== undefined && s.group !== rt.group) {
          sr.group = s.group;
          sr.version = s.version ?? rt.version;
        } else if (s.version !== undefined && s.version !== rt.version) sr.version = s.version;
        resources.push(sr);
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
  }

  /** The aggregated document for /api (legacy) or /apis, as JSON text. */
  aggregatedDocument(legacy: boolean, version: string): string {
    this.refresh();
    const key = `${legacy}/${version}`;
    const cached = this.aggregated.get(key);
    if (cached) return cached;
    const items = this.groups
      .filter((g) => (legacy ? g.name === '' : g.name !== ''))
      .map((g) => ({
        metadata: { name: g.name, creationTimestamp: null },
        versions: g.versions.map((v) => ({
          version: v,
          resources: (this.byGV.get(`${g.name}/${v}`) ?? [])
            .slice()
            .sort((a, b) => (a.rt.resource < b.rt.resource ? -1 : 1))
            .map((e) => aggregatedResource(e.rt)),
          freshness: 'Current',
        })),
      }));
    const text = JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items });
    this.aggregated.set(key, text);
    return text;
  }
}

function aggregatedResource(rt: ResourceType): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: rt.resource,
    responseKind: { group: rt.group, version: rt.version, kind: rt.kind },
    scope: rt.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: rt.singular,
    verbs: rt.verbs,
  };
  if (rt.shortNames?.length) r.shortNames = rt.shortNames;
  if (rt.categories?.length) r.categories = rt.categories;
  if (rt.subresources?.length) {
    r.subresources = rt.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? rt.group, version: s.version ?? rt.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return r;
}

/** Upstream's storageVersionHash: base64 of the first 8 bytes of sha256("<group>/<version>/<kind>"). */
function storageVersionHash(rt: ResourceType): string {
  return createHash('sha256').update(`${rt.group}/${rt.version}/${rt.kind}`).digest().subarray(0, 8).toString('base64');
}
