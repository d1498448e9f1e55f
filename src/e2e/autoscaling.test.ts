/**
 * The resource metrics API and the horizontal pod autoscaler through the
 * real kubectl: `kubectl top` prints simulated usage as it prints
 * metrics-server's, and `kubectl autoscale` scales a Deployment up on
 * simulated CPU with upstream's status, conditions and events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { parseTable, pollUntil } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

function usagePod(name: string, opts: { cpu?: string; memory?: string; node: string; labels?: Record<string, string>; containers?: string[] }): object {
  const annotations: Record<string, string> = {};
  if (opts.cpu) annotations['sim.k8ts.io/cpu-usage'] = opts.cpu;
  if (opts.memory) annotations['sim.k8ts.io/memory-usage'] = opts.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: opts.labels ?? { app: name }, annotations },
    spec: { nodeName: opts.node, containers: (opts.containers ?? ['c']).map((c) => ({ name: c, image: 'nginx' })) },
  };
}

describe('kubectl top and autoscaling', { skip }, () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start({ args: ['--sim-nodes', '3', '--kube-controller-manager-arg', 'horizontal-pod-autoscaler-sync-period=1s'] });
  });
  after(async () => {
    await s?.stop();
  });

  const running = (ns: string, n: number) =>
    pollUntil(`${n} running pods in ${ns}`, async () => {
      const phases = (await s.k(['get', 'pods', '-n', ns, '-o', 'jsonpath={.items[*].status.phase}'])).split(' ').filter(Boolean);
      return phases.length === n && phases.every((p) => p === 'Running') ? true : undefined;
    });

  test('kubectl top nodes and top pods print simulated usage', async () => {
    await s.k(['create', 'namespace', 'top']);
    const objects = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        usagePod('web', { cpu: '250m', memory: '64Mi', node: 'sim-node-1', labels: { app: 'web', tier: 'fe' } }),
        usagePod('batch', { cpu: '1500m', memory: '1Gi', node: 'sim-node-2', containers: ['main', 'sidecar'] }),
        usagePod('idle', { node: 'sim-node-2' }),
      ],
    };
    await s.k(['apply', '-n', 'top', '-f', '-'], { input: JSON.stringify(objects) });
    await running('top', 3);

    const nodes = await s.k(['top', 'nodes']);
    assert.equal(
      nodes,
      [
        'NAME         CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   ',
        'sim-node-0   0m           0%       0Mi             0%          ',
        'sim-node-1   250m         0%       64Mi            0%          ',
        'sim-node-2   1500m        4%       1024Mi          0%          ',
        '',
      ].join('\n'),
    );
    assert.equal(
      await s.k(['top', 'pods', '-n', 'top']),
      ['NAME    CPU(cores)   MEMORY(bytes)   ', 'batch   1500m        1024Mi          ', 'web     250m         64Mi            ', ''].join('\n'),
    );
    assert.equal(
      await s.k(['top', 'pods', '-n', 'top', '--sort-by=memory', '--containers']),
      [
        'POD     NAME      CPU(cores)   MEMORY(bytes)   ',
        'batch   main      750m         512Mi           ',
        'batch   sidecar   750m         512Mi           ',
        'web     c         250m         64Mi            ',
        '',
      ].join('\n'),
    );
    assert.equal(
      await s.k(['top', 'pods', '-A', '-l', 'tier=fe']),
      ['NAMESPACE   NAME   CPU(cores)   MEMORY(bytes)   ', 'top         web    250m         64Mi            ', ''].join('\n'),
    );
    const idle = await s.kubectl(['top', 'pod', 'idle', '-n', 'top']);
    assert.equal(idle.code, 1);
    assert.equal(idle.stderr, 'Error from server (NotFound): podmetrics.metrics.k8s.io "top/idle" not found\n');
  });

  test('kubectl autoscale scales a Deployment up on simulated cpu', async () => {
    await s.k(['create', 'namespace', 'hpa']);
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'hpa' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' }, annotations: { 'sim.k8ts.io/cpu-usage': '200m' } },
          spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '100m' } } }] },
        },
      },
    };
    await s.k(['apply', '-f', '-'], { input: JSON.stringify(deployment) });
    assert.equal(await s.k(['autoscale', 'deployment', 'web', '-n', 'hpa', '--cpu-percent=50', '--min=1', '--max=5']), 'horizontalpodautoscaler.autoscaling/web autoscaled\n');

    const row = await pollUntil(
      'the autoscaler at 5 replicas',
      async () => {
        const [r] = parseTable(await s.k(['get', 'hpa', 'web', '-n', 'hpa']));
        return r?.REPLICAS === '5' ? r : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 500 },
    );
    assert.deepEqual({ ...row, AGE: undefined }, { NAME: 'web', REFERENCE: 'Deployment/web', TARGETS: 'cpu: 200%/50%', MINPODS: '1', MAXPODS: '5', REPLICAS: '5', AGE: undefined });
    await running('hpa', 5);

    const describe = await s.k(['describe', 'hpa', 'web', '-n', 'hpa']);
    assert.match(describe, /\n {2}resource cpu on pods {2}\(as a percentage of request\): {2}200% \(200m\) \/ 50%\n/);
    assert.match(describe, /\nDeployment pods: +5 current \/ 5 desired\n/);
    assert.match(describe, /\n {2}AbleToScale +True +ReadyForNewScale +recommended size matches current size\n/);
    assert.match(describe, /\n {2}ScalingActive +True +ValidMetricFound +the HPA was able to successfully calculate a replica count from cpu resource utilization \(percentage of request\)\n/);
    assert.match(describe, /\n {2}ScalingLimited +True +TooManyReplicas +the desired replica count is more than the maximum replica count\n/);
    assert.match(describe, /Normal +SuccessfulRescale +.*horizontal-pod-autoscaler +New size: 4; reason: cpu resource utilization \(percentage of request\) above target\n/);
    assert.match(describe, /Normal +SuccessfulRescale +.*horizontal-pod-autoscaler +New size: 5; reason: cpu resource utilization \(percentage of request\) above target\n/);

    // autoscaling/v1 is the same object, converted.
    const v1 = JSON.parse(await s.k(['get', '--raw', '/apis/autoscaling/v1/namespaces/hpa/horizontalpodautoscalers/web'])) as { spec: Record<string, unknown>; status: Record<string, unknown> };
    assert.deepEqual([v1.spec.targetCPUUtilizationPercentage, v1.status.currentCPUUtilizationPercentage, v1.status.currentReplicas], [50, 200, 5]);
  });
});
