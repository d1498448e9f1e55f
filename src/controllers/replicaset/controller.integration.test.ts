import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type ClientEnv, eventually, startControllerEnv } from '../../testing/controller-env.js';
import type { Pod } from '../framework/pods.js';
import { type ReplicaSetAdapter, type ReplicatedObject, replicaSetAdapter, replicationControllerAdapter } from './adapters.js';
import { replicaSetControllerDescriptor, replicationControllerDescriptor } from './controller.js';

const NS = 'default';
const podsGVR = { group: '', version: 'v1', resource: 'pods' };

describe('ReplicaSet and ReplicationController controllers against an API server', () => {
  let env: ClientEnv;
  let rest: RESTClient;
  let pods: ResourceClient<Pod>;

  before(async () => {
    env = await startControllerEnv({ controllers: [replicaSetControllerDescriptor, replicationControllerDescriptor] });
    ({ rest } = env);
    pods = new ResourceClient<Pod>(rest, podsGVR, NS);
  });

  after(() => env.stop());

  test('the manager holds the kube-controller-manager Lease', async () => {
    const leases = new ResourceClient<KubeObject & { spec?: { holderIdentity?: string } }>(rest, { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' }, 'kube-system');
    const lease = await eventually('lease', async () => leases.get('kube-controller-manager'));
    assert.equal(lease.spec?.holderIdentity, 'test-manager');
  });

  const cases: { adapter: ReplicaSetAdapter; name: string; selector: unknown }[] = [
    { adapter: replicaSetAdapter, name: 'web', selector: { matchLabels: { app: 'web' } } },
    { adapter: replicationControllerAdapter, name: 'legacy', selector: { app: 'legacy' } },
  ];
  for (const c of cases) {
    test(`${c.adapter.kind}: create, scale, replace, adopt, release, status`, async () => {
      const owners = new ResourceClient<ReplicatedObject>(rest, c.adapter.gvr, NS);
      const app = c.name;
      const activeOwned = async (uid: string) => {
        const list = await pods.list({ labelSelector: `app=${app}` });
        return list.items.filter((p) => !p.metadata.deletionTimestamp && p.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller));
      };
      const waitCount = (uid: string, n: number) => eventually(`${n} pods`, async () => {
        const owned = await activeOwned(uid);
        return owned.length === n ? owned : undefined;
      });

      const rs = await owners.create({
        apiVersion: c.adapter.apiVersion,
        kind: c.adapter.kind,
        metadata: { name: c.name, namespace: NS },
        spec: { replicas: 3, selector: c.selector, template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      });
      const uid = rs.metadata.uid!;

      const three = await waitCount(uid, 3);
      for (const p of three) {
        assert.ok(p.metadata.name!.startsWith(`${c.name}-`));
        assert.deepEqual(p.metadata.labels, { app });
        const ref = p.metadata.ownerReferences![0]!;
        assert.deepEqual({ ...ref }, { apiVersion: c.adapter.apiVersion, kind: c.adapter.kind, name: c.name, uid, controller: true, blockOwnerDeletion: true });
      }
      await eventually('status replicas 3', async () => ((await owners.get(c.name)).status?.replicas === 3 ? true : undefined));

      const events = new ResourceClient<KubeObject & { reason?: string; message?: string; involvedObject?: { uid?: string } }>(rest, { group: '', version: 'v1', resource: 'events' }, NS);
      await eventually('SuccessfulCreate events', async () => {
        const list = await events.list();
        const mine = list.items.filter((e) => e.involvedObject?.uid === uid && e.reason === 'SuccessfulCreate');
        // At least one: the recorder may merge events written within the same millisecond.
        const names = new Set(three.map((p) => `Created pod: ${p.metadata.name}`));
        return mine.length >= 1 && mine.every((e) => names.has(e.message ?? '')) ? true : undefined;
      });

      // Scale down.
      await owners.patch(c.name, 'merge', { spec: { replicas: 1 } });
      const [survivor] = await waitCount(uid, 1);

      // A deleted pod is replaced.
      await pods.delete(survivor!.metadata.name!);
      const [replacement] = await eventually('replacement', async () => {
        const owned = await activeOwned(uid);
        return owned.length === 1 && owned[0]!.metadata.name !== survivor!.metadata.name ? owned : undefined;
      });

      // Readiness through the status subresource shows in readyReplicas.
      await pods.patch(replacement!.metadata.name!, 'merge', { status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } }, { subresource: 'status' });
      await eventually('readyReplicas 1', async () => {
        const s = (await owners.get(c.name)).status;
        return s?.readyReplicas === 1 && s.availableReplicas === 1 ? true : undefined;
      });

      // A ready orphan matching the selector is adopted; being ready, it is kept over a not-ready pod.
      await owners.patch(c.name, 'merge', { spec: { replicas: 2 } });
      await waitCount(uid, 2);
      const orphan = await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `${c.name}-orphan`, labels: { app: `${app}-waiting` } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
      await pods.patch(orphan.metadata.name!, 'merge', { status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } }, { subresource: 'status' });
      await pods.patch(orphan.metadata.name!, 'merge', { metadata: { labels: { app } } });
      await eventually('orphan adopted', async () => {
        const p = await pods.get(orphan.metadata.name!);
        return p.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller) ? true : undefined;
      });
      await eventually('two pods including the orphan', async () => {
        const owned = await activeOwned(uid);
        return owned.length === 2 && owned.some((p) => p.metadata.name === orphan.metadata.name) ? true : undefined;
      });

      // Changing the labels releases the pod; a replacement keeps two.
      await pods.patch(orphan.metadata.name!, 'merge', { metadata: { labels: { app: `${app}-released` } } });
      await eventually('orphan released', async () => {
        const p = await pods.get(orphan.metadata.name!);
        return (p.metadata.ownerReferences ?? []).some((r) => r.uid === uid) ? undefined : true;
      });
      const again = await waitCount(uid, 2);
      assert.ok(!again.some((p) => p.metadata.name === orphan.metadata.name));

      // Clean up so the other case starts from an empty namespace.
      await owners.patch(c.name, 'merge', { spec: { replicas: 0 } });
      await waitCount(uid, 0);
      await owners.delete(c.name);
      await pods.delete(orphan.metadata.name!);
    });
  }
});
