import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { realClock } from '../../machinery/clock.js';
import { isNotFound } from '../../machinery/errors/index.js';
import { silentLogger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type ClientEnv, eventually, startClientEnv } from '../../testing/controller-env.js';
import { defaultControllerConfig } from '../framework/controller-config.js';
import type { Pod } from '../framework/pods.js';
import { ControllerManager } from '../manager.js';
import { type HorizontalPodAutoscaler, horizontalPodAutoscalerControllerDescriptor } from './controller.js';
import { RESTResourceMetricsClient } from './metrics-client.js';
import { DiscoveryScaleClient } from './scale-client.js';

const NS = 'default';
const LONG_AGO = '2024-01-01T00:00:00Z';

describe('metrics.k8s.io and the autoscaler against an API server', () => {
  let env: ClientEnv;
  let rest: RESTClient;
  const stop = new AbortController();
  let running: Promise<void> | undefined;

  /** A pod Running and Ready on the simulated node, as the simulated kubelet would report it. */
  async function runningPod(name: string, labels: Record<string, string>, cpuUsage: string): Promise<void> {
    const pods = new ResourceClient<Pod>(rest, { group: '', version: 'v1', resource: 'pods' }, NS);
    const created = await pods.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels, annotations: { 'sim.k8ts.io/cpu-usage': cpuUsage } },
      spec: { nodeName: 'sim-a', containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m' } } }] },
    });
    await pods.updateStatus({
      ...created,
      status: { phase: 'Running', startTime: LONG_AGO, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: LONG_AGO }] },
    });
  }

  before(async () => {
    env = await startClientEnv();
    ({ rest } = env);
    await new ResourceClient(rest, { group: '', version: 'v1', resource: 'nodes' }).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'sim-a', labels: { 'k8ts.io/simulated': 'true' } } });
  });

  after(async () => {
    stop.abort();
    await running;
    await env.stop();
  });

  test('discovery lists metrics.k8s.io/v1beta1, legacy and aggregated', async () => {
    const group = await rest.do<{ preferredVersion: { groupVersion: string } }>({ method: 'GET', path: '/apis/metrics.k8s.io' });
    assert.equal(group.preferredVersion.groupVersion, 'metrics.k8s.io/v1beta1');
    const list = await rest.do<{ resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[] }>({ method: 'GET', path: '/apis/metrics.k8s.io/v1beta1' });
    assert.deepEqual(
      list.resources.map((r) => [r.name, r.kind, r.namespaced, r.verbs.join(',')]),
      [
        ['nodes', 'NodeMetrics', false, 'get,list'],
        ['pods', 'PodMetrics', true, 'get,list'],
      ],
    );
    const agg = await rest.do<{ items: { metadata: { name: string }; versions: { version: string; resources: { resource: string; scope: string }[] }[] }[] }>({
      method: 'GET',
      path: '/apis',
      accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    });
    const metrics = agg.items.find((g) => g.metadata.name === 'metrics.k8s.io');
    assert.deepEqual(metrics?.versions.map((v) => [v.version, v.resources.map((r) => `${r.resource}:${r.scope}`).join(',')]), [['v1beta1', 'nodes:Cluster,pods:Namespaced']]);
  });

  test('pod and node metrics over HTTP; NotFound and MethodNotAllowed as metrics-server', async () => {
    await runningPod('probe', { app: 'probe' }, '300m');
    const m = new RESTResourceMetricsClient(rest);
    const got = await m.getResourceMetric('cpu', NS, 'app=probe');
    assert.deepEqual(got.ok && [...got.metrics].map(([k, v]) => [k, v.value, v.windowMs]), [['probe', 300, 10_000]]);
    const node = await rest.do<{ usage: Record<string, string> }>({ method: 'GET', path: '/apis/metrics.k8s.io/v1beta1/nodes/sim-a' });
    assert.equal(node.usage.cpu, '300m');
    await assert.rejects(rest.do({ method: 'GET', path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope' }), (err: unknown) => isNotFound(err) && /podmetrics.metrics.k8s.io "default\/nope" not found/.test(String(err)));
    await assert.rejects(rest.do({ method: 'GET', path: '/apis/metrics.k8s.io/v1beta1/pods', query: { watch: 'true' } }), /405|not allow/i);
    const none = await m.getResourceMetric('cpu', NS, 'app=absent');
    assert.deepEqual(none, { ok: false, message: 'no metrics returned from resource metrics API' });
  });

  test('the scale client finds the scale subresource through discovery', async () => {
    const scales = new DiscoveryScaleClient(rest);
    const missing = await scales.get(NS, { apiVersion: 'apps/v1', kind: 'Widget', name: 'x' });
    assert.deepEqual(missing, { ok: false, message: 'no matches for kind "Widget" in group "apps"' });
    const absent = await scales.get(NS, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nope' });
    assert.deepEqual(absent, { ok: false, message: 'deployments.apps "nope" not found' });
  });

  test('the controller scales a Deployment through its scale subresource', async () => {
    const deployments = new ResourceClient<KubeObject & { spec?: { replicas?: number } }>(rest, { group: 'apps', version: 'v1', resource: 'deployments' }, NS);
    await deployments.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } as never,
    });
    await runningPod('web-1', { app: 'web' }, '200m');
    await runningPod('web-2', { app: 'web' }, '200m');
    const hpas = new ResourceClient<HorizontalPodAutoscaler>(rest, { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' }, NS);
    await hpas.create({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
    });
    running = new ControllerManager({
      rest,
      clock: realClock,
      logger: silentLogger,
      identity: 'test-manager',
      controllers: [horizontalPodAutoscalerControllerDescriptor],
      config: { ...defaultControllerConfig, horizontalPodAutoscalerSyncPeriodMs: 200 },
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 500,
    }).run(stop.signal);
    // 400% of the target on 2 pods asks for 8; without a behavior one step at most doubles (or reaches 4).
    await eventually('the deployment scaled to 4', async () => ((await deployments.get('web')).spec?.replicas === 4 ? true : undefined));
    const hpa = await eventually('the status written', async () => {
      const h = await hpas.get('web');
      return h.status?.desiredReplicas === 4 ? h : undefined;
    });
    assert.equal(hpa.status?.currentMetrics?.[0]?.resource?.current.averageUtilization, 200);
    assert.ok(hpa.status?.lastScaleTime);
  });
});
