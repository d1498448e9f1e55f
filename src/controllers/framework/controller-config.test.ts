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
  test('zone eviction flags under their upstream names and defaults', () => {
    assert.deepEqual(
      [defaultControllerConfig.nodeEvictionRate, defaultControllerConfig.secondaryNodeEvictionRate, defaultControllerConfig.largeClusterSizeThreshold, defaultControllerConfig.unhealthyZoneThreshold],
      [0.1, 0.01, 50, 0.55],
    );
    const r = parseControllerArgs(['node-eviction-rate=0.5', 'secondary-node-eviction-rate=.05', 'large-cluster-size-threshold=10', 'unhealthy-zone-threshold=0.7']);
    assert.ok(r.ok);
    assert.deepEqual([r.config.nodeEvictionRate, r.config.secondaryNodeEvictionRate, r.config.largeClusterSizeThreshold, r.config.unhealthyZoneThreshold], [0.5, 0.05, 10, 0.7]);
  });
  test('mirroring-max-endpoints-per-subset: default 1000, an int32', () => {
    assert.equal(defaultControllerConfig.mirroringMaxEndpointsPerSubset, 1000);
    const r = parseControllerArgs(['mirroring-max-endpoints-per-subset=50']);
    assert.ok(r.ok);
    assert.equal(r.config.mirroringMaxEndpointsPerSubset, 50);
    const bad = parseControllerArgs(['mirroring-max-endpoints-per-subset=many']);
    assert.deepEqual(bad, { ok: false, message: 'invalid argument "many": strconv.ParseInt: parsing "many": invalid syntax for "--mirroring-max-endpoints-per-subset" flag' });
  });
  const bad: Array<[string, string]> = [
    ['node-eviction-rate=fast', 'invalid argument "fast": strconv.ParseFloat: parsing "fast": invalid syntax for "--node-eviction-rate" flag'],
    ['large-cluster-size-threshold=1.5', 'invalid argument "1.5": strconv.ParseInt: parsing "1.5": invalid syntax for "--large-cluster-size-threshold" flag'],
    ['large-cluster-size-threshold=3000000000', 'invalid argument "3000000000": strconv.ParseInt: parsing "3000000000": value out of range for "--large-cluster-size-threshold" flag'],
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
