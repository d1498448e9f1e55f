import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointPod, Service } from '../framework/service-pods.js';
import { desiredPortGroups } from './desired.js';
import { planSlices } from './reconciler.js';
import type { EndpointSlice } from './types.js';

const service: Service = { metadata: { name: 'svc', namespace: 'ns', uid: 'svc-uid', labels: { team: 'a' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } };

function pod(i: number, o: { ready?: boolean; port?: number; deleting?: boolean } = {}): EndpointPod {
  return {
    metadata: { name: `p${i}`, namespace: 'ns', uid: `u${i}`, labels: { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: o.port ?? 8080 }] }] },
    status: { phase: 'Running', podIP: `10.0.${Math.floor(i / 250)}.${i % 250}`, conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

const zones = (n: string) => (n === 'n1' ? 'zone-a' : undefined);

/** Applies a plan the way the API server would, naming created slices in order. */
function apply(existing: EndpointSlice[], plan: ReturnType<typeof planSlices>, seq: { n: number }): EndpointSlice[] {
  const gone = new Set(plan.delete.map((s) => s.metadata.name));
  const updated = new Map(plan.update.map((s) => [s.metadata.name, s]));
  const out = existing.filter((s) => !gone.has(s.metadata.name)).map((s) => updated.get(s.metadata.name) ?? s);
  for (const s of plan.create) out.push({ ...s, metadata: { ...s.metadata, name: `svc-${seq.n++}` } });
  return out;
}

describe('desiredPortGroups', () => {
  test('conditions, zone, ports by name, grouping by resolved ports', () => {
    const groups = desiredPortGroups(service, [pod(1), pod(2, { ready: false }), pod(3, { deleting: true }), pod(4, { port: 9090 })], zones);
    assert.equal(groups.size, 2);
    const [first, second] = [...groups.values()];
    assert.deepEqual(first!.ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(first!.endpoints.map((e) => e.conditions), [
      { ready: true, serving: true, terminating: false },
      { ready: false, serving: false, terminating: false },
      { ready: false, serving: true, terminating: true },
    ]);
    assert.deepEqual(first!.endpoints[0], { addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace: 'ns', name: 'p1', uid: 'u1' }, nodeName: 'n1', zone: 'zone-a' });
    assert.deepEqual(second!.ports, [{ name: 'web', port: 9090, protocol: 'TCP' }]);
  });
});

describe('planSlices', () => {
  test('no endpoints: one placeholder slice', () => {
    const plan = planSlices({ service, desired: new Map(), existing: [] });
    assert.equal(plan.create.length, 1);
    const s = plan.create[0]!;
    assert.deepEqual(s.endpoints, []);
    assert.equal(s.ports, null);
    assert.equal(s.metadata.generateName, 'svc-');
    assert.deepEqual(s.metadata.labels, { 'team': 'a', 'kubernetes.io/service-name': 'svc', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'svc', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
  });

  test('250 endpoints: three slices of at most 100; steady state writes nothing', () => {
    const seq = { n: 0 };
    const pods = Array.from({ length: 250 }, (_, i) => pod(i));
    let slices = apply([], planSlices({ service, desired: desiredPortGroups(service, pods, zones), existing: [] }), seq);
    assert.deepEqual(slices.map((s) => s.endpoints.length), [100, 100, 50]);
    const again = planSlices({ service, desired: desiredPortGroups(service, pods, zones), existing: slices });
    assert.deepEqual(again, { create: [], update: [], delete: [] });

    // One pod gone and one new: only the slice that lost one is rewritten and takes the new one.
    const changed = [...pods.filter((p) => p.metadata.name !== 'p5'), pod(300)];
    const plan = planSlices({ service, desired: desiredPortGroups(service, changed, zones), existing: slices });
    assert.deepEqual(plan.create, []);
    assert.deepEqual(plan.delete, []);
    assert.deepEqual(plan.update.map((s) => s.metadata.name), ['svc-0']);
    slices = apply(slices, plan, seq);
    assert.ok(slices[0]!.endpoints.some((e) => e.targetRef?.name === 'p300'));
    assert.ok(!slices.some((s) => s.endpoints.some((e) => e.targetRef?.name === 'p5')));

    // Readiness change: updated in place.
    const unready = changed.map((p) => (p.metadata.name === 'p150' ? pod(150, { ready: false }) : p));
    const plan2 = planSlices({ service, desired: desiredPortGroups(service, unready, zones), existing: slices });
    assert.deepEqual(plan2.update.map((s) => s.metadata.name), ['svc-1']);

    // Scale to zero: slices go, a placeholder takes their place.
    const plan3 = planSlices({ service, desired: new Map(), existing: slices });
    assert.equal(plan3.delete.length, 3);
    assert.equal(plan3.create.length, 1);
  });

  test('a slice whose ports are no longer wanted is replaced', () => {
    const seq = { n: 0 };
    const slices = apply([], planSlices({ service, desired: desiredPortGroups(service, [pod(1)], zones), existing: [] }), seq);
    const plan = planSlices({ service, desired: desiredPortGroups(service, [pod(1, { port: 7000 })], zones), existing: slices });
    assert.deepEqual(plan.delete.map((s) => s.metadata.name), ['svc-0']);
    assert.deepEqual(plan.create[0]!.ports, [{ name: 'web', port: 7000, protocol: 'TCP' }]);
  });
});
