import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultScaleDownRules, defaultScaleUpRules } from '../../api/autoscaling/v2/defaults.js';
import type { HPAScalingRulesT } from '../../api/autoscaling/v2/types.js';
import { FakeClock } from '../../machinery/clock.js';
import { ScalingHistory, convertDesiredReplicasWithRules, scaleDownLimit, scaleUpLimit } from './behavior.js';

describe('convertDesiredReplicasWithRules (no behavior)', () => {
  const cases = [
    { name: 'within range', current: 3, desired: 5, min: 1, max: 10, want: [5, 'DesiredWithinRange'] },
    { name: 'at most double or 4', current: 1, desired: 9, min: 1, max: 10, want: [4, 'ScaleUpLimit'] },
    { name: 'double of a larger count', current: 5, desired: 30, min: 1, max: 100, want: [10, 'ScaleUpLimit'] },
    { name: 'capped by max', current: 4, desired: 16, min: 1, max: 5, want: [5, 'TooManyReplicas'] },
    { name: 'raised to min', current: 4, desired: 1, min: 2, max: 5, want: [2, 'TooFewReplicas'] },
  ] as const;
  for (const c of cases) {
    test(c.name, () => {
      const got = convertDesiredReplicasWithRules(c.current, c.desired, c.min, c.max);
      assert.deepEqual([got.replicas, got.reason], c.want);
    });
  }
});

describe('scaling policies', () => {
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const rules = (over: Partial<HPAScalingRulesT>): HPAScalingRulesT => ({ ...defaultScaleUpRules(), ...over });
  const cases = [
    { name: 'default scale up: 4 pods or 100%, the larger', fn: () => scaleUpLimit(1, [], [], defaultScaleUpRules(), t0), want: 5 },
    { name: 'default scale up from 10', fn: () => scaleUpLimit(10, [], [], defaultScaleUpRules(), t0), want: 20 },
    { name: 'selectPolicy Min takes the smaller', fn: () => scaleUpLimit(1, [], [], rules({ selectPolicy: 'Min' }), t0), want: 2 },
    { name: 'selectPolicy Disabled keeps the count', fn: () => scaleUpLimit(3, [], [], rules({ selectPolicy: 'Disabled' }), t0), want: 3 },
    {
      name: 'changes within the period count against it',
      fn: () => scaleUpLimit(5, [{ replicaChange: 4, timestamp: t0 - 5000, outdated: false }], [], defaultScaleUpRules(), t0),
      want: 5,
    },
    {
      name: 'changes older than the period do not',
      fn: () => scaleUpLimit(5, [{ replicaChange: 4, timestamp: t0 - 16_000, outdated: false }], [], defaultScaleUpRules(), t0),
      want: 10,
    },
    { name: 'default scale down: 100%', fn: () => scaleDownLimit(10, [], [], defaultScaleDownRules(), t0), want: 0 },
    {
      name: 'scale down Max picks the biggest change',
      fn: () => scaleDownLimit(10, [], [], { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }, { type: 'Pods', value: 2, periodSeconds: 60 }] }, t0),
      want: 5,
    },
    {
      name: 'scale down Min picks the smallest change',
      fn: () => scaleDownLimit(10, [], [], { selectPolicy: 'Min', policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }, { type: 'Pods', value: 2, periodSeconds: 60 }] }, t0),
      want: 8,
    },
  ];
  for (const c of cases) test(c.name, () => assert.equal(c.fn(), c.want));
});

describe('ScalingHistory', () => {
  test('without a behavior, a scale down waits for the downscale window', () => {
    const clock = new FakeClock();
    const h = new ScalingHistory();
    h.recordInitialRecommendation('ns/a', 5, clock.now());
    assert.equal(h.stabilize('ns/a', 2, 300_000, clock.now()), 5);
    clock.step(200_000);
    assert.equal(h.stabilize('ns/a', 2, 300_000, clock.now()), 5);
    clock.step(101_000);
    assert.equal(h.stabilize('ns/a', 2, 300_000, clock.now()), 2);
    assert.equal(h.recommendationsOf('ns/a').length, 3, 'an old sample was reused, not appended');
  });

  test('a scale up is never held back', () => {
    const h = new ScalingHistory();
    h.recordInitialRecommendation('ns/a', 2, 0);
    assert.equal(h.stabilize('ns/a', 7, 300_000, 1000), 7);
  });

  test('with a behavior: stabilization windows, then rate limits, with upstream reasons', () => {
    const clock = new FakeClock();
    const h = new ScalingHistory();
    const base = { key: 'ns/a', scaleUp: defaultScaleUpRules(), scaleDown: { ...defaultScaleDownRules(), stabilizationWindowSeconds: 60 }, minReplicas: 1, maxReplicas: 20 };
    h.recordInitialRecommendation('ns/a', 10, clock.now());
    clock.step(1000);
    const held = h.stabilizeWithBehaviors({ ...base, currentReplicas: 10, desiredReplicas: 4 }, clock.now());
    assert.deepEqual([held.replicas, held.reason], [10, 'ScaleDownStabilized']);
    clock.step(61_000);
    const free = h.stabilizeWithBehaviors({ ...base, currentReplicas: 10, desiredReplicas: 4 }, clock.now());
    assert.equal(free.replicas, 4);

    const up = h.limitByBehaviorRate({ ...base, currentReplicas: 2, desiredReplicas: 15 }, clock.now());
    assert.deepEqual([up.replicas, up.reason], [6, 'ScaleUpLimit']);
    h.storeScaleEvent({ scaleUp: base.scaleUp, scaleDown: base.scaleDown }, 'ns/a', 2, 6, clock.now());
    clock.step(5000);
    const again = h.limitByBehaviorRate({ ...base, currentReplicas: 6, desiredReplicas: 15 }, clock.now());
    assert.deepEqual([again.replicas, again.reason], [6, 'ScaleUpLimit'], 'the period already used its 4 pods');
    clock.step(11_000);
    const later = h.limitByBehaviorRate({ ...base, currentReplicas: 6, desiredReplicas: 15 }, clock.now());
    assert.deepEqual([later.replicas, later.reason], [12, 'ScaleUpLimit']);
    const capped = h.limitByBehaviorRate({ ...base, maxReplicas: 8, currentReplicas: 6, desiredReplicas: 15 }, clock.now());
    assert.deepEqual([capped.replicas, capped.reason], [8, 'TooManyReplicas']);
    const floor = h.limitByBehaviorRate({ ...base, minReplicas: 3, currentReplicas: 6, desiredReplicas: 1 }, clock.now());
    assert.deepEqual([floor.replicas, floor.reason], [3, 'TooFewReplicas']);
  });
});
