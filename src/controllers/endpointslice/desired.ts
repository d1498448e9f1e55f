/**
 * What a Service's EndpointSlices should hold: one endpoint per published
 * pod, grouped by the exact set of ports the pod resolves (a named
 * targetPort may resolve differently per pod, and a slice has one port list).
 */
import type { EndpointPod, Service } from '../framework/service-pods.js';
import { findPort, shouldPodBeInEndpoints, shouldSetHostname } from '../framework/service-pods.js';
import { isPodReady } from '../framework/pods.js';
import type { SliceEndpoint, SlicePort } from './types.js';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface PortGroup {
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

export const portsKey = (ports: readonly SlicePort[] | null | undefined): string =>
  (ports ?? []).map((p) => `${p.name ?? ''}/${p.port ?? ''}/${p.protocol ?? ''}/${p.appProtocol ?? ''}`).sort().join(',');

/** The identity of an endpoint across syncs: its pod, else its first address. */
export const endpointKey = (ep: SliceEndpoint): string => ep.targetRef?.uid || ep.addresses[0] || '';

const isIPv4 = (ip: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(ip);

export function endpointPorts(svc: Service, pod: EndpointPod): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: SlicePort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

export function podToEndpoint(svc: Service, pod: EndpointPod, zoneOf: (node: string) => string | undefined): SliceEndpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  // "ready" stays false for a terminating pod unless the service publishes not-ready addresses.
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: SliceEndpoint = {
    addresses: [pod.status!.podIP!],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  const node = pod.spec?.nodeName;
  if (node) {
    ep.nodeName = node;
    const zone = zoneOf(node);
    if (zone) ep.zone = zone;
  }
  return ep;
}

/** Port groups by portsKey; pods without an IPv4 address are left out (IPv4 slices only). */
export function desiredPortGroups(svc: Service, pods: readonly EndpointPod[], zoneOf: (node: string) => string | undefined): Map<string, PortGroup> {
  const groups = new Map<string, PortGroup>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, { includeTerminating: true })) continue;
    if (!isIPv4(pod.status?.podIP ?? '')) continue;
    const ports = endpointPorts(svc, pod);
    // A service with ports none of which this pod offers publishes nothing for it.
    if ((svc.spec?.ports?.length ?? 0) > 0 && ports.length === 0) continue;
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(podToEndpoint(svc, pod, zoneOf));
  }
  return groups;
}
