import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerEnabled, defaultControllerConfig, parseControllerArgs } from './controller-config.js';

describe('parseControllerArgs', () => {
  test('durations in Go syntax become milliseconds', () => {
    const r = parseControllerArgs(['node-monitor-grace-period=20s', '--horizontal-pod-autoscaler-sync-period=1m30s']);
    assert.ok(r.ok);
    assert.equal(r.config.nodeMonitorGracePeriodMs, 20_000);
    assert.equal(r.config.horizontalPodAutoscalerSyncPeriodMs, 90_000);
    assert.equal(r.config.nodeMonitorPeriodMs, defaultControllerConfig.nodeMonitorPeriodMs);
  });
  const bad: Array<[string, string]> = [
    ['bogus=1', 'unknown flag: --bogus'],
    ['node-monitor-grace-period', 'flag needs an argument: --node-monitor-grace-period'],
    ['node-monitor-grace-period=soon', 'invalid argument "soon": time: invalid duration "soon" for "--node-monitor-grace-period" flag'],
    ['horizontal-pod-autoscaler-tolerance=-1', 'invalid argument "-1": must be a non-negative number for "--horizontal-pod-autoscaler-tolerance" flag'],
  ];
  for (const [arg, message] of bad) {
    test(`refuses ${arg}`, () => assert.deepEqual(parseControllerArgs([arg]), { ok: false, message }));
  }
});

describe('controllerEnabled', () => {
  const cases: Array<[string, string[], boolean]> = [
    ['deployment', ['*'], true],
    ['deployment', ['*', '-deployment'], false],
    ['deployment', ['replicaset'], false],
    ['replicaset', ['replicaset'], true],
  ];
  for (const [name, sel, want] of cases) test(`${name} with ${sel.join(',')}`, () => assert.equal(controllerEnabled(name, sel), want));
});
