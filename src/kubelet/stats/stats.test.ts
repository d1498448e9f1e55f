import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../machinery/clock.js';
import type { ContainerStats, ContainerStatus, RuntimeService } from '../runtime/interface.js';
import { escapeLabelValue, formatGoFloat } from './prometheus-text.js';
import { ResourceMetricsCollector, parseProcStatCPUSeconds, renderResourceMetrics, workingSet } from './resource-metrics.js';

describe('Go float formatting', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [1, '1'],
    [6197.005020909, '6197.005020909'],
    [1.137475584e9, '1.137475584e+09'],
    [1750607852.9384658, '1.7506078529384658e+09'],
    [999999, '999999'],
    [1e6, '1e+06'],
    [0.0001, '0.0001'],
    [0.00001234, '1.234e-05'],
    [-2.5, '-2.5'],
    [1e21, '1e+21'],
    [1.5e100, '1.5e+100'],
  ];
  for (const [v, want] of cases) test(`${v} -> ${want}`, () => assert.equal(formatGoFloat(v), want));
  test('label escaping', () => assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd'));
});

describe('/metrics/resource', () => {
  test('renders like kubelet: families sorted, pods summed, timestamps in ms', () => {
    const text = renderResourceMetrics({
      node: { cpuSeconds: 254.050927655, memoryWorkingSetBytes: 863531008, timestamp: 1710222817924 },
      containers: [
        { namespace: 'kube-system', pod: 'proxy-q4', container: 'kube-proxy', cpuSeconds: 1.678078315, memoryWorkingSetBytes: 15761408, timestamp: 1710222820860, startedAt: 1710211558868 },
        { namespace: 'default', pod: 'web', container: 'app', cpuSeconds: 2, memoryWorkingSetBytes: 1000, timestamp: 1000 },
        { namespace: 'default', pod: 'web', container: 'sidecar', cpuSeconds: 0.5, memoryWorkingSetBytes: 24, timestamp: 2000 },
      ],
      scrapeError: false,
    });
    assert.equal(
      text,
      [
        '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds',
        '# TYPE container_cpu_usage_seconds_total counter',
        'container_cpu_usage_seconds_total{container="app",namespace="default",pod="web"} 2 1000',
        'container_cpu_usage_seconds_total{container="kube-proxy",namespace="kube-system",pod="proxy-q4"} 1.678078315 1710222820860',
        'container_cpu_usage_seconds_total{container="sidecar",namespace="default",pod="web"} 0.5 2000',
        '# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes',
        '# TYPE container_memory_working_set_bytes gauge',
        'container_memory_working_set_bytes{container="app",namespace="default",pod="web"} 1000 1000',
        'container_memory_working_set_bytes{container="kube-proxy",namespace="kube-system",pod="proxy-q4"} 1.5761408e+07 1710222820860',
        'container_memory_working_set_bytes{container="sidecar",namespace="default",pod="web"} 24 2000',
        '# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds',
        '# TYPE container_start_time_seconds gauge',
        'container_start_time_seconds{container="kube-proxy",namespace="kube-system",pod="proxy-q4"} 1.710211558868e+09 1710211558868',
        '# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds',
        '# TYPE node_cpu_usage_seconds_total counter',
        'node_cpu_usage_seconds_total 254.050927655 1710222817924',
        '# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes',
        '# TYPE node_memory_working_set_bytes gauge',
        'node_memory_working_set_bytes 8.63531008e+08 1710222817924',
        '# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds',
        '# TYPE pod_cpu_usage_seconds_total counter',
        'pod_cpu_usage_seconds_total{namespace="default",pod="web"} 2.5 2000',
        'pod_cpu_usage_seconds_total{namespace="kube-system",pod="proxy-q4"} 1.678078315 1710222820860',
        '# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes',
        '# TYPE pod_memory_working_set_bytes gauge',
        'pod_memory_working_set_bytes{namespace="default",pod="web"} 1024 2000',
        'pod_memory_working_set_bytes{namespace="kube-system",pod="proxy-q4"} 1.5761408e+07 1710222820860',
        '# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise',
        '# TYPE resource_scrape_error gauge',
        'resource_scrape_error 0',
        '',
      ].join('\n'),
    );
  });

  test('/proc/stat busy time and working set', () => {
    assert.equal(parseProcStatCPUSeconds('cpu  100 20 30 5000 40 5 6 7 0 0\ncpu0 1 1 1 1\n'), 1.68);
    assert.equal(parseProcStatCPUSeconds('nothing'), undefined);
    assert.equal(workingSet(100, 30), 70);
    assert.equal(workingSet(10, 30), 0);
  });

  test('the collector labels runtime stats by pod and skips containers not running or not from pods', async () => {
    const status = (id: string, pod: string | undefined, state: ContainerStatus['state'] = 'CONTAINER_RUNNING'): ContainerStatus => ({
      id,
      podSandboxId: 's',
      metadata: { name: id, attempt: 0 },
      state,
      createdAt: 0,
      startedAt: 5000,
      image: 'i',
      imageRef: 'i',
      labels: pod ? { 'io.kubernetes.pod.name': pod, 'io.kubernetes.pod.namespace': 'ns', 'io.kubernetes.container.name': `c-${id}` } : {},
      annotations: {},
      logPath: '',
    });
    const all = [status('a', 'p1'), status('b', undefined), status('c', 'p1', 'CONTAINER_EXITED')];
    const stats: ContainerStats[] = ['a', 'b', 'c'].map((id) => ({ containerId: id, timestamp: 7000, cpuUsageCoreNanoSeconds: 1_500_000_000, memoryWorkingSetBytes: 2048 }));
    const runtime = {
      listContainers: async (f?: { state?: string }) => all.filter((c) => !f?.state || c.state === f.state),
      listContainerStats: async () => stats,
    } as unknown as RuntimeService;
    const snap = await new ResourceMetricsCollector({ runtime, clock: new FakeClock(), nodeUsage: (now) => ({ cpuSeconds: 1, memoryWorkingSetBytes: 2, timestamp: now }) }).snapshot();
    assert.deepEqual(snap.containers, [{ namespace: 'ns', pod: 'p1', container: 'c-a', cpuSeconds: 1.5, memoryWorkingSetBytes: 2048, timestamp: 7000, startedAt: 5000 }]);
    assert.equal(snap.scrapeError, false);
    const failing = { listContainers: async () => Promise.reject(new Error('down')), listContainerStats: async () => [] } as unknown as RuntimeService;
    const bad = await new ResourceMetricsCollector({ runtime: failing, clock: new FakeClock(), nodeUsage: () => undefined }).snapshot();
    assert.equal(bad.scrapeError, true);
    assert.match(renderResourceMetrics(bad), /^resource_scrape_error 1$/m);
  });
});
