/**
 * What the EndpointSlices mirrored from a user-managed Endpoints object
 * should hold: one group per (address type, port set), each address turned
 * into a slice endpoint. At most `maxEndpointsPerSubset` addresses of one
 * subset are mirrored (ready ones first), so one subset maps to one slice;
 * addresses that are not IPs are skipped and counted.
 */
import { isIPv6 } from 'node:net';
import type { EndpointAddress, EndpointPort, EndpointSubset } from '../endpoints/subsets.js';
import type { SliceEndpoint, SlicePort } from '../endpointslice/types.js';
import type { Endpoints } from '../endpoints/controller.js';

/** Upstream's default `--mirroring-max-endpoints-per-subset`. */
export const MIRRORING_MAX_ENDPOINTS_PER_SUBSET = 1000;

export type MirrorAddressType = 'IPv4' | 'IPv6';

export interface MirrorGroup {
  addressType: MirrorAddressType;
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

export interface DesiredMirror {
  /** By groupKey(addressType, ports); a group may be empty (then its slices go). */
  groups: Map<string, MirrorGroup>;
  /** Addresses that did not parse as an IP. */
  invalid: number;
  /** Every address not mirrored: invalid ones and those over the per-subset limit. */
  skipped: number;
}

/**
 * Parses an address as Go's sloppy IP parser does (IPv4 octets may carry
 * leading zeros) and answers its canonical text, or undefined.
 */
export function canonicalIP(raw: string): { ip: string; type: MirrorAddressType } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(raw);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    return octets.every((o) => o <= 255) ? { ip: octets.join('.'), type: 'IPv4' } : undefined;
  }
  if (!isIPv6(raw) || raw.includes('%')) return undefined;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(raw);
  if (mapped) return canonicalIP(mapped[1]!);
  // The URL parser prints IPv6 hosts in the RFC 5952 form Go's net.IP.String uses.
  const host = new URL(`http://[${raw}]/`).hostname.slice(1, -1);
  const embedded = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (embedded) {
    const hi = parseInt(embedded[1]!, 16);
    const lo = parseInt(embedded[2]!, 16);
    return { ip: [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.'), type: 'IPv4' };
  }
  return { ip: host, type: 'IPv6' };
}

export function slicePorts(ports: readonly EndpointPort[] | undefined): SlicePort[] {
  return (ports ?? []).map((p) => {
    const out: SlicePort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
    if (p.appProtocol) out.appProtocol = p.appProtocol;
    return out;
  });
}

/** The identity of a group: its address type and its ports in any order. */
export function groupKey(addressType: string, ports: readonly SlicePort[] | null | undefined): string {
  const canonical = (ports ?? []).map((p) => JSON.stringify([p.name ?? '', p.port ?? 0, p.protocol ?? 'TCP', p.appProtocol ?? ''])).sort();
  return `${addressType}|${canonical.join(',')}`;
}

export function addressToEndpoint(address: EndpointAddress, ready: boolean): { endpoint: SliceEndpoint; type: MirrorAddressType } | undefined {
  const parsed = canonicalIP(address.ip ?? '');
  if (!parsed) return undefined;
  const endpoint: SliceEndpoint = { addresses: [parsed.ip], conditions: { ready } };
  if (address.hostname) endpoint.hostname = address.hostname;
  if (address.nodeName) endpoint.nodeName = address.nodeName;
  if (address.targetRef) endpoint.targetRef = { ...address.targetRef };
  return { endpoint, type: parsed.type };
}

/** The identity of an endpoint inside one group: the same address listed twice is mirrored once. */
const endpointIdentity = (ep: SliceEndpoint) => JSON.stringify([ep.addresses, ep.hostname ?? '', ep.nodeName ?? '', ep.targetRef?.uid ?? '', ep.targetRef?.name ?? '']);

export function desiredMirror(endpoints: Pick<Endpoints, 'subsets'>, opts: { maxEndpointsPerSubset?: number } = {}): DesiredMirror {
  const max = opts.maxEndpointsPerSubset ?? MIRRORING_MAX_ENDPOINTS_PER_SUBSET;
  const groups = new Map<string, MirrorGroup>();
  const seen = new Map<string, Set<string>>();
  let invalid = 0;
  let skipped = 0;
  for (const subset of endpoints.subsets ?? ([] as EndpointSubset[])) {
    const ports = slicePorts(subset.ports);
    for (const addressType of ['IPv4', 'IPv6'] as const) {
      const key = groupKey(addressType, ports);
      if (!groups.has(key)) groups.set(key, { addressType, ports, endpoints: [] });
      if (!seen.has(key)) seen.set(key, new Set());
    }
    const total = (subset.addresses?.length ?? 0) + (subset.notReadyAddresses?.length ?? 0);
    let added = 0;
    const candidates: [EndpointAddress, boolean][] = [
      ...(subset.addresses ?? []).map((a): [EndpointAddress, boolean] => [a, true]),
      ...(subset.notReadyAddresses ?? []).map((a): [EndpointAddress, boolean] => [a, false]),
    ];
    for (const [address, ready] of candidates) {
      if (added >= max) break;
      const converted = addressToEndpoint(address, ready);
      if (!converted) {
        invalid++;
        continue;
      }
      added++;
      const key = groupKey(converted.type, ports);
      const ids = seen.get(key)!;
      const id = endpointIdentity(converted.endpoint);
      if (ids.has(id)) continue;
      ids.add(id);
      groups.get(key)!.endpoints.push(converted.endpoint);
    }
    skipped += total - added;
  }
  return { groups, invalid, skipped };
}
