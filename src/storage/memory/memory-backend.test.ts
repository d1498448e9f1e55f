import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../machinery/clock.js';
import { runBackendConformance, WatchCollector, encodeText } from '../conformance.case.test.js';
import { MemoryBackend } from './memory-backend.js';

runBackendConformance('memory', async () => {
  const backend = new MemoryBackend();
  return { backend, cleanup: async () => backend.dispose() };
});

describe('MemoryBackend with a fake clock', () => {
  test('a lease expires exactly when its TTL passes', async () => {
    const clock = new FakeClock();
    const b = new MemoryBackend({ clock });
    const lease = await b.grantLease(10);
    assert.ok((await b.create('/k', encodeText('v'), { lease: lease.id })).ok);
    clock.step(9_999);
    assert.ok(await b.get('/k'));
    clock.step(1);
    assert.equal(await b.get('/k'), undefined);
    await assert.rejects(b.keepAliveLease(lease.id));
    b.dispose();
  });

  test('progress notifications report the current revision', async () => {
    const clock = new FakeClock();
    const b = new MemoryBackend({ clock, progressIntervalMs: 1000 });
    const col = new WatchCollector();
    b.watch('/p/', { onEvents: col.onEvents, onProgress: col.onProgress, signal: col.ac.signal });
    await b.create('/other', encodeText('x'));
    clock.step(1000);
    clock.step(1000);
    assert.deepEqual(col.progress, [1, 1]);
    col.ac.abort();
    clock.step(1000);
    assert.equal(col.progress.length, 2);
    b.dispose();
  });
});
