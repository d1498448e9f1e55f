import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../../machinery/errors/field.js';
import type { Schema } from '../../../machinery/schema/types.js';
import { metaDefinitions } from '../../meta/v1.js';
import { coreV1 } from '../../core/v1/index.js';
import { networkingV1, defaultNetworkPolicy, defaultIngressClass, validateIngress, validateIngressClass, validateNetworkPolicy, type IngressT, type NetworkPolicyT, type IngressClassT } from './index.js';

function refsOf(s: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(s)) for (const x of s) refsOf(x, out);
  else if (s && typeof s === 'object') {
    for (const [k, v] of Object.entries(s)) {
      if (k === '$ref' && typeof v === 'string') out.add(v.replace('#/definitions/', ''));
      else refsOf(v, out);
    }
  }
  return out;
}

const texts = (errs: { field: string }[]) => errs.map((e) => fieldErrorText(e as never));

const ingress = (spec: IngressT['spec']): IngressT => ({ metadata: { name: 'web', namespace: 'default' }, spec });
const svcBackend = { service: { name: 'web', port: { number: 80 } } };

describe('networking.k8s.io/v1', () => {
  test('every $ref resolves', () => {
    const known = new Set([...networkingV1.definitions, ...metaDefinitions, ...coreV1.definitions].map((d) => d.name));
    const refs = refsOf(networkingV1.definitions.map((d) => d.definition as Schema), new Set());
    for (const r of refs) assert.ok(known.has(r), `unresolved ${r}`);
  });

  test('discovery facts', () => {
    const byName = Object.fromEntries(networkingV1.resources.map((r) => [r.resource, r]));
    assert.deepEqual(Object.keys(byName).sort(), ['ingressclasses', 'ingresses', 'networkpolicies']);
    assert.deepEqual(byName.ingresses!.shortNames, ['ing']);
    assert.equal(byName.ingressclasses!.namespaced, false);
    assert.deepEqual(byName.networkpolicies!.shortNames, ['netpol']);
  });

  test('a valid ingress passes', () => {
    const ing = ingress({
      ingressClassName: 'nginx',
      rules: [{ host: '*.example.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: svcBackend }, { pathType: 'ImplementationSpecific', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }],
      tls: [{ hosts: ['www.example.com'], secretName: 'tls' }],
    });
    assert.deepEqual(validateIngress(ing, undefined), []);
  });

  const ingressCases: { name: string; spec: IngressT['spec']; want: string[] }[] = [
    { name: 'no rules nor default backend', spec: {}, want: ['spec: Invalid value: null: either `defaultBackend` or `rules` must be specified'] },
    {
      name: 'relative prefix path',
      spec: { rules: [{ http: { paths: [{ path: 'api', pathType: 'Prefix', backend: svcBackend }] } }] },
      want: ['spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path'],
    },
    {
      name: 'double slash in exact path',
      spec: { rules: [{ http: { paths: [{ path: '/a//b', pathType: 'Exact', backend: svcBackend }] } }] },
      want: ["spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'"],
    },
    {
      name: 'missing pathType',
      spec: { rules: [{ http: { paths: [{ path: '/', backend: svcBackend } as never] } }] },
      want: ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'],
    },
    {
      name: 'unknown pathType',
      spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Regex' as never, backend: svcBackend }] } }] },
      want: ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'],
    },
    {
      name: 'backend without port',
      spec: { defaultBackend: { service: { name: 'web' } } },
      want: ['spec.defaultBackend: Required value: port name or number is required'],
    },
    {
      name: 'backend without service name',
      spec: { defaultBackend: { service: { name: '', port: { number: 80 } } } },
      want: ['spec.defaultBackend.service.name: Required value'],
    },
    {
      name: 'both backends',
      spec: { defaultBackend: { ...svcBackend, resource: { kind: 'Bucket', name: 'b' } } },
      want: ['spec.defaultBackend: Invalid value: "": cannot set both resource and service backends'],
    },
    {
      name: 'IP as host',
      spec: { rules: [{ host: '10.0.0.1', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svcBackend }] } }] },
      want: ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'],
    },
  ];
  for (const c of ingressCases) {
    test(`ingress: ${c.name}`, () => assert.deepEqual(texts(validateIngress(ingress(c.spec), undefined)), c.want));
  }

  test('ingress status must carry valid IPs', () => {
    const ing: IngressT = { ...ingress({ defaultBackend: svcBackend }), status: { loadBalancer: { ingress: [{ ip: '300.1.1.1' }] } } };
    assert.deepEqual(texts(validateIngress(ing, undefined, { subresource: 'status' })), ['status.loadBalancer.ingress[0].ip: Invalid value: "300.1.1.1": must be a valid IP address']);
  });

  test('ingress class: defaults scope, validates controller, controller immutable', () => {
    const ic: IngressClassT = { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx', parameters: { kind: 'Config', name: 'c' } } };
    defaultIngressClass(ic);
    assert.equal(ic.spec!.parameters!.scope, 'Cluster');
    assert.deepEqual(validateIngressClass(ic, undefined), []);
    assert.deepEqual(texts(validateIngressClass({ metadata: {}, spec: { controller: 'nginx' } }, undefined)), ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")']);
    const changed: IngressClassT = { ...ic, spec: { ...ic.spec, controller: 'example.com/other' } };
    assert.deepEqual(texts(validateIngressClass(changed, ic)), ['spec.controller: Invalid value: "example.com/other": field is immutable']);
    const ns: IngressClassT = { metadata: {}, spec: { controller: 'a.io/b', parameters: { kind: 'C', name: 'c', scope: 'Namespace' } } };
    assert.deepEqual(texts(validateIngressClass(ns, undefined)), ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"]);
  });

  test('network policy defaults', () => {
    const np: NetworkPolicyT = { metadata: { name: 'p' }, spec: { egress: [{ ports: [{ port: 53 }] }] } };
    defaultNetworkPolicy(np);
    assert.deepEqual(np.spec!.policyTypes, ['Ingress', 'Egress']);
    assert.equal(np.spec!.egress![0]!.ports![0]!.protocol, 'TCP');
    assert.deepEqual(np.spec!.podSelector, {});
    const ingressOnly: NetworkPolicyT = { metadata: { name: 'q' }, spec: { podSelector: {} } };
    defaultNetworkPolicy(ingressOnly);
    assert.deepEqual(ingressOnly.spec!.policyTypes, ['Ingress']);
  });

  const npCases: { name: string; spec: NetworkPolicyT['spec']; want: string[] }[] = [
    { name: 'valid', spec: { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { podSelector: {}, namespaceSelector: {} }], ports: [{ port: 5432, endPort: 5440, protocol: 'TCP' }] }], policyTypes: ['Ingress'] }, want: [] },
    { name: 'bad cidr', spec: { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] }, want: ['spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'] },
    { name: 'except outside cidr', spec: { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }] }] }, want: ['spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`'] },
    { name: 'ipv6 except inside', spec: { egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }] }] }, want: [] },
    { name: 'empty peer', spec: { ingress: [{ from: [{}] }] }, want: ['spec.ingress[0].from[0]: Required value: must specify a peer'] },
    { name: 'ipBlock with selector', spec: { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] }, want: ['spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer'] },
    { name: 'unknown policy type', spec: { policyTypes: ['Sideways' as never] }, want: ['spec.policyTypes[0]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"'] },
    { name: 'endPort with named port', spec: { ingress: [{ ports: [{ port: 'http', endPort: 90 }] }] }, want: ['spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric'] },
    { name: 'bad protocol', spec: { ingress: [{ ports: [{ protocol: 'ICMP' as never }] }] }, want: ['spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"'] },
    { name: 'selector In without values', spec: { podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }, want: ["spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"] },
  ];
  for (const c of npCases) {
    test(`network policy: ${c.name}`, () => assert.deepEqual(texts(validateNetworkPolicy({ metadata: { name: 'p' }, spec: c.spec })), c.want));
  }
});
