import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { StatusError } from '../../machinery/errors/status-error.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type ClientEnv, eventually, startControllerEnv } from '../../testing/controller-env.js';
import type { Pod } from '../framework/pods.js';
import type { PodDisruptionBudget } from './budget.js';
import { PDBS, disruptionControllerDescriptor } from './controller.js';

const NS = 'default';

describe('disruption controller and pod eviction against an API server', () => {
  let env: ClientEnv;
  let pods: ResourceClient<Pod>;
  let pdbs: ResourceClient<PodDisruptionBudget & KubeObject>;

  before(async () => {
    env = await startControllerEnv({ controllers: [disruptionControllerDescriptor], identity: 'test' });
    const { rest } = env;
    pods = new ResourceClient<Pod>(rest, { group: '', version: 'v1', resource: 'pods' }, NS);
    pdbs = new ResourceClient<PodDisruptionBudget & KubeObject>(rest, PDBS, NS);
  });

  after(() => env.stop());

  async function readyPod(name: string): Promise<void> {
    const p = await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    await pods.updateStatus({ ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
  }

  const evict = (name: string) => pods.createSubresource(name, 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS } });
  const counts = async () => {
    const s = (await pdbs.get('web')).status;
    return `${s?.expectedPods}/${s?.desiredHealthy}/${s?.currentHealthy}/${s?.disruptionsAllowed}`;
  };

  test('status follows the pods; evictions spend the allowance and are refused with 429 when it is gone', async () => {
    for (const n of ['a', 'b', 'c']) await readyPod(n);
    await pdbs.create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: NS }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } });
    await eventually('status 3/2/3/1', async () => ((await counts()) === '3/2/3/1' ? true : undefined));
    const cond = (await pdbs.get('web')).status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
    assert.equal(cond?.reason, 'SufficientPods');

    await evict('a');
    await assert.rejects(pods.get('a'), (err: unknown) => err instanceof StatusError && err.code === 404);
    await eventually('status 2/2/2/0', async () => ((await counts()) === '2/2/2/0' ? true : undefined));
    await assert.rejects(evict('b'), (err: unknown) => {
      assert.ok(err instanceof StatusError);
      assert.equal(err.code, 429);
      assert.equal(err.message, "Cannot evict pod as it would violate the pod's disruption budget.");
      assert.deepEqual(err.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }]);
      return true;
    });
    assert.equal((await pods.get('b')).metadata.name, 'b');

    // An unready pod may go while the healthy ones meet the budget.
    await readyPod('d');
    await eventually('status 3/2/3/1', async () => ((await counts()) === '3/2/3/1' ? true : undefined));
    const d = await pods.get('d');
    await pods.updateStatus({ ...d, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } });
    await eventually('status 3/2/2/0', async () => ((await counts()) === '3/2/2/0' ? true : undefined));
    await evict('d');

    // Two budgets over one pod: the eviction cannot decide.
    await pdbs.create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'second', namespace: NS }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } });
    await assert.rejects(evict('b'), (err: unknown) => {
      assert.ok(err instanceof StatusError);
      assert.equal(err.code, 500);
      assert.equal(err.message, 'Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
      return true;
    });
  });
});
