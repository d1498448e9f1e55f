import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ListerWatcher } from '../../client/informers/lister-watcher.js';
import { SharedInformer } from '../../client/informers/shared-informer.js';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { GroupVersionResource, KubeObject } from '../../machinery/meta/types.js';
import type { Pod } from '../framework/pods.js';
import { type HorizontalPodAutoscaler, HorizontalController } from './controller.js';
import type { MetricsResult, ResourceMetricsClient } from './metrics-client.js';
import { podMetricsInfo } from './metrics-client.js';
import type { Scale, ScaleClient, ScaleResult, ScaleTargetRef } from './scale-client.js';

const idle: ListerWatcher<never> = {
  list: async () => ({ metadata: {}, items: [] }),
  // eslint-disable-next-line require-yield
  watch: async function* () {
    return;
  },
};

class FakeScales implements ScaleClient {
  updates: number[] = [];
  constructor(
    public replicas: number,
    public selector = 'app=web',
    public failGet?: string,
  ) {}
  async get(_ns: string, ref: ScaleTargetRef): Promise<ScaleResult> {
    if (this.failGet) return { ok: false, message: this.failGet };
    const scale: Scale = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: ref.name, namespace: 'ns' }, spec: { replicas: this.replicas }, status: { replicas: this.replicas, selector: this.selector } };
    return { ok: true, scale, gvr: { group: 'apps', version: 'v1', resource: 'deployments' } };
  }
  async update(_ns: string, _gvr: GroupVersionResource, scale: Scale): Promise<Scale> {
    this.replicas = scale.spec!.replicas!;
    this.updates.push(this.replicas);
    return scale;
  }
}

class FakeMetrics implements ResourceMetricsClient {
  /** Pod name -> cpu usage. */
  usage = new Map<string, string>();
  constructor(private readonly clock: FakeClock) {}
  async getResourceMetric(resource: string, _ns: string, _selector: string, container = ''): Promise<MetricsResult> {
    const timestamp = new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    const items = [...this.usage].map(([name, cpu]) => ({ metadata: { name, namespace: 'ns' }, timestamp, window: '10s', containers: [{ name: 'c', usage: { cpu } }] }));
    return podMetricsInfo(items, resource, container);
  }
}

const START = Date.parse('2025-01-01T00:00:00Z');

function pod(name: string): Pod {
  return {
    metadata: { name, namespace: 'ns', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }] },
    status: { phase: 'Running', startTime: '2024-12-31T00:00:00Z', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-12-31T00:00:00Z' }] },
  };
}

function hpa(extra: Partial<HorizontalPodAutoscaler['spec']> = {}): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'ns', uid: 'hpa-uid', resourceVersion: '1', generation: 1 },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      ...extra,
    },
  };
}

function setup(opts: { replicas: number; pods: string[]; usage: Record<string, string>; hpa?: HorizontalPodAutoscaler; others?: HorizontalPodAutoscaler[]; scales?: FakeScales; failStatus?: string }) {
  const clock = new FakeClock(START);
  const hpaInformer = new SharedInformer<HorizontalPodAutoscaler>({ listerWatcher: idle, clock, freeze: true });
  const podInformer = new SharedInformer<Pod>({ listerWatcher: idle, clock, freeze: true });
  hpaInformer.replace([opts.hpa ?? hpa(), ...(opts.others ?? [])], '1');
  podInformer.replace(opts.pods.map(pod), '1');
  const scales = opts.scales ?? new FakeScales(opts.replicas);
  const metrics = new FakeMetrics(clock);
  for (const [k, v] of Object.entries(opts.usage)) metrics.usage.set(k, v);
  const statuses: HorizontalPodAutoscaler[] = [];
  const events: { type: string; reason: string; message: string }[] = [];
  const controller = new HorizontalController({
    hpaInformer,
    podInformer,
    scales,
    metrics,
    updateStatus: async (h) => {
      if (opts.failStatus) throw new Error(opts.failStatus);
      statuses.push(h);
      // The informer sees our write, as it would from a watch.
      hpaInformer.update({ ...h, metadata: { ...h.metadata, resourceVersion: String(statuses.length + 1) } });
    },
    recorder: { event: (_o: KubeObject, type, reason, message) => void events.push({ type, reason, message }) },
    clock,
    logger: silentLogger,
    syncPeriodMs: 15_000,
    downscaleStabilizationMs: 300_000,
  });
  return { clock, controller, scales, metrics, statuses, events, podInformer, hpaInformer };
}

const conditionsOf = (h: HorizontalPodAutoscaler | undefined) => h?.status?.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`);

describe('HorizontalController.sync', () => {
  test('scales up on cpu utilization, with upstream status, conditions and event', async () => {
    const f = setup({ replicas: 1, pods: ['a'], usage: { a: '200m' } });
    await f.controller.sync('ns/web');
    assert.deepEqual(f.scales.updates, [4]);
    assert.deepEqual(f.events, [{ type: 'Normal', reason: 'SuccessfulRescale', message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target' }]);
    const last = f.statuses.at(-1)!;
    assert.equal(last.status?.currentReplicas, 1);
    assert.equal(last.status?.desiredReplicas, 4);
    assert.equal(last.status?.lastScaleTime, '2025-01-01T00:00:00Z');
    assert.deepEqual(last.status?.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 200, averageValue: '200m' } } }]);
    assert.deepEqual(conditionsOf(last), ['AbleToScale=True/SucceededRescale', 'ScalingActive=True/ValidMetricFound', 'ScalingLimited=False/DesiredWithinRange']);
  });

  test('no metrics: FailedGetResourceMetric event and ScalingActive=False, no rescale', async () => {
    const f = setup({ replicas: 2, pods: ['a', 'b'], usage: {} });
    await assert.rejects(f.controller.sync('ns/web'));
    assert.deepEqual(f.scales.updates, []);
    assert.deepEqual(
      f.events.map((e) => `${e.reason}: ${e.message}`),
      [
        'FailedGetResourceMetric: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
        'FailedComputeMetricsReplicas: invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
      ],
    );
    const cond = f.statuses.at(-1)?.status?.conditions?.find((c) => c.type === 'ScalingActive');
    assert.equal(cond?.reason, 'FailedGetResourceMetric');
    assert.match(cond?.message ?? '', /^the HPA was unable to compute the replica count: failed to get cpu utilization/);
  });

  test('a scale down waits for the stabilization window (fake clock)', async () => {
    const f = setup({ replicas: 4, pods: ['a', 'b', 'c', 'd'], usage: { a: '10m', b: '10m', c: '10m', d: '10m' } });
    await f.controller.sync('ns/web');
    assert.deepEqual(f.scales.updates, []);
    assert.deepEqual(conditionsOf(f.statuses.at(-1)), ['AbleToScale=True/ScaleDownStabilized', 'ScalingActive=True/ValidMetricFound', 'ScalingLimited=False/DesiredWithinRange']);
    f.clock.step(200_000);
    await f.controller.sync('ns/web');
    assert.deepEqual(f.scales.updates, []);
    f.clock.step(101_000);
    await f.controller.sync('ns/web');
    assert.deepEqual(f.scales.updates, [1]);
    assert.equal(f.events.at(-1)?.message, 'New size: 1; reason: All metrics below target');
  });

  test('behavior policies limit the rate: 1 pod per 60s', async () => {
    const behavior = { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] }, scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } };
    const f = setup({ replicas: 1, pods: ['a'], usage: { a: '500m' }, hpa: hpa({ behavior }) });
    await f.controller.sync('ns/web');
    assert.deepEqual(f.scales.updates, [2]);
    f.clock.step(30_000);
    await f.controller.sync('ns/web');
    assert.deepEqual(f.scales.updates, [2], 'the period allows no second pod yet');
    assert.deepEqual(conditionsOf(f.statuses.at(-1))?.[2], 'ScalingLimited=True/ScaleUpLimit');
    f.clock.step(31_000);
    await f.controller.sync('ns/web');
    assert.deepEqual(f.scales.updates, [2, 3]);
  });

  test('replicas outside min/max are brought back without metrics', async () => {
    const f = setup({ replicas: 12, pods: [], usage: {} });
    await f.controller.sync('ns/web');
    assert.deepEqual(f.scales.updates, [10]);
    assert.equal(f.events[0]?.message, 'New size: 10; reason: Current number of replicas above Spec.MaxReplicas');
  });

  test('a target scaled to zero disables autoscaling', async () => {
    const f = setup({ replicas: 0, pods: [], usage: {} });
    await f.controller.sync('ns/web');
    assert.deepEqual(f.scales.updates, []);
    assert.deepEqual(conditionsOf(f.statuses.at(-1)), ['AbleToScale=True/SucceededGetScale', 'ScalingActive=False/ScalingDisabled']);
  });

  test('two autoscalers selecting the same pods: AmbiguousSelector for both until one goes', async () => {
    const other: HorizontalPodAutoscaler = { ...hpa(), metadata: { name: 'web-2', namespace: 'ns', uid: 'hpa-2', resourceVersion: '1', generation: 1 } };
    const elsewhere: HorizontalPodAutoscaler = { ...hpa(), metadata: { name: 'web', namespace: 'other', uid: 'hpa-3', resourceVersion: '1', generation: 1 } };
    const f = setup({ replicas: 1, pods: ['a'], usage: { a: '50m' }, others: [other, elsewhere] });
    await f.controller.sync('other/web').catch(() => undefined);
    // The first sync knows no other autoscaler's selector yet (upstream learns them as it syncs).
    await f.controller.sync('ns/web');
    assert.equal(f.events.filter((e) => e.reason === 'AmbiguousSelector').length, 0);
    await assert.rejects(f.controller.sync('ns/web-2'), /are controlled by multiple HPAs/);
    const message = 'pods by selector app=web are controlled by multiple HPAs: [ns/web ns/web-2]';
    assert.deepEqual(f.events.filter((e) => e.reason !== 'FailedGetResourceMetric').slice(-2).map((e) => `${e.type} ${e.reason}: ${e.message}`), [
      `Warning AmbiguousSelector: ${message}`,
      `Warning FailedComputeMetricsReplicas: ${message}`,
    ]);
    const cond = f.statuses.at(-1)?.status?.conditions?.find((c) => c.type === 'ScalingActive');
    assert.deepEqual([f.statuses.at(-1)?.metadata.name, cond?.status, cond?.reason, cond?.message], ['web-2', 'False', 'AmbiguousSelector', message]);
    await assert.rejects(f.controller.sync('ns/web'), /are controlled by multiple HPAs/);

    f.hpaInformer.delete(f.hpaInformer.lister().get('ns', 'web-2')!);
    await f.controller.sync('ns/web');
    assert.equal(conditionsOf(f.statuses.at(-1))?.[1], 'ScalingActive=True/ValidMetricFound');
  });

  test('selectors that select different pods are not ambiguous', async () => {
    const other: HorizontalPodAutoscaler = { ...hpa(), metadata: { name: 'db', namespace: 'ns', uid: 'hpa-2', resourceVersion: '1', generation: 1 } };
    const f = setup({ replicas: 1, pods: ['a'], usage: { a: '50m' }, others: [other] });
    f.scales.selector = 'app=db';
    await f.controller.sync('ns/db').catch(() => undefined);
    f.scales.selector = 'app=web';
    await f.controller.sync('ns/web');
    assert.equal(f.events.filter((e) => e.reason === 'AmbiguousSelector').length, 0);
  });

  test('a status write refused: FailedUpdateStatus event', async () => {
    const f = setup({ replicas: 0, pods: [], usage: {}, failStatus: 'the server is on fire' });
    await f.controller.sync('ns/web');
    assert.deepEqual(f.events, [{ type: 'Warning', reason: 'FailedUpdateStatus', message: 'the server is on fire' }]);
  });

  test('a scale without a selector: SelectorRequired event, InvalidSelector condition', async () => {
    const f = setup({ replicas: 1, pods: [], usage: {}, scales: new FakeScales(1, '') });
    await assert.rejects(f.controller.sync('ns/web'));
    assert.deepEqual(f.events[0], { type: 'Warning', reason: 'SelectorRequired', message: 'selector is required' });
    const cond = f.statuses.at(-1)?.status?.conditions?.find((c) => c.type === 'ScalingActive');
    assert.deepEqual([cond?.status, cond?.reason, cond?.message], ['False', 'InvalidSelector', "the HPA target's scale is missing a selector"]);
  });

  test('an unknown target: FailedGetScale', async () => {
    const f = setup({ replicas: 1, pods: [], usage: {}, scales: new FakeScales(1, 'app=web', 'deployments.apps "web" not found') });
    await assert.rejects(f.controller.sync('ns/web'));
    assert.deepEqual(f.events, [{ type: 'Warning', reason: 'FailedGetScale', message: 'deployments.apps "web" not found' }]);
    assert.deepEqual(conditionsOf(f.statuses.at(-1)), ['AbleToScale=False/FailedGetScale']);
  });

  const metricCases: { name: string; metric: NonNullable<HorizontalPodAutoscaler['spec']['metrics']>[number]; want: unknown; reason: string }[] = [
    {
      name: 'AverageValue target',
      metric: { type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '100m' } } },
      want: { type: 'Resource', resource: { name: 'cpu', current: { averageValue: '300m' } } },
      reason: 'New size: 4; reason: cpu resource above target',
    },
    {
      name: 'ContainerResource target',
      metric: { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'c', target: { type: 'Utilization', averageUtilization: 100 } } },
      want: { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'c', current: { averageUtilization: 300, averageValue: '300m' } } },
      reason: 'New size: 4; reason: cpu container resource utilization (percentage of request) above target',
    },
  ];
  for (const c of metricCases) {
    test(c.name, async () => {
      const f = setup({ replicas: 2, pods: ['a', 'b'], usage: { a: '300m', b: '300m' }, hpa: hpa({ metrics: [c.metric] }) });
      await f.controller.sync('ns/web');
      assert.deepEqual(f.statuses.at(-1)?.status?.currentMetrics, [c.want]);
      assert.equal(f.events.at(-1)?.message, c.reason);
    });
  }

  test('custom metrics fail as without an adapter', async () => {
    const f = setup({ replicas: 2, pods: ['a', 'b'], usage: {}, hpa: hpa({ metrics: [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } }] }) });
    await assert.rejects(f.controller.sync('ns/web'));
    assert.equal(f.events[0]?.reason, 'FailedGetPodsMetric');
    assert.deepEqual(conditionsOf(f.statuses.at(-1)), ['AbleToScale=True/SucceededGetScale', 'ScalingActive=False/FailedGetPodsMetric']);
  });

  test('an unchanged status is not written again', async () => {
    const f = setup({ replicas: 2, pods: ['a', 'b'], usage: { a: '50m', b: '50m' } });
    await f.controller.sync('ns/web');
    const writes = f.statuses.length;
    await f.controller.sync('ns/web');
    assert.equal(f.statuses.length, writes);
  });
});
