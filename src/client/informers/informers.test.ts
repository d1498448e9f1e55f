import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../machinery/clock.js';
import { StatusError } from '../../machinery/errors/index.js';
import type { KubeList, KubeObject } from '../../machinery/meta/types.js';
import { RESTClient } from '../rest/rest-client.js';
import { HTTP2Transport } from '../rest/http2-transport.js';
import { ResourceClient, type ListOptions, type WatchOptions } from '../rest/resource-client.js';
import type { WatchEvent } from '../rest/watch-decoder.js';
import { startTestAPIServer } from '../../testing/api-server.js';
import type { ListerWatcher } from './lister-watcher.js';
import { type DeletedFinalStateUnknown, SharedInformer, isDeletedFinalStateUnknown } from './shared-informer.js';
import { SharedInformerFactory } from './shared-informer-factory.js';

const cm = (name: string, rv: string, data: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name, resourceVersion: rv }, data });

/** A watch stream the test pushes events into. */
class Channel<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private wake?: () => void;
  private closed = false;
  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }
  close(): void {
    this.closed = true;
    this.wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.items.length) {
        yield this.items.shift()!;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}

/** Scripted lists; each watch call gets a fresh channel recorded with its options. */
class FakeListerWatcher implements ListerWatcher {
  lists: (KubeList | Error)[] = [];
  listCalls: ListOptions[] = [];
  watches: { opts: WatchOptions; ch: Channel<WatchEvent> }[] = [];
  private listed?: () => void;
  async list(opts: ListOptions): Promise<KubeList> {
    this.listCalls.push(opts);
    this.listed?.();
    const next = this.lists.shift();
    if (!next) throw new Error('no list scripted');
    if (next instanceof Error) throw next;
    return next;
  }
  watch(opts: WatchOptions): AsyncIterable<WatchEvent> {
    const ch = new Channel<WatchEvent>();
    this.watches.push({ opts, ch });
    opts.signal?.addEventListener('abort', () => ch.close());
    return ch;
  }
}

const tick = () => new Promise((r) => setImmediate(r));
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await tick();
  }
  assert.fail(`timed out waiting for ${what}`);
}

const list = (rv: string, items: KubeObject[]): KubeList => ({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: rv }, items });

function recorder() {
  const log: string[] = [];
  const tombstones: DeletedFinalStateUnknown<KubeObject>[] = [];
  return {
    log,
    tombstones,
    handler: {
      onAdd: (o: KubeObject, initial: boolean) => log.push(`add ${o.metadata.name}${initial ? ' initial' : ''}`),
      onUpdate: (a: KubeObject, b: KubeObject) => log.push(`update ${b.metadata.name} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
      onDelete: (o: KubeObject | DeletedFinalStateUnknown<KubeObject>) => {
        if (isDeletedFinalStateUnknown(o)) {
          tombstones.push(o);
          log.push(`tombstone ${o.key}`);
        } else log.push(`delete ${o.metadata.name}`);
      },
    },
  };
}

describe('SharedInformer with a fake lister/watcher', () => {
  test('lists, then watches from the list resourceVersion with bookmarks', async () => {
    const lw = new FakeListerWatcher();
    lw.lists.push(list('10', [cm('a', '5')]));
    const inf = new SharedInformer({ listerWatcher: lw, clock: new FakeClock(), freeze: true });
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    const abort = new AbortController();
    const run = inf.run(abort.signal);
    await until(() => lw.watches.length === 1, 'watch');
    assert.equal(inf.hasSynced(), true);
    assert.equal(lw.watches[0]!.opts.resourceVersion, '10');
    assert.equal(lw.watches[0]!.opts.allowWatchBookmarks, true);
    const ch = lw.watches[0]!.ch;
    ch.push({ type: 'ADDED', object: cm('b', '11') });
    ch.push({ type: 'MODIFIED', object: cm('a', '12', { x: 'y' }) });
    ch.push({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '15' } } });
    ch.push({ type: 'DELETED', object: cm('b', '16') });
    await until(() => rec.log.length === 4, 'events');
    assert.deepEqual(rec.log, ['add a initial', 'add b', 'update a 5->12', 'delete b']);
    assert.equal(inf.lastSyncResourceVersion(), '16');
    const cached = inf.lister().get('ns', 'a')!;
    assert.throws(() => ((cached.data as Record<string, string>).x = 'mutated'), TypeError);
    abort.abort();
    await run;
  });

  test('a watch that ends resumes from the last resourceVersion without a list', async () => {
    const lw = new FakeListerWatcher();
    lw.lists.push(list('10', []));
    const inf = new SharedInformer({ listerWatcher: lw, clock: new FakeClock() });
    const abort = new AbortController();
    const run = inf.run(abort.signal);
    await until(() => lw.watches.length === 1, 'watch');
    lw.watches[0]!.ch.push({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '20' } } });
    lw.watches[0]!.ch.close();
    await until(() => lw.watches.length === 2, 'second watch');
    assert.equal(lw.watches[1]!.opts.resourceVersion, '20');
    assert.equal(lw.listCalls.length, 1);
    abort.abort();
    await run;
  });

  test('410 Gone re-lists; deletions missed meanwhile become tombstones', async () => {
    const lw = new FakeListerWatcher();
    lw.lists.push(list('10', [cm('a', '5'), cm('b', '6')]), list('30', [cm('a', '25')]));
    const inf = new SharedInformer({ listerWatcher: lw, clock: new FakeClock() });
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    const abort = new AbortController();
    const run = inf.run(abort.signal);
    await until(() => lw.watches.length === 1, 'watch');
    lw.watches[0]!.ch.push({ type: 'ERROR', object: new StatusError(410, 'Expired', 'too old resource version: 10 (20)').toStatus() });
    await until(() => lw.watches.length === 2, 're-watch');
    assert.equal(lw.listCalls.length, 2);
    assert.equal(lw.watches[1]!.opts.resourceVersion, '30');
    assert.deepEqual(rec.log, ['add a initial', 'add b initial', 'update a 5->25', 'tombstone ns/b']);
    assert.equal(rec.tombstones[0]!.obj.metadata.resourceVersion, '6');
    assert.equal(inf.lister().get('ns', 'b'), undefined);
    abort.abort();
    await run;
  });

  test('list failures back off exponentially on the injected clock', async () => {
    const lw = new FakeListerWatcher();
    lw.lists.push(new Error('boom'), new Error('boom'), list('3', []));
    const clock = new FakeClock();
    const inf = new SharedInformer({ listerWatcher: lw, clock, backoff: { initialMs: 100, maxMs: 1000 } });
    const abort = new AbortController();
    const run = inf.run(abort.signal);
    await until(() => lw.listCalls.length === 1 && clock.hasWaiters(), 'first failure');
    clock.step(99);
    await tick();
    assert.equal(lw.listCalls.length, 1);
    clock.step(1);
    await until(() => lw.listCalls.length === 2 && clock.hasWaiters(), 'second failure');
    clock.step(199);
    await tick();
    assert.equal(lw.listCalls.length, 2, 'second delay doubled');
    clock.step(1);
    await until(() => inf.hasSynced(), 'sync');
    abort.abort();
    await run;
  });

  test('a handler added after sync is replayed the cache', async () => {
    const lw = new FakeListerWatcher();
    lw.lists.push(list('10', [cm('a', '5')]));
    const inf = new SharedInformer({ listerWatcher: lw, clock: new FakeClock() });
    const abort = new AbortController();
    const run = inf.run(abort.signal);
    assert.equal(await inf.waitForSync(abort.signal), true);
    const rec = recorder();
    const reg = inf.addEventHandler(rec.handler);
    assert.deepEqual(rec.log, ['add a initial']);
    await reg.dispose();
    lw.watches[0]!.ch.push({ type: 'ADDED', object: cm('b', '11') });
    await until(() => inf.indexer.listKeys().length === 2, 'b cached');
    assert.deepEqual(rec.log, ['add a initial'], 'removed handler is not called');
    abort.abort();
    await run;
  });
});

describe('SharedInformerFactory against an in-process API server', () => {
  test('shares one informer per resource, syncs, and follows changes', async () => {
    const srv = await startTestAPIServer();
    const transport = new HTTP2Transport({ server: srv.url, caPEM: srv.credentials.caPEM, certPEM: srv.credentials.certPEM, keyPEM: srv.credentials.keyPEM });
    const rest = new RESTClient(transport);
    const gvr = { group: '', version: 'v1', resource: 'configmaps' };
    const client = new ResourceClient(rest, gvr, 'default');
    const abort = new AbortController();
    try {
      await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before' } });
      const factory = new SharedInformerFactory({ source: rest, clock: new FakeClock(), freeze: true });
      const inf = factory.informerFor(gvr);
      assert.equal(factory.informerFor(gvr), inf);
      const added: string[] = [];
      inf.addEventHandler({ onAdd: (o) => added.push(o.metadata.name!) });
      factory.start(abort.signal);
      assert.equal(await factory.waitForCacheSync(abort.signal), true);
      assert.ok(inf.lister().get('default', 'before'));
      await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after', labels: { x: 'y' } } });
      for (let i = 0; i < 100 && !added.includes('after'); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(added.includes('after'));
      assert.deepEqual(inf.lister().listInNamespace('default', 'x=y').map((o) => o.metadata.name), ['after']);
      abort.abort();
      await factory.shutdown();
    } finally {
      abort.abort();
      transport.close();
      await srv.stop();
    }
  });
});
