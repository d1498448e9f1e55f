import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type ClientEnv, eventually, startControllerEnv } from '../../testing/controller-env.js';
import { RESOURCE_QUOTAS, resourceQuotaControllerDescriptor } from './controller.js';
import type { ResourceQuota } from '../../api/quota/evaluator.js';

const NS = 'default';

describe('resourcequota controller against an API server', () => {
  let env: ClientEnv;
  let rest: RESTClient;

  before(async () => {
    env = await startControllerEnv({ controllers: [resourceQuotaControllerDescriptor], identity: 'test' });
    ({ rest } = env);
  });

  after(() => env.stop());

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
