/** Service and Endpoints validation (ValidateService, ValidateServiceUpdate, ValidateEndpoints). */
import { type FieldError, FieldPath, field } from '../../../../machinery/errors/field.js';
import { isValidPortNum } from '../../../../machinery/validation/names.js';
import type { EndpointsT, ServiceT } from '../types/service.js';
import { dnsLabel, dnsSubdomain, isNil, portNumOrName, validIP } from './common.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILY_POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const MAX_CLIENT_IP_TIMEOUT = 86400;

/** Upstream's ExternallyAccessible: reachable from outside the cluster network. */
function externallyAccessible(svc: ServiceT): boolean {
  const type = svc.spec?.type;
  return type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && (svc.spec?.externalIPs?.length ?? 0) > 0);
}

export function validateService(svc: ServiceT): FieldError[] {
  const errs: FieldError[] = [];
  const specPath = new FieldPath('spec');
  const spec = svc.spec ?? {};
  const type = spec.type ?? '';
  const headless = spec.clusterIP === 'None';
  const ports = spec.ports ?? [];
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(field.required(specPath.child('ports').text, ''));

  if (type === '') errs.push(field.required(specPath.child('type').text, ''));
  else if (!SERVICE_TYPES.includes(type)) errs.push(field.notSupported(specPath.child('type').text, type, SERVICE_TYPES));

  if (type === 'ExternalName') {
    if (spec.clusterIPs?.length || (spec.clusterIP && spec.clusterIP !== '')) {
      errs.push(field.forbidden(specPath.child(spec.clusterIPs?.length ? 'clusterIPs' : 'clusterIP').text, 'may not be set for ExternalName services'));
    }
    const name = (spec.externalName ?? '').replace(/\.$/, '');
    if (!name) errs.push(field.required(specPath.child('externalName').text, ''));
    else errs.push(...dnsSubdomain(name, specPath.child('externalName')).map((e) => ({ ...e, value: spec.externalName })));
  }

  const portNames = new Set<string>();
  const seenPorts = new Set<string>();
  const seenNodePorts = new Set<string>();
  ports.forEach((sp, i) => {
    const p = specPath.child('ports').index(i);
    if (ports.length > 1 && !sp.name) errs.push(field.required(p.child('name').text, ''));
    else if (sp.name) {
      errs.push(...dnsLabel(sp.name, p.child('name')));
      if (portNames.has(sp.name)) errs.push(field.duplicate(p.child('name').text, sp.name));
      portNames.add(sp.name);
    }
    for (const m of isValidPortNum(sp.port)) errs.push(field.invalid(p.child('port').text, sp.port, m));
    if (!sp.protocol) errs.push(field.required(p.child('protocol').text, ''));
    else if (!PROTOCOLS.includes(sp.protocol)) errs.push(field.notSupported(p.child('protocol').text, sp.protocol, PROTOCOLS));
    if (!isNil(sp.targetPort)) errs.push(...portNumOrName(sp.targetPort, p.child('targetPort')));
    const key = `${sp.protocol}/${sp.port}`;
    if (seenPorts.has(key)) errs.push(field.duplicate(p.text, { port: sp.port, protocol: sp.protocol }));
    seenPorts.add(key);
    if (sp.nodePort) {
      if (type === 'ClusterIP') errs.push(field.forbidden(p.child('nodePort').text, "may not be used when `type` is 'ClusterIP'"));
      else if (type === 'ExternalName') errs.push(field.forbidden(p.child('nodePort').text, "may not be used when `type` is 'ExternalName'"));
      for (const m of isValidPortNum(sp.nodePort)) errs.push(field.invalid(p.child('nodePort').text, sp.nodePort, m));
      const nk = `${sp.protocol}/${sp.nodePort}`;
      if (seenNodePorts.has(nk)) errs.push(field.duplicate(p.child('nodePort').text, sp.nodePort));
      seenNodePorts.add(nk);
    }
  });

  const affinity = spec.sessionAffinity ?? '';
  if (affinity === '') errs.push(field.required(specPath.child('sessionAffinity').text, ''));
  else if (!SESSION_AFFINITIES.includes(affinity)) errs.push(field.notSupported(specPath.child('sessionAffinity').text, affinity, SESSION_AFFINITIES));
  if (affinity === 'ClientIP') {
    const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    const p = specPath.child('sessionAffinityConfig').child('clientIP').child('timeoutSeconds');
    if (typeof timeout !== 'number' || timeout <= 0 || timeout > MAX_CLIENT_IP_TIMEOUT) {
      errs.push(field.invalid(p.text, timeout ?? 0, `must be greater than 0 and less than ${MAX_CLIENT_IP_TIMEOUT}`));
    }
  } else if (spec.sessionAffinityConfig) {
    errs.push(field.invalid(specPath.child('sessionAffinityConfig').text, spec.sessionAffinityConfig, `must not be set when session affinity is ${affinity}`));
  }

  const clusterIPs = spec.clusterIPs ?? [];
  if (spec.clusterIP && clusterIPs.length && spec.clusterIP !== clusterIPs[0]) {
    errs.push(field.invalid(specPath.child('clusterIPs').text, clusterIPs, 'first value must match `clusterIP`'));
  }
  if (type !== 'ExternalName') {
    const ips = clusterIPs.length ? clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
    const base = clusterIPs.length ? specPath.child('clusterIPs') : undefined;
    ips.forEach((ip, i) => {
      const p = base ? base.index(i) : specPath.child('clusterIP');
      if (ip === 'None') {
        if (i > 0 || ips.length > 1) errs.push(field.invalid(p.text, ip, "'None' must be the first and only value"));
        return;
      }
      errs.push(...validIP(ip, p));
    });
    if (clusterIPs.length > 2) errs.push(field.invalid(specPath.child('clusterIPs').text, clusterIPs, 'may only hold up to 2 values'));
  }
  (spec.externalIPs ?? []).forEach((ip, i) => errs.push(...validIP(ip, specPath.child('externalIPs').index(i))));

  if (type !== 'LoadBalancer') {
    if (spec.loadBalancerSourceRanges?.length) errs.push(field.forbidden(specPath.child('loadBalancerSourceRanges').text, "may only be used when `type` is 'LoadBalancer'"));
    if (!isNil(spec.allocateLoadBalancerNodePorts)) errs.push(field.forbidden(specPath.child('allocateLoadBalancerNodePorts').text, "may only be used when `type` is 'LoadBalancer'"));
    if (!isNil(spec.loadBalancerClass)) errs.push(field.forbidden(specPath.child('loadBalancerClass').text, "may only be used when `type` is 'LoadBalancer'"));
  } else if (isNil(spec.allocateLoadBalancerNodePorts)) {
    errs.push(field.required(specPath.child('allocateLoadBalancerNodePorts').text, ''));
  }

  const etp = spec.externalTrafficPolicy;
  if (!externallyAccessible(svc)) {
    if (!isNil(etp) && etp !== ('' as string)) errs.push(field.invalid(specPath.child('externalTrafficPolicy').text, etp, 'may only be set for externally-accessible services'));
  } else if (isNil(etp) || etp === ('' as string)) {
    errs.push(field.required(specPath.child('externalTrafficPolicy').text, ''));
  } else if (!TRAFFIC_POLICIES.includes(etp)) {
    errs.push(field.notSupported(specPath.child('externalTrafficPolicy').text, etp, TRAFFIC_POLICIES));
  }
  if (spec.healthCheckNodePort && !(type === 'LoadBalancer' && etp === 'Local')) {
    errs.push(field.invalid(specPath.child('healthCheckNodePort').text, spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  }
  if (type !== 'ExternalName') {
    const itp = spec.internalTrafficPolicy;
    if (isNil(itp)) errs.push(field.required(specPath.child('internalTrafficPolicy').text, ''));
    else if (!TRAFFIC_POLICIES.includes(itp)) errs.push(field.notSupported(specPath.child('internalTrafficPolicy').text, itp, TRAFFIC_POLICIES));
  }
  if (!isNil(spec.ipFamilyPolicy) && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) {
    errs.push(field.notSupported(specPath.child('ipFamilyPolicy').text, spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  const families = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f, i) => {
    const p = specPath.child('ipFamilies').index(i);
    if (!IP_FAMILIES.includes(f)) errs.push(field.notSupported(p.text, f, IP_FAMILIES));
    if (families.has(f)) errs.push(field.duplicate(p.text, f));
    families.add(f);
  });
  return errs;
}

/** The primary cluster IP as stored: clusterIPs[0], else clusterIP. */
function primaryClusterIP(svc: ServiceT): string | undefined {
  return svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || undefined;
}

/** ValidateServiceUpdate: cluster IPs and the primary family are fixed once set (unless moving to or from ExternalName). */
export function validateServiceUpdate(svc: ServiceT, old: ServiceT): FieldError[] {
  const errs = validateService(svc);
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return errs;
  const specPath = new FieldPath('spec');
  const prevIP = primaryClusterIP(old);
  const nextIP = primaryClusterIP(svc);
  if (prevIP && nextIP && prevIP !== nextIP) {
    errs.push(field.invalid(specPath.child('clusterIPs').index(0).text, svc.spec?.clusterIPs ?? [nextIP], 'may not change once set'));
  }
  const prevFamily = old.spec?.ipFamilies?.[0];
  const nextFamily = svc.spec?.ipFamilies?.[0];
  if (prevFamily && nextFamily && prevFamily !== nextFamily) {
    errs.push(field.invalid(specPath.child('ipFamilies').index(0).text, nextFamily, 'may not change once set'));
  }
  return errs;
}

export function validateEndpoints(ep: EndpointsT): FieldError[] {
  const errs: FieldError[] = [];
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = new FieldPath('subsets').index(i);
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) errs.push(field.required(p.text, 'must specify `addresses` or `notReadyAddresses`'));
    for (const key of ['addresses', 'notReadyAddresses'] as const) {
      (ss[key] ?? []).forEach((a, j) => {
        const ap = p.child(key).index(j);
        errs.push(...validIP(a.ip ?? '', ap.child('ip')));
        if (a.hostname) errs.push(...dnsLabel(a.hostname, ap.child('hostname')));
        if (a.nodeName) errs.push(...dnsSubdomain(a.nodeName, ap.child('nodeName')));
      });
    }
    const names = new Set<string>();
    const portsList = ss.ports ?? [];
    portsList.forEach((port, j) => {
      const pp = p.child('ports').index(j);
      if (portsList.length > 1 && !port.name) errs.push(field.required(pp.child('name').text, ''));
      else if (port.name) {
        errs.push(...dnsLabel(port.name, pp.child('name')));
        if (names.has(port.name)) errs.push(field.duplicate(pp.child('name').text, port.name));
        names.add(port.name);
      }
      for (const m of isValidPortNum(port.port)) errs.push(field.invalid(pp.child('port').text, port.port, m));
      if (!port.protocol) errs.push(field.required(pp.child('protocol').text, ''));
      else if (!PROTOCOLS.includes(port.protocol)) errs.push(field.notSupported(pp.child('protocol').text, port.protocol, PROTOCOLS));
    });
  });
  return errs;
}
