import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deepFreeze } from '../../client/cache/keys.js';
import { FakeClock } from '../../machinery/clock.js';
import type { Pod } from '../framework/pods.js';
import type { ControllerRevisionControl } from '../history/revision-control.js';
import { type ControllerRevision, POD_REVISION_HASH_LABEL } from '../history/revisions.js';
import { claimOwnerRefs, claimsFor, newStatefulSetPod, parentAndOrdinal } from './identity.js';
import type { StatefulPodControl } from './pod-control.js';
import { newStatefulSetRevision, revisionTemplate } from './revision.js';
import { StatefulSetControl } from './stateful-set-control.js';
import type { StatefulSet } from './types.js';

const NOW = Date.parse('2025-01-01T00:10:00Z');
const LONG_AGO = '2025-01-01T00:00:00Z';
const JUST_NOW = '2025-01-01T00:09:59Z';

type Spec = NonNullable<StatefulSet['spec']>;

function sset(spec: Partial<Spec> = {}, image = 'nginx:1'): StatefulSet {
  const set = base(spec);
  const template = structuredClone(set.spec!.template!);
  (template.spec as { containers: { image: string }[] }).containers[0]!.image = image;
  return { ...set, spec: { ...set.spec, template } };
}

function base(spec: Partial<Spec>): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'set-uid', generation: 2 },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      serviceName: 'nginx',
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      ...spec,
    },
  };
}

interface PodState {
  ordinal: number;
  ready?: string;
  phase?: string;
  terminating?: boolean;
  image?: string;
}

/** Builds the set's revision history for `images` (oldest first) and pods at the given images. */
function world(set: StatefulSet, pods: PodState[], opts: { oldImage?: string } = {}) {
  const revisions: ControllerRevision[] = [];
  let status: StatefulSet['status'];
  if (opts.oldImage) {
    const old = newStatefulSetRevision(sset(set.spec, opts.oldImage), 1, 0);
    revisions.push(old);
    status = { replicas: pods.length, currentRevision: old.metadata.name, updateRevision: old.metadata.name, currentReplicas: pods.length };
  }
  const withStatus: StatefulSet = { ...set, status };
  const podObjs = pods.map((s) => {
    const image = s.image ?? opts.oldImage ?? (set.spec?.template?.spec as { containers: { image: string }[] }).containers[0]!.image;
    const atSet = sset(set.spec, image);
    const rev = newStatefulSetRevision(atSet, 1, 0).metadata.name!;
    const pod = newStatefulSetPod(atSet, s.ordinal, rev);
    pod.metadata.uid = `uid-${s.ordinal}`;
    pod.metadata.resourceVersion = '1';
    if (s.terminating) pod.metadata.deletionTimestamp = LONG_AGO;
    pod.status = { phase: s.phase ?? 'Running', conditions: s.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: s.ready }] : [] };
    return deepFreeze(pod);
  });
  return { set: deepFreeze(withStatus), pods: podObjs, revisions };
}

function fakes() {
  const actions: string[] = [];
  const createdPods: Pod[] = [];
  const podControl: StatefulPodControl = {
    createStatefulPod: async (set, pod) => {
      for (const c of claimsFor(set, parentAndOrdinal(pod.metadata.name!)!.ordinal)) actions.push(`claim ${c.metadata.name}`);
      actions.push(`create ${pod.metadata.name}`);
      createdPods.push(pod);
    },
    deleteStatefulPod: async (_set, pod) => void actions.push(`delete ${pod.metadata.name}`),
    patchStatefulPod: async (_set, pod) => void actions.push(`patch ${pod.metadata.name}`),
    createMissingClaims: async () => undefined,
    updateClaimOwnerRefs: async () => undefined,
  };
  const revisionControl: ControllerRevisionControl = {
    create: async (_uid, revision, collisionCount) => {
      actions.push(`revision ${revision.revision}`);
      return { revision, collisionCount };
    },
    updateRevisionNumber: async (revision, n) => ({ ...revision, revision: n }),
    delete: async (_ns, name) => void actions.push(`truncate ${name}`),
    patch: async (_ns, name) => void actions.push(`patch revision ${name}`),
  };
  const control = new StatefulSetControl({ podControl, revisionControl, clock: new FakeClock(NOW) });
  return { actions, createdPods, control };
}

const ready = (ordinal: number, extra: Partial<PodState> = {}): PodState => ({ ordinal, ready: LONG_AGO, ...extra });

describe('StatefulSetControl.update', () => {
  const cases: { name: string; spec?: Partial<Spec>; pods: PodState[]; oldImage?: string; want: string[] }[] = [
    { name: 'OrderedReady creates only the first missing ordinal', pods: [], want: ['create web-0'] },
    { name: 'OrderedReady creates the next once its predecessor is Running and Ready', pods: [ready(0)], want: ['create web-1'] },
    { name: 'OrderedReady waits for a predecessor that is not ready', pods: [{ ordinal: 0 }], want: [] },
    { name: 'OrderedReady waits for a pending predecessor', pods: [{ ordinal: 0, phase: 'Pending' }], want: [] },
    { name: 'a missing middle ordinal is recreated first', pods: [ready(0), ready(2)], want: ['create web-1'] },
    { name: 'Parallel creates every missing pod at once', spec: { podManagementPolicy: 'Parallel' }, pods: [{ ordinal: 1 }], want: ['create web-0', 'create web-2'] },
    { name: 'ordinals.start shifts the names', spec: { ordinals: { start: 5 }, replicas: 2 }, pods: [ready(5)], want: ['create web-6'] },
    { name: 'claims are created before their pod', spec: { volumeClaimTemplates: [{ metadata: { name: 'data' } }, { metadata: { name: 'logs' } }] }, pods: [], want: ['claim data-web-0', 'claim logs-web-0', 'create web-0'] },
    { name: 'scale down removes the highest ordinal first', spec: { replicas: 1 }, pods: [ready(0), ready(1), ready(2)], want: ['delete web-2'] },
    { name: 'scale down waits for a terminating pod', spec: { replicas: 1 }, pods: [ready(0), ready(1), ready(2, { terminating: true })], want: [] },
    { name: 'Parallel scale down deletes all condemned at once', spec: { replicas: 1, podManagementPolicy: 'Parallel' }, pods: [ready(0), ready(1), ready(2)], want: ['delete web-2', 'delete web-1'] },
    { name: 'OrderedReady scale down waits for an unhealthy remaining pod', spec: { replicas: 2 }, pods: [ready(0), { ordinal: 1 }, ready(2)], want: [] },
    { name: 'a failed pod is deleted to be recreated', pods: [ready(0), { ordinal: 1, phase: 'Failed' }], want: ['delete web-1'] },
    { name: 'rolling update replaces the highest ordinal first', pods: [ready(0), ready(1), ready(2)], oldImage: 'nginx:0', want: ['revision 2', 'delete web-2'] },
    { name: 'rolling update waits for the replaced pod to be ready', pods: [ready(0), ready(1), { ordinal: 2, image: 'nginx:1' }], oldImage: 'nginx:0', want: ['revision 2'] },
    { name: 'rolling update goes on below an updated ready pod', pods: [ready(0), ready(1), ready(2, { image: 'nginx:1' })], oldImage: 'nginx:0', want: ['revision 2', 'delete web-1'] },
    { name: 'partition stops the roll at its ordinal', spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }, pods: [ready(0), ready(1), ready(2, { image: 'nginx:1' })], oldImage: 'nginx:0', want: ['revision 2'] },
    { name: 'OnDelete leaves old pods alone', spec: { updateStrategy: { type: 'OnDelete' } }, pods: [ready(0), ready(1), ready(2)], oldImage: 'nginx:0', want: ['revision 2'] },
    { name: 'minReadySeconds holds creation until the predecessor is available', spec: { minReadySeconds: 30 }, pods: [{ ordinal: 0, ready: JUST_NOW }], want: [] },
    { name: 'a set being deleted only reports status', pods: [], want: [] },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      let set = sset(c.spec, 'nginx:1');
      if (c.name.startsWith('a set being deleted')) set = { ...set, metadata: { ...set.metadata, deletionTimestamp: LONG_AGO } };
      const w = world(set, c.pods, { oldImage: c.oldImage });
      const { actions, control } = fakes();
      const res = await control.update(w.set, w.pods, w.revisions);
      assert.equal(res.error, undefined);
      // The first revision of a fresh set is created too; only the pod actions matter here unless the case names revisions.
      assert.deepEqual(c.oldImage ? actions : actions.filter((a) => !a.startsWith('revision')), c.want);
    });
  }

  test('minReadySeconds asks to look again once the pod can be available', async () => {
    const w = world(sset({ minReadySeconds: 30 }), [{ ordinal: 0, ready: JUST_NOW }]);
    const res = await fakes().control.update(w.set, w.pods, w.revisions);
    assert.equal(res.requeueAfterMs, 30_000 - 1000 + 1000);
  });

  test('a created pod carries identity, storage and revision', async () => {
    const set = sset({ volumeClaimTemplates: [{ metadata: { name: 'data' } }], template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }], volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', emptyDir: {} }] } } });
    const { createdPods, control } = fakes();
    const res = await control.update(deepFreeze(set), [], []);
    const pod = createdPods[0]!;
    const rev = res.status.updateRevision!;
    assert.match(rev, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.deepEqual(pod.metadata.labels, { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0', [POD_REVISION_HASH_LABEL]: rev });
    assert.equal(pod.spec?.['hostname'], 'web-0');
    assert.equal(pod.spec?.['subdomain'], 'nginx');
    assert.deepEqual(pod.spec?.['volumes'], [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }, { name: 'cfg', emptyDir: {} }]);
    assert.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true }]);
  });

  test('status counts current, updated, ready and completes a finished roll', async () => {
    const w = world(sset(), [ready(0, { image: 'nginx:1' }), ready(1, { image: 'nginx:1' }), ready(2, { image: 'nginx:1' })], { oldImage: 'nginx:0' });
    const res = await fakes().control.update(w.set, w.pods, w.revisions);
    assert.equal(res.status.replicas, 3);
    assert.equal(res.status.readyReplicas, 3);
    assert.equal(res.status.updatedReplicas, 3);
    assert.equal(res.status.currentReplicas, 3);
    assert.equal(res.status.currentRevision, res.status.updateRevision);
    assert.equal(res.status.observedGeneration, 2);
  });

  test('status mid-roll keeps the old current revision', async () => {
    const w = world(sset(), [ready(0), ready(1), ready(2, { image: 'nginx:1' })], { oldImage: 'nginx:0' });
    const res = await fakes().control.update(w.set, w.pods, w.revisions);
    assert.equal(res.status.currentRevision, w.revisions[0]!.metadata.name);
    assert.notEqual(res.status.updateRevision, res.status.currentRevision);
    assert.equal(res.status.currentReplicas, 2);
    assert.equal(res.status.updatedReplicas, 1);
  });

  test('a rollback reuses the old revision under a new number', async () => {
    const set = sset({}, 'nginx:0');
    const r1 = newStatefulSetRevision(sset({}, 'nginx:0'), 1, 0);
    const r2 = newStatefulSetRevision(sset({}, 'nginx:1'), 2, 0);
    const { actions, control } = fakes();
    const res = await control.update(deepFreeze({ ...set, status: { replicas: 0, currentRevision: r2.metadata.name } }), [], [r2, r1]);
    assert.equal(res.status.updateRevision, r1.metadata.name);
    assert.ok(!actions.some((a) => a.startsWith('revision')));
  });

  test('history beyond revisionHistoryLimit is truncated, live revisions kept', async () => {
    const revs = [0, 1, 2, 3].map((i) => newStatefulSetRevision(sset({}, `nginx:old${i}`), i + 1, 0));
    const { actions, control } = fakes();
    await control.update(deepFreeze(sset({ revisionHistoryLimit: 1, replicas: 0 })), [], revs);
    assert.deepEqual(actions.filter((a) => a.startsWith('truncate')), revs.slice(0, 3).map((r) => `truncate ${r.metadata.name}`));
  });

  test('a revision holds the template as a replace patch', () => {
    const r = newStatefulSetRevision(sset(), 1, 0);
    assert.equal((r.data as { spec: { template: Record<string, unknown> } }).spec.template['$patch'], 'replace');
    assert.deepEqual(revisionTemplate(r), sset().spec?.template);
    assert.deepEqual(r.metadata.labels?.['app'], 'web');
  });
});

describe('claimOwnerRefs (persistentVolumeClaimRetentionPolicy)', () => {
  const setRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true };
  const claim = (refs: unknown[] = []) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-web-2', ownerReferences: refs as never } });
  const pod2 = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-2', uid: 'pod-uid' } };
  const podRef = { apiVersion: 'v1', kind: 'Pod', name: 'web-2', uid: 'pod-uid' };
  const cases = [
    { name: 'Retain/Retain leaves a bare claim alone', policy: { whenDeleted: 'Retain', whenScaled: 'Retain' }, replicas: 3, refs: [], want: undefined },
    { name: 'whenDeleted=Delete makes the set the controller', policy: { whenDeleted: 'Delete', whenScaled: 'Retain' }, replicas: 3, refs: [], want: [setRef] },
    { name: 'whenScaled=Delete hands a scaled-down claim to its pod', policy: { whenDeleted: 'Delete', whenScaled: 'Delete' }, replicas: 2, refs: [setRef], want: [podRef] },
    { name: 'whenScaled=Delete keeps an in-range claim with the set', policy: { whenDeleted: 'Delete', whenScaled: 'Delete' }, replicas: 3, refs: [setRef], want: undefined },
    { name: 'back to Retain removes the set ref', policy: { whenDeleted: 'Retain', whenScaled: 'Retain' }, replicas: 3, refs: [setRef], want: [] },
  ] as const;
  for (const c of cases) {
    test(c.name, () => {
      const set = sset({ replicas: c.replicas, persistentVolumeClaimRetentionPolicy: c.policy });
      assert.deepEqual(claimOwnerRefs(set, claim([...c.refs]), pod2), c.want);
    });
  }
});
