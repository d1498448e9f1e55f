import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { isNotFound } from '../../machinery/errors/index.js';
import { type ClientEnv, eventually, startControllerEnv } from '../../testing/controller-env.js';
import type { Pod } from '../framework/pods.js';
import type { PV, PVC } from './annotations.js';
import { pvProtectionControllerDescriptor } from './protection-pv-controller.js';
import { pvcProtectionControllerDescriptor } from './protection-pvc-controller.js';
import { VOLUME_GVR, persistentVolumeBinderDescriptor } from './pv-controller.js';

const gone = async (get: () => Promise<unknown>) => {
  try {
    await get();
    return undefined;
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
};

describe('pvc-protection and pv-protection against an API server', () => {
  let env: ClientEnv;
  let rest: RESTClient;
  before(async () => {
    env = await startControllerEnv({ controllers: [pvcProtectionControllerDescriptor, pvProtectionControllerDescriptor, persistentVolumeBinderDescriptor] });
    ({ rest } = env);
  });
  after(async () => {
    await env.stop();
  });

  const claimOf = (name: string): PVC => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { storageClassName: '', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });

  test('a claim used by a scheduled pod stays Terminating until the pod is gone', async () => {
    const claims = new ResourceClient<PVC>(rest, VOLUME_GVR.pvcs, 'default');
    const pods = new ResourceClient<Pod>(rest, VOLUME_GVR.pods, 'default');
    await claims.create(claimOf('used'));
    await claims.create(claimOf('unused'));
    // Without the admission plugin the controller adds the finalizer itself.
    for (const name of ['used', 'unused']) {
      await eventually(`finalizer on ${name}`, async () => ((await claims.get(name)).metadata.finalizers?.includes('kubernetes.io/pvc-protection') ? true : undefined));
    }
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app' }, spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'used' } }] } } as Pod);

    await claims.delete('used');
    await claims.delete('unused');
    await eventually('unused claim removed', () => gone(() => claims.get('unused')));
    const held = await claims.get('used');
    assert.ok(held.metadata.deletionTimestamp, 'Terminating');
    assert.deepEqual(held.metadata.finalizers, ['kubernetes.io/pvc-protection']);

    await pods.delete('app', { gracePeriodSeconds: 0 });
    await eventually('used claim removed once its pod is gone', () => gone(() => claims.get('used')));
  });

  test('a Bound volume stays Terminating until its claim is gone', async () => {
    const claims = new ResourceClient<PVC>(rest, VOLUME_GVR.pvcs, 'default');
    const volumes = new ResourceClient<PV>(rest, VOLUME_GVR.pvs);
    const pv = (name: string): PV => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { storageClassName: '', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: `/tmp/${name}` } } });
    await volumes.create({ ...pv('pv-bound'), spec: { ...pv('pv-bound').spec, claimRef: { namespace: 'default', name: 'holder' } } });
    await claims.create(claimOf('holder'));
    await eventually('volume Bound', async () => ((await volumes.get('pv-bound')).status?.phase === 'Bound' ? true : undefined));
    await volumes.create(pv('pv-free'));
    await eventually('finalizer on pv-free', async () => ((await volumes.get('pv-free')).metadata.finalizers?.includes('kubernetes.io/pv-protection') ? true : undefined));

    await volumes.delete('pv-bound');
    await volumes.delete('pv-free');
    await eventually('free volume removed', () => gone(() => volumes.get('pv-free')));
    const held = await volumes.get('pv-bound');
    assert.ok(held.metadata.deletionTimestamp, 'Terminating');

    await claims.delete('holder');
    await eventually('bound volume removed once released', () => gone(() => volumes.get('pv-bound')), 30_000);
  });
});
