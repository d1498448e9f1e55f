import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../machinery/clock.js';
import { DelayingQueue } from './delaying-queue.js';
import { Queue } from './queue.js';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, defaultControllerRateLimiter } from './rate-limiters.js';
import { RateLimitingQueue } from './rate-limiting-queue.js';

async function key<K>(q: Queue<K>): Promise<K> {
  const item = await q.get();
  assert.equal(item.shutdown, false);
  return (item as { key: K }).key;
}

describe('Queue', () => {
  test('duplicates collapse while waiting', async () => {
    const q = new Queue();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.equal(await key(q), 'a');
    assert.equal(await key(q), 'b');
  });

  test('a key re-added while processing is processed again after done, never concurrently', async () => {
    const q = new Queue();
    q.add('a');
    const k = await key(q);
    q.add('a');
    assert.equal(q.len(), 0, 'not handed to a second worker while processing');
    q.done(k);
    assert.equal(q.len(), 1);
    assert.equal(await key(q), 'a');
  });

  test('a waiting worker gets the next key', async () => {
    const q = new Queue();
    const pending = q.get();
    q.add('x');
    assert.deepEqual(await pending, { shutdown: false, key: 'x' });
  });

  test('shutDown wakes waiters and refuses new keys', async () => {
    const q = new Queue();
    const pending = q.get();
    q.shutDown();
    assert.deepEqual(await pending, { shutdown: true });
    q.add('late');
    assert.equal(q.len(), 0);
  });

  test('shutDownWithDrain waits for keys being processed', async () => {
    const q = new Queue();
    q.add('a');
    const k = await key(q);
    let drained = false;
    const d = q.shutDownWithDrain().then(() => (drained = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(drained, false);
    q.done(k);
    await d;
    assert.equal(drained, true);
  });
});

describe('DelayingQueue', () => {
  test('addAfter waits on the clock and keeps the earliest time', () => {
    const clock = new FakeClock();
    const q = new DelayingQueue(clock);
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 500);
    q.addAfter('now', 0);
    assert.equal(q.len(), 1);
    clock.step(49);
    assert.equal(q.len(), 1);
    clock.step(1);
    assert.equal(q.len(), 2);
    clock.step(1000);
    assert.equal(q.len(), 2, 'later duplicates were dropped');
  });

  test('shutDown cancels pending delays', () => {
    const clock = new FakeClock();
    const q = new DelayingQueue(clock);
    q.addAfter('a', 10);
    q.shutDown();
    clock.step(100);
    assert.equal(q.len(), 0);
    assert.equal(clock.hasWaiters(), false);
  });
});

describe('rate limiters', () => {
  test('per-item exponential back-off 5ms doubling up to 1000s', () => {
    const l = new ItemExponentialFailureRateLimiter(5, 1000_000);
    const delays = Array.from({ length: 5 }, () => l.when('k'));
    assert.deepEqual(delays, [5, 10, 20, 40, 80]);
    assert.equal(l.when('other'), 5);
    assert.equal(l.numRequeues('k'), 5);
    for (let i = 0; i < 40; i++) l.when('k');
    assert.equal(l.when('k'), 1000_000);
    l.forget('k');
    assert.equal(l.numRequeues('k'), 0);
    assert.equal(l.when('k'), 5);
  });

  test('bucket: burst of 100 then 10 per second', () => {
    const clock = new FakeClock();
    const b = new BucketRateLimiter(clock, 10, 100);
    for (let i = 0; i < 100; i++) assert.equal(b.when(`k${i}`), 0);
    assert.equal(b.when('x'), 100);
    assert.equal(b.when('y'), 200);
    clock.step(1000);
    assert.equal(b.when('z'), 0);
  });

  test('default controller limiter takes the larger delay', () => {
    const clock = new FakeClock();
    const l = defaultControllerRateLimiter(clock);
    assert.equal(l.when('a'), 5);
    for (let i = 0; i < 99; i++) l.when(`b${i}`);
    assert.equal(l.when('c'), 100, 'bucket exhausted dominates the 5ms item delay');
  });
});

describe('RateLimitingQueue', () => {
  test('addRateLimited backs off per key; forget resets', async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000) });
    q.addRateLimited('a');
    assert.equal(q.len(), 0);
    clock.step(5);
    assert.equal(await key(q), 'a');
    q.done('a');
    q.addRateLimited('a');
    clock.step(9);
    assert.equal(q.len(), 0);
    clock.step(1);
    assert.equal(q.len(), 1);
    assert.equal(q.numRequeues('a'), 2);
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
  });
});
