import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { type ClientEnv, eventually, startControllerEnv } from '../../testing/controller-env.js';
import type { Pod } from '../framework/pods.js';
import type { ControllerRevision } from '../history/revisions.js';
import { CONTROLLER_REVISIONS, STATEFULSETS, statefulSetControllerDescriptor } from './controller.js';
import type { PersistentVolumeClaim, StatefulSet } from './types.js';

const NS = 'default';

describe('StatefulSet controller against an API server', () => {
  let env: ClientEnv;
  let rest: RESTClient;

  before(async () => {
    env = await startControllerEnv({ controllers: [statefulSetControllerDescriptor], identity: 'sts-test' });
    ({ rest } = env);
  });

  after(() => env.stop());

  test('ordered creation waits for Running+Ready, claims come first, a revision is recorded', async () => {
    const pods = new ResourceClient<Pod>(rest, { group: '', version: 'v1', resource: 'pods' }, NS);
    const claims = new ResourceClient<PersistentVolumeClaim>(rest, { group: '', version: 'v1', resource: 'persistentvolumeclaims' }, NS);
    const sets = new ResourceClient<StatefulSet>(rest, STATEFULSETS, NS);
    const revisions = new ResourceClient<ControllerRevision>(rest, CONTROLLER_REVISIONS, NS);
    const set = await sets.create({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'postgres' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    const db0 = await eventually('db-0', () => pods.get('db-0'));
    const claim0 = await claims.get('data-db-0');
    assert.ok(Date.parse(claim0.metadata.creationTimestamp!) <= Date.parse(db0.metadata.creationTimestamp!));
    assert.equal(db0.metadata.ownerReferences?.[0]?.uid, set.metadata.uid);
    // db-1 waits for db-0.
    await new Promise((r) => setTimeout(r, 500));
    await assert.rejects(pods.get('db-1'), /not found/);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await pods.patch('db-0', 'merge', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } }, { subresource: 'status' });
    await eventually('db-1', () => pods.get('db-1'));
    const revs = (await revisions.list()).items.filter((r) => r.metadata.ownerReferences?.[0]?.uid === set.metadata.uid);
    assert.equal(revs.length, 1);
    assert.equal(revs[0]!.revision, 1);
    assert.equal(db0.metadata.labels?.['controller-revision-hash'], revs[0]!.metadata.name);
    const status = await eventually('status', async () => {
      const s = (await sets.get('db')).status;
      return s?.replicas === 2 && s.readyReplicas === 1 ? s : undefined;
    });
    assert.equal(status.updateRevision, revs[0]!.metadata.name);
    assert.equal(status.observedGeneration, 1);
  });

  test('an orphan ControllerRevision matching the selector is adopted; one that does not match is left alone', async () => {
    const sets = new ResourceClient<StatefulSet>(rest, STATEFULSETS, NS);
    const revisions = new ResourceClient<ControllerRevision>(rest, CONTROLLER_REVISIONS, NS);
    const orphan = (name: string, app: string): ControllerRevision => ({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name, labels: { app } }, data: { spec: { template: { $patch: 'replace' } } }, revision: 7 });
    await revisions.create(orphan('cache-orphan', 'cache'));
    await revisions.create(orphan('other-orphan', 'other'));
    const set = await sets.create({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'cache' },
      spec: { replicas: 0, serviceName: 'cache', selector: { matchLabels: { app: 'cache' } }, template: { metadata: { labels: { app: 'cache' } }, spec: { containers: [{ name: 'c', image: 'redis' }] } } },
    });
    const adopted = await eventually('adoption', async () => {
      const r = await revisions.get('cache-orphan');
      return r.metadata.ownerReferences?.length ? r : undefined;
    });
    assert.deepEqual(adopted.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'cache', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal((await revisions.get('other-orphan')).metadata.ownerReferences, undefined);
  });
});
