import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints } from '../endpoints/controller.js';
import type { EndpointSlice } from '../endpointslice/types.js';
import { canonicalIP, desiredMirror } from './desired.js';
import { planMirroredSlices } from './reconciler.js';

function endpoints(subsets: Endpoints['subsets'], meta: Partial<Endpoints['metadata']> = {}): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext', namespace: 'ns', uid: 'ep-uid', ...meta }, subsets };
}

const addr = (ip: string, extra: Record<string, unknown> = {}) => ({ ip, ...extra });

/** Applies a plan the way the API server would, naming created slices in order. */
function apply(existing: EndpointSlice[], plan: ReturnType<typeof planMirroredSlices>, seq: { n: number }): EndpointSlice[] {
  const gone = new Set(plan.delete.map((s) => s.metadata.name));
  const updated = new Map(plan.update.map((s) => [s.metadata.name, s]));
  const out = existing.filter((s) => !gone.has(s.metadata.name)).map((s) => updated.get(s.metadata.name) ?? s);
  for (const s of plan.update) if (!existing.some((e) => e.metadata.name === s.metadata.name)) throw new Error(`update of unknown slice ${s.metadata.name}`);
  for (const s of plan.create) out.push({ ...s, metadata: { ...s.metadata, name: `ext-${seq.n++}` } });
  return out;
}

describe('canonicalIP', () => {
  const cases: { name: string; raw: string; want: ReturnType<typeof canonicalIP> }[] = [
    { name: 'plain IPv4', raw: '10.0.0.1', want: { ip: '10.0.0.1', type: 'IPv4' } },
    { name: 'IPv4 with leading zeros, as Go parses sloppily', raw: '010.000.000.001', want: { ip: '10.0.0.1', type: 'IPv4' } },
    { name: 'IPv6 printed in its short form', raw: '2001:DB8:0:0:0:0:0:1', want: { ip: '2001:db8::1', type: 'IPv6' } },
    { name: 'IPv4-mapped IPv6 is IPv4', raw: '::ffff:192.168.1.2', want: { ip: '192.168.1.2', type: 'IPv4' } },
    { name: 'a hostname is not an IP', raw: 'example.com', want: undefined },
    { name: 'an octet over 255', raw: '10.0.0.256', want: undefined },
    { name: 'empty', raw: '', want: undefined },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(canonicalIP(c.raw), c.want));
});

describe('desiredMirror', () => {
  test('ready and not-ready addresses, ports, hostname, nodeName, targetRef; address types split', () => {
    const d = desiredMirror(endpoints([{
      addresses: [addr('10.0.0.1', { hostname: 'a', nodeName: 'n1', targetRef: { kind: 'Pod', name: 'p', namespace: 'ns', uid: 'u' } }), addr('fd00::1')],
      notReadyAddresses: [addr('10.0.0.2')],
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP', appProtocol: 'dns' }],
    }]));
    const groups = [...d.groups.values()];
    assert.equal(groups.length, 2);
    assert.deepEqual(groups[0], {
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: '', port: 53, protocol: 'UDP', appProtocol: 'dns' }],
      endpoints: [
        { addresses: ['10.0.0.1'], conditions: { ready: true }, hostname: 'a', nodeName: 'n1', targetRef: { kind: 'Pod', name: 'p', namespace: 'ns', uid: 'u' } },
        { addresses: ['10.0.0.2'], conditions: { ready: false } },
      ],
    });
    assert.deepEqual(groups[1]!.endpoints, [{ addresses: ['fd00::1'], conditions: { ready: true } }]);
    assert.equal(d.invalid, 0);
    assert.equal(d.skipped, 0);
  });

  test('at most maxEndpointsPerSubset addresses per subset, ready first; invalid ones counted', () => {
    const d = desiredMirror(endpoints([
      { addresses: [addr('10.0.0.1'), addr('bogus'), addr('10.0.0.2')], notReadyAddresses: [addr('10.0.0.3')], ports: [{ port: 80 }] },
      { addresses: [addr('10.0.1.1')], ports: [{ port: 81 }] },
    ]), { maxEndpointsPerSubset: 2 });
    const v4 = [...d.groups.values()].filter((g) => g.addressType === 'IPv4');
    assert.deepEqual(v4.map((g) => g.endpoints.map((e) => e.addresses[0])), [['10.0.0.1', '10.0.0.2'], ['10.0.1.1']]);
    assert.equal(d.invalid, 1);
    assert.equal(d.skipped, 2, 'one invalid and one over the limit');
  });

  test('1000 addresses per subset by default', () => {
    const many = Array.from({ length: 1005 }, (_, i) => addr(`10.0.${Math.floor(i / 250)}.${i % 250}`));
    const d = desiredMirror(endpoints([{ addresses: many, ports: [{ port: 80 }] }]));
    assert.equal([...d.groups.values()][0]!.endpoints.length, 1000);
    assert.equal(d.skipped, 5);
  });
});

describe('planMirroredSlices', () => {
  const ep = endpoints(
    [{ addresses: [addr('10.0.0.1')], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }],
    { labels: { team: 'a' }, annotations: { note: 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'endpoints.kubernetes.io/last-change-trigger-time': 't' } },
  );

  test('a new slice: labels, annotations, owner, generateName, ports', () => {
    const plan = planMirroredSlices(ep, desiredMirror(ep), []);
    assert.equal(plan.create.length, 1);
    assert.deepEqual(plan.update, []);
    assert.deepEqual(plan.delete, []);
    const s = plan.create[0]!;
    assert.equal(s.metadata.generateName, 'ext-');
    assert.deepEqual(s.metadata.labels, { 'team': 'a', 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' });
    assert.deepEqual(s.metadata.annotations, { note: 'x' });
    assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Endpoints', name: 'ext', uid: 'ep-uid', controller: true, blockOwnerDeletion: true }]);
    assert.equal(s.addressType, 'IPv4');
    assert.deepEqual(s.ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);
  });

  test('steady state writes nothing; a changed address updates in place; changed ports reuse the slice; no addresses delete it', () => {
    const seq = { n: 0 };
    let slices = apply([], planMirroredSlices(ep, desiredMirror(ep), []), seq);
    assert.deepEqual(planMirroredSlices(ep, desiredMirror(ep), slices), { create: [], update: [], delete: [] });

    const moved = { ...ep, subsets: [{ addresses: [addr('10.0.0.9')], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }] };
    const p1 = planMirroredSlices(moved, desiredMirror(moved), slices);
    assert.deepEqual(p1.update.map((s) => [s.metadata.name, s.endpoints[0]!.addresses[0]]), [['ext-0', '10.0.0.9']]);
    slices = apply(slices, p1, seq);

    const reported = { ...moved, subsets: [{ addresses: [addr('10.0.0.9')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }] };
    const p2 = planMirroredSlices(reported, desiredMirror(reported), slices);
    assert.deepEqual(p2.create, []);
    assert.deepEqual(p2.delete, []);
    assert.deepEqual(p2.update.map((s) => [s.metadata.name, s.ports?.[0]?.port]), [['ext-0', 8080]]);
    slices = apply(slices, p2, seq);

    const relabelled = { ...reported, metadata: { ...reported.metadata, labels: { team: 'b' } } };
    assert.deepEqual(planMirroredSlices(relabelled, desiredMirror(relabelled), slices).update.map((s) => s.metadata.labels?.team), ['b']);

    const empty = { ...reported, subsets: [] };
    assert.deepEqual(planMirroredSlices(empty, desiredMirror(empty), slices).delete.map((s) => s.metadata.name), ['ext-0']);
  });

  test('duplicate slices of one group: the first is kept', () => {
    const seq = { n: 0 };
    const one = apply([], planMirroredSlices(ep, desiredMirror(ep), []), seq);
    const two = [...one, { ...one[0]!, metadata: { ...one[0]!.metadata, name: 'ext-dup' } }];
    const plan = planMirroredSlices(ep, desiredMirror(ep), two);
    assert.deepEqual(plan.delete.map((s) => s.metadata.name), ['ext-dup']);
    assert.deepEqual(plan.update, []);
  });
});
