import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../machinery/clock.js';
import { StatusError } from '../../machinery/errors/index.js';
import { selectorFromSet } from '../../machinery/labels/selector.js';
import { deepFreeze } from '../../client/cache/keys.js';
import { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS } from './expectations.js';
import { slowStartBatch } from './slow-start.js';
import { compareForDeletion, podsToDelete } from './active-pods.js';
import { claimPods } from './controller-ref-manager.js';
import { controllerRefFor, podFromTemplate, type PodControl } from './pod-control.js';
import type { Pod } from './pods.js';

function pod(name: string, extra: { node?: string; phase?: string; ready?: string; restarts?: number; created?: string; labels?: Record<string, string>; owner?: string } = {}): Pod {
  return deepFreeze({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      resourceVersion: '5',
      labels: extra.labels ?? { app: 'web' },
      creationTimestamp: extra.created ?? '2025-01-01T00:00:00Z',
      ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: extra.owner, controller: true }] } : {}),
    },
    spec: extra.node ? { nodeName: extra.node } : {},
    status: {
      phase: extra.phase ?? 'Pending',
      conditions: extra.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: extra.ready }] : [],
      containerStatuses: [{ name: 'c', restartCount: extra.restarts ?? 0 }],
    },
  });
}

describe('ControllerExpectations', () => {
  test('unknown key is satisfied', () => {
    assert.equal(new ControllerExpectations(new FakeClock()).satisfied('ns/a'), true);
  });
  test('creations must all be observed', () => {
    const e = new ControllerExpectations(new FakeClock());
    e.expectCreations('ns/a', 2);
    assert.equal(e.satisfied('ns/a'), false);
    e.creationObserved('ns/a');
    assert.equal(e.satisfied('ns/a'), false);
    e.creationObserved('ns/a');
    assert.equal(e.satisfied('ns/a'), true);
  });
  test('deletions are tracked by pod key, a repeated observation counts once', () => {
    const e = new ControllerExpectations(new FakeClock());
    e.expectDeletions('ns/a', ['ns/p1', 'ns/p2']);
    e.deletionObserved('ns/a', 'ns/p1');
    e.deletionObserved('ns/a', 'ns/p1');
    assert.deepEqual(e.pending('ns/a'), { add: 0, del: 1 });
    assert.equal(e.satisfied('ns/a'), false);
    e.deletionObserved('ns/a', 'ns/p2');
    assert.equal(e.satisfied('ns/a'), true);
  });
  test('expire after five minutes on the injected clock', () => {
    const clock = new FakeClock();
    const e = new ControllerExpectations(clock);
    e.expectCreations('ns/a', 1);
    clock.step(EXPECTATIONS_TIMEOUT_MS);
    assert.equal(e.satisfied('ns/a'), false);
    clock.step(1);
    assert.equal(e.satisfied('ns/a'), true);
  });
  test('delete forgets the key', () => {
    const e = new ControllerExpectations(new FakeClock());
    e.expectCreations('ns/a', 1);
    e.delete('ns/a');
    assert.equal(e.satisfied('ns/a'), true);
  });
});

describe('slowStartBatch', () => {
  const cases = [
    { name: 'all succeed', count: 7, failAt: -1, successes: 7, calls: 7 },
    { name: 'failure in the third batch stops there', count: 10, failAt: 4, successes: 6, calls: 7 },
    { name: 'first call fails', count: 5, failAt: 0, successes: 0, calls: 1 },
    { name: 'nothing to do', count: 0, failAt: -1, successes: 0, calls: 0 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      let calls = 0;
      const res = await slowStartBatch(c.count, 1, async () => {
        if (calls++ === c.failAt) throw new Error('boom');
      });
      assert.equal(res.successes, c.successes);
      assert.equal(calls, c.calls);
      assert.equal(res.error !== undefined, c.failAt >= 0);
    });
  }
});

describe('deletion order', () => {
  const cases: { name: string; first: Pod; second: Pod }[] = [
    { name: 'unassigned before assigned', first: pod('a'), second: pod('b', { node: 'n1' }) },
    { name: 'pending before running', first: pod('a', { node: 'n1' }), second: pod('b', { node: 'n1', phase: 'Running' }) },
    { name: 'not ready before ready', first: pod('a', { node: 'n1', phase: 'Running' }), second: pod('b', { node: 'n1', phase: 'Running', ready: '2025-01-01T00:00:00Z' }) },
    { name: 'ready for less time first', first: pod('a', { node: 'n1', phase: 'Running', ready: '2025-01-02T00:00:00Z' }), second: pod('b', { node: 'n1', phase: 'Running', ready: '2025-01-01T00:00:00Z' }) },
    { name: 'more restarts first', first: pod('a', { node: 'n1', restarts: 3 }), second: pod('b', { node: 'n1', restarts: 1 }) },
    { name: 'newer first', first: pod('a', { created: '2025-01-02T00:00:00Z' }), second: pod('b', { created: '2025-01-01T00:00:00Z' }) },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.ok(compareForDeletion(c.first, c.second) < 0);
      assert.ok(compareForDeletion(c.second, c.first) > 0);
    });
  }
  test('doubled-up pods go first', () => {
    const pods = [pod('a', { node: 'n1' }), pod('b', { node: 'n2' }), pod('c', { node: 'n2' })];
    assert.deepEqual(podsToDelete(pods, pods, 1).map((p) => p.spec?.nodeName), ['n2']);
  });
});

describe('podFromTemplate', () => {
  test('generateName, labels, controller ownerReference', () => {
    const owner = deepFreeze({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'ns', uid: 'u1' } });
    const ref = controllerRefFor(owner, { apiVersion: 'apps/v1', kind: 'ReplicaSet' });
    const template = deepFreeze({ metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const p = podFromTemplate('ns', template, owner, ref);
    assert.equal(p.metadata.generateName, 'web-');
    assert.deepEqual(p.metadata.labels, { app: 'web' });
    assert.deepEqual(p.metadata.annotations, { a: 'b' });
    assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(p.spec, template.spec);
  });
});

describe('claimPods', () => {
  const owner = deepFreeze({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'ns', uid: 'u1' } });
  const ref = controllerRefFor(owner, { apiVersion: 'apps/v1', kind: 'ReplicaSet' });
  function recorder(fail?: unknown) {
    const patches: { name: string; patch: unknown }[] = [];
    const pc: PodControl = {
      createPod: () => Promise.reject(new Error('unused')),
      deletePod: () => Promise.reject(new Error('unused')),
      patchPod: async (_ns, name, patch) => {
        if (fail) throw fail;
        patches.push({ name, patch });
      },
    };
    return { pc, patches };
  }
  test('adopts matching orphans, keeps owned matches, releases owned mismatches, ignores others', async () => {
    const { pc, patches } = recorder();
    const pods = [pod('orphan'), pod('mine', { owner: 'u1' }), pod('moved', { owner: 'u1', labels: { app: 'other' } }), pod('theirs', { owner: 'u2' }), pod('stranger', { labels: { app: 'x' } })];
    const res = await claimPods(pods, { owner, controllerRef: ref, selector: selectorFromSet({ app: 'web' }), podControl: pc });
    assert.deepEqual(res.claimed.map((p) => p.metadata.name), ['orphan', 'mine']);
    assert.equal(res.error, undefined);
    assert.deepEqual(patches, [
      { name: 'orphan', patch: { metadata: { uid: 'uid-orphan', resourceVersion: '5', ownerReferences: [ref] } } },
      { name: 'moved', patch: { metadata: { uid: 'uid-moved', resourceVersion: '5', ownerReferences: null } } },
    ]);
  });
  test('a pod gone during adoption is skipped without error', async () => {
    const { pc } = recorder(new StatusError(404, 'NotFound', 'pods "orphan" not found'));
    const res = await claimPods([pod('orphan')], { owner, controllerRef: ref, selector: selectorFromSet({ app: 'web' }), podControl: pc });
    assert.deepEqual(res.claimed, []);
    assert.equal(res.error, undefined);
  });
  test('a conflict is reported', async () => {
    const { pc } = recorder(new StatusError(409, 'Conflict', 'conflict'));
    const res = await claimPods([pod('orphan')], { owner, controllerRef: ref, selector: selectorFromSet({ app: 'web' }), podControl: pc });
    assert.ok(res.error instanceof StatusError);
  });
  test('a deleting owner adopts nothing and releases nothing', async () => {
    const { pc, patches } = recorder();
    const deleting = deepFreeze({ ...owner, metadata: { ...owner.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } });
    const res = await claimPods([pod('orphan'), pod('moved', { owner: 'u1', labels: { app: 'x' } })], { owner: deleting, controllerRef: ref, selector: selectorFromSet({ app: 'web' }), podControl: pc });
    assert.deepEqual(res.claimed, []);
    assert.deepEqual(patches, []);
  });
});
