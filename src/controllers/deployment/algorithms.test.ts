import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setNewReplicaSetAnnotations } from './annotations.js';
import { canonicalJSON, computeHash, fnv32a, safeEncode, templatesEqualIgnoringHash } from './hash.js';
import { maxUnavailable, newRSNewReplicas, resolveFenceposts, scaledValue } from './replica-sets.js';
import { newReplicaSetTarget, planOldReplicaSetsScaleDown, planScale } from './scale-plan.js';
import { calculateStatus, deploymentTimedOut } from './status.js';
import type { Deployment, IntOrString, ReplicaSet } from './types.js';

function deployment(replicas: number, extra: { maxSurge?: IntOrString; maxUnavailable?: IntOrString; recreate?: boolean; annotations?: Record<string, string> } = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: 1, annotations: extra.annotations },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      strategy: extra.recreate ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: extra.maxSurge ?? '25%', maxUnavailable: extra.maxUnavailable ?? '25%' } },
      progressDeadlineSeconds: 600,
    },
  };
}

function rs(name: string, replicas: number, extra: { available?: number; created?: string; maxReplicas?: number; desired?: number } = {}): ReplicaSet {
  const annotations: Record<string, string> = {};
  if (extra.maxReplicas !== undefined) annotations['deployment.kubernetes.io/max-replicas'] = String(extra.maxReplicas);
  if (extra.desired !== undefined) annotations['deployment.kubernetes.io/desired-replicas'] = String(extra.desired);
  return {
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: extra.created ?? '2025-01-01T00:00:00Z', annotations },
    spec: { replicas },
    status: { replicas, availableReplicas: extra.available ?? 0, readyReplicas: extra.available ?? 0 },
  };
}

const sizes = (steps: { rs: ReplicaSet; replicas: number }[]) => Object.fromEntries(steps.map((s) => [s.rs.metadata.name, s.replicas]));

describe('pod-template-hash', () => {
  test('FNV-1a 32 known vectors', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    assert.equal(fnv32a(enc('')), 0x811c9dc5);
    assert.equal(fnv32a(enc('a')), 0xe40c292c);
    assert.equal(fnv32a(enc('foobar')), 0xbf9cf968);
  });
  test('digits map onto the vowel-free alphabet as upstream', () => {
    assert.equal(safeEncode('0123456789'), '456789bcdf');
  });
  test('hash is stable, ignores key order and empties, changes with template and collision count', () => {
    const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    const same = { spec: { containers: [{ image: 'nginx', name: 'c' }], volumes: [] }, metadata: { labels: { app: 'web' }, annotations: {} } };
    assert.equal(computeHash(t), computeHash(same));
    assert.match(computeHash(t), /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    assert.notEqual(computeHash(t), computeHash({ ...t, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } }));
    assert.notEqual(computeHash(t), computeHash(t, 1));
    assert.notEqual(computeHash(t, 1), computeHash(t, 2));
  });
  const cases: { name: string; a: object; b: object; equal: boolean }[] = [
    { name: 'hash label ignored', a: { metadata: { labels: { app: 'a', 'pod-template-hash': 'x' } } }, b: { metadata: { labels: { app: 'a' } } }, equal: true },
    { name: 'null and absent alike', a: { metadata: { creationTimestamp: null, labels: { app: 'a' } } }, b: { metadata: { labels: { app: 'a' } } }, equal: true },
    { name: 'image differs', a: { spec: { containers: [{ image: 'a' }] } }, b: { spec: { containers: [{ image: 'b' }] } }, equal: false },
    { name: 'other label differs', a: { metadata: { labels: { app: 'a' } } }, b: { metadata: { labels: { app: 'b' } } }, equal: false },
  ];
  for (const c of cases) test(`templatesEqualIgnoringHash: ${c.name}`, () => assert.equal(templatesEqualIgnoringHash(c.a, c.b), c.equal));
  test('canonicalJSON sorts keys', () => assert.equal(canonicalJSON({ b: 1, a: { d: [], c: 2 } }), '{"a":{"c":2},"b":1}'));
});

describe('surge and unavailability', () => {
  const cases: { name: string; surge: IntOrString | undefined; unavailable: IntOrString | undefined; desired: number; want: { surge: number; unavailable: number } }[] = [
    { name: 'defaults 25%/25% of 10: surge up, unavailable down', surge: '25%', unavailable: '25%', desired: 10, want: { surge: 3, unavailable: 2 } },
    { name: '25% of 3', surge: '25%', unavailable: '25%', desired: 3, want: { surge: 1, unavailable: 0 } },
    { name: 'both zero: unavailable becomes 1', surge: 0, unavailable: 0, desired: 5, want: { surge: 0, unavailable: 1 } },
    { name: 'zero percent and a rounding-down percent', surge: '0%', unavailable: '1%', desired: 10, want: { surge: 0, unavailable: 1 } },
    { name: 'integers', surge: 2, unavailable: 1, desired: 10, want: { surge: 2, unavailable: 1 } },
    { name: 'integer as string', surge: '2', unavailable: undefined, desired: 10, want: { surge: 2, unavailable: 0 } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(resolveFenceposts(c.surge, c.unavailable, c.desired), c.want));
  test('maxUnavailable is capped at replicas and zero for Recreate', () => {
    assert.equal(maxUnavailable(deployment(3, { maxUnavailable: 10 })), 3);
    assert.equal(maxUnavailable(deployment(3, { recreate: true })), 0);
    assert.equal(maxUnavailable(deployment(0)), 0);
  });
  test('scaledValue rounds as asked', () => {
    assert.equal(scaledValue('33%', 10, true), 4);
    assert.equal(scaledValue('33%', 10, false), 3);
  });
});

describe('rolling update plans', () => {
  test('new ReplicaSet grows up to replicas + surge', () => {
    const d = deployment(3, { maxSurge: 1, maxUnavailable: 0 });
    const old = rs('old', 3, { available: 3 });
    const fresh = rs('new', 0);
    assert.equal(newRSNewReplicas(d, [old, fresh], fresh), 1);
    assert.equal(newReplicaSetTarget(d, [old, fresh], fresh), 1);
    const one = rs('new', 1);
    assert.equal(newReplicaSetTarget(d, [old, one], one), undefined, 'surge used up');
    assert.equal(newReplicaSetTarget(d, [rs('old', 2), one], one), 2);
    assert.equal(newReplicaSetTarget(d, [rs('new', 5)], rs('new', 5)), 3, 'too big scales down to replicas');
    assert.equal(newRSNewReplicas(deployment(4, { recreate: true }), [old, fresh], fresh), 4);
  });
  const cases: { name: string; d: Deployment; old: ReplicaSet[]; newRS: ReplicaSet; want: Record<string, number> }[] = [
    { name: 'new pods not available yet: nothing to scale down', d: deployment(3, { maxSurge: 1, maxUnavailable: 0 }), old: [rs('old', 3, { available: 3 })], newRS: rs('new', 1), want: {} },
    { name: 'one new available: one old goes', d: deployment(3, { maxSurge: 1, maxUnavailable: 0 }), old: [rs('old', 3, { available: 3 })], newRS: rs('new', 1, { available: 1 }), want: { old: 2 } },
    { name: 'unhealthy old replicas go first', d: deployment(3, { maxSurge: 1, maxUnavailable: 1 }), old: [rs('old', 3, { available: 1 })], newRS: rs('new', 1), want: { old: 2 } },
    {
      name: 'oldest ReplicaSet first',
      d: deployment(4, { maxSurge: 0, maxUnavailable: 2 }),
      old: [rs('b', 2, { available: 2, created: '2025-01-02T00:00:00Z' }), rs('a', 2, { available: 2, created: '2025-01-01T00:00:00Z' })],
      newRS: rs('new', 0),
      want: { a: 0 },
    },
  ];
  for (const c of cases) {
    test(`scale down old: ${c.name}`, () => {
      assert.deepEqual(sizes(planOldReplicaSetsScaleDown(c.d, [...c.old, c.newRS], c.old, c.newRS)), c.want);
    });
  }
});

describe('proportional scaling', () => {
  const cases: { name: string; d: Deployment; newRS?: ReplicaSet; old: ReplicaSet[]; want: Record<string, number>; all: boolean }[] = [
    { name: 'one active ReplicaSet takes the whole count', d: deployment(5), newRS: rs('new', 3), old: [rs('old', 0)], want: { new: 5 }, all: false },
    { name: 'nothing active: the new one', d: deployment(2), newRS: rs('new', 0), old: [rs('old', 0)], want: { new: 2 }, all: false },
    {
      name: 'up mid-rollout: 10 -> 12 spread by size',
      d: deployment(12),
      newRS: rs('new', 6, { maxReplicas: 13, created: '2025-01-02T00:00:00Z' }),
      old: [rs('old', 7, { maxReplicas: 13 })],
      want: { old: 8, new: 7 },
      all: true,
    },
    {
      name: 'down mid-rollout: 10 -> 5',
      d: deployment(5),
      newRS: rs('new', 6, { maxReplicas: 13, created: '2025-01-02T00:00:00Z' }),
      old: [rs('old', 7, { maxReplicas: 13 })],
      want: { old: 4, new: 3 },
      all: true,
    },
    {
      name: 'to zero',
      d: deployment(0),
      newRS: rs('new', 6, { maxReplicas: 13, created: '2025-01-02T00:00:00Z' }),
      old: [rs('old', 7, { maxReplicas: 13 })],
      want: { old: 0, new: 0 },
      all: true,
    },
    {
      name: 'saturated new ReplicaSet: old ones to zero',
      d: deployment(3),
      newRS: rs('new', 3, { available: 3, desired: 3 }),
      old: [rs('old', 1, { available: 1 })],
      want: { old: 0 },
      all: false,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = planScale(c.d, c.newRS, c.old);
      assert.deepEqual(sizes(plan.steps), c.want);
      assert.equal(plan.all, c.all);
    });
  }
});

describe('annotations', () => {
  test('a new ReplicaSet gets revision, replicas annotations and the change-cause', () => {
    const d = deployment(4, { annotations: { 'kubernetes.io/change-cause': 'v2', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '1' } });
    const r = rs('new', 0);
    assert.equal(setNewReplicaSetAnnotations(d, r, 2, { exists: false }), true);
    assert.deepEqual(r.metadata.annotations, {
      'kubernetes.io/change-cause': 'v2',
      'deployment.kubernetes.io/revision': '2',
      'deployment.kubernetes.io/desired-replicas': '4',
      'deployment.kubernetes.io/max-replicas': '5',
    });
    assert.equal(setNewReplicaSetAnnotations(d, r, 2, { exists: true }), false, 'nothing left to change');
  });
  test('rolling back to an old ReplicaSet keeps its earlier revisions', () => {
    const r = rs('old', 0);
    r.metadata.annotations = { 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' };
    assert.equal(setNewReplicaSetAnnotations(deployment(1), r, 5, { exists: true }), true);
    assert.equal(r.metadata.annotations['deployment.kubernetes.io/revision'], '5');
    assert.equal(r.metadata.annotations['deployment.kubernetes.io/revision-history'], '1,3');
  });
  test('a malformed revision is left alone', () => {
    const r = rs('old', 0);
    r.metadata.annotations = { 'deployment.kubernetes.io/revision': 'x' };
    setNewReplicaSetAnnotations(deployment(1), r, 2, { exists: true });
    assert.equal(r.metadata.annotations['deployment.kubernetes.io/revision'], 'x');
  });
});

describe('status', () => {
  const now = '2025-01-01T00:00:10Z';
  test('counts come from the ReplicaSets; Available follows maxUnavailable', () => {
    const d = deployment(4);
    const s = calculateStatus([rs('old', 1, { available: 1 }), rs('new', 3, { available: 2 })], rs('new', 3, { available: 2 }), d, now);
    assert.deepEqual(s, {
      observedGeneration: 1,
      replicas: 4,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      unavailableReplicas: 1,
      conditions: [{ type: 'Available', status: 'True', lastUpdateTime: now, lastTransitionTime: now, reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }],
    });
    const low = calculateStatus([rs('new', 4, { available: 2 })], undefined, d, now);
    assert.equal(low.conditions?.[0]?.reason, 'MinimumReplicasUnavailable');
    assert.equal(low.conditions?.[0]?.message, 'Deployment does not have minimum availability.');
  });
  const cases: { name: string; reason: string; lastUpdate: string; now: string; want: boolean }[] = [
    { name: 'inside the deadline', reason: 'ReplicaSetUpdated', lastUpdate: '2025-01-01T00:00:00Z', now: '2025-01-01T00:09:59Z', want: false },
    { name: 'past the deadline', reason: 'ReplicaSetUpdated', lastUpdate: '2025-01-01T00:00:00Z', now: '2025-01-01T00:10:01Z', want: true },
    { name: 'complete rollouts never time out', reason: 'NewReplicaSetAvailable', lastUpdate: '2025-01-01T00:00:00Z', now: '2025-02-01T00:00:00Z', want: false },
    { name: 'timed out stays timed out', reason: 'ProgressDeadlineExceeded', lastUpdate: '2025-01-01T00:00:00Z', now: '2025-01-01T00:00:01Z', want: true },
  ];
  for (const c of cases) {
    test(`deploymentTimedOut: ${c.name}`, () => {
      const status = { conditions: [{ type: 'Progressing', status: 'True' as const, reason: c.reason, lastUpdateTime: c.lastUpdate, lastTransitionTime: c.lastUpdate }] };
      assert.equal(deploymentTimedOut(deployment(1), status, Date.parse(c.now)), c.want);
    });
  }
});
