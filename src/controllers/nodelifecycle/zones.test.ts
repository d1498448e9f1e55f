import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../machinery/clock.js';
import { defaultControllerConfig } from '../framework/controller-config.js';
import { RateLimitedTimedQueue } from './rate-limited-timed-queue.js';
import { TokenBucket } from './token-bucket.js';
import type { Node, NodeCondition } from './types.js';
import { type ZoneState, ZoneTainters, computeZoneState, isExcludedFromDisruptionChecks, zoneEvictionQPS, zoneKey } from './zones.js';

const settings = {
  nodeEvictionRate: defaultControllerConfig.nodeEvictionRate,
  secondaryNodeEvictionRate: defaultControllerConfig.secondaryNodeEvictionRate,
  largeClusterSizeThreshold: defaultControllerConfig.largeClusterSizeThreshold,
  unhealthyZoneThreshold: defaultControllerConfig.unhealthyZoneThreshold,
};

const ready = (status: string): NodeCondition => ({ type: 'Ready', status });
/** `r` Ready nodes and `n` not-ready ones. */
const conditions = (r: number, n: number) => [...Array.from({ length: r }, () => ready('True')), ...Array.from({ length: n }, () => ready('False'))];
const labelled = (labels: Record<string, string>): Node => ({ metadata: { name: 'n', labels } });

describe('TokenBucket', () => {
  test('starts full, then one token every 1/qps seconds', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(0.1, 1, clock);
    assert.equal(b.tryAccept(), true);
    assert.equal(b.tryAccept(), false);
    clock.step(9_999);
    assert.equal(b.tryAccept(), false);
    clock.step(1);
    assert.equal(b.tryAccept(), true);
    // A long idle time does not save up more than the burst.
    clock.step(60_000);
    assert.equal(b.tryAccept(), true);
    assert.equal(b.tryAccept(), false);
  });
  test('a rate of zero never accepts', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(0, 1, clock);
    assert.equal(b.tryAccept(), false);
    clock.step(3_600_000);
    assert.equal(b.tryAccept(), false);
  });
});

describe('RateLimitedTimedQueue', () => {
  const drain = async (q: RateLimitedTimedQueue, done: (v: string) => boolean = () => true) => {
    const seen: string[] = [];
    await q.try(async (v) => {
      seen.push(v.value);
      return done(v.value) ? { done: true } : { done: false, retryAfterMs: 500 };
    });
    return seen;
  };

  test('unique by name, in order, as fast as the rate allows', async () => {
    const clock = new FakeClock();
    const q = new RateLimitedTimedQueue(clock, 0.5);
    assert.equal(q.add('a', 'ua'), true);
    assert.equal(q.add('b', 'ub'), true);
    assert.equal(q.add('a', 'ua'), false);
    assert.deepEqual(await drain(q), ['a']);
    clock.step(1_000);
    assert.deepEqual(await drain(q), []);
    clock.step(1_000);
    assert.deepEqual(await drain(q), ['b']);
    // Processed names stay known until removed.
    assert.equal(q.add('a', 'ua'), false);
    assert.equal(q.remove('a'), true);
    assert.equal(q.add('a', 'ua'), true);
  });

  test('a failed action is retried after its wait, behind what is due', async () => {
    const clock = new FakeClock();
    const q = new RateLimitedTimedQueue(clock, 1000);
    q.add('a', 'ua');
    q.add('b', 'ub');
    let fail = true;
    // Burst 1: one action per instant, however high the rate.
    assert.deepEqual(await drain(q, (v) => v !== 'a' || !fail), ['a']);
    assert.deepEqual(q.pending().map((v) => v.value), ['b', 'a']);
    clock.step(1);
    assert.deepEqual(await drain(q), ['b']);
    clock.step(100);
    assert.deepEqual(await drain(q), []);
    fail = false;
    clock.step(400);
    assert.deepEqual(await drain(q), ['a']);
    assert.equal(q.pending().length, 0);
  });

  test('swapping to zero stops it; swapping back after a drained bucket does not jump the queue', async () => {
    const clock = new FakeClock();
    const q = new RateLimitedTimedQueue(clock, 0.1);
    q.add('a', 'ua');
    q.add('b', 'ub');
    assert.deepEqual(await drain(q), ['a']);
    q.swapLimiter(0);
    clock.step(60_000);
    assert.deepEqual(await drain(q), []);
    // The zero-rate limiter had no token, so the new one starts empty too.
    q.swapLimiter(0.1);
    assert.deepEqual(await drain(q), []);
    clock.step(10_000);
    assert.deepEqual(await drain(q), ['b']);
  });
});

describe('zones', () => {
  const keys: [string, Record<string, string>, string][] = [
    ['no topology labels: the default zone', {}, ''],
    ['zone only', { 'topology.kubernetes.io/zone': 'a' }, ':\x00:a'],
    ['region and zone', { 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'a' }, 'r:\x00:a'],
    ['beta labels', { 'failure-domain.beta.kubernetes.io/region': 'r', 'failure-domain.beta.kubernetes.io/zone': 'b' }, 'r:\x00:b'],
    ['stable labels win over beta', { 'failure-domain.beta.kubernetes.io/zone': 'old', 'topology.kubernetes.io/zone': 'new' }, ':\x00:new'],
  ];
  for (const [name, labels, want] of keys) test(`zoneKey: ${name}`, () => assert.equal(zoneKey(labelled(labels)), want));

  test('the exclude-disruption label takes a node out of its zone', () => {
    assert.equal(isExcludedFromDisruptionChecks(labelled({ 'node.kubernetes.io/exclude-disruption': '' })), true);
    assert.equal(isExcludedFromDisruptionChecks(labelled({})), false);
  });

  const states: [string, (NodeCondition | undefined)[], ZoneState][] = [
    ['no nodes', [], 'Normal'],
    ['all ready', conditions(5, 0), 'Normal'],
    ['one node, not ready', conditions(0, 1), 'FullDisruption'],
    ['none ready', conditions(0, 4), 'FullDisruption'],
    ['two of three not ready: needs more than two', conditions(1, 2), 'Normal'],
    ['three of five not ready (0.6)', conditions(2, 3), 'PartialDisruption'],
    ['three of six not ready (0.5)', conditions(3, 3), 'Normal'],
    ['eleven of twenty (exactly 0.55)', conditions(9, 11), 'PartialDisruption'],
    ['Unknown and never posted count as not ready', [ready('True'), ready('Unknown'), undefined, ready('False')], 'PartialDisruption'],
  ];
  for (const [name, c, want] of states) test(`zone state: ${name}`, () => assert.equal(computeZoneState(c, 0.55).state, want));

  const rates: [string, ZoneState, number, number][] = [
    ['normal', 'Normal', 3, 0.1],
    ['partial disruption, small zone: stopped', 'PartialDisruption', 50, 0],
    ['partial disruption, large zone: secondary rate', 'PartialDisruption', 51, 0.01],
    ['full disruption of one zone: normal rate', 'FullDisruption', 3, 0.1],
  ];
  for (const [name, state, size, want] of rates) test(`rate: ${name}`, () => assert.equal(zoneEvictionQPS(state, size, settings), want));
});

describe('ZoneTainters.handleDisruption', () => {
  type Pass = { name: string; zones: Record<string, [number, number]>; transition: string; want: Record<string, [ZoneState, number]> };
  // [ready, not ready] per zone -> state and queue rate per zone after the pass.
  const passes: Pass[] = [
    { name: 'first sight', zones: { a: [3, 0], b: [60, 0] }, transition: 'none', want: { a: ['Normal', 0.1], b: ['Normal', 0.1] } },
    { name: 'a small zone partially disrupted stops', zones: { a: [1, 3], b: [60, 0] }, transition: 'none', want: { a: ['PartialDisruption', 0], b: ['Normal', 0.1] } },
    { name: 'a large zone partially disrupted slows down', zones: { a: [1, 3], b: [20, 40] }, transition: 'none', want: { a: ['PartialDisruption', 0], b: ['PartialDisruption', 0.01] } },
    { name: 'one zone fully down evicts at the normal rate', zones: { a: [0, 4], b: [20, 40] }, transition: 'none', want: { a: ['FullDisruption', 0.1], b: ['PartialDisruption', 0.01] } },
    { name: 'every zone fully down stops everything', zones: { a: [0, 4], b: [0, 60] }, transition: 'entered-full-disruption', want: { a: ['FullDisruption', 0], b: ['FullDisruption', 0] } },
    { name: 'still all down: no change', zones: { a: [0, 4], b: [0, 60] }, transition: 'none', want: { a: ['FullDisruption', 0], b: ['FullDisruption', 0] } },
    { name: 'one node back: every zone gets the rate of its state', zones: { a: [0, 4], b: [1, 59] }, transition: 'exited-full-disruption', want: { a: ['FullDisruption', 0.1], b: ['PartialDisruption', 0.01] } },
    { name: 'a zone without nodes is forgotten', zones: { b: [60, 0] }, transition: 'none', want: { b: ['Normal', 0.1] } },
  ];
  test('walks through the upstream state machine', () => {
    const z = new ZoneTainters(settings, new FakeClock());
    for (const p of passes) {
      const input = new Map(Object.entries(p.zones).map(([zone, [r, n]]) => [zone, conditions(r, n)]));
      assert.equal(z.handleDisruption(input), p.transition, p.name);
      const got = Object.fromEntries(Object.keys(p.want).map((zone) => [zone, [z.state(zone), z.tainter(zone).qps]]));
      assert.deepEqual(got, p.want, p.name);
      assert.equal(z.allFullyDisrupted(), p.transition === 'entered-full-disruption' || (p.name.startsWith('still all down')), p.name);
    }
    assert.equal(z.state('a'), undefined);
  });
  test('a single-node cluster whose node goes down evicts nothing', () => {
    const z = new ZoneTainters(settings, new FakeClock());
    assert.equal(z.handleDisruption(new Map([['', conditions(1, 0)]])), 'none');
    assert.equal(z.handleDisruption(new Map([['', conditions(0, 1)]])), 'entered-full-disruption');
    assert.equal(z.tainter('').qps, 0);
  });
});
