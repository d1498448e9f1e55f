import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformer } from '../../client/informers/shared-informer.js';
import type { ListerWatcher } from '../../client/informers/lister-watcher.js';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { Pod } from '../framework/pods.js';
import type { PV, PVC, StorageClass } from './annotations.js';
import { LocalPathProvisioner, volumeDirectory } from './local-path-provisioner.js';
import { MSG_NO_VOLUMES_NO_CLASS, MSG_WAIT_FOR_FIRST_CONSUMER, PersistentVolumeController, type VolumeAPI, externalProvisioningMessage } from './pv-controller.js';

const idle: ListerWatcher<never> = {
  list: async () => ({ metadata: {}, items: [] }),
  // eslint-disable-next-line require-yield
  watch: async function* () {
    return;
  },
};

function informer<T extends KubeObject>(clock: FakeClock, items: T[]): SharedInformer<T> {
  const inf = new SharedInformer<T>({ listerWatcher: idle as unknown as ListerWatcher<T>, clock, freeze: true });
  inf.replace(items, '1');
  return inf;
}

type Write = { op: keyof VolumeAPI; obj: KubeObject };

class FakeAPI implements VolumeAPI {
  writes: Write[] = [];
  live = new Map<string, PVC>();
  private rv = 100;
  private echo<T extends KubeObject>(op: keyof VolumeAPI, obj: T): T {
    const out = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    this.writes.push({ op, obj: out });
    return out;
  }
  getClaim = async (ns: string, name: string) => this.live.get(`${ns}/${name}`);
  updateClaim = async (pvc: PVC) => this.echo('updateClaim', pvc);
  updateClaimStatus = async (pvc: PVC) => this.echo('updateClaimStatus', pvc);
  updateVolume = async (pv: PV) => this.echo('updateVolume', pv);
  updateVolumeStatus = async (pv: PV) => this.echo('updateVolumeStatus', pv);
}

const events: string[] = [];
const recorder = { event: (obj: KubeObject, type: string, reason: string, message: string) => void events.push(`${obj.metadata.name} ${type} ${reason} ${message}`) };

const wffc: StorageClass = { metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'k8ts.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' };

function claim(name: string, o: { cls?: string | null; size?: string; ann?: Record<string, string>; volumeName?: string; phase?: string } = {}): PVC {
  return {
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '5', annotations: o.ann },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: o.size ?? '1Gi' } }, ...(o.cls === null ? {} : { storageClassName: o.cls ?? '' }), volumeName: o.volumeName },
    status: { phase: (o.phase ?? 'Pending') as 'Pending' },
  };
}

function volume(name: string, o: { size?: string; claim?: PVC; phase?: string; policy?: 'Retain' | 'Delete'; ann?: Record<string, string> } = {}): PV {
  return {
    metadata: { name, uid: `uid-${name}`, resourceVersion: '3', annotations: o.ann },
    spec: {
      capacity: { storage: o.size ?? '1Gi' },
      accessModes: ['ReadWriteOnce'],
      storageClassName: '',
      persistentVolumeReclaimPolicy: o.policy ?? 'Retain',
      hostPath: { path: `/srv/${name}` },
      claimRef: o.claim ? { kind: 'PersistentVolumeClaim', namespace: 'ns', name: o.claim.metadata.name, uid: o.claim.metadata.uid } : undefined,
    },
    status: { phase: (o.phase ?? 'Available') as 'Available' },
  };
}

function setup(objs: { claims?: PVC[]; volumes?: PV[]; classes?: StorageClass[]; pods?: Pod[] }) {
  const clock = new FakeClock();
  const api = new FakeAPI();
  events.length = 0;
  const c = new PersistentVolumeController({
    claimInformer: informer(clock, objs.claims ?? []),
    volumeInformer: informer(clock, objs.volumes ?? []),
    classInformer: informer(clock, objs.classes ?? [wffc]),
    podInformer: informer(clock, objs.pods ?? []),
    nodeInformer: informer<KubeObject>(clock, []),
    api,
    recorder,
    clock,
    logger: silentLogger,
  });
  return { c, api };
}

const summary = (w: Write[]) => w.map((x) => `${x.op} ${x.obj.metadata.name}`);

describe('persistentvolume-binder claims', () => {
  test('binds an unbound claim to the smallest fitting volume in four writes', async () => {
    const pvc = claim('data', { size: '2Gi' });
    const { c, api } = setup({ claims: [pvc], volumes: [volume('big', { size: '10Gi' }), volume('fit', { size: '3Gi' })] });
    await c.sync('claim/ns/data');
    assert.deepEqual(summary(api.writes), ['updateVolume fit', 'updateVolumeStatus fit', 'updateClaim data', 'updateClaimStatus data']);
    const [pvW, pvS, pvcW, pvcS] = api.writes.map((w) => w.obj) as [PV, PV, PVC, PVC];
    assert.deepEqual({ ...pvW.spec!.claimRef }, { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'ns', name: 'data', uid: 'uid-data', resourceVersion: '5' });
    assert.equal(pvW.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.equal(pvS.status?.phase, 'Bound');
    assert.equal(pvcW.spec?.volumeName, 'fit');
    assert.deepEqual(pvcW.metadata.annotations, { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' });
    assert.deepEqual(pvcS.status, { phase: 'Bound', capacity: { storage: '3Gi' }, accessModes: ['ReadWriteOnce'] });
  });

  test('no volume and no class: FailedBinding', async () => {
    const { c, api } = setup({ claims: [claim('data', { size: '100Gi' })], volumes: [volume('small')] });
    await c.sync('claim/ns/data');
    assert.deepEqual(api.writes, []);
    assert.deepEqual(events, [`data Normal FailedBinding ${MSG_NO_VOLUMES_NO_CLASS}`]);
  });

  test('WaitForFirstConsumer without a node: event, no binding', async () => {
    const { c, api } = setup({ claims: [claim('data', { cls: 'local-path' })], volumes: [] });
    await c.sync('claim/ns/data');
    assert.deepEqual(api.writes, []);
    assert.deepEqual(events, [`data Normal WaitForFirstConsumer ${MSG_WAIT_FOR_FIRST_CONSUMER}`]);
  });

  test('WaitForFirstConsumer with an unscheduled consumer: quiet, the scheduler decides', async () => {
    const pod: Pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] } };
    const { c, api } = setup({ claims: [claim('data', { cls: 'local-path' })], pods: [pod] });
    await c.sync('claim/ns/data');
    assert.deepEqual(api.writes, []);
    assert.deepEqual(events, []);
  });

  test('a consumer already on a node selects that node', async () => {
    const pod: Pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1', volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] } };
    const { c, api } = setup({ claims: [claim('data', { cls: 'local-path' })], pods: [pod] });
    await c.sync('claim/ns/data');
    assert.deepEqual(summary(api.writes), ['updateClaim data']);
    assert.equal(api.writes[0]!.obj.metadata.annotations?.['volume.kubernetes.io/selected-node'], 'n1');
  });

  test('selected node: handed to the class provisioner', async () => {
    const { c, api } = setup({ claims: [claim('data', { cls: 'local-path', ann: { 'volume.kubernetes.io/selected-node': 'n1' } })] });
    await c.sync('claim/ns/data');
    assert.deepEqual(summary(api.writes), ['updateClaim data']);
    const ann = api.writes[0]!.obj.metadata.annotations!;
    assert.equal(ann['volume.kubernetes.io/storage-provisioner'], 'k8ts.io/local-path');
    assert.equal(ann['volume.beta.kubernetes.io/storage-provisioner'], 'k8ts.io/local-path');
    assert.deepEqual(events, [`data Normal ExternalProvisioning ${externalProvisioningMessage('k8ts.io/local-path')}`]);
  });

  test('unknown class: ProvisioningFailed', async () => {
    const { c } = setup({ claims: [claim('data', { cls: 'nope' })] });
    await c.sync('claim/ns/data');
    assert.deepEqual(events, ['data Warning ProvisioningFailed storageclass.storage.k8s.io "nope" not found']);
  });

  test('a class-less claim is given the default class', async () => {
    const { c, api } = setup({ claims: [claim('data', { cls: null })] });
    await c.sync('claim/ns/data');
    assert.deepEqual(summary(api.writes), ['updateClaim data']);
    assert.equal((api.writes[0]!.obj as PVC).spec?.storageClassName, 'local-path');
  });

  test('a provisioned volume pre-bound to the claim completes the binding without bound-by-controller on the volume', async () => {
    const pvc = claim('data', { cls: 'local-path', ann: { 'volume.kubernetes.io/selected-node': 'n1' } });
    const pv = { ...volume('pvc-uid-data', { claim: pvc, phase: 'Pending' }), spec: { ...volume('x', { claim: pvc }).spec, storageClassName: 'local-path' } };
    const { c, api } = setup({ claims: [pvc], volumes: [pv] });
    await c.sync('claim/ns/data');
    assert.deepEqual(summary(api.writes), ['updateVolumeStatus pvc-uid-data', 'updateClaim data', 'updateClaimStatus data']);
    assert.equal(api.writes.some((w) => w.op === 'updateVolume'), false);
  });

  test('a bound claim whose volume vanished is Lost', async () => {
    const { c, api } = setup({ claims: [claim('data', { volumeName: 'gone', ann: { 'pv.kubernetes.io/bind-completed': 'yes' }, phase: 'Bound' })] });
    await c.sync('claim/ns/data');
    assert.equal((api.writes[0]!.obj as PVC).status?.phase, 'Lost');
    assert.deepEqual(events, ['data Warning ClaimLost Bound claim has lost its PersistentVolume. Data on the volume is lost!']);
  });
});

describe('persistentvolume-binder volumes', () => {
  const gone = claim('data');
  const cases: { name: string; pv: PV; wantPhases: string[]; wantEvents: string[] }[] = [
    { name: 'no claimRef: Available', pv: volume('v', { phase: 'Pending' }), wantPhases: ['Available'], wantEvents: [] },
    { name: 'claim deleted, Retain: Released', pv: volume('v', { claim: gone, phase: 'Bound' }), wantPhases: ['Released'], wantEvents: [] },
    { name: 'claim deleted, Delete by an external provisioner: Released, left to it', pv: volume('v', { claim: gone, phase: 'Bound', policy: 'Delete', ann: { 'pv.kubernetes.io/provisioned-by': 'k8ts.io/local-path' } }), wantPhases: ['Released'], wantEvents: [] },
    {
      name: 'claim deleted, Delete without a plugin: Failed',
      pv: volume('v', { claim: gone, phase: 'Bound', policy: 'Delete' }),
      wantPhases: ['Released', 'Failed'],
      wantEvents: ['v Warning VolumeFailedDelete error getting deleter volume plugin for volume "v": no deletable volume plugin matched'],
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const { c: ctl, api } = setup({ volumes: [c.pv] });
      await ctl.sync('volume/v');
      assert.deepEqual(api.writes.map((w) => (w.obj as PV).status?.phase), c.wantPhases);
      assert.deepEqual(events, c.wantEvents);
    });
  }
  test('a claim the cache has not seen yet keeps its volume', async () => {
    const { c, api } = setup({ volumes: [volume('v', { claim: gone, phase: 'Bound' })] });
    api.live.set('ns/data', gone);
    await c.sync('volume/v');
    assert.deepEqual(api.writes, []);
  });
});

describe('local-path-provisioner', () => {
  function prov(objs: { claims?: PVC[]; volumes?: PV[] }) {
    const clock = new FakeClock();
    const created: PV[] = [];
    const deleted: string[] = [];
    const dirs: string[] = [];
    events.length = 0;
    const p = new LocalPathProvisioner({
      claimInformer: informer(clock, objs.claims ?? []),
      volumeInformer: informer(clock, objs.volumes ?? []),
      classInformer: informer(clock, [wffc]),
      nodeInformer: informer<KubeObject>(clock, [{ metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'host-1' } } }]),
      api: { createVolume: async (pv) => (created.push(pv), pv), deleteVolume: async (name) => void deleted.push(name) },
      directories: { create: async (d) => void dirs.push(`+${d}`), remove: async (d) => void dirs.push(`-${d}`) },
      recorder,
      storagePath: '/data/storage',
      clock,
      logger: silentLogger,
    });
    return { p, created, deleted, dirs };
  }
  const handed = (extra: Record<string, string> = {}) => claim('data', { cls: 'local-path', ann: { 'volume.kubernetes.io/storage-provisioner': 'k8ts.io/local-path', ...extra } });

  test('provisions a directory volume on the selected node', async () => {
    const { p, created, dirs } = prov({ claims: [handed({ 'volume.kubernetes.io/selected-node': 'n1' })] });
    await p.sync('claim/ns/data');
    assert.equal(created.length, 1);
    const pv = created[0]!;
    assert.equal(pv.metadata.name, 'pvc-uid-data');
    assert.deepEqual(pv.metadata.annotations, { 'pv.kubernetes.io/provisioned-by': 'k8ts.io/local-path' });
    assert.deepEqual(pv.spec?.hostPath, { path: '/data/storage/pvc-uid-data_ns_data', type: 'DirectoryOrCreate' });
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms, [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['host-1'] }] }]);
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pv.spec?.storageClassName, 'local-path');
    assert.deepEqual(pv.spec?.capacity, { storage: '1Gi' });
    assert.equal(pv.spec?.claimRef?.uid, 'uid-data');
    assert.deepEqual(dirs, ['+/data/storage/pvc-uid-data_ns_data']);
    assert.deepEqual(events, ['data Normal Provisioning External provisioner is provisioning volume for claim "ns/data"', 'data Normal ProvisioningSucceeded Successfully provisioned volume pvc-uid-data']);
  });

  test('waits for a selected node', async () => {
    const { p, created } = prov({ claims: [handed()] });
    await p.sync('claim/ns/data');
    assert.deepEqual(created, []);
  });

  test('does not provision twice', async () => {
    const { p, created } = prov({ claims: [handed({ 'volume.kubernetes.io/selected-node': 'n1' })], volumes: [volume('pvc-uid-data')] });
    await p.sync('claim/ns/data');
    assert.deepEqual(created, []);
  });

  const mine = { 'pv.kubernetes.io/provisioned-by': 'k8ts.io/local-path' };
  const reclaimCases: { name: string; pv: PV; deleted: string[] }[] = [
    { name: 'released with Delete: directory then volume removed', pv: { ...volume('v', { phase: 'Released', policy: 'Delete', ann: mine }) }, deleted: ['v'] },
    { name: 'released with Retain: kept', pv: volume('v', { phase: 'Released', policy: 'Retain', ann: mine }), deleted: [] },
    { name: 'bound: kept', pv: volume('v', { phase: 'Bound', policy: 'Delete', ann: mine }), deleted: [] },
    { name: 'not ours: kept', pv: volume('v', { phase: 'Released', policy: 'Delete' }), deleted: [] },
  ];
  for (const c of reclaimCases) {
    test(c.name, async () => {
      const { p, deleted, dirs } = prov({ volumes: [c.pv] });
      await p.sync('volume/v');
      assert.deepEqual(deleted, c.deleted);
      assert.deepEqual(dirs, c.deleted.length ? ['-/srv/v'] : []);
    });
  }

  test('directory name', () => assert.equal(volumeDirectory('/d/', claim('x')), '/d/pvc-uid-x_ns_x'));
});
