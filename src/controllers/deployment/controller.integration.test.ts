import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { type ClientEnv, eventually, startControllerEnv } from '../../testing/controller-env.js';
import type { Pod } from '../framework/pods.js';
import { replicaSetControllerDescriptor } from '../replicaset/controller.js';
import { deploymentControllerDescriptor } from './controller.js';
import { DEPLOYMENTS_GVR, REPLICA_SETS_GVR } from './deployment-control.js';
import type { Deployment, ReplicaSet } from './types.js';

const NS = 'default';

describe('deployment controller against an API server', () => {
  let env: ClientEnv;
  let rest: RESTClient;

  before(async () => {
    env = await startControllerEnv({ controllers: [replicaSetControllerDescriptor, deploymentControllerDescriptor] });
    ({ rest } = env);
  });

  after(() => env.stop());

  test('create, become available, roll out a new template, keep history', async () => {
    const deployments = new ResourceClient<Deployment>(rest, DEPLOYMENTS_GVR, NS);
    const replicaSets = new ResourceClient<ReplicaSet>(rest, REPLICA_SETS_GVR, NS);
    const pods = new ResourceClient<Pod>(rest, { group: '', version: 'v1', resource: 'pods' }, NS);
    // Stands in for kubelets: every pod without a Ready condition becomes ready.
    const readyAll = async () => {
      for (const p of (await pods.list({ labelSelector: 'app=web' })).items) {
        if (p.metadata.deletionTimestamp || p.status?.conditions?.some((c) => c.type === 'Ready')) continue;
        const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        await pods.patch(p.metadata.name!, 'merge', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] } }, { subresource: 'status' }).catch(() => undefined);
      }
    };
    const ownedRSs = async (uid: string) => (await replicaSets.list()).items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller));

    const d = await deployments.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const uid = d.metadata.uid!;
    const [rs1] = await eventually('first ReplicaSet', async () => {
      const list = await ownedRSs(uid);
      return list.length === 1 ? list : undefined;
    });
    assert.match(rs1!.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs1!.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');

    const complete = (gen: number) => eventually(`rollout of generation ${gen} complete`, async () => {
      await readyAll();
      const cur = await deployments.get('web');
      const s = cur.status;
      const progressing = s?.conditions?.find((c) => c.type === 'Progressing');
      return s?.observedGeneration === gen && s.updatedReplicas === 2 && s.replicas === 2 && s.availableReplicas === 2 && progressing?.reason === 'NewReplicaSetAvailable' ? cur : undefined;
    });
    const done1 = await complete(1);
    assert.equal(done1.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(done1.status?.conditions?.find((c) => c.type === 'Available')?.reason, 'MinimumReplicasAvailable');

    await deployments.patch('web', 'strategic', { metadata: { annotations: { 'kubernetes.io/change-cause': 'to 1.27' } }, spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } } });
    const done2 = await complete(2);
    assert.equal(done2.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    const sets = await ownedRSs(uid);
    assert.equal(sets.length, 2);
    const old = sets.find((rs) => rs.metadata.uid === rs1!.metadata.uid)!;
    const fresh = sets.find((rs) => rs.metadata.uid !== rs1!.metadata.uid)!;
    assert.equal(old.spec?.replicas, 0);
    assert.equal(fresh.spec?.replicas, 2);
    assert.equal(fresh.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.equal(fresh.metadata.annotations?.['kubernetes.io/change-cause'], 'to 1.27');
    assert.equal(fresh.metadata.labels?.['pod-template-hash'], fresh.metadata.name!.slice('web-'.length));
    const podsNow = (await pods.list({ labelSelector: 'app=web' })).items.filter((p) => !p.metadata.deletionTimestamp);
    assert.ok(podsNow.every((p) => p.metadata.labels?.['pod-template-hash'] === fresh.metadata.labels?.['pod-template-hash']));

    // Deleting the deployment's ReplicaSets by hand: the controller makes the current one again.
    await replicaSets.delete(fresh.metadata.name!);
    await eventually('ReplicaSet recreated', async () => {
      const list = await ownedRSs(uid);
      return list.some((rs) => rs.metadata.name === fresh.metadata.name && rs.metadata.uid !== fresh.metadata.uid) ? true : undefined;
    });
    await deployments.delete('web');
  });
});
