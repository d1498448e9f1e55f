import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformer } from '../../client/informers/shared-informer.js';
import type { ListerWatcher } from '../../client/informers/lister-watcher.js';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import { type GarbageCollectorClient, GarbageCollector } from './controller.js';
import type { MonitoredResource } from './discovery.js';
import { OwnerGraph } from './graph.js';

const idle: ListerWatcher<never> = {
  list: async () => ({ metadata: {}, items: [] }),
  // eslint-disable-next-line require-yield
  watch: async function* () {
    return;
  },
};

const res = (resource: string, kind: string, namespaced = true, group = ''): MonitoredResource => ({ gvr: { group, version: 'v1', resource }, apiVersion: group ? `${group}/v1` : 'v1', kind, namespaced });
const CM = res('configmaps', 'ConfigMap');
const SECRET = res('secrets', 'Secret');
const NSR = res('namespaces', 'Namespace', false);

class FakeClient implements GarbageCollectorClient {
  deleted: { name: string; policy: string }[] = [];
  patched: { name: string; body: unknown }[] = [];
  live = new Map<string, KubeObject>();
  async get(_r: MonitoredResource, ns: string, name: string) {
    return this.live.get(`${ns}/${name}`);
  }
  async delete(_r: MonitoredResource, _ns: string, name: string, opts: { propagationPolicy: string }) {
    this.deleted.push({ name, policy: opts.propagationPolicy });
  }
  async patch(_r: MonitoredResource, _ns: string, name: string, body: unknown) {
    this.patched.push({ name, body });
  }
}

function obj(kind: string, name: string, uid: string, extra: { ns?: string; owners?: OwnerReference[]; finalizers?: string[]; deleting?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind,
    metadata: {
      name,
      namespace: extra.ns ?? 'ns',
      uid,
      resourceVersion: '5',
      ownerReferences: extra.owners,
      finalizers: extra.finalizers,
      deletionTimestamp: extra.deleting ? '2025-01-01T00:00:00Z' : undefined,
    },
  };
}
const ref = (name: string, uid: string, extra: Partial<OwnerReference> = {}): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid, ...extra });

async function setup(objects: { r: MonitoredResource; o: KubeObject }[]) {
  const clock = new FakeClock();
  const informers = new Map<string, SharedInformer<KubeObject>>();
  for (const r of [CM, SECRET, NSR]) {
    const inf = new SharedInformer<KubeObject>({ listerWatcher: idle, clock, freeze: true });
    inf.replace(objects.filter((x) => x.r === r).map((x) => x.o), '1');
    informers.set(r.gvr.resource, inf);
  }
  const client = new FakeClient();
  const events: { reason: string; message: string }[] = [];
  const gc = new GarbageCollector({
    discover: async () => [CM, SECRET, NSR],
    informerFor: (r) => informers.get(r.gvr.resource)!,
    startInformers: () => undefined,
    client,
    events: { event: (_o, _t, reason, message) => void events.push({ reason, message }) },
    clock,
    logger: silentLogger,
  });
  await gc.resync(new AbortController().signal);
  return { gc, client, events };
}

describe('OwnerGraph', () => {
  test('tracks dependents and reports dropped owners', () => {
    const g = new OwnerGraph();
    g.upsert(SECRET, obj('Secret', 's', 'd1', { owners: [ref('a', 'o1'), ref('b', 'o2')] }));
    assert.deepEqual(g.dependentsOf('o1').map((n) => n.uid), ['d1']);
    assert.deepEqual(g.upsert(SECRET, obj('Secret', 's', 'd1', { owners: [ref('b', 'o2')] })), ['o1']);
    assert.deepEqual(g.dependentsOf('o1'), []);
    g.remove('d1');
    assert.deepEqual(g.dependentsOf('o2'), []);
  });
});

describe('GarbageCollector.sync', () => {
  const owner = obj('ConfigMap', 'owner', 'o1');
  const cases: { name: string; objects: { r: MonitoredResource; o: KubeObject }[]; live?: KubeObject[]; item: string; wantDeleted?: { name: string; policy: string }[]; wantPatched?: string[] }[] = [
    { name: 'solid owner in the cache: kept', objects: [{ r: CM, o: owner }, { r: SECRET, o: obj('Secret', 'dep', 'd1', { owners: [ref('owner', 'o1')] }) }], item: 'd1', wantDeleted: [], wantPatched: [] },
    { name: 'owner absent everywhere: deleted in the background', objects: [{ r: SECRET, o: obj('Secret', 'dep', 'd1', { owners: [ref('owner', 'o1')] }) }], item: 'd1', wantDeleted: [{ name: 'dep', policy: 'Background' }] },
    { name: 'owner only on the server (cache lagging): kept', objects: [{ r: SECRET, o: obj('Secret', 'dep', 'd1', { owners: [ref('owner', 'o1')] }) }], live: [owner], item: 'd1', wantDeleted: [] },
    { name: 'same name, other UID: deleted', objects: [{ r: SECRET, o: obj('Secret', 'dep', 'd1', { owners: [ref('owner', 'old-uid')] }) }], live: [owner], item: 'd1', wantDeleted: [{ name: 'dep', policy: 'Background' }] },
    { name: 'one dangling of two owners: reference dropped', objects: [{ r: CM, o: owner }, { r: SECRET, o: obj('Secret', 'dep', 'd1', { owners: [ref('owner', 'o1'), ref('gone', 'o9')] }) }], item: 'd1', wantDeleted: [], wantPatched: ['dep'] },
    { name: 'dependent with the orphan finalizer is deleted with Orphan', objects: [{ r: SECRET, o: obj('Secret', 'dep', 'd1', { owners: [ref('owner', 'o1')], finalizers: ['orphan'] }) }], item: 'd1', wantDeleted: [{ name: 'dep', policy: 'Orphan' }] },
    { name: 'owner orphaning: reference removed, then the finalizer', objects: [{ r: CM, o: obj('ConfigMap', 'owner', 'o1', { finalizers: ['orphan'], deleting: true }) }, { r: SECRET, o: obj('Secret', 'dep', 'd1', { owners: [ref('owner', 'o1')] }) }], item: 'o1', wantDeleted: [], wantPatched: ['dep', 'owner'] },
    { name: 'foreground owner with a blocking dependent keeps its finalizer', objects: [{ r: CM, o: obj('ConfigMap', 'owner', 'o1', { finalizers: ['foregroundDeletion'], deleting: true }) }, { r: SECRET, o: obj('Secret', 'dep', 'd1', { owners: [ref('owner', 'o1', { blockOwnerDeletion: true })] }) }], item: 'o1', wantDeleted: [], wantPatched: [] },
    { name: 'foreground owner without blocking dependents loses its finalizer', objects: [{ r: CM, o: obj('ConfigMap', 'owner', 'o1', { finalizers: ['foregroundDeletion'], deleting: true }) }, { r: SECRET, o: obj('Secret', 'dep', 'd1', { owners: [ref('owner', 'o1')] }) }], item: 'o1', wantPatched: ['owner'] },
    { name: 'dependent of a foreground owner is deleted', objects: [{ r: CM, o: obj('ConfigMap', 'owner', 'o1', { finalizers: ['foregroundDeletion'], deleting: true }) }, { r: SECRET, o: obj('Secret', 'dep', 'd1', { owners: [ref('owner', 'o1', { blockOwnerDeletion: true })] }) }], item: 'd1', wantDeleted: [{ name: 'dep', policy: 'Background' }] },
    { name: 'cluster-scoped dependent of a namespaced kind: kept', objects: [{ r: NSR, o: obj('Namespace', 'n', 'd1', { ns: '', owners: [ref('owner', 'o1')] }) }], item: 'd1', wantDeleted: [] },
    { name: 'owner UID found in another namespace: dangling', objects: [{ r: CM, o: obj('ConfigMap', 'owner', 'o1', { ns: 'other' }) }, { r: SECRET, o: obj('Secret', 'dep', 'd1', { owners: [ref('owner', 'o1')] }) }], item: 'd1', wantDeleted: [{ name: 'dep', policy: 'Background' }] },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const f = await setup(c.objects);
      for (const l of c.live ?? []) f.client.live.set(`${l.metadata.namespace}/${l.metadata.name}`, l);
      await f.gc.sync(c.item);
      if (c.wantDeleted) assert.deepEqual(f.client.deleted, c.wantDeleted);
      if (c.wantPatched) assert.deepEqual(f.client.patched.map((p) => p.name), c.wantPatched);
    });
  }
  test('invalid namespaces are reported with OwnerRefInvalidNamespace', async () => {
    const f = await setup([{ r: NSR, o: obj('Namespace', 'n', 'd1', { ns: '', owners: [ref('owner', 'o1')] }) }]);
    await f.gc.sync('d1');
    assert.deepEqual(f.events, [{ reason: 'OwnerRefInvalidNamespace', message: 'ownerRef [v1/ConfigMap, namespace: , name: owner, uid: o1] does not exist in namespace ""' }]);
  });
  test('an owner kind nobody serves is retried, not collected', async () => {
    const f = await setup([{ r: SECRET, o: obj('Secret', 'dep', 'd1', { owners: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'w1' }] }) }]);
    await assert.rejects(f.gc.sync('d1'), /unable to find the resource/);
    assert.deepEqual(f.client.deleted, []);
  });
  test('removing the orphan finalizer keeps the others', async () => {
    const f = await setup([{ r: CM, o: obj('ConfigMap', 'owner', 'o1', { finalizers: ['example.com/keep', 'orphan'], deleting: true }) }]);
    await f.gc.sync('o1');
    assert.deepEqual(f.client.patched, [{ name: 'owner', body: { metadata: { uid: 'o1', resourceVersion: '5', finalizers: ['example.com/keep'] } } }]);
  });
});
