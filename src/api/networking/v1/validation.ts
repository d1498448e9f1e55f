/** Upstream ValidateIngress, ValidateIngressClass and ValidateNetworkPolicy (create, update, status). */
import { type FieldError, field } from '../../../machinery/errors/field.js';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidIP,
  isValidPortName,
  isValidPortNum,
  nameIsPathSegment,
} from '../../../machinery/validation/names.js';
import { isStrictSubset, parseCidr } from './cidr.js';
import { validateLabelSelector } from './label-selector-validation.js';
import {
  PATH_TYPES,
  type HTTPIngressPathT,
  type IngressBackendT,
  type IngressClassParametersReferenceT,
  type IngressClassT,
  type IngressSpecT,
  type IngressT,
  type IPBlockT,
  type NetworkPolicyPeerT,
  type NetworkPolicyPortT,
  type NetworkPolicyT,
} from './types.js';

const wildcardFmt = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const wildcardRe = new RegExp(`^${wildcardFmt}$`);
const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRe = new RegExp(`^${httpPathFmt}$`);
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
const MAX_CONTROLLER_LENGTH = 250;

/** As upstream IsWildcardDNS1123Subdomain. */
export function isWildcardDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!wildcardRe.test(v)) {
    errs.push(
      "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character " +
        `(e.g. '*.example.com', regex used for validation is '${wildcardFmt}')`,
    );
  }
  return errs;
}

function validateHost(host: string, path: string): FieldError[] {
  const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  return msgs.map((m) => field.invalid(path, host, m));
}

function validateTypedLocalRef(ref: { apiGroup?: string; kind?: string; name?: string }, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (ref.apiGroup !== undefined) for (const m of isDNS1123Subdomain(ref.apiGroup)) out.push(field.invalid(`${path}.apiGroup`, ref.apiGroup, m));
  if (!ref.kind) out.push(field.required(`${path}.kind`, 'kind is required'));
  else for (const m of nameIsPathSegment(ref.kind, false)) out.push(field.invalid(`${path}.kind`, ref.kind, m));
  if (!ref.name) out.push(field.required(`${path}.name`, 'name is required'));
  else for (const m of nameIsPathSegment(ref.name, false)) out.push(field.invalid(`${path}.name`, ref.name, m));
  return out;
}

function validateIngressBackend(b: IngressBackendT, path: string): FieldError[] {
  if (b.resource && b.service) return [field.invalid(path, '', 'cannot set both resource and service backends')];
  if (b.resource) return validateTypedLocalRef(b.resource, `${path}.resource`);
  if (!b.service) return [field.invalid(path, '', 'resource or service backend is required')];
  const out: FieldError[] = [];
  const svc = b.service;
  if (!svc.name) out.push(field.required(`${path}.service.name`, ''));
  else for (const m of isDNS1035Label(svc.name)) out.push(field.invalid(`${path}.service.name`, svc.name, m));
  const portName = svc.port?.name ?? '';
  const portNumber = svc.port?.number ?? 0;
  if (portName && portNumber) out.push(field.invalid(path, '', 'cannot set both port name & port number'));
  else if (portName) for (const m of isValidPortName(portName)) out.push(field.invalid(`${path}.service.port.name`, portName, m));
  else if (portNumber) for (const m of isValidPortNum(portNumber)) out.push(field.invalid(`${path}.service.port.number`, portNumber, m));
  else out.push(field.required(path, 'port name or number is required'));
  return out;
}

function validateHTTPIngressPath(p: HTTPIngressPathT, path: string): FieldError[] {
  if (!p.pathType) return [field.required(`${path}.pathType`, 'pathType must be specified')];
  const out: FieldError[] = [];
  const value = p.path ?? '';
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/')) out.push(field.invalid(`${path}.path`, value, 'must be an absolute path'));
      for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) out.push(field.invalid(`${path}.path`, value, `must not contain '${seq}'`));
      for (const suffix of INVALID_PATH_SUFFIXES) if (value.endsWith(suffix)) out.push(field.invalid(`${path}.path`, value, `cannot end with '${suffix}'`));
      break;
    case 'ImplementationSpecific':
      if (value && !value.startsWith('/')) out.push(field.invalid(`${path}.path`, value, 'must be an absolute path'));
      break;
    default:
      out.push(field.notSupported(`${path}.pathType`, p.pathType, [...PATH_TYPES]));
  }
  out.push(...validateIngressBackend(p.backend ?? {}, `${path}.backend`));
  return out;
}

function validateIngressSpec(spec: IngressSpecT, path: string): FieldError[] {
  const out: FieldError[] = [];
  const rules = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend) out.push(field.invalid(path, spec.rules ?? null, 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) out.push(...validateIngressBackend(spec.defaultBackend, `${path}.defaultBackend`));
  rules.forEach((rule, i) => {
    const rp = `${path}.rules[${i}]`;
    if (rule.host) {
      if (isValidIP(rule.host)) out.push(field.invalid(`${rp}.host`, rule.host, 'must be a DNS name, not an IP address'));
      out.push(...validateHost(rule.host, `${rp}.host`));
    }
    if (rule.http) {
      const paths = rule.http.paths ?? [];
      if (paths.length === 0) out.push(field.required(`${rp}.http.paths`, ''));
      paths.forEach((p, j) => out.push(...validateHTTPIngressPath(p, `${rp}.http.paths[${j}]`)));
    }
  });
  (spec.tls ?? []).forEach((tls, i) => {
    const tp = `${path}.tls[${i}]`;
    (tls.hosts ?? []).forEach((h, j) => out.push(...validateHost(h, `${tp}.hosts[${j}]`)));
    if (tls.secretName) for (const m of isDNS1123Subdomain(tls.secretName)) out.push(field.invalid(`${tp}.secretName`, tls.secretName, m));
  });
  if (spec.ingressClassName !== undefined) {
    for (const m of isDNS1123Subdomain(spec.ingressClassName)) out.push(field.invalid(`${path}.ingressClassName`, spec.ingressClassName, m));
  }
  return out;
}

function validateIngressStatus(ing: IngressT): FieldError[] {
  const out: FieldError[] = [];
  (ing.status?.loadBalancer?.ingress ?? []).forEach((lb, i) => {
    const p = `status.loadBalancer.ingress[${i}]`;
    if (lb.ip && !isValidIP(lb.ip)) out.push(field.invalid(`${p}.ip`, lb.ip, 'must be a valid IP address'));
    if (lb.hostname) {
      for (const m of isDNS1123Subdomain(lb.hostname)) out.push(field.invalid(`${p}.hostname`, lb.hostname, m));
      if (isValidIP(lb.hostname)) out.push(field.invalid(`${p}.hostname`, lb.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return out;
}

export function validateIngress(ing: IngressT, _old: IngressT | undefined, opts: { subresource?: string } = {}): FieldError[] {
  if (opts.subresource === 'status') return validateIngressStatus(ing);
  return validateIngressSpec(ing.spec ?? {}, 'spec');
}

function validateParameters(params: IngressClassParametersReferenceT | undefined, path: string): FieldError[] {
  if (!params) return [];
  const out = validateTypedLocalRef(params, path);
  if (params.scope === undefined) return [...out, field.required(`${path}.scope`, '')];
  if (params.scope !== 'Cluster' && params.scope !== 'Namespace') return [...out, field.notSupported(`${path}.scope`, params.scope, ['Cluster', 'Namespace'])];
  if (params.scope === 'Namespace') {
    if (params.namespace === undefined) out.push(field.required(`${path}.namespace`, "`parameters.scope` is set to 'Namespace'"));
    else for (const m of isDNS1123Label(params.namespace)) out.push(field.invalid(`${path}.namespace`, params.namespace, m));
  }
  if (params.scope === 'Cluster' && params.namespace !== undefined) out.push(field.forbidden(`${path}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  return out;
}

/** As upstream IsDomainPrefixedPath. */
function validateDomainPrefixedPath(value: string, path: string): FieldError[] {
  if (!value) return [field.required(path, '')];
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) return [field.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const host = value.slice(0, slash);
  const rest = value.slice(slash + 1);
  const out = isDNS1123Subdomain(host).map((m) => field.invalid(path, host, m));
  if (!httpPathRe.test(rest)) out.push(field.invalid(path, rest, `Invalid path (regex used for validation is '${httpPathFmt}')`));
  return out;
}

export function validateIngressClass(ic: IngressClassT, old: IngressClassT | undefined): FieldError[] {
  const spec = ic.spec ?? {};
  const controller = spec.controller ?? '';
  const out: FieldError[] = [];
  if (controller.length > MAX_CONTROLLER_LENGTH) out.push(field.tooLong('spec.controller', controller, MAX_CONTROLLER_LENGTH));
  out.push(...validateDomainPrefixedPath(controller, 'spec.controller'));
  out.push(...validateParameters(spec.parameters, 'spec.parameters'));
  if (old && (old.spec?.controller ?? '') !== controller) out.push(field.invalid('spec.controller', controller, 'field is immutable'));
  return out;
}

function validateIPBlock(b: IPBlockT, path: string): FieldError[] {
  if (!b.cidr) return [field.required(`${path}.cidr`, '')];
  const invalidCidr = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';
  const outer = parseCidr(b.cidr);
  if (!outer) return [field.invalid(`${path}.cidr`, b.cidr, invalidCidr)];
  const out: FieldError[] = [];
  (b.except ?? []).forEach((e, i) => {
    const ep = `${path}.except[${i}]`;
    const inner = parseCidr(e);
    if (!inner) out.push(field.invalid(ep, e, invalidCidr));
    else if (!isStrictSubset(inner, outer)) out.push(field.invalid(ep, e, 'must be a strict subset of `cidr`'));
  });
  return out;
}

function validatePeer(peer: NetworkPolicyPeerT, path: string): FieldError[] {
  const out: FieldError[] = [];
  let peers = 0;
  if (peer.podSelector) {
    peers++;
    out.push(...validateLabelSelector(peer.podSelector, `${path}.podSelector`));
  }
  if (peer.namespaceSelector) {
    peers++;
    out.push(...validateLabelSelector(peer.namespaceSelector, `${path}.namespaceSelector`));
  }
  if (peer.ipBlock) {
    peers++;
    out.push(...validateIPBlock(peer.ipBlock, `${path}.ipBlock`));
  }
  if (peers === 0) out.push(field.required(path, 'must specify a peer'));
  else if (peers > 1 && peer.ipBlock) out.push(field.forbidden(path, 'may not specify both ipBlock and another peer'));
  return out;
}

function validatePort(port: NetworkPolicyPortT, path: string): FieldError[] {
  const out: FieldError[] = [];
  const proto: string | undefined = port.protocol;
  if (proto !== undefined && proto !== 'TCP' && proto !== 'UDP' && proto !== 'SCTP') out.push(field.notSupported(`${path}.protocol`, proto, ['TCP', 'UDP', 'SCTP']));
  if (port.port === undefined) {
    if (port.endPort !== undefined) out.push(field.invalid(`${path}.endPort`, port.endPort, 'may not be specified when `port` is not specified'));
  } else if (typeof port.port === 'number') {
    for (const m of isValidPortNum(port.port)) out.push(field.invalid(`${path}.port`, port.port, m));
    if (port.endPort !== undefined) {
      if (port.endPort < port.port) out.push(field.invalid(`${path}.endPort`, port.port, 'must be greater than or equal to `port`'));
      for (const m of isValidPortNum(port.endPort)) out.push(field.invalid(`${path}.endPort`, port.endPort, m));
    }
  } else {
    if (port.endPort !== undefined) out.push(field.invalid(`${path}.endPort`, port.endPort, 'may not be specified when `port` is non-numeric'));
    for (const m of isValidPortName(port.port)) out.push(field.invalid(`${path}.port`, port.port, m));
  }
  return out;
}

export function validateNetworkPolicy(np: NetworkPolicyT): FieldError[] {
  const spec = np.spec ?? {};
  const out = validateLabelSelector(spec.podSelector, 'spec.podSelector');
  (spec.ingress ?? []).forEach((rule, i) => {
    (rule.ports ?? []).forEach((p, j) => out.push(...validatePort(p, `spec.ingress[${i}].ports[${j}]`)));
    (rule.from ?? []).forEach((p, j) => out.push(...validatePeer(p, `spec.ingress[${i}].from[${j}]`)));
  });
  (spec.egress ?? []).forEach((rule, i) => {
    (rule.ports ?? []).forEach((p, j) => out.push(...validatePort(p, `spec.egress[${i}].ports[${j}]`)));
    (rule.to ?? []).forEach((p, j) => out.push(...validatePeer(p, `spec.egress[${i}].to[${j}]`)));
  });
  const types: string[] = spec.policyTypes ?? [];
  if (types.length > 2) return [...out, field.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes')];
  types.forEach((pt, i) => {
    if (pt !== 'Ingress' && pt !== 'Egress') out.push(field.notSupported(`spec.policyTypes[${i}]`, pt, ['Ingress', 'Egress']));
  });
  return out;
}
