import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointPod, Service } from '../framework/service-pods.js';
import { computeSubsets, repackSubsets } from './subsets.js';

function pod(name: string, ip: string, o: { ready?: boolean; node?: string; http?: number; deleting?: boolean; phase?: string; hostname?: string; subdomain?: string } = {}): EndpointPod {
  return {
    metadata: { name, namespace: 'ns', uid: `u-${name}`, labels: { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: o.node ?? 'n1', hostname: o.hostname, subdomain: o.subdomain, containers: [{ name: 'c', ports: [{ name: 'http', containerPort: o.http ?? 8080 }] }] },
    status: { phase: o.phase ?? 'Running', podIP: ip, conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

const svc = (o: { ports?: Service['spec'] extends infer S ? S extends { ports?: infer P } ? P : never : never; publish?: boolean; headless?: boolean } = {}): Service => ({
  metadata: { name: 'svc', namespace: 'ns' },
  spec: { selector: { app: 'web' }, ports: o.ports ?? [{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }], publishNotReadyAddresses: o.publish, clusterIP: o.headless ? 'None' : '10.0.0.1' },
});

const ref = (name: string) => ({ kind: 'Pod', namespace: 'ns', name, uid: `u-${name}` });

describe('computeSubsets', () => {
  const cases: { name: string; service: Service; pods: EndpointPod[]; want: unknown }[] = [
    {
      name: 'ready and not-ready pods share a subset by port',
      service: svc(),
      pods: [pod('b', '10.0.0.12'), pod('a', '10.0.0.9'), pod('c', '10.0.0.3', { ready: false })],
      want: [{ addresses: [{ ip: '10.0.0.9', nodeName: 'n1', targetRef: ref('a') }, { ip: '10.0.0.12', nodeName: 'n1', targetRef: ref('b') }], notReadyAddresses: [{ ip: '10.0.0.3', nodeName: 'n1', targetRef: ref('c') }], ports: [{ name: 'web', port: 8080, protocol: 'TCP' }] }],
    },
    {
      name: 'a named port resolving differently splits subsets',
      service: svc(),
      pods: [pod('a', '10.0.0.1'), pod('b', '10.0.0.2', { http: 9090 })],
      want: [
        { addresses: [{ ip: '10.0.0.1', nodeName: 'n1', targetRef: ref('a') }], ports: [{ name: 'web', port: 8080, protocol: 'TCP' }] },
        { addresses: [{ ip: '10.0.0.2', nodeName: 'n1', targetRef: ref('b') }], ports: [{ name: 'web', port: 9090, protocol: 'TCP' }] },
      ],
    },
    {
      name: 'numeric targetPort, terminating, finished and IP-less pods',
      service: svc({ ports: [{ port: 80, targetPort: 8000 }] }),
      pods: [pod('a', '10.0.0.1'), pod('t', '10.0.0.2', { deleting: true }), pod('done', '10.0.0.3', { phase: 'Succeeded' }), pod('noip', '')],
      want: [{ addresses: [{ ip: '10.0.0.1', nodeName: 'n1', targetRef: ref('a') }], ports: [{ port: 8000, protocol: 'TCP' }] }],
    },
    {
      name: 'publishNotReadyAddresses makes not-ready and terminating pods ready addresses',
      service: svc({ publish: true }),
      pods: [pod('a', '10.0.0.1', { ready: false }), pod('t', '10.0.0.2', { deleting: true })],
      want: [{ addresses: [{ ip: '10.0.0.1', nodeName: 'n1', targetRef: ref('a') }, { ip: '10.0.0.2', nodeName: 'n1', targetRef: ref('t') }], ports: [{ name: 'web', port: 8080, protocol: 'TCP' }] }],
    },
    {
      name: 'hostname when hostname and subdomain match the service; headless without ports',
      service: svc({ headless: true, ports: [] }),
      pods: [pod('a', '10.0.0.1', { hostname: 'h0', subdomain: 'svc' }), pod('b', '10.0.0.2', { hostname: 'h1', subdomain: 'other' })],
      want: [{ addresses: [{ ip: '10.0.0.1', nodeName: 'n1', targetRef: ref('a'), hostname: 'h0' }, { ip: '10.0.0.2', nodeName: 'n1', targetRef: ref('b') }] }],
    },
    {
      name: 'a pod without the named port is left out',
      service: svc({ ports: [{ name: 'x', port: 1, targetPort: 'metrics' }] }),
      pods: [pod('a', '10.0.0.1')],
      want: [],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(computeSubsets(c.service, c.pods).subsets, c.want));

  test('more than the capacity is truncated, ready addresses first', () => {
    const pods = [...Array.from({ length: 4 }, (_, i) => pod(`r${i}`, `10.0.1.${i}`)), ...Array.from({ length: 3 }, (_, i) => pod(`n${i}`, `10.0.2.${i}`, { ready: false }))];
    const r = computeSubsets(svc(), pods, 5);
    assert.equal(r.truncated, true);
    assert.equal(r.subsets[0]!.addresses!.length, 4);
    assert.equal(r.subsets[0]!.notReadyAddresses!.length, 1);
    assert.equal(computeSubsets(svc(), pods, 7).truncated, false);
  });
});

describe('repackSubsets', () => {
  test('addresses offering the same ports merge; two ports on the same addresses share a subset', () => {
    const a = { ip: '1.1.1.1' };
    const b = { ip: '1.1.1.2' };
    const p1 = { name: 'a', port: 1, protocol: 'TCP' };
    const p2 = { name: 'b', port: 2, protocol: 'TCP' };
    const out = repackSubsets([{ addresses: [a], ports: [p1] }, { addresses: [b], ports: [p1] }, { addresses: [a], ports: [p2] }, { addresses: [b], ports: [p2] }]);
    assert.deepEqual(out, [{ addresses: [a, b], ports: [p1, p2] }]);
  });
});
