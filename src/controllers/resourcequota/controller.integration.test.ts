import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKubeconfig } from '../../client/rest/kubeconfig.js';
import { HTTP2Transport } from '../../client/rest/http2-transport.js';
import { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { realClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type TestAPIServer, startTestAPIServer } from '../../testing/api-server.js';
import { ControllerManager } from '../manager.js';
import { RESOURCE_QUOTAS, resourceQuotaControllerDescriptor } from './controller.js';
import type { ResourceQuota } from '../../api/quota/evaluator.js';

const NS = 'default';

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('resourcequota controller against an API server', () => {
  let srv: TestAPIServer;
  let transport: HTTP2Transport;
  let rest: RESTClient;
  const stop = new AbortController();
  let running: Promise<void>;

  before(async () => {
    srv = await startTestAPIServer();
    const loaded = parseKubeconfig(srv.kubeconfig);
    assert.equal(loaded.kind, 'ok');
    transport = new HTTP2Transport(loaded.kind === 'ok' ? loaded.config : { server: '' });
    rest = new RESTClient(transport);
    const manager = new ControllerManager({ rest, clock: realClock, logger: silentLogger, identity: 'test', controllers: [resourceQuotaControllerDescriptor], leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 });
    running = manager.run(stop.signal);
  });

  after(async () => {
    stop.abort();
    await running;
    transport.close();
    await srv.stop();
  });

  test('usage is computed from the objects, given back on delete, and counts other groups', async () => {
    const quotas = new ResourceClient<ResourceQuota & KubeObject>(rest, RESOURCE_QUOTAS, NS);
    const pods = new ResourceClient<KubeObject>(rest, { group: '', version: 'v1', resource: 'pods' }, NS);
    const cms = new ResourceClient<KubeObject>(rest, { group: '', version: 'v1', resource: 'configmaps' }, NS);
    const deployments = new ResourceClient<KubeObject>(rest, { group: 'apps', version: 'v1', resource: 'deployments' }, NS);
    const pod = (name: string, cpu: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu }, limits: { cpu } } }] } });
    await pods.create(pod('a', '100m'));
    await pods.create(pod('b', '400m'));
    await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: NS } } as KubeObject);
    await deployments.create({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: NS },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    } as KubeObject);
    const hard = { pods: '10', 'requests.cpu': '2', configmaps: '5', 'count/deployments.apps': '3' };
    await quotas.create({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: NS }, spec: { hard } });
    const used = async () => JSON.stringify((await quotas.get('q')).status?.used);
    // The API server's own objects: kube-root-ca.crt is not published here (no publisher running).
    const want = (p: string, cpu: string) => JSON.stringify({ configmaps: '1', 'count/deployments.apps': '1', pods: p, 'requests.cpu': cpu });
    await eventually('initial usage', async () => ((await used()) === want('2', '500m') ? true : undefined));
    assert.deepEqual((await quotas.get('q')).status?.hard, hard);

    await pods.delete('b', { gracePeriodSeconds: 0 });
    await eventually('usage given back', async () => ((await used()) === want('1', '100m') ? true : undefined));
  });
});
