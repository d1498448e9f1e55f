import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListerWatcher } from '../../client/informers/lister-watcher.js';
import { SharedInformer } from '../../client/informers/shared-informer.js';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { Pod } from '../framework/pods.js';
import type { PV, PVC } from './annotations.js';
import { isPodTerminated, podUsesClaim } from './protection.js';
import { PVProtectionController } from './protection-pv-controller.js';
import { PVCProtectionController } from './protection-pvc-controller.js';

const idle: ListerWatcher<never> = {
  list: async () => ({ metadata: {}, items: [] }),
  // eslint-disable-next-line require-yield
  watch: async function* () {
    return;
  },
};

const DELETED = '2025-01-01T00:00:00Z';

function claim(o: { deleting?: boolean; finalizers?: string[]; name?: string; owner?: string } = {}): PVC {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: o.name ?? 'data',
      namespace: 'ns',
      uid: 'pvc-uid',
      finalizers: o.finalizers ?? ['kubernetes.io/pvc-protection'],
      ...(o.deleting ? { deletionTimestamp: DELETED } : {}),
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: o.owner, controller: true }] } : {}),
    },
    spec: {},
  };
}

function pod(o: { node?: string; phase?: string; claimName?: string; ephemeral?: boolean; deleting?: { grace: number }; uid?: string; running?: boolean } = {}): Pod {
  const volumes = o.ephemeral ? [{ name: 'scratch', ephemeral: { volumeClaimTemplate: {} } }] : [{ name: 'v', persistentVolumeClaim: { claimName: o.claimName ?? 'data' } }];
  return {
    metadata: { name: 'p', namespace: 'ns', uid: o.uid ?? 'pod-uid', ...(o.deleting ? { deletionTimestamp: DELETED, deletionGracePeriodSeconds: o.deleting.grace } : {}) },
    spec: { ...(o.node === '' ? {} : { nodeName: o.node ?? 'n1' }), volumes },
    status: { phase: o.phase ?? 'Running', containerStatuses: [{ name: 'c', state: o.running === false ? { terminated: {} } : { running: {} } } as never] },
  };
}

describe('podUsesClaim / isPodTerminated', () => {
  const cases: { name: string; pod: Pod; pvc?: PVC; uses: boolean }[] = [
    { name: 'a scheduled pod naming the claim', pod: pod(), uses: true },
    { name: 'a finished pod still uses it (as upstream)', pod: pod({ phase: 'Succeeded' }), uses: true },
    { name: 'an unscheduled pod does not', pod: pod({ node: '' }), uses: false },
    { name: 'another claim', pod: pod({ claimName: 'other' }), uses: false },
    { name: 'an ephemeral volume of its own pod', pod: pod({ ephemeral: true }), pvc: claim({ name: 'p-scratch', owner: 'pod-uid' }), uses: true },
    { name: 'an ephemeral volume owned by another pod', pod: pod({ ephemeral: true }), pvc: claim({ name: 'p-scratch', owner: 'someone-else' }), uses: false },
    { name: 'an ephemeral volume of a shut-down pod', pod: pod({ ephemeral: true, deleting: { grace: 0 } }), pvc: claim({ name: 'p-scratch', owner: 'pod-uid' }), uses: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(podUsesClaim(c.pod, c.pvc ?? claim()), c.uses));

  const terminated: { name: string; pod: Pod; want: boolean }[] = [
    { name: 'running', pod: pod(), want: false },
    { name: 'succeeded', pod: pod({ phase: 'Succeeded' }), want: true },
    { name: 'failed', pod: pod({ phase: 'Failed' }), want: true },
    { name: 'being deleted, containers still running', pod: pod({ deleting: { grace: 30 } }), want: false },
    { name: 'being deleted, containers stopped', pod: pod({ deleting: { grace: 30 }, running: false }), want: true },
  ];
  for (const c of terminated) test(`isPodTerminated: ${c.name}`, () => assert.equal(isPodTerminated(c.pod), c.want));
});

function setupPVC(init: { claims: PVC[]; cached: Pod[]; live?: Pod[] }) {
  const clock = new FakeClock();
  const claimInformer = new SharedInformer<PVC>({ listerWatcher: idle, clock, freeze: true });
  const podInformer = new SharedInformer<Pod>({ listerWatcher: idle, clock, freeze: true });
  claimInformer.replace(init.claims, '1');
  podInformer.replace(init.cached, '1');
  const updates: PVC[] = [];
  let liveLists = 0;
  const controller = new PVCProtectionController({
    claimInformer,
    podInformer,
    api: {
      listPods: async () => {
        liveLists++;
        return init.live ?? init.cached;
      },
      updateClaim: async (c) => {
        updates.push(c);
        return c;
      },
    },
    clock,
    logger: silentLogger,
  });
  return { controller, updates, claimInformer, podInformer, liveLists: () => liveLists };
}

describe('PVCProtectionController.sync', () => {
  const cases: { name: string; claims: PVC[]; cached: Pod[]; live?: Pod[]; want: (string[] | undefined)[] }[] = [
    { name: 'a deleting claim in use keeps its finalizer', claims: [claim({ deleting: true })], cached: [pod()], want: [] },
    { name: 'a deleting claim nobody uses loses it', claims: [claim({ deleting: true, finalizers: ['kubernetes.io/pvc-protection', 'x/y'] })], cached: [], want: [['x/y']] },
    { name: 'the only finalizer removed leaves none', claims: [claim({ deleting: true })], cached: [pod({ node: '' })], want: [undefined] },
    { name: 'a pod only the live list knows keeps it', claims: [claim({ deleting: true })], cached: [], live: [pod()], want: [] },
    { name: 'a claim without the finalizer gets it', claims: [claim({ finalizers: [] })], cached: [], want: [['kubernetes.io/pvc-protection']] },
    { name: 'a claim with it, not deleting: nothing', claims: [claim()], cached: [pod()], want: [] },
    { name: 'a deleting claim without it: nothing', claims: [claim({ deleting: true, finalizers: ['x/y'] })], cached: [], want: [] },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const f = setupPVC(c);
      await f.controller.sync('ns/data');
      assert.deepEqual(f.updates.map((u) => u.metadata.finalizers), c.want);
    });
  }

  test('the cache answering "in use" needs no live list', async () => {
    const f = setupPVC({ claims: [claim({ deleting: true })], cached: [pod()] });
    await f.controller.sync('ns/data');
    assert.equal(f.liveLists(), 0);
  });

  test('pods enqueue their claims only once they can no longer be using them', () => {
    const f = setupPVC({ claims: [], cached: [] });
    f.podInformer.add(pod());
    assert.equal(f.controller.queue.len(), 0, 'a running scheduled pod');
    f.podInformer.update({ ...pod({ phase: 'Succeeded' }), metadata: { ...pod().metadata, resourceVersion: '2' } });
    assert.equal(f.controller.queue.len(), 1, 'finished');
    const g = setupPVC({ claims: [], cached: [pod()] });
    g.podInformer.delete(g.podInformer.lister().get('ns', 'p')!);
    assert.equal(g.controller.queue.len(), 1, 'deleted');
  });
});

function volume(o: { phase: 'Bound' | 'Released' | 'Available'; deleting?: boolean; finalizers?: string[] }): PV {
  return { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1', finalizers: o.finalizers ?? ['kubernetes.io/pv-protection'], ...(o.deleting ? { deletionTimestamp: DELETED } : {}) }, spec: {}, status: { phase: o.phase } };
}

describe('PVProtectionController.sync', () => {
  const cases: { name: string; pv: PV; want: (string[] | undefined)[] }[] = [
    { name: 'a deleting Bound volume keeps its finalizer', pv: volume({ phase: 'Bound', deleting: true }), want: [] },
    { name: 'a deleting Released volume loses it', pv: volume({ phase: 'Released', deleting: true }), want: [undefined] },
    { name: 'a deleting Available volume loses it', pv: volume({ phase: 'Available', deleting: true }), want: [undefined] },
    { name: 'a volume without it gets it', pv: volume({ phase: 'Available', finalizers: [] }), want: [['kubernetes.io/pv-protection']] },
    { name: 'a volume with it: nothing', pv: volume({ phase: 'Bound' }), want: [] },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const clock = new FakeClock();
      const volumeInformer = new SharedInformer<PV>({ listerWatcher: idle, clock, freeze: true });
      volumeInformer.replace([c.pv], '1');
      const updates: PV[] = [];
      const controller = new PVProtectionController({ volumeInformer, updateVolume: async (pv) => (updates.push(pv), pv), clock, logger: silentLogger });
      await controller.sync('pv1');
      assert.deepEqual(updates.map((u) => u.metadata.finalizers), c.want);
    });
  }
});
