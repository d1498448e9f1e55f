import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../machinery/clock.js';
import { isNotFound } from '../../machinery/errors/index.js';
import { silentLogger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { ResourceMetricsAPI, cpuQuantity, memoryQuantity } from './metrics-api.js';
import { SimulatedUsageSource, scriptedUsage } from './simulated-usage-source.js';
import type { ResourceMetricsSource } from './source.js';

const clock = new FakeClock(Date.parse('2025-01-01T00:00:00.750Z'));

function node(name: string, opts: { simulated?: boolean; annotations?: Record<string, string> } = {}): KubeObject {
  return { metadata: { name, labels: opts.simulated === false ? { role: 'real' } : { 'k8ts.io/simulated': 'true' }, annotations: opts.annotations } };
}

function pod(ns: string, name: string, nodeName: string, opts: { cpu?: string; memory?: string; phase?: string; containers?: string[]; labels?: Record<string, string> } = {}): KubeObject {
  const annotations: Record<string, string> = {};
  if (opts.cpu) annotations['sim.k8ts.io/cpu-usage'] = opts.cpu;
  if (opts.memory) annotations['sim.k8ts.io/memory-usage'] = opts.memory;
  return {
    metadata: { name, namespace: ns, labels: opts.labels ?? { app: name }, annotations },
    spec: { nodeName, containers: (opts.containers ?? ['c']).map((n) => ({ name: n })) },
    status: { phase: opts.phase ?? 'Running' },
  } as KubeObject;
}

function api(nodes: KubeObject[], pods: KubeObject[], sources?: ResourceMetricsSource[]) {
  return new ResourceMetricsAPI({
    reader: {
      listNodes: async () => nodes,
      listPods: async (ns) => pods.filter((p) => !ns || p.metadata.namespace === ns),
    },
    sources: sources ?? [new SimulatedUsageSource({ clock })],
    clock,
    logger: silentLogger,
  });
}

describe('quantities as metrics-server writes them', () => {
  const cases = [
    { name: 'millicores', got: cpuQuantity(250_000_000n), want: '250m' },
    { name: 'nanocores', got: cpuQuantity(1_523_948n), want: '1523948n' },
    { name: 'zero cpu', got: cpuQuantity(0n), want: '0' },
    { name: 'Mi', got: memoryQuantity(64n * 1024n * 1024n), want: '64Mi' },
    { name: 'Ki', got: memoryQuantity(12_340n * 1024n), want: '12340Ki' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(c.got, c.want));
});

describe('scriptedUsage', () => {
  const cases: { name: string; ann: Record<string, string>; want: ReturnType<typeof scriptedUsage> }[] = [
    { name: 'no annotations: no usage info', ann: {}, want: undefined },
    { name: 'cpu only', ann: { 'sim.k8ts.io/cpu-usage': '2' }, want: { cpuNanoCores: 2_000_000_000n, memoryBytes: 0n } },
    { name: 'malformed counts as zero', ann: { 'sim.k8ts.io/memory-usage': 'lots' }, want: { cpuNanoCores: 0n, memoryBytes: 0n } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(scriptedUsage({ metadata: { annotations: c.ann } }), c.want));
});

describe('ResourceMetricsAPI', () => {
  const nodes = [node('n0', { annotations: { 'sim.k8ts.io/cpu-usage': '100m' } }), node('n1'), node('real', { simulated: false })];
  const pods = [
    pod('a', 'web', 'n0', { cpu: '250m', memory: '64Mi', labels: { app: 'web', tier: 'fe' } }),
    pod('a', 'two', 'n1', { cpu: '301m', memory: '3Mi', containers: ['x', 'y'] }),
    pod('a', 'idle', 'n1'),
    pod('a', 'pending', 'n1', { cpu: '1', phase: 'Pending' }),
    pod('b', 'db', 'n0', { cpu: '1', memory: '1Gi' }),
    pod('b', 'far', 'real', { cpu: '1' }),
  ];
  const m = api(nodes, pods);

  test('pod metrics of one namespace: running pods with usage info only, split over containers', async () => {
    const items = await m.listPodMetrics('a', {});
    assert.deepEqual(
      items.map((i) => [i.metadata.name, i.containers.map((c) => `${c.name}:${c.usage.cpu}/${c.usage.memory}`).join(',')]),
      [
        ['two', 'x:150500u/1536Ki,y:150500u/1536Ki'],
        ['web', 'c:250m/64Mi'],
      ],
    );
    assert.deepEqual(items[1], {
      metadata: { name: 'web', namespace: 'a', creationTimestamp: '2025-01-01T00:00:00Z', labels: { app: 'web', tier: 'fe' } },
      timestamp: '2025-01-01T00:00:00Z',
      window: '10s',
      containers: [{ name: 'c', usage: { cpu: '250m', memory: '64Mi' } }],
    });
  });

  test('label and field selectors', async () => {
    assert.deepEqual((await m.listPodMetrics('', { labelSelector: 'tier=fe' })).map((i) => i.metadata.name), ['web']);
    assert.deepEqual((await m.listPodMetrics('', { fieldSelector: 'metadata.name=db' })).map((i) => i.metadata.name), ['db']);
    await assert.rejects(m.listPodMetrics('', { fieldSelector: 'spec.nodeName=n0' }), /"spec.nodeName" is not a known field selector/);
  });

  test('a pod without usage info is NotFound, as metrics-server says it', async () => {
    await assert.rejects(m.getPodMetrics('a', 'idle'), (err: unknown) => isNotFound(err) && (err as Error).message === 'podmetrics.metrics.k8s.io "a/idle" not found');
    const got = await m.getPodMetrics('a', 'web');
    assert.equal(got.kind, 'PodMetrics');
    assert.equal(got.apiVersion, 'metrics.k8s.io/v1beta1');
  });

  test('node usage is the sum of its running pods plus its own annotation; uncovered nodes have none', async () => {
    const items = await m.listNodeMetrics({});
    assert.deepEqual(
      items.map((i) => [i.metadata.name, i.usage.cpu, i.usage.memory]),
      [
        ['n0', '1350m', '1088Mi'],
        ['n1', '301m', '3Mi'],
      ],
    );
    await assert.rejects(m.getNodeMetrics('real'), /nodemetrics.metrics.k8s.io "real" not found/);
  });

  test('an unreachable node only hides its own pods', async () => {
    const flaky: ResourceMetricsSource = {
      name: 'flaky',
      covers: (n) => n.metadata.name === 'n0',
      scrape: async () => {
        throw new Error('connection refused');
      },
    };
    const items = await api(nodes, pods, [flaky, new SimulatedUsageSource({ clock })]).listPodMetrics('', {});
    assert.deepEqual(items.map((i) => i.metadata.name), ['two']);
  });
});
