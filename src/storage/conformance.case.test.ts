/**
 * The one suite every storage backend must pass. Each test opens its own
 * backend and writes under its own random prefix, so backends that share a
 * server (etcd) stay independent; revisions are only compared relatively.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendClosedError, CompactedError, type Backend, type WatchEvent } from './interface.js';

export type OpenBackend = () => Promise<{ backend: Backend; cleanup(): Promise<void> }>;

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let seq = 0;
function uniquePrefix(): string {
  return `/conformance/${process.pid}-${Date.now().toString(36)}-${seq++}/`;
}

/** Collects watch events until `until` holds, failing after `timeoutMs`. */
class Collector {
  events: WatchEvent[] = [];
  errors: Error[] = [];
  progress: number[] = [];
  private waiters: (() => void)[] = [];
  readonly ac = new AbortController();

  onEvents = (evs: WatchEvent[]) => {
    this.events.push(...evs);
    this.wake();
  };
  onError = (err: Error) => {
    this.errors.push(err);
    this.wake();
  };
  onProgress = (rev: number) => {
    this.progress.push(rev);
    this.wake();
  };

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}: have ${this.events.length} events, errors ${this.errors.map((e) => e.message).join('; ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

function summary(evs: WatchEvent[]): string[] {
  return evs.map((e) => `${e.type} ${e.kv.key} ${dec(e.kv.value)}${e.created ? ' created' : ''}`);
}

export function runBackendConformance(name: string, open: OpenBackend): void {
  const withBackend = (fn: (b: Backend, p: string) => Promise<void>) => async () => {
    const { backend, cleanup } = await open();
    try {
      await fn(backend, uniquePrefix());
    } finally {
      await cleanup();
    }
  };

  describe(`storage conformance: ${name}`, () => {
    test('revision is global and monotonic across keys', withBackend(async (b, p) => {
      const start = await b.currentRevision();
      const r1 = await b.create(p + 'a', enc('1'));
      const r2 = await b.create(p + 'b', enc('1'));
      assert.ok(r1.ok && r2.ok);
      const r3 = await b.update(p + 'a', enc('2'), r1.revision);
      const r4 = await b.delete(p + 'b');
      assert.ok(r3.ok && r4.ok);
      const revs = [start, r1.revision, r2.revision, r3.revision, r4.revision];
      for (let i = 1; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!, `revisions not increasing: ${revs.join(',')}`);
      assert.equal(await b.currentRevision(), r4.revision);
      assert.equal(r3.kv.modRevision, r3.revision);
    }));

    test('get returns the written value with its revisions', withBackend(async (b, p) => {
      assert.equal(await b.get(p + 'missing'), undefined);
      const c = await b.create(p + 'k', enc('{"a":1}'));
      assert.ok(c.ok);
      const kv = await b.get(p + 'k');
      assert.ok(kv);
      assert.equal(kv.key, p + 'k');
      assert.equal(dec(kv.value), '{"a":1}');
      assert.equal(kv.createRevision, c.revision);
      assert.equal(kv.modRevision, c.revision);
      assert.equal(kv.lease, 0);
      assert.deepEqual({ ...c.kv, value: dec(c.kv.value) }, { ...kv, value: dec(kv.value) });
    }));

    test('range isolates prefixes and returns keys in order', withBackend(async (b, p) => {
      for (const k of ['pods/ns/c', 'podsx/ns/z', 'pods/ns/a', 'pod', 'pods/ns2/b', 'pods/ns/b', 'pods']) {
        assert.ok((await b.create(p + k, enc(k))).ok);
      }
      const cases: { name: string; prefix: string; want: string[] }[] = [
        { name: 'resource prefix', prefix: 'pods/', want: ['pods/ns/a', 'pods/ns/b', 'pods/ns/c', 'pods/ns2/b'] },
        { name: 'namespace prefix', prefix: 'pods/ns/', want: ['pods/ns/a', 'pods/ns/b', 'pods/ns/c'] },
        { name: 'sibling resource', prefix: 'podsx/', want: ['podsx/ns/z'] },
        { name: 'no match', prefix: 'services/', want: [] },
      ];
      for (const c of cases) {
        const r = await b.range(p + c.prefix);
        assert.deepEqual(r.kvs.map((kv) => kv.key.slice(p.length)), c.want, c.name);
        assert.equal(r.count, c.want.length, c.name);
        assert.equal(r.more, false, c.name);
        assert.deepEqual(r.kvs.map((kv) => dec(kv.value)), c.want, c.name);
      }
    }));

    test('range pages with limit, more, count and startKey', withBackend(async (b, p) => {
      const keys = ['a', 'b', 'c', 'd', 'e'].map((k) => p + k);
      for (const k of keys) assert.ok((await b.create(k, enc(k))).ok);
      const first = await b.range(p, { limit: 2 });
      assert.deepEqual(first.kvs.map((kv) => kv.key), keys.slice(0, 2));
      assert.equal(first.more, true);
      assert.equal(first.count, 5);
      // Continue as the API server does: from the key after the last one, at the first page's revision.
      const second = await b.range(p, { limit: 2, startKey: keys[1] + '\x00', revision: first.revision });
      assert.deepEqual(second.kvs.map((kv) => kv.key), keys.slice(2, 4));
      assert.equal(second.more, true);
      assert.equal(second.count, 3);
      assert.equal(second.revision, first.revision);
      const third = await b.range(p, { limit: 2, startKey: keys[3] + '\x00', revision: first.revision });
      assert.deepEqual(third.kvs.map((kv) => kv.key), keys.slice(4));
      assert.equal(third.more, false);
      assert.equal(third.count, 1);
      const exact = await b.range(p, { limit: 5 });
      assert.equal(exact.kvs.length, 5);
      assert.equal(exact.more, false);
      const all = await b.range(p, { limit: 0 });
      assert.equal(all.kvs.length, 5);
      assert.equal(all.more, false);
      const counted = await b.range(p, { countOnly: true });
      assert.deepEqual(counted.kvs, []);
      assert.equal(counted.count, 5);
      const inclusive = await b.range(p, { startKey: keys[2] });
      assert.deepEqual(inclusive.kvs.map((kv) => kv.key), keys.slice(2));
    }));

    test('range and get at an old revision see history', withBackend(async (b, p) => {
      const a1 = await b.create(p + 'a', enc('a1'));
      assert.ok(a1.ok);
      const a2 = await b.update(p + 'a', enc('a2'), a1.revision);
      assert.ok(a2.ok);
      const b1 = await b.create(p + 'b', enc('b1'));
      assert.ok(b1.ok);
      const bDel = await b.delete(p + 'b');
      assert.ok(bDel.ok);
      const c1 = await b.create(p + 'c', enc('c1'));
      assert.ok(c1.ok);
      const cases: { name: string; rev: number; want: string[] }[] = [
        { name: 'after first create', rev: a1.revision, want: ['a=a1'] },
        { name: 'after update', rev: a2.revision, want: ['a=a2'] },
        { name: 'deleted key still visible before its delete', rev: b1.revision, want: ['a=a2', 'b=b1'] },
        { name: 'at the delete', rev: bDel.revision, want: ['a=a2'] },
        { name: 'latest', rev: 0, want: ['a=a2', 'c=c1'] },
      ];
      for (const c of cases) {
        const r = await b.range(p, { revision: c.rev });
        assert.deepEqual(r.kvs.map((kv) => `${kv.key.slice(p.length)}=${dec(kv.value)}`), c.want, c.name);
        if (c.rev) assert.equal(r.revision, c.rev, c.name);
      }
      const old = await b.get(p + 'a', { revision: a1.revision });
      assert.equal(old && dec(old.value), 'a1');
      assert.equal(old?.modRevision, a1.revision);
      const gone = await b.get(p + 'b', { revision: b1.revision });
      assert.equal(gone && dec(gone.value), 'b1');
      assert.equal(await b.get(p + 'b'), undefined);
    }));

    test('create is create-if-absent', withBackend(async (b, p) => {
      const first = await b.create(p + 'k', enc('one'));
      assert.ok(first.ok);
      const second = await b.create(p + 'k', enc('two'));
      assert.equal(second.ok, false);
      assert.ok(second.kv);
      assert.equal(dec(second.kv.value), 'one');
      assert.equal(second.kv.modRevision, first.revision);
      assert.equal(dec((await b.get(p + 'k'))!.value), 'one');
    }));

    test('update is guarded by modRevision', withBackend(async (b, p) => {
      const c = await b.create(p + 'k', enc('v1'));
      assert.ok(c.ok);
      const u1 = await b.update(p + 'k', enc('v2'), c.revision);
      assert.ok(u1.ok);
      assert.equal(u1.kv.createRevision, c.revision, 'createRevision survives updates');
      assert.equal(u1.kv.modRevision, u1.revision);
      assert.equal(dec(u1.kv.value), 'v2');

      const stale = await b.update(p + 'k', enc('v3'), c.revision);
      assert.equal(stale.ok, false);
      assert.ok(stale.kv, 'a stale update returns the current value');
      assert.equal(dec(stale.kv.value), 'v2');
      assert.equal(stale.kv.modRevision, u1.revision);

      const missing = await b.update(p + 'nope', enc('x'), c.revision);
      assert.equal(missing.ok, false);
      assert.equal(missing.kv, undefined);
      assert.equal(await b.get(p + 'nope'), undefined, 'a failed update must not create');
    }));

    test('delete guarded and unguarded', withBackend(async (b, p) => {
      const c = await b.create(p + 'g', enc('g1'));
      assert.ok(c.ok);
      const u = await b.update(p + 'g', enc('g2'), c.revision);
      assert.ok(u.ok);
      const stale = await b.delete(p + 'g', c.revision);
      assert.equal(stale.ok, false);
      assert.equal(stale.kv && dec(stale.kv.value), 'g2');
      const guarded = await b.delete(p + 'g', u.revision);
      assert.ok(guarded.ok);
      assert.equal(dec(guarded.prev.value), 'g2');
      assert.equal(guarded.prev.modRevision, u.revision);
      assert.equal(await b.get(p + 'g'), undefined);

      const c2 = await b.create(p + 'u', enc('u1'));
      assert.ok(c2.ok);
      const plain = await b.delete(p + 'u');
      assert.ok(plain.ok);
      assert.equal(dec(plain.prev.value), 'u1');
      const again = await b.delete(p + 'u');
      assert.equal(again.ok, false);
      assert.equal(again.kv, undefined);
      const guardedMissing = await b.delete(p + 'u', c2.revision);
      assert.equal(guardedMissing.ok, false);
      assert.equal(guardedMissing.kv, undefined);

      const re = await b.create(p + 'u', enc('u2'));
      assert.ok(re.ok);
      assert.equal(re.kv.createRevision, re.revision, 'a re-created key starts a new incarnation');
      assert.ok(re.kv.createRevision > c2.revision);
    }));

    test('watch replays history then delivers live events', withBackend(async (b, p) => {
      const a = await b.create(p + 'a', enc('a1'));
      assert.ok(a.ok);
      const a2 = await b.update(p + 'a', enc('a2'), a.revision);
      assert.ok(a2.ok);
      const col = new Collector();
      b.watch(p, { afterRevision: a.revision, onEvents: col.onEvents, onError: col.onError, signal: col.ac.signal });
      const del = await b.delete(p + 'a');
      assert.ok(del.ok);
      const c = await b.create(p + 'c', enc('c1'));
      assert.ok(c.ok);
      await col.until('3 events', () => col.events.length >= 3);
      col.ac.abort();
      assert.deepEqual(summary(col.events), [`PUT ${p}a a2`, `DELETE ${p}a a2`, `PUT ${p}c c1 created`]);
      assert.deepEqual(col.events.map((e) => e.kv.modRevision), [a2.revision, del.revision, c.revision]);
      const [put, dl, cr] = col.events as [WatchEvent, WatchEvent, WatchEvent];
      assert.equal(put.prev && dec(put.prev.value), 'a1');
      assert.equal(put.prev?.modRevision, a.revision);
      assert.equal(put.kv.createRevision, a.revision);
      assert.equal(dl.prev && dec(dl.prev.value), 'a2', 'DELETE carries prev');
      assert.equal(dl.prev?.modRevision, a2.revision);
      assert.equal(dl.created, false);
      assert.equal(cr.prev, undefined);
      assert.deepEqual(col.errors, []);
    }));

    test('watch from 0 sees only new events', withBackend(async (b, p) => {
      assert.ok((await b.create(p + 'old', enc('x'))).ok);
      const col = new Collector();
      b.watch(p, { onEvents: col.onEvents, onError: col.onError, signal: col.ac.signal });
      // Give a remote watch time to register before the write it must see.
      await sleep(100);
      const n = await b.create(p + 'new', enc('y'));
      assert.ok(n.ok);
      await col.until('1 event', () => col.events.length >= 1);
      await sleep(50);
      col.ac.abort();
      assert.deepEqual(summary(col.events), [`PUT ${p}new y created`]);
    }));

    test('watch has no gap and no duplicate while writes race with subscription', withBackend(async (b, p) => {
      const written: number[] = [];
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop && i < 60; i++) {
          const key = `${p}w${w}/${i % 5}`;
          const cur = await b.get(key);
          const r = cur ? await b.update(key, enc(`${i}`), cur.modRevision) : await b.create(key, enc(`${i}`));
          if (r.ok) written.push(r.revision);
          if (i % 7 === 6) {
            const d = await b.delete(key);
            if (d.ok) written.push(d.revision);
          }
        }
      };
      const writers = [0, 1, 2].map((w) => writer(w));
      while (written.length < 10) await sleep(1);
      const after = await b.currentRevision();
      const col = new Collector();
      b.watch(p, { afterRevision: after, onEvents: col.onEvents, onError: col.onError, signal: col.ac.signal });
      await Promise.all(writers);
      stop = true;
      const want = written.filter((r) => r > after).sort((x, y) => x - y);
      await col.until(`${want.length} events`, () => col.events.length >= want.length, 8000);
      await sleep(50);
      col.ac.abort();
      assert.deepEqual(col.events.map((e) => e.kv.modRevision), want);
      assert.deepEqual(col.errors, []);
    }));

    test('watch filters by prefix', withBackend(async (b, p) => {
      const start = (await b.create(p + 'seed', enc('s'))).revision;
      for (const k of ['pods/a', 'podsx/a', 'pod', 'pods/b']) assert.ok((await b.create(p + k, enc(k))).ok);
      const col = new Collector();
      b.watch(p + 'pods/', { afterRevision: start, onEvents: col.onEvents, onError: col.onError, signal: col.ac.signal });
      await col.until('2 events', () => col.events.length >= 2);
      assert.ok((await b.create(p + 'podsx/b', enc('x'))).ok);
      assert.ok((await b.create(p + 'pods/c', enc('pods/c'))).ok);
      await col.until('3 events', () => col.events.length >= 3);
      await sleep(50);
      col.ac.abort();
      assert.deepEqual(col.events.map((e) => e.kv.key.slice(p.length)), ['pods/a', 'pods/b', 'pods/c']);
    }));

    test('aborting a watch stops delivery', withBackend(async (b, p) => {
      const col = new Collector();
      const start = (await b.create(p + 'seed', enc('s'))).revision;
      b.watch(p + 'k/', { afterRevision: start, onEvents: col.onEvents, onError: col.onError, signal: col.ac.signal });
      assert.ok((await b.create(p + 'k/a', enc('1'))).ok);
      await col.until('1 event', () => col.events.length >= 1);
      col.ac.abort();
      assert.ok((await b.create(p + 'k/b', enc('2'))).ok);
      await sleep(150);
      assert.deepEqual(summary(col.events), [`PUT ${p}k/a 1 created`]);
      assert.deepEqual(col.errors, [], 'abort is not an error');
    }));

    test('compaction keeps latest values and refuses compacted reads and watches', withBackend(async (b, p) => {
      const a1 = await b.create(p + 'a', enc('a1'));
      assert.ok(a1.ok);
      const d = await b.create(p + 'd', enc('d1'));
      assert.ok(d.ok);
      let last = a1;
      for (let i = 2; i <= 5; i++) {
        const u = await b.update(p + 'a', enc(`a${i}`), last.revision);
        assert.ok(u.ok);
        last = u;
      }
      const mid = last.revision;
      const dd = await b.delete(p + 'd');
      assert.ok(dd.ok);
      const after = await b.update(p + 'a', enc('a6'), last.revision);
      assert.ok(after.ok);
      await b.compact(dd.revision);
      assert.ok((await b.compactRevision()) >= dd.revision);

      await assert.rejects(b.range(p, { revision: a1.revision }), CompactedError);
      await assert.rejects(b.get(p + 'a', { revision: mid }), CompactedError);
      const atCompaction = await b.range(p, { revision: dd.revision });
      assert.deepEqual(atCompaction.kvs.map((kv) => dec(kv.value)), ['a5'], 'the compacted revision itself stays readable');
      const latest = await b.range(p);
      assert.deepEqual(latest.kvs.map((kv) => dec(kv.value)), ['a6']);
      assert.equal(latest.kvs[0]!.createRevision, a1.revision);

      const col = new Collector();
      b.watch(p, { afterRevision: a1.revision, onEvents: col.onEvents, onError: col.onError, signal: col.ac.signal });
      await col.until('compacted error', () => col.errors.length > 0);
      assert.ok(col.errors[0] instanceof CompactedError, `got ${col.errors[0]}`);
      assert.deepEqual(col.events, []);

      const ok = new Collector();
      b.watch(p, { afterRevision: dd.revision, onEvents: ok.onEvents, onError: ok.onError, signal: ok.ac.signal });
      await ok.until('replayed event', () => ok.events.length >= 1);
      ok.ac.abort();
      assert.deepEqual(summary(ok.events), [`PUT ${p}a a6`]);
      assert.deepEqual(ok.errors, []);
    }));

    test('leases attach to keys and revoke deletes them', withBackend(async (b, p) => {
      const lease = await b.grantLease(30);
      assert.ok(lease.id !== 0);
      assert.ok(lease.ttlSeconds >= 30);
      const c = await b.create(p + 'leased', enc('l'), { lease: lease.id });
      assert.ok(c.ok);
      assert.equal(c.kv.lease, lease.id);
      assert.equal((await b.get(p + 'leased'))!.lease, lease.id);
      const u = await b.update(p + 'leased', enc('l2'), c.revision, { lease: lease.id });
      assert.ok(u.ok);
      assert.equal((await b.get(p + 'leased'))!.lease, lease.id);
      assert.ok((await b.create(p + 'free', enc('f'))).ok);
      const other = await b.create(p + 'moved', enc('m'), { lease: lease.id });
      assert.ok(other.ok);
      const detached = await b.update(p + 'moved', enc('m2'), other.revision);
      assert.ok(detached.ok);
      assert.equal(detached.kv.lease, 0, 'an update without a lease detaches the key');

      const start = await b.currentRevision();
      const col = new Collector();
      b.watch(p, { afterRevision: start, onEvents: col.onEvents, onError: col.onError, signal: col.ac.signal });
      await b.revokeLease(lease.id);
      await col.until('delete event', () => col.events.length >= 1);
      col.ac.abort();
      assert.deepEqual(summary(col.events), [`DELETE ${p}leased l2`]);
      assert.deepEqual((await b.range(p)).kvs.map((kv) => kv.key.slice(p.length)), ['free', 'moved']);
      await assert.rejects(b.create(p + 'late', enc('x'), { lease: lease.id }), 'a revoked lease cannot be attached');
    }));

    test('lease expiry deletes keys and keepAlive extends it', withBackend(async (b, p) => {
      const lease = await b.grantLease(2);
      const ttlMs = lease.ttlSeconds * 1000;
      const c = await b.create(p + 'k', enc('v'), { lease: lease.id });
      assert.ok(c.ok);
      const col = new Collector();
      b.watch(p, { afterRevision: c.revision, onEvents: col.onEvents, onError: col.onError, signal: col.ac.signal });
      const t0 = Date.now();
      await sleep(ttlMs * 0.6);
      await b.keepAliveLease(lease.id);
      await sleep(ttlMs * 0.6);
      assert.ok(await b.get(p + 'k'), `key expired ${Date.now() - t0} ms after grant despite keepAlive`);
      await col.until('expiry delete', () => col.events.length >= 1, ttlMs + 3000);
      col.ac.abort();
      assert.deepEqual(summary(col.events), [`DELETE ${p}k v`]);
      assert.equal(await b.get(p + 'k'), undefined);
    }));

    test('stats reports keys and revisions', withBackend(async (b, p) => {
      const before = await b.stats();
      for (const k of ['a', 'b', 'c']) assert.ok((await b.create(p + k, enc(k))).ok);
      assert.ok((await b.delete(p + 'a')).ok);
      const after = await b.stats();
      assert.equal(after.keys - before.keys, 2);
      assert.equal(after.revision, await b.currentRevision());
      assert.ok(after.revision > before.revision);
      assert.equal(after.compactRevision, await b.compactRevision());
      assert.ok(after.sizeBytes >= 0);
    }));

    test('concurrent writers on one key: exactly one compare-and-swap wins', withBackend(async (b, p) => {
      const creates = await Promise.all(Array.from({ length: 10 }, (_, i) => b.create(p + 'k', enc(`c${i}`))));
      assert.equal(creates.filter((r) => r.ok).length, 1);
      const base = (await b.get(p + 'k'))!;
      const updates = await Promise.all(Array.from({ length: 10 }, (_, i) => b.update(p + 'k', enc(`u${i}`), base.modRevision)));
      const winners = updates.filter((r) => r.ok);
      assert.equal(winners.length, 1);
      for (const r of updates) if (!r.ok) assert.equal(r.kv?.modRevision, winners[0]!.revision);
      const deletes = await Promise.all(Array.from({ length: 5 }, () => b.delete(p + 'k', winners[0]!.revision)));
      assert.equal(deletes.filter((r) => r.ok).length, 1);
    }));

    test('dispose ends watches with BackendClosedError', async () => {
      const { backend, cleanup } = await open();
      try {
        const col = new Collector();
        backend.watch(uniquePrefix(), { afterRevision: await backend.currentRevision(), onEvents: col.onEvents, onError: col.onError, signal: col.ac.signal });
        await sleep(50);
        await backend.dispose();
        await col.until('closed error', () => col.errors.length > 0);
        assert.equal(col.errors.length, 1);
        assert.ok(col.errors[0] instanceof BackendClosedError, `got ${col.errors[0]}`);
        await assert.rejects(backend.get('/x'), BackendClosedError);
      } finally {
        await cleanup();
      }
    });
  });
}

/** Exposed for backend-specific tests that want the same helpers. */
export { Collector as WatchCollector, enc as encodeText, dec as decodeText };
