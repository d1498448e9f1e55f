import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import { runSyncedWorkers } from './queue-worker.js';

function harness(synced: boolean[]) {
  const queue = new RateLimitingQueue<string>({ clock: new FakeClock() });
  const disposed: number[] = [];
  const handlers = [0, 1].map((i) => ({ dispose: () => void disposed.push(i) }));
  const informers = synced.map((s) => ({ waitForSync: async () => s }));
  return { queue, disposed, handlers, informers };
}

describe('runSyncedWorkers', () => {
  test('caches that never sync: no worker runs, the queue shuts down and the handlers go', async () => {
    const h = harness([true, false]);
    const reconciled: string[] = [];
    let started = false;
    h.queue.add('a');
    await runSyncedWorkers({ ...h, onSynced: () => (started = true), reconcile: async (k) => void reconciled.push(k), workers: 2, signal: new AbortController().signal, logger: silentLogger });
    assert.deepEqual([started, reconciled, h.queue.shuttingDown(), h.disposed], [false, [], true, [0, 1]]);
  });

  test('synced caches: onSynced first, keys reconciled until abort, then cleanup', async () => {
    const h = harness([true, true]);
    const order: string[] = [];
    const stop = new AbortController();
    h.queue.add('a');
    h.queue.add('b');
    const running = runSyncedWorkers({
      ...h,
      onSynced: () => order.push('synced'),
      reconcile: async (k) => {
        order.push(k);
        if (k === 'b') stop.abort();
      },
      workers: 1,
      signal: stop.signal,
      logger: silentLogger,
    });
    await running;
    assert.deepEqual(order, ['synced', 'a', 'b']);
    assert.deepEqual([h.queue.shuttingDown(), h.disposed], [true, [0, 1]]);
  });
});
