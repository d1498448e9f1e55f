/** Upstream ValidateEndpointSlice / ValidateEndpointSliceUpdate. */
import { type FieldError, field } from '../../../machinery/errors/field.js';
import { isDNS1123Label, isDNS1123Subdomain, isIPv4, isIPv6, isQualifiedName, isValidPortNum } from '../../../machinery/validation/names.js';
import { ADDRESS_TYPES, type EndpointSliceT } from './types.js';

const MAX_ADDRESSES = 100;
const MAX_ENDPOINTS = 1000;
const MAX_PORTS = 20000;
const MAX_HINTS = 8;

/** As upstream IsFullyQualifiedDomainName: a DNS subdomain with at least two labels, trailing dot allowed. */
function fqdnErrors(name: string, path: string): FieldError[] {
  const host = name.endsWith('.') ? name.slice(0, -1) : name;
  if (!host) return [field.required(path, '')];
  const out = isDNS1123Subdomain(host).map((m) => field.invalid(path, name, m));
  if (host.split('.').length < 2) out.push(field.invalid(path, name, 'should be a domain with at least two segments separated by dots'));
  return out;
}

export function validateEndpointSlice(slice: EndpointSliceT, old: EndpointSliceT | undefined): FieldError[] {
  const out: FieldError[] = [];
  const type: string = slice.addressType ?? '';
  if (!type) out.push(field.required('addressType', ''));
  else if (!(ADDRESS_TYPES as readonly string[]).includes(type)) out.push(field.notSupported('addressType', type, [...ADDRESS_TYPES]));

  const endpoints = slice.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS) out.push(field.tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  endpoints.forEach((ep, i) => {
    const p = `endpoints[${i}]`;
    const addrs = ep.addresses ?? [];
    if (addrs.length === 0) out.push(field.required(`${p}.addresses`, 'must contain at least 1 address'));
    else if (addrs.length > MAX_ADDRESSES) out.push(field.tooMany(`${p}.addresses`, addrs.length, MAX_ADDRESSES));
    addrs.forEach((a, j) => {
      const ap = `${p}.addresses[${j}]`;
      if (type === 'IPv4' && !isIPv4(a)) out.push(field.invalid(ap, a, 'must be a valid IPv4 address'));
      else if (type === 'IPv6' && !isIPv6(a)) out.push(field.invalid(ap, a, 'must be a valid IPv6 address'));
      else if (type === 'FQDN') out.push(...fqdnErrors(a, ap));
    });
    if (ep.nodeName) for (const m of isDNS1123Subdomain(ep.nodeName)) out.push(field.invalid(`${p}.nodeName`, ep.nodeName, m));
    if (ep.hostname) for (const m of isDNS1123Label(ep.hostname)) out.push(field.invalid(`${p}.hostname`, ep.hostname, m));
    const zones = ep.hints?.forZones ?? [];
    if (zones.length > MAX_HINTS) out.push(field.tooMany(`${p}.hints.forZones`, zones.length, MAX_HINTS));
    const seenZones = new Set<string>();
    zones.forEach((z, j) => {
      if (seenZones.has(z.name)) out.push(field.duplicate(`${p}.hints.forZones[${j}].name`, z.name));
      seenZones.add(z.name);
    });
  });

  const ports = slice.ports ?? [];
  if (ports.length > MAX_PORTS) out.push(field.tooMany('ports', ports.length, MAX_PORTS));
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `ports[${i}]`;
    const name = port.name ?? '';
    if (name) for (const m of isDNS1123Label(name)) out.push(field.invalid(`${p}.name`, name, m));
    if (names.has(name)) out.push(field.duplicate(`${p}.name`, name));
    names.add(name);
    const proto: string | undefined = port.protocol;
    if (proto === undefined) out.push(field.required(`${p}.protocol`, ''));
    else if (!['TCP', 'UDP', 'SCTP'].includes(proto)) out.push(field.notSupported(`${p}.protocol`, proto, ['SCTP', 'TCP', 'UDP']));
    if (port.port !== undefined) for (const m of isValidPortNum(port.port)) out.push(field.invalid(`${p}.port`, port.port, m));
    if (port.appProtocol) for (const m of isQualifiedName(port.appProtocol)) out.push(field.invalid(`${p}.appProtocol`, port.appProtocol, m));
  });

  if (old && old.addressType !== slice.addressType) out.push(field.invalid('addressType', slice.addressType, 'field is immutable'));
  return out;
}
