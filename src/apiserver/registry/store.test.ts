/**
 * The generic store on its own: create/update/delete flows with a strategy,
 * graceful deletion, finalizers, and objects that expire (events).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { builtinScheme } from '../../api/index.js';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { StatusError } from '../../machinery/errors/status-error.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { MemoryBackend } from '../../storage/memory/memory-backend.js';
import { WatchCache } from '../cacher/watch-cache.js';
import { systemContext } from '../context.js';
import { buildRegistry } from './build.js';
import { storedTextOf } from './store.js';
import { servedJSONOfStored } from '../cacher/cached-object.js';

async function setup(opts: { eventTTLSeconds?: number } = {}) {
  const clock = new FakeClock();
  const backend = new MemoryBackend({ clock });
  const cache = new WatchCache({ backend, logger: silentLogger, clock, freeze: true });
  await cache.start();
  const scheme = builtinScheme();
  const registry = buildRegistry({ scheme, backend, cache, clock, serviceCIDR: '10.96.0.0/12', nodePortRange: '30000-32767', freeze: true, eventTTLSeconds: opts.eventTTLSeconds });
  // Store.create takes decoded objects: apply the defaults the decoder would.
  const defaulted = (resource: string, o: KubeObject): KubeObject => {
    scheme.byResource('', 'v1', resource)!.defaults?.(o);
    return o;
  };
  return { clock, backend, cache, registry, defaulted, ctx: systemContext(clock, { namespace: 'default' }) };
}

const event = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, namespace: 'default' },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'p' },
  reason: 'Test',
  message: 'm',
  type: 'Normal',
});

describe('Store', () => {
  test('an object a write returns carries the text it was stored as; anything else carries none', async () => {
    const { registry, ctx, cache } = await setup();
    const cms = registry.storeFor('', 'configmaps')!;
    const created = await cms.create(ctx, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } });
    const text = storedTextOf(created);
    assert.ok(text !== undefined);
    assert.deepEqual(JSON.parse(servedJSONOfStored(text, created.metadata.resourceVersion!)!), created);
    const updated = await cms.guaranteedUpdate(ctx, 'default', 'c', (cur) => ({ ...cur!, data: { a: '2' } }));
    assert.deepEqual(JSON.parse(servedJSONOfStored(storedTextOf(updated.object)!, updated.object.metadata.resourceVersion!)!), updated.object);
    assert.equal(storedTextOf(await cms.get('default', 'c') as unknown as KubeObject), undefined, 'a read is not a write');
    const dry = await cms.create({ ...ctx, dryRun: true }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd', namespace: 'default' } });
    assert.equal(storedTextOf(dry), undefined, 'nothing was stored for a dry run');
    cache.dispose();
  });

  test('events expire after their TTL; other objects do not', async () => {
    const { clock, registry, ctx, cache } = await setup({ eventTTLSeconds: 10 });
    const events = registry.storeFor('', 'events')!;
    const cms = registry.storeFor('', 'configmaps')!;
    await events.create(ctx, event('e1'));
    await cms.create(ctx, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
    clock.step(5_000);
    assert.ok(await events.get('default', 'e1'));
    // The lease lives TTL + the one-minute reuse window.
    clock.step(70_000);
    await assert.rejects(events.get('default', 'e1'), /not found/);
    assert.ok(await cms.get('default', 'c'));
    cache.dispose();
  });

  test('a pod bound to a node is deleted gracefully; an unbound one at once', async () => {
    const { registry, ctx, cache, defaulted } = await setup();
    const pods = registry.storeFor('', 'pods')!;
    const pod = (name: string, nodeName?: string): KubeObject => defaulted('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'busybox' }], ...(nodeName ? { nodeName } : {}), terminationGracePeriodSeconds: 30 },
    });
    await pods.create(ctx, pod('unbound'));
    await pods.create(ctx, pod('bound', 'node-1'));
    assert.equal((await pods.delete(ctx, 'default', 'unbound', {})).deleted, true);
    const r = await pods.delete(ctx, 'default', 'bound', {});
    assert.equal(r.deleted, false);
    assert.equal(r.object.metadata.deletionGracePeriodSeconds, 30);
    assert.ok(r.object.metadata.deletionTimestamp);
    assert.equal((await pods.delete(ctx, 'default', 'bound', { gracePeriodSeconds: 0 })).deleted, true);
    cache.dispose();
  });

  test('orphan propagation adds the orphan finalizer; removing it finishes the delete', async () => {
    const { registry, ctx, cache } = await setup();
    const cms = registry.storeFor('', 'configmaps')!;
    await cms.create(ctx, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
    const r = await cms.delete(ctx, 'default', 'c', { propagationPolicy: 'Orphan' });
    assert.equal(r.deleted, false);
    assert.deepEqual(r.object.metadata.finalizers, ['orphan']);
    await cms.guaranteedUpdate(ctx, 'default', 'c', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: [] } }));
    await assert.rejects(cms.get('default', 'c'), /not found/);
    cache.dispose();
  });

  test('a GET with a resourceVersion returns a state not older than it; one beyond every write is a 504, one past uint64 a 400', async () => {
    const { registry, ctx, cache } = await setup();
    const cms = registry.storeFor('', 'configmaps')!;
    const first = await cms.create(ctx, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { v: '1' } });
    const second = await cms.guaranteedUpdate(ctx, 'default', 'c', (cur) => ({ ...cur!, data: { v: '2' } }));
    await cms.list({ namespace: 'default' }); // a consistent read: the cache has both writes after it
    const got = await cms.get('default', 'c', { resourceVersion: first.metadata.resourceVersion });
    assert.deepEqual([(got.object as KubeObject & { data: { v: string } }).data.v, got.object.metadata.resourceVersion], ['2', second.object.metadata.resourceVersion]);
    const future = String(Number(second.object.metadata.resourceVersion) + 100);
    await assert.rejects(cms.get('default', 'c', { resourceVersion: future }), (err: StatusError) => err.code === 504 && err.message === `Too large resource version: ${future}, current: ${second.object.metadata.resourceVersion}`);
    await assert.rejects(cms.list({ namespace: 'default', resourceVersion: '9999999999999999999' }), (err: StatusError) => err.code === 504 && err.message.startsWith('Too large resource version: 9999999999999999999,'));
    await assert.rejects(cms.get('default', 'c', { resourceVersion: '999999999999999999999' }), (err: StatusError) => err.code === 400 && err.message === 'invalid resourceVersion: 999999999999999999999');
    cache.dispose();
  });

  test('watchers of the same and of other namespaces each get exactly their events', async () => {
    const { registry, ctx, cache } = await setup();
    const cms = registry.storeFor('', 'configmaps')!;
    const ac = new AbortController();
    const seen = new Map<string, string[]>();
    const watch = (label: string, namespace: string) => {
      seen.set(label, []);
      cms.watch({ namespace, resourceVersion: String(cms.currentRevision()), signal: ac.signal, onError: (e) => assert.fail(e.message), onEvents: (evs) => seen.get(label)!.push(...evs.map((e) => `${e.object.namespace}/${e.object.name}`)) });
    };
    watch('a1', 'a');
    watch('a2', 'a');
    watch('b', 'b');
    watch('all', '');
    const cm = (namespace: string, name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });
    // Written together, so one dispatch carries events of both namespaces.
    const inNs = (namespace: string) => ({ ...ctx, namespace });
    await Promise.all([cms.create(inNs('a'), cm('a', 'x')), cms.create(inNs('b'), cm('b', 'y')), cms.create(inNs('a'), cm('a', 'z'))]);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(Object.fromEntries([...seen].map(([k, v]) => [k, v.sort()])), { a1: ['a/x', 'a/z'], a2: ['a/x', 'a/z'], b: ['b/y'], all: ['a/x', 'a/z', 'b/y'] });
    ac.abort();
    cache.dispose();
  });

  describe('updates start from the watch cache, which never decides an outcome while it lags', () => {
    const KEY = '/registry/configmaps/default/c';
    const cm = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data });
    /**
     * Returns a function that writes `data` behind the cache's back: called in the same task as the update
     * under test, the cache sees that write only afterwards.
     */
    async function prepareWriteAround(backend: MemoryBackend, cache: WatchCache, data: Record<string, string>): Promise<() => number> {
      const kv = (await backend.get(KEY))!;
      const stored = JSON.parse(Buffer.from(kv.value).toString()) as KubeObject;
      return () => {
        void backend.update(KEY, Buffer.from(JSON.stringify({ ...stored, data })), kv.modRevision);
        const written = kv.modRevision + 1;
        assert.ok(cache.revision < written, 'the cache must lag for this test to mean anything');
        return written;
      };
    }

    /** A store holding ConfigMap c with v=1, and the write of v=2 around its cache. */
    async function lagging() {
      const env = await setup();
      const cms = env.registry.storeFor('', 'configmaps')!;
      const created = await cms.create(env.ctx, cm({ v: '1' }));
      return { ...env, cms, created, writeAround: await prepareWriteAround(env.backend, env.cache, { v: '2' }) };
    }

    test('a resourceVersion newer than the cached copy is not a conflict', async () => {
      const { cms, ctx, cache, writeAround } = await lagging();
      const written = writeAround();
      const out = await cms.guaranteedUpdate(ctx, 'default', 'c', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, resourceVersion: String(written) }, data: { v: '3' } }));
      assert.equal((out.object as KubeObject & { data: Record<string, string> }).data.v, '3');
      assert.ok(Number(out.object.metadata.resourceVersion) > written);
      cache.dispose();
    });

    test('a write that equals the stale cached copy is written, not taken for a no-op', async () => {
      const { cms, ctx, cache, backend, writeAround } = await lagging();
      const written = writeAround();
      const out = await cms.guaranteedUpdate(ctx, 'default', 'c', (cur) => ({ ...cur!, data: { v: '1' } }));
      assert.ok(Number(out.object.metadata.resourceVersion) > written);
      const stored = JSON.parse(Buffer.from((await backend.get(KEY))!.value).toString()) as { data: Record<string, string> };
      assert.deepEqual(stored.data, { v: '1' });
      cache.dispose();
    });

    test('a stale resourceVersion is still a conflict', async () => {
      const { cms, ctx, cache, created, writeAround } = await lagging();
      writeAround();
      await assert.rejects(
        cms.guaranteedUpdate(ctx, 'default', 'c', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, resourceVersion: created.metadata.resourceVersion }, data: { v: '3' } })),
        /the object has been modified/,
      );
      cache.dispose();
    });
  });
});

describe('paginated LIST', () => {
  const names = (r: { items: { object: KubeObject }[] }) => r.items.map((o) => o.object.metadata.name);
  const cm = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels }, data: { v: '1' } });

  async function filled(n: number) {
    const env = await setup();
    const cms = env.registry.storeFor('', 'configmaps')!;
    for (let i = 0; i < n; i++) await cms.create(env.ctx, cm(`c${i}`, { parity: i % 2 ? 'odd' : 'even' }));
    // Counts the reads that go to storage.
    let ranges = 0;
    const range = env.backend.range.bind(env.backend);
    env.backend.range = (...args: Parameters<typeof range>) => {
      ranges++;
      return range(...args);
    };
    return { ...env, cms, ranges: () => ranges };
  }

  test('every page shows the first page\'s state, cut from the cache without reading storage', async () => {
    const { cms, ctx, cache, ranges } = await filled(7);
    const p1 = await cms.list({ namespace: 'default', limit: 3 });
    assert.deepEqual(names(p1), ['c0', 'c1', 'c2']);
    assert.equal(p1.remainingItemCount, 4);
    // Writes after the first page: a change, a delete and a create on pages still to come.
    await cms.guaranteedUpdate(ctx, 'default', 'c4', (cur) => ({ ...cur!, data: { v: '2' } }));
    await cms.delete(ctx, 'default', 'c5', {});
    await cms.create(ctx, cm('c35'));
    const p2 = await cms.list({ namespace: 'default', limit: 3, continueToken: p1.continueToken });
    const p3 = await cms.list({ namespace: 'default', limit: 3, continueToken: p2.continueToken });
    assert.deepEqual([names(p2), names(p3)], [['c3', 'c4', 'c5'], ['c6']]);
    assert.equal((p2.items[1]!.object as KubeObject & { data: { v: string } }).data.v, '1', 'c4 as it was');
    assert.deepEqual([p2.remainingItemCount, p3.remainingItemCount, p3.continueToken], [1, undefined, undefined]);
    assert.deepEqual([p2.resourceVersion, p3.resourceVersion], [p1.resourceVersion, p1.resourceVersion]);
    assert.equal(ranges(), 0, 'no page read storage');
    // A new LIST sees the writes, the changed object in its place.
    const now = await cms.list({ namespace: 'default', limit: 10 });
    assert.deepEqual(names(now), ['c0', 'c1', 'c2', 'c3', 'c35', 'c4', 'c6']);
    assert.equal((now.items[5]!.object as KubeObject & { data: { v: string } }).data.v, '2');
    await cms.guaranteedUpdate(ctx, 'default', 'c6', (cur) => ({ ...cur!, data: { v: '3' } }));
    const again = await cms.list({ namespace: 'default' });
    assert.deepEqual(again.items.map((o) => [o.object.metadata.name, (o.object as KubeObject & { data: { v: string } }).data.v]), [['c0', '1'], ['c1', '1'], ['c2', '1'], ['c3', '1'], ['c35', '1'], ['c4', '2'], ['c6', '3']]);
    cache.dispose();
  });

  test('across all namespaces too, a change between pages stays out of later pages', async () => {
    const { cms, ctx, cache, ranges } = await filled(4);
    // All namespaces: the snapshot must not be the cache's own sorted list, which changes in place.
    const p1 = await cms.list({ namespace: '', limit: 2 });
    await cms.guaranteedUpdate(ctx, 'default', 'c3', (cur) => ({ ...cur!, data: { v: '2' } }));
    const p2 = await cms.list({ namespace: '', limit: 2, continueToken: p1.continueToken });
    assert.deepEqual(names(p2), ['c2', 'c3']);
    assert.equal((p2.items[1]!.object as KubeObject & { data: { v: string } }).data.v, '1');
    assert.equal(ranges(), 0);
    cache.dispose();
  });

  test('a token whose snapshot expired is served from storage at its revision', async () => {
    const { cms, ctx, cache, clock, ranges } = await filled(5);
    const p1 = await cms.list({ namespace: 'default', limit: 2 });
    await cms.delete(ctx, 'default', 'c3', {});
    clock.step(121_000);
    const p2 = await cms.list({ namespace: 'default', limit: 2, continueToken: p1.continueToken });
    assert.deepEqual(names(p2), ['c2', 'c3']);
    assert.equal(p2.resourceVersion, p1.resourceVersion);
    assert.equal(p2.remainingItemCount, 1);
    assert.ok(ranges() > 0, 'read from storage');
    cache.dispose();
  });

  test('a filtered LIST fills its pages with matches and does not count what remains', async () => {
    const { cms, cache } = await filled(7);
    const odd = { predicate: (o: Readonly<KubeObject>) => o.metadata.labels?.parity === 'odd', filtered: true };
    const p1 = await cms.list({ namespace: 'default', limit: 2, ...odd });
    assert.deepEqual(names(p1), ['c1', 'c3']);
    assert.equal(p1.remainingItemCount, undefined);
    const p2 = await cms.list({ namespace: 'default', limit: 2, continueToken: p1.continueToken, ...odd });
    // c5 is the last match: the page ends with the objects, and nothing continues.
    assert.deepEqual(names(p2), ['c5']);
    assert.equal(p2.continueToken, undefined);
    cache.dispose();
  });

  test('a LIST that fits its first page keeps no snapshot and has no continue token', async () => {
    const { cms, cache } = await filled(3);
    const p = await cms.list({ namespace: 'default', limit: 3 });
    assert.deepEqual(names(p), ['c0', 'c1', 'c2']);
    assert.equal(p.continueToken, undefined);
    assert.equal(p.remainingItemCount, undefined);
    cache.dispose();
  });
});
