import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inTreeRegistry } from './plugins/registry.js';
import { newFramework } from './framework/framework.js';
import { DEFAULT_SCHEDULER_NAME, parseSchedulerConfiguration } from './config.js';

const head = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';

describe('parseSchedulerConfiguration', () => {
  test('an empty configuration gets upstream defaults', () => {
    const res = parseSchedulerConfiguration(head);
    assert.ok(res.ok);
    if (!res.ok) return;
    const c = res.config;
    assert.equal(c.podInitialBackoffSeconds, 1);
    assert.equal(c.podMaxBackoffSeconds, 10);
    assert.equal(c.percentageOfNodesToScore, 0);
    assert.deepEqual(c.profiles.map((p) => p.schedulerName), [DEFAULT_SCHEDULER_NAME]);
    const fw = newFramework(c.profiles[0]!, { registry: inTreeRegistry });
    assert.ok(fw.ok);
    if (!fw.ok) return;
    assert.deepEqual(
      fw.framework.pluginsAt('score').map((n) => `${n}=${fw.framework.scoreWeight(n)}`),
      ['TaintToleration=3', 'NodeAffinity=2', 'NodeResourcesFit=1', 'PodTopologySpread=2', 'InterPodAffinity=2', 'NodeResourcesBalancedAllocation=1', 'ImageLocality=1'],
    );
  });

  test('profiles, per-point enable/disable, multiPoint weights and plugin args', () => {
    const res = parseSchedulerConfiguration(`${head}
profiles:
  - schedulerName: default-scheduler
  - schedulerName: bin-packing
    plugins:
      multiPoint:
        enabled:
          - name: NodeResourcesFit
            weight: 5
      score:
        disabled:
          - name: NodeResourcesBalancedAllocation
          - name: ImageLocality
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: MostAllocated
            resources:
              - name: cpu
                weight: 1
`);
    assert.ok(res.ok, res.ok ? '' : res.errors.join('\n'));
    if (!res.ok) return;
    assert.deepEqual(res.config.profiles.map((p) => p.schedulerName), ['default-scheduler', 'bin-packing']);
    const fw = newFramework(res.config.profiles[1]!, { registry: inTreeRegistry });
    assert.ok(fw.ok);
    if (!fw.ok) return;
    assert.equal(fw.framework.scoreWeight('NodeResourcesFit'), 5);
    assert.equal(fw.framework.pluginsAt('score').includes('ImageLocality'), false);
    assert.equal(fw.framework.pluginsAt('filter').includes('NodeResourcesFit'), true);
  });

  test('disabling "*" at a point removes every default there', () => {
    const res = parseSchedulerConfiguration(`${head}
profiles:
  - schedulerName: only-fit
    plugins:
      score:
        disabled: [{ name: "*" }]
        enabled: [{ name: NodeResourcesFit, weight: 2 }]
`);
    assert.ok(res.ok);
    if (!res.ok) return;
    const fw = newFramework(res.config.profiles[0]!, { registry: inTreeRegistry });
    assert.ok(fw.ok);
    if (fw.ok) assert.deepEqual(fw.framework.pluginsAt('score'), ['NodeResourcesFit']);
  });

  const invalid = [
    { name: 'wrong version', text: 'apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n', want: ['no kind "KubeSchedulerConfiguration" is registered for version "kubescheduler.config.k8s.io/v1beta3"'] },
    { name: 'duplicate scheduler names', text: `${head}profiles:\n  - schedulerName: a\n  - schedulerName: a\n`, want: ['profiles[1].schedulerName: Duplicate value: "a"'] },
    { name: 'missing scheduler name', text: `${head}profiles:\n  - schedulerName: a\n  - plugins: {}\n`, want: ['profiles[1].schedulerName: Required value'] },
    { name: 'back-off bounds', text: `${head}podInitialBackoffSeconds: 5\npodMaxBackoffSeconds: 2\n`, want: ['podMaxBackoffSeconds: Invalid value: 2: must be greater than or equal to PodInitialBackoffSeconds'] },
    { name: 'percentage out of range', text: `${head}percentageOfNodesToScore: 120\n`, want: ['percentageOfNodesToScore: Invalid value: 120: not in valid range [0-100]'] },
    { name: 'unknown plugin', text: `${head}profiles:\n  - schedulerName: a\n    plugins:\n      filter:\n        enabled: [{ name: Nope }]\n`, want: ['profiles[0].plugins.filter.enabled[0]: Invalid value: "Nope": plugin "Nope" does not exist'] },
    {
      name: 'plugin args validated with their path',
      text: `${head}profiles:\n  - schedulerName: a\n    pluginConfig:\n      - name: InterPodAffinity\n        args: { hardPodAffinityWeight: 200 }\n`,
      want: ['profiles[0].pluginConfig[0].args.hardPodAffinityWeight: Invalid value: 200: not in valid range [0, 100]'],
    },
    {
      name: 'duplicate pluginConfig',
      text: `${head}profiles:\n  - schedulerName: a\n    pluginConfig:\n      - name: NodeAffinity\n      - name: NodeAffinity\n`,
      want: ['profiles[0].pluginConfig[1]: Duplicate value: "NodeAffinity"'],
    },
    {
      name: 'queueSort must agree across profiles',
      text: `${head}profiles:\n  - schedulerName: a\n  - schedulerName: b\n    plugins:\n      queueSort:\n        disabled: [{ name: "*" }]\n`,
      want: ['profiles[1].plugins.queueSort: Invalid value: "": queueSort must be the same for all profiles'],
    },
  ];
  for (const c of invalid) {
    test(`invalid: ${c.name}`, () => {
      const res = parseSchedulerConfiguration(c.text);
      assert.equal(res.ok, false);
      if (!res.ok) assert.deepEqual(res.errors, c.want);
    });
  }
});
