import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeClock } from '../../machinery/clock.js';
import { createLogger } from '../../machinery/log.js';
import { runBackendConformance, WatchCollector, encodeText, decodeText } from '../conformance.case.test.js';
import { SqliteBackend } from './sqlite-backend.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-sqlite-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = () => path.join(root, `t${n++}`, 'state.db');

/** The first `count` events a watch from `afterRevision` replays, as `TYPE value prev=value`. */
async function replayed(b: SqliteBackend, prefix: string, afterRevision: number, count: number): Promise<string[]> {
  const col = new WatchCollector();
  b.watch(prefix, { afterRevision, onEvents: col.onEvents, signal: col.ac.signal });
  await col.until(`${count} events`, () => col.events.length >= count);
  col.ac.abort();
  return col.events.slice(0, count).map((e) => `${e.type} ${decodeText(e.kv.value)} prev=${e.prev && decodeText(e.prev.value)}`);
}

runBackendConformance('sqlite', async () => {
  const backend = new SqliteBackend({ path: freshPath() });
  return { backend, cleanup: async () => backend.dispose() };
});

describe('SqliteBackend', () => {
  test('reopening a file resumes at its revision, history, compaction and leases', async () => {
    const file = freshPath();
    const clock = new FakeClock();
    const a = new SqliteBackend({ path: file, clock });
    const c = await a.create('/k', encodeText('v1'));
    assert.ok(c.ok);
    const u = await a.update('/k', encodeText('v2'), c.revision);
    assert.ok(u.ok);
    const lease = await a.grantLease(60);
    assert.ok((await a.create('/leased', encodeText('l'), { lease: lease.id })).ok);
    await a.compact(c.revision);
    const rev = await a.currentRevision();
    a.dispose();

    const b = new SqliteBackend({ path: file, clock });
    assert.equal(await b.currentRevision(), rev);
    assert.equal(await b.compactRevision(), c.revision);
    assert.equal(decodeText((await b.get('/k', { revision: c.revision }))!.value), 'v1');
    const next = await b.create('/other', encodeText('x'));
    assert.ok(next.ok);
    assert.equal(next.revision, rev + 1);
    assert.ok(await b.get('/leased'));
    clock.step(60_000);
    assert.equal(await b.get('/leased'), undefined, 'a lease granted before the restart still expires');
    b.dispose();
  });

  test('watch replays rows written before a reopen', async () => {
    const file = freshPath();
    const a = new SqliteBackend({ path: file });
    const first = await a.create('/w/a', encodeText('1'));
    assert.ok(first.ok);
    await a.update('/w/a', encodeText('2'), first.revision);
    await a.delete('/w/a');
    a.dispose();
    const b = new SqliteBackend({ path: file });
    assert.deepEqual(await replayed(b, '/w/', first.revision, 2), ['PUT 2 prev=1', 'DELETE 2 prev=2']);
    b.dispose();
  });

  test('rows keep no copy of the previous value; replay after a compaction still has it', async () => {
    const file = freshPath();
    const a = new SqliteBackend({ path: file });
    const c = await a.create('/p/a', encodeText('1'));
    assert.ok(c.ok);
    const u2 = await a.update('/p/a', encodeText('2'), c.revision);
    assert.ok(u2.ok);
    const u3 = await a.update('/p/a', encodeText('3'), u2.revision);
    assert.ok(u3.ok);
    await a.delete('/p/a');
    const db = new Database(file, { readonly: true });
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM kine WHERE old_value IS NOT NULL').get() as { n: number }).n, 0);
    db.close();
    // Rows 1 and 2 are history below the compacted revision; the events after it still find their previous values.
    await a.compact(u2.revision);
    assert.deepEqual(await replayed(a, '/p/', u2.revision, 2), ['PUT 3 prev=2', 'DELETE 3 prev=3']);
    a.dispose();
  });

  test('rows written with old_value (an earlier layout) replay from it', async () => {
    const file = freshPath();
    const a = new SqliteBackend({ path: file });
    const c = await a.create('/o/a', encodeText('1'));
    assert.ok(c.ok);
    const u = await a.update('/o/a', encodeText('2'), c.revision);
    assert.ok(u.ok);
    a.dispose();
    const db = new Database(file);
    db.prepare('UPDATE kine SET old_value = ? WHERE id = ?').run(Buffer.from('written-before'), u.revision);
    db.close();
    const b = new SqliteBackend({ path: file });
    assert.deepEqual(await replayed(b, '/o/', c.revision, 1), ['PUT 2 prev=written-before']);
    b.dispose();
  });

  test('automatic compaction keeps one key churned thousands of times bounded', async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', sink: { write: (l) => lines.push(l) } });
    const b = new SqliteBackend({ path: freshPath(), clock, logger, compactIntervalMs: 60_000, compactMinRetain: 100, compactBatch: 1000 });
    const payload = encodeText('x'.repeat(2000));
    const churn = async (times: number) => {
      let rev = (await b.get('/churn'))?.modRevision;
      for (let i = 0; i < times; i++) {
        const r = rev === undefined ? await b.create('/churn', payload) : await b.update('/churn', payload, rev);
        assert.ok(r.ok);
        rev = r.revision;
      }
    };
    const compactOnce = async () => {
      const before = lines.length;
      clock.step(60_000);
      const deadline = Date.now() + 5000;
      while (lines.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.ok(lines.length > before, 'automatic compaction ran and logged');
    };
    await churn(3000);
    const grown = b.sizeBytes();
    assert.equal(b.rowCount(), 3000);
    await compactOnce();
    assert.match(lines.at(-1)!, /compacted storage/);
    assert.match(lines.at(-1)!, /toRevision=2900/);
    assert.ok(b.rowCount() <= 101, `rows after compaction: ${b.rowCount()}`);
    const settled = b.sizeBytes();
    assert.ok(settled < grown / 4, `file did not shrink: ${grown} -> ${settled}`);
    for (let round = 0; round < 3; round++) {
      await churn(3000);
      await compactOnce();
      assert.ok(b.rowCount() <= 101, `round ${round}: rows ${b.rowCount()}`);
      assert.ok(b.sizeBytes() <= settled * 1.5 + 64 * 1024, `round ${round}: size ${b.sizeBytes()} vs ${settled}`);
    }
    assert.equal(decodeText((await b.get('/churn'))!.value), 'x'.repeat(2000));
    assert.equal((await b.get('/churn'))!.createRevision, 1);
    b.dispose();
  });

  test('every write acknowledged before kill -9 survives', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'kill-'));
    const file = path.join(dir, 'state.db');
    const moduleUrl = new URL('./sqlite-backend.js', import.meta.url).href;
    const script = path.join(dir, 'writer.mjs');
    fs.writeFileSync(script, [
      `import { SqliteBackend } from ${JSON.stringify(moduleUrl)};`,
      `const b = new SqliteBackend({ path: ${JSON.stringify(file)} });`,
      'const enc = new TextEncoder();',
      // Eight writers at once, so writes commit in groups as a busy server's do.
      'await Promise.all(Array.from({ length: 8 }, async (_, w) => {',
      '  for (let i = w; ; i += 8) {',
      '    const r = await b.create(`/kill/${i}`, enc.encode(String(i)));',
      '    if (!r.ok) process.exit(2);',
      '    process.stdout.write(`${i} ${r.revision}\\n`);',
      '  }',
      '}));',
    ].join('\n'));
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: [number, number][] = [];
    let buf = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        const parts = buf.split('\n');
        buf = parts.pop()!;
        for (const p of parts) {
          const [i, rev] = p.split(' ').map(Number) as [number, number];
          acked.push([i, rev]);
        }
        if (acked.length >= 2000 && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    assert.equal(await exited, 'SIGKILL');
    const b = new SqliteBackend({ path: file });
    const missing = [];
    for (const [i, rev] of acked) {
      const kv = await b.get(`/kill/${i}`);
      if (!kv || kv.modRevision !== rev || decodeText(kv.value) !== String(i)) missing.push(i);
    }
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged writes lost`);
    assert.ok((await b.currentRevision()) >= acked.at(-1)![1]);
    b.dispose();
  });

  test('two processes writing one file: compare-and-swap loses no update', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'cas-'));
    const file = path.join(dir, 'state.db');
    const seed = new SqliteBackend({ path: file });
    assert.ok((await seed.create('/cas/counter', encodeText('0'))).ok);
    seed.dispose();
    const moduleUrl = new URL('./sqlite-backend.js', import.meta.url).href;
    const script = path.join(dir, 'incrementer.mjs');
    const PER_WRITER = 150;
    // Update guarded by the revision last seen, retrying from the current value a conflict returns
    // (this process's reads stop at its own revision): a lost update would leave the count short.
    fs.writeFileSync(script, [
      `import { SqliteBackend } from ${JSON.stringify(moduleUrl)};`,
      `const b = new SqliteBackend({ path: ${JSON.stringify(file)}, compactIntervalMs: 0 });`,
      'const enc = new TextEncoder(), dec = new TextDecoder();',
      'let conflicts = 0;',
      "let kv = await b.get('/cas/counter');",
      `for (let done = 0; done < ${PER_WRITER}; ) {`,
      "  const r = await b.update('/cas/counter', enc.encode(String(Number(dec.decode(kv.value)) + 1)), kv.modRevision);",
      '  if (r.ok) { done++; kv = r.kv; } else { conflicts++; kv = r.kv; }',
      '  // Let the other process in between groups.',
      '  await new Promise((res) => setTimeout(res, Math.random() < 0.5 ? 0 : 1));',
      '}',
      'b.dispose();',
      'process.stdout.write(String(conflicts));',
    ].join('\n'));
    const run = () =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`writer exited with ${code}`))));
      });
    const conflicts = await Promise.all([run(), run()]);
    const b = new SqliteBackend({ path: file });
    try {
      const kv = (await b.get('/cas/counter'))!;
      assert.equal(decodeText(kv.value), String(2 * PER_WRITER), `every increment counted (conflicts seen: ${conflicts.join(', ')})`);
      // History is one chain: every revision is the previous one of at most one later write.
      const db = new Database(file, { readonly: true });
      const dup = db.prepare("SELECT prev_revision, COUNT(*) AS n FROM kine WHERE name = '/cas/counter' GROUP BY prev_revision HAVING n > 1").all();
      db.close();
      assert.deepEqual(dup, []);
    } finally {
      b.dispose();
    }
  });

  test('writes made together commit as one group, acknowledged and published only once committed', async () => {
    const file = freshPath();
    const b = new SqliteBackend({ path: file });
    const other = new Database(file, { readonly: true });
    const committedRows = () => (other.prepare('SELECT COUNT(*) AS n FROM kine').get() as { n: number }).n;
    try {
      const w = new WatchCollector();
      b.watch('/g/', { afterRevision: 0, onEvents: w.onEvents, onError: w.onError, signal: w.ac.signal });
      const writes = Array.from({ length: 20 }, (_, i) => b.create(`/g/${i}`, encodeText(String(i))));
      // Nothing is on disk for another reader, nor published, before the group commits;
      // this connection reads its own group already.
      assert.equal(committedRows(), 0);
      assert.equal(await b.currentRevision(), 0);
      assert.equal(decodeText((await b.get('/g/3'))!.value), '3');
      await Promise.resolve();
      assert.equal(w.events.length, 0);
      const results = await Promise.all(writes);
      assert.deepEqual(results.map((r) => r.revision), Array.from({ length: 20 }, (_, i) => i + 1));
      assert.equal(committedRows(), 20, 'acknowledged writes are committed');
      assert.equal(await b.currentRevision(), 20);
      await w.until('20 events', () => w.events.length === 20);
      assert.deepEqual(w.events.map((e) => e.kv.modRevision), Array.from({ length: 20 }, (_, i) => i + 1));
      w.ac.abort();
    } finally {
      other.close();
      b.dispose();
    }
  });

  test('a watch from a revision read inside an open group gets each later event once', async () => {
    const b = new SqliteBackend({ path: freshPath() });
    try {
      await b.create('/r/a', encodeText('a'));
      const pending = [b.create('/r/b', encodeText('b')), b.create('/r/c', encodeText('c'))];
      const listed = await b.range('/r/');
      assert.deepEqual(listed.kvs.map((kv) => kv.key), ['/r/a', '/r/b', '/r/c']);
      assert.equal(listed.revision, 3);
      const fromList = new WatchCollector();
      b.watch('/r/', { afterRevision: listed.revision, onEvents: fromList.onEvents, onError: fromList.onError, signal: fromList.ac.signal });
      const fromOne = new WatchCollector();
      b.watch('/r/', { afterRevision: 1, onEvents: fromOne.onEvents, onError: fromOne.onError, signal: fromOne.ac.signal });
      await Promise.all(pending);
      await b.create('/r/d', encodeText('d'));
      await fromList.until('d', () => fromList.events.length >= 1);
      await fromOne.until('b, c and d', () => fromOne.events.length >= 3);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(fromList.events.map((e) => e.kv.key), ['/r/d'], 'b and c were in the list');
      assert.deepEqual(fromOne.events.map((e) => e.kv.key), ['/r/b', '/r/c', '/r/d']);
      fromList.ac.abort();
      fromOne.ac.abort();
    } finally {
      b.dispose();
    }
  });

  test('a group SQLite rolls back is not acknowledged, published or counted', async () => {
    const file = freshPath();
    const b = new SqliteBackend({ path: file });
    try {
      assert.ok((await b.create('/f/kept', encodeText('k'))).ok);
      const ddl = new Database(file);
      ddl.exec(`CREATE TRIGGER boom BEFORE INSERT ON kine WHEN NEW.name = '/f/boom' BEGIN SELECT RAISE(ROLLBACK, 'boom'); END`);
      ddl.close();
      const w = new WatchCollector();
      b.watch('/f/', { afterRevision: 1, onEvents: w.onEvents, onError: w.onError, signal: w.ac.signal });
      const lost = b.create('/f/lost', encodeText('l'));
      const boom = await b.create('/f/boom', encodeText('b')).catch((err: unknown) => err);
      assert.equal((boom as { ok?: boolean }).ok, false, 'the refused write fails');
      await assert.rejects(lost, 'the write grouped with it is rolled back too, and says so');
      assert.equal(await b.currentRevision(), 1);
      assert.equal(await b.get('/f/lost'), undefined);
      // The backend goes on: the next write takes the next revision.
      const next = await b.create('/f/next', encodeText('n'));
      assert.deepEqual([next.ok, next.revision], [true, 2]);
      await w.until('next', () => w.events.length >= 1);
      assert.deepEqual(w.events.map((e) => e.kv.key), ['/f/next']);
      w.ac.abort();
    } finally {
      b.dispose();
    }
  });
});
