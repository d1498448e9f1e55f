import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../machinery/clock.js';
import { HeartbeatWheel } from './heartbeat-wheel.js';

function record(periodMs: number, tickMs: number, items: number) {
  const clock = new FakeClock(0);
  const fired: { at: number; items: number[] }[] = [];
  const wheel = new HeartbeatWheel<number>({ clock, periodMs, tickMs, fire: (due) => fired.push({ at: clock.now(), items: [...due] }) });
  for (let i = 0; i < items; i++) wheel.add(i);
  return { clock, fired, wheel };
}

describe('HeartbeatWheel', () => {
  it('fires every item once per period, a slot per tick', () => {
    const { clock, fired, wheel } = record(10_000, 1000, 25);
    assert.equal(wheel.slotCount, 10);
    wheel.start();
    clock.step(10_000);
    assert.deepEqual(fired.map((f) => f.at), [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
    assert.deepEqual(fired.flatMap((f) => f.items).sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i));
    // Round-robin: slots differ in size by at most one.
    const sizes = fired.map((f) => f.items.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `uneven slots ${sizes}`);
    // The next period repeats the same groups at the same offsets.
    clock.step(10_000);
    assert.deepEqual(fired.slice(10).map((f) => f.items), fired.slice(0, 10).map((f) => f.items));
    assert.deepEqual(fired.slice(10).map((f) => f.at - 10_000), fired.slice(0, 10).map((f) => f.at));
  });

  it('keeps the period exact when the tick does not divide it', () => {
    const { clock, fired, wheel } = record(10_000, 3000, 3);
    assert.equal(wheel.slotCount, 3);
    wheel.start();
    clock.step(20_000);
    const item0 = fired.filter((f) => f.items.includes(0)).map((f) => f.at);
    assert.equal(item0.length, 2);
    assert.ok(Math.abs(item0[1]! - item0[0]! - 10_000) < 1, `item 0 fired at ${item0}`);
  });

  it('uses one slot when the tick is longer than the period', () => {
    const { clock, fired, wheel } = record(250, 1000, 4);
    assert.equal(wheel.slotCount, 1);
    wheel.start();
    clock.step(1000);
    assert.deepEqual(fired.map((f) => [f.at, f.items.length]), [[250, 4], [500, 4], [750, 4], [1000, 4]]);
  });

  it('skips empty slots and stops firing once stopped', () => {
    const { clock, fired, wheel } = record(10_000, 1000, 2);
    wheel.start();
    wheel.start();
    clock.step(10_000);
    assert.equal(fired.length, 2, 'only the two slots with an item fire, and a second start adds no timer');
    wheel.stop();
    clock.step(30_000);
    assert.equal(fired.length, 2);
    assert.equal(clock.hasWaiters(), false);
  });

  it('refuses a period or tick that is not positive', () => {
    const clock = new FakeClock(0);
    assert.throws(() => new HeartbeatWheel({ clock, periodMs: 0, tickMs: 1000, fire: () => {} }), /must be positive/);
    assert.throws(() => new HeartbeatWheel({ clock, periodMs: 1000, tickMs: -1, fire: () => {} }), /must be positive/);
  });
});
