import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../framework/pods.js';
import { DELETION_TIMEOUT_MS, type PodDisruptionBudget, type ScaleOf, computeStatus, scaledValue } from './budget.js';

const NOW = Date.parse('2024-01-01T00:10:00Z');
const NOW_TEXT = '2024-01-01T00:10:00Z';

function pod(name: string, opts: { ready?: boolean; owner?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'ns',
      labels: { app: 'web' },
      ...(opts.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: opts.owner, uid: `uid-${opts.owner}`, controller: true }] } : {}),
      ...(opts.deleting ? { deletionTimestamp: NOW_TEXT } : {}),
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

function pdb(spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudget['status']): PodDisruptionBudget {
  return { metadata: { name: 'web', namespace: 'ns', generation: 2 }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec }, ...(status ? { status } : {}) };
}

const scales: Record<string, number> = { rs: 4 };
const scaleOf: ScaleOf = (_ns, ref) => (ref.name in scales ? { uid: ref.uid, replicas: scales[ref.name]! } : undefined);

describe('PodDisruptionBudget status', () => {
  const cases: { name: string; pdb: PodDisruptionBudget; pods: Pod[]; want: [expected: number, desired: number, healthy: number, allowed: number]; reason: string }[] = [
    { name: 'minAvailable int counts matching pods', pdb: pdb({ minAvailable: 2 }), pods: [pod('a'), pod('b'), pod('c')], want: [3, 2, 3, 1], reason: 'SufficientPods' },
    { name: 'minAvailable met exactly allows nothing', pdb: pdb({ minAvailable: 3 }), pods: [pod('a'), pod('b'), pod('c')], want: [3, 3, 3, 0], reason: 'InsufficientPods' },
    { name: 'unready pods are not healthy', pdb: pdb({ minAvailable: 1 }), pods: [pod('a'), pod('b', { ready: false })], want: [2, 1, 1, 0], reason: 'InsufficientPods' },
    { name: 'maxUnavailable percent uses the controller scale, rounded up', pdb: pdb({ maxUnavailable: '30%' }), pods: [pod('a', { owner: 'rs' }), pod('b', { owner: 'rs' }), pod('c', { owner: 'rs' }), pod('d', { owner: 'rs' })], want: [4, 2, 4, 2], reason: 'SufficientPods' },
    { name: 'minAvailable percent with unmanaged pods counts them', pdb: pdb({ minAvailable: '50%' }), pods: [pod('a'), pod('b'), pod('c')], want: [3, 2, 3, 1], reason: 'SufficientPods' },
    { name: 'no pods allows nothing', pdb: pdb({ maxUnavailable: 1 }), pods: [], want: [0, 0, 0, 0], reason: 'InsufficientPods' },
    { name: 'pods being deleted are not healthy', pdb: pdb({ maxUnavailable: 1 }), pods: [pod('a'), pod('b', { deleting: true })], want: [2, 1, 1, 0], reason: 'InsufficientPods' },
    {
      name: 'a pending eviction is not healthy',
      pdb: pdb({ minAvailable: 1 }, { disruptedPods: { a: '2024-01-01T00:09:30Z' } }),
      pods: [pod('a'), pod('b'), pod('c')],
      want: [3, 1, 2, 1],
      reason: 'SufficientPods',
    },
    {
      name: 'an eviction older than the deletion timeout is forgotten',
      pdb: pdb({ minAvailable: 1 }, { disruptedPods: { a: new Date(NOW - DELETION_TIMEOUT_MS - 1000).toISOString().replace(/\.\d+Z$/, 'Z') } }),
      pods: [pod('a'), pod('b')],
      want: [2, 1, 2, 1],
      reason: 'SufficientPods',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const { status, failure } = computeStatus(c.pdb, c.pods, scaleOf, NOW, NOW_TEXT);
      assert.equal(failure, undefined);
      assert.deepEqual([status.expectedPods, status.desiredHealthy, status.currentHealthy, status.disruptionsAllowed], c.want);
      assert.equal(status.observedGeneration, 2);
      assert.deepEqual(status.conditions?.map((x) => [x.type, x.status, x.reason]), [['DisruptionAllowed', c.reason === 'SufficientPods' ? 'True' : 'False', c.reason]]);
    });
  }

  test('a pod whose controller cannot be found fails safe', () => {
    const { status, failure } = computeStatus(pdb({ maxUnavailable: 1 }), [pod('a', { owner: 'gone' })], scaleOf, NOW, NOW_TEXT);
    assert.equal(failure, 'found no controllers for pod "a"');
    assert.equal(status.disruptionsAllowed, 0);
    assert.deepEqual(status.conditions?.map((x) => [x.status, x.reason, x.message]), [['False', 'SyncFailed', 'found no controllers for pod "a"']]);
  });

  test('the transition time holds while the condition does', () => {
    const first = computeStatus(pdb({ minAvailable: 1 }, { conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', lastTransitionTime: '2023-01-01T00:00:00Z' }] }), [pod('a'), pod('b')], scaleOf, NOW, NOW_TEXT);
    assert.equal(first.status.conditions?.[0]?.lastTransitionTime, '2023-01-01T00:00:00Z');
  });

  const scaled: { v: number | string; total: number; want: number | undefined }[] = [
    { v: 3, total: 10, want: 3 },
    { v: '50%', total: 5, want: 3 },
    { v: '0%', total: 5, want: 0 },
    { v: 'x', total: 5, want: undefined },
  ];
  for (const c of scaled) {
    test(`scaledValue(${JSON.stringify(c.v)}, ${c.total})`, () => {
      const r = scaledValue(c.v, c.total);
      assert.equal(r.ok ? r.value : undefined, c.want);
    });
  }
});
