import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { isNotFound } from '../../machinery/errors/index.js';
import { type ClientEnv, eventually, startControllerEnv } from '../../testing/controller-env.js';
import { defaultControllerConfig } from '../framework/controller-config.js';
import type { PV, PVC, StorageClass } from './annotations.js';
import { localPathProvisionerDescriptor } from './local-path-provisioner.js';
import { VOLUME_GVR, persistentVolumeBinderDescriptor } from './pv-controller.js';

describe('persistentvolume-binder and local-path-provisioner against an API server', () => {
  let env: ClientEnv;
  let rest: RESTClient;
  let storage: string;

  before(async () => {
    storage = mkdtempSync(path.join(os.tmpdir(), 'k8ts-volumes-'));
    env = await startControllerEnv({
      controllers: [persistentVolumeBinderDescriptor, localPathProvisionerDescriptor],
      config: { ...defaultControllerConfig, localStoragePath: storage },
    });
    ({ rest } = env);
  });
  after(async () => {
    await env.stop();
    rmSync(storage, { recursive: true, force: true });
  });

  test('a claim provisioned on its selected node binds, and Delete reclaims volume and directory', async () => {
    const classes = new ResourceClient<StorageClass>(rest, VOLUME_GVR.classes);
    const claims = new ResourceClient<PVC>(rest, VOLUME_GVR.pvcs, 'default');
    const volumes = new ResourceClient<PV>(rest, VOLUME_GVR.pvs);
    await classes.create({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'it-local' }, provisioner: 'k8ts.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' });
    const pvc = await claims.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { storageClassName: 'it-local', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } } });
    // What the scheduler's PreBind does once it picked a node.
    await claims.patch('data', 'merge', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'node-a' } } });
    const bound = await eventually('claim Bound', async () => {
      const c = await claims.get('data');
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    const pvName = `pvc-${pvc.metadata.uid}`;
    assert.equal(bound.spec?.volumeName, pvName);
    assert.deepEqual(bound.status?.capacity, { storage: '2Gi' });
    const pv = await volumes.get(pvName);
    assert.equal(pv.status?.phase, 'Bound');
    assert.equal(pv.spec?.claimRef?.uid, pvc.metadata.uid);
    const dir = path.join(storage, `${pvName}_default_data`);
    assert.equal(pv.spec?.hostPath?.path, dir);
    assert.ok(existsSync(dir));

    await claims.delete('data');
    await eventually('volume deleted', async () => {
      try {
        await volumes.get(pvName);
        return undefined;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    });
    assert.equal(existsSync(dir), false);
  });
});
