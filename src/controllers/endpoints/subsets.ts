/**
 * The subsets of a Service's Endpoints, computed from its pods as upstream's
 * endpoints controller does: one address per pod and port set, ready ones in
 * `addresses` and the others in `notReadyAddresses`, then repacked so that
 * addresses offering exactly the same ports share a subset (pods resolving a
 * named targetPort to different numbers land in different subsets).
 */
import type { ObjectReference } from '../../client/events/event-recorder.js';
import { type EndpointPod, type Service, findPort, shouldPodBeInEndpoints, shouldSetHostname } from '../framework/service-pods.js';
import { isPodReady } from '../framework/pods.js';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** Upstream's maxCapacity: beyond it the Endpoints object is truncated and annotated. */
export const MAX_ENDPOINTS_CAPACITY = 1000;

export interface ComputedSubsets {
  subsets: EndpointSubset[];
  ready: number;
  notReady: number;
  /** More addresses than MAX_ENDPOINTS_CAPACITY existed; `subsets` holds only that many. */
  truncated: boolean;
}

export function addressForPod(pod: EndpointPod, svc: Service): EndpointAddress {
  const addr: EndpointAddress = {
    ip: pod.status?.podIP ?? '',
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec!.hostname;
  return addr;
}

export function computeSubsets(svc: Service, pods: readonly EndpointPod[], capacity = MAX_ENDPOINTS_CAPACITY): ComputedSubsets {
  const tolerateUnready = svc.spec?.publishNotReadyAddresses === true;
  const raw: EndpointSubset[] = [];
  const servicePorts = svc.spec?.ports ?? [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, { includeTerminating: tolerateUnready })) continue;
    const addr = addressForPod(pod, svc);
    const ready = tolerateUnready || isPodReady(pod);
    const push = (ports: EndpointPort[] | undefined) => raw.push(ready ? { addresses: [addr], ports } : { notReadyAddresses: [addr], ports });
    // A headless service without ports still publishes its pods' addresses.
    if (servicePorts.length === 0 && svc.spec?.clusterIP === 'None') {
      push(undefined);
      continue;
    }
    for (const sp of servicePorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      push([ep]);
    }
  }
  let subsets = repackSubsets(raw);
  const count = (s: EndpointSubset[], f: 'addresses' | 'notReadyAddresses') => s.reduce((n, x) => n + (x[f]?.length ?? 0), 0);
  const ready = count(subsets, 'addresses');
  const notReady = count(subsets, 'notReadyAddresses');
  const truncated = ready + notReady > capacity;
  if (truncated) subsets = truncateSubsets(subsets, capacity);
  return { subsets, ready, notReady, truncated };
}

const addressKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort) => `${p.name ?? ''}/${p.port}/${p.protocol ?? ''}/${p.appProtocol ?? ''}`;

/**
 * Upstream's RepackSubsets: map each port to the addresses offering it, then
 * group ports by identical address sets, one subset per group, sorted.
 */
export function repackSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  const addrs = new Map<string, { addr: EndpointAddress; ready: boolean }>();
  // port key -> (address key -> ready)
  const byPort = new Map<string, { port?: EndpointPort; members: Map<string, boolean> }>();
  const note = (pk: string, port: EndpointPort | undefined, a: EndpointAddress, ready: boolean) => {
    const k = addressKey(a);
    if (!addrs.has(k)) addrs.set(k, { addr: a, ready });
    let entry = byPort.get(pk);
    if (!entry) byPort.set(pk, (entry = { port, members: new Map() }));
    // Ready wins if the same address shows up both ways.
    entry.members.set(k, entry.members.get(k) === true || ready);
  };
  for (const s of subsets) {
    const ports: (EndpointPort | undefined)[] = s.ports?.length ? s.ports : [undefined];
    for (const port of ports) {
      const pk = port ? portKey(port) : '';
      for (const a of s.addresses ?? []) note(pk, port, a, true);
      for (const a of s.notReadyAddresses ?? []) note(pk, port, a, false);
    }
  }
  const groups = new Map<string, { members: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, members } of byPort.values()) {
    const gk = [...members].map(([k, r]) => `${k}=${r}`).sort().join(',');
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { members, ports: [] }));
    if (port) g.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [k, r] of g.members) (r ? ready : notReady).push(addrs.get(k)!.addr);
    const s: EndpointSubset = {};
    if (ready.length) s.addresses = ready.sort(compareAddresses);
    if (notReady.length) s.notReadyAddresses = notReady.sort(compareAddresses);
    if (g.ports.length) s.ports = g.ports.sort((a, b) => portKey(a).localeCompare(portKey(b)));
    out.push(s);
  }
  return out.sort((a, b) => subsetKey(a).localeCompare(subsetKey(b)));
}

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  return compareIPs(a.ip, b.ip) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
}

/** Numeric order for dotted IPv4, string order otherwise. */
function compareIPs(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4 && [...pa, ...pb].every((n) => Number.isInteger(n))) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
    return 0;
  }
  return a.localeCompare(b);
}

function subsetKey(s: EndpointSubset): string {
  return `${(s.ports ?? []).map(portKey).join(',')}|${[...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])].map(addressKey).join(',')}`;
}

/**
 * Keeps `capacity` addresses: ready ones first, each subset giving up a share
 * proportional to its size, as upstream's truncateEndpoints.
 */
export function truncateSubsets(subsets: readonly EndpointSubset[], capacity: number): EndpointSubset[] {
  const totalReady = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const totalNotReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  const canReady = Math.min(totalReady, capacity);
  const canNotReady = Math.min(totalNotReady, capacity - canReady);
  const take = (list: EndpointAddress[] | undefined, total: number, budget: { left: number }, allowed: number, last: boolean) => {
    if (!list?.length) return list;
    const share = last ? budget.left : Math.min(budget.left, Math.floor((list.length * allowed) / Math.max(1, total)));
    budget.left -= Math.min(share, list.length);
    return list.slice(0, share);
  };
  const readyBudget = { left: canReady };
  const notReadyBudget = { left: canNotReady };
  return subsets.map((s, i) => {
    const last = i === subsets.length - 1;
    const out: EndpointSubset = { ...s };
    const a = take(s.addresses, totalReady, readyBudget, canReady, last);
    const n = take(s.notReadyAddresses, totalNotReady, notReadyBudget, canNotReady, last);
    if (a?.length) out.addresses = a;
    else delete out.addresses;
    if (n?.length) out.notReadyAddresses = n;
    else delete out.notReadyAddresses;
    return out;
  });
}
