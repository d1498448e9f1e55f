/**
 * Persistent volumes through kubectl against `k8ts server --sim-nodes 3`:
 * the default local-path class waits for a first consumer, then provisions
 * a directory volume on the pod's node; a static volume binds immediately;
 * a claim too big for any volume stays Pending; reclaim Delete removes the
 * volume and its directory, Retain leaves it Released; a claim in use and a
 * Bound volume stay Terminating until released (storage object protection).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { applyObjects, ensureNamespace, parseTable, pollUntil } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

const PVC_HEADER = ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'];
const PV_HEADER = ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE'];

function claim(name: string, opts: { storageClassName: string; size: string }): object {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: { storageClassName: opts.storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: opts.size } } },
  };
}

function staticVolume(name: string, opts: { size: string; reclaim: 'Retain' | 'Delete' }): object {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: { storageClassName: '', capacity: { storage: opts.size }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: opts.reclaim, hostPath: { path: `/tmp/${name}` } },
  };
}

const header = (out: string) => (out.split('\n')[0] ?? '').trim().split(/ {2,}/);

describe('persistent volumes in k8ts server', { skip }, () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start({ args: ['--sim-nodes', '3'] });
  });
  after(async () => {
    await s?.stop();
  });

  const jsonpath = (args: string[], expr: string) => s.k([...args, '-o', `jsonpath=${expr}`]);
  const phase = (ns: string, pvc: string) => jsonpath(['get', 'pvc', pvc, '-n', ns], '{.status.phase}');
  const events = (ns: string, reason: string) => jsonpath(['get', 'events', '-n', ns, '--field-selector', `reason=${reason}`], '{range .items[*]}{.involvedObject.name}: {.message}{"\\n"}{end}');

  test('WaitForFirstConsumer: Pending until a pod uses the claim, then provisioned on its node; Delete removes volume and directory', async () => {
    const ns = 'vol-wffc';
    await ensureNamespace(s, ns);
    await applyObjects(s, [claim('data', { storageClassName: 'local-path', size: '1Gi' })], { namespace: ns });
    await pollUntil('WaitForFirstConsumer event', async () => ((await events(ns, 'WaitForFirstConsumer')).includes('data: waiting for first consumer to be created before binding') ? true : undefined));
    assert.equal(await phase(ns, 'data'), 'Pending');
    const pending = await s.k(['get', 'pvc', 'data', '-n', ns]);
    assert.deepEqual(header(pending), PVC_HEADER);
    assert.deepEqual({ ...parseTable(pending)[0], AGE: '' }, { NAME: 'data', STATUS: 'Pending', VOLUME: '', CAPACITY: '', 'ACCESS MODES': '', STORAGECLASS: 'local-path', VOLUMEATTRIBUTESCLASS: '<unset>', AGE: '' });

    await applyObjects(s, [{
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'app' },
      spec: { containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'd', mountPath: '/data' }] }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] },
    }], { namespace: ns });
    await pollUntil('claim Bound', async () => ((await phase(ns, 'data')) === 'Bound' ? true : undefined), { timeoutMs: 30_000 });
    const uid = await jsonpath(['get', 'pvc', 'data', '-n', ns], '{.metadata.uid}');
    const pvName = `pvc-${uid}`;
    const table = parseTable(await s.k(['get', 'pvc', 'data', '-n', ns]))[0]!;
    assert.deepEqual({ ...table, AGE: '' }, { NAME: 'data', STATUS: 'Bound', VOLUME: pvName, CAPACITY: '1Gi', 'ACCESS MODES': 'RWO', STORAGECLASS: 'local-path', VOLUMEATTRIBUTESCLASS: '<unset>', AGE: '' });
    const annotations = JSON.parse(await jsonpath(['get', 'pvc', 'data', '-n', ns], '{.metadata.annotations}')) as Record<string, string>;
    assert.equal(annotations['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(annotations['pv.kubernetes.io/bound-by-controller'], 'yes');

    const node = await pollUntil('pod Running', async () => {
      const out = await jsonpath(['get', 'pod', 'app', '-n', ns], '{.status.phase} {.spec.nodeName}');
      const [p, n] = out.split(' ');
      return p === 'Running' ? n : undefined;
    }, { timeoutMs: 30_000 });
    assert.equal(annotations['volume.kubernetes.io/selected-node'], node);
    const affinity = await jsonpath(['get', 'pv', pvName], '{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}');
    assert.equal(affinity, node);
    const pvRow = parseTable(await s.k(['get', 'pv', pvName]))[0]!;
    assert.deepEqual({ ...pvRow, AGE: '' }, { NAME: pvName, CAPACITY: '1Gi', 'ACCESS MODES': 'RWO', 'RECLAIM POLICY': 'Delete', STATUS: 'Bound', CLAIM: `${ns}/data`, STORAGECLASS: 'local-path', VOLUMEATTRIBUTESCLASS: '<unset>', REASON: '', AGE: '' });
    const dir = await jsonpath(['get', 'pv', pvName], '{.spec.hostPath.path}');
    assert.equal(dir, path.join(s.dataDir, 'storage', `${pvName}_${ns}_data`));
    assert.ok(existsSync(dir), `${dir} exists`);
    const provisioned = await events(ns, 'ProvisioningSucceeded');
    assert.match(provisioned, new RegExp(`data: Successfully provisioned volume ${pvName}`));
    assert.match(await events(ns, 'ExternalProvisioning'), /data: Waiting for a volume to be created either by the external provisioner 'k8ts.io\/local-path' or manually by the system administrator/);

    await s.k(['delete', 'pod', 'app', '-n', ns, '--grace-period=0', '--force']);
    await s.k(['delete', 'pvc', 'data', '-n', ns, '--wait=false']);
    await pollUntil('provisioned volume deleted', async () => {
      const r = await s.kubectl(['get', 'pv', pvName]);
      return r.code === 1 && r.stderr.includes(`persistentvolumes "${pvName}" not found`) ? true : undefined;
    }, { timeoutMs: 30_000 });
    assert.equal(existsSync(dir), false, `${dir} removed`);
  });

  test('kubectl delete pvc of a claim a running pod uses: Terminating until the pod is deleted; a Bound volume likewise', async () => {
    const ns = 'vol-protect';
    await ensureNamespace(s, ns);
    await applyObjects(s, [claim('inuse', { storageClassName: 'local-path', size: '1Gi' }), claim('spare', { storageClassName: 'local-path', size: '1Gi' })], { namespace: ns });
    await applyObjects(s, [{
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'user' },
      spec: { containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'd', mountPath: '/data' }] }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'inuse' } }] },
    }], { namespace: ns });
    await pollUntil('pod Running', async () => ((await jsonpath(['get', 'pod', 'user', '-n', ns], '{.status.phase}')) === 'Running' ? true : undefined), { timeoutMs: 30_000 });
    assert.equal(await jsonpath(['get', 'pvc', 'inuse', '-n', ns], '{.metadata.finalizers}'), '["kubernetes.io/pvc-protection"]');
    const pvName = await jsonpath(['get', 'pvc', 'inuse', '-n', ns], '{.spec.volumeName}');
    assert.equal(await jsonpath(['get', 'pv', pvName], '{.metadata.finalizers}'), '["kubernetes.io/pv-protection"]');

    // A Bound volume is held too; the unused claim, deleted last, shows when the controllers have looked.
    await s.k(['delete', 'pv', pvName, '--wait=false']);
    await s.k(['delete', 'pvc', 'inuse', '-n', ns, '--wait=false']);
    await s.k(['delete', 'pvc', 'spare', '-n', ns, '--wait=false']);
    await pollUntil('unused claim gone', async () => ((await s.kubectl(['get', 'pvc', 'spare', '-n', ns])).code === 1 ? true : undefined));
    const row = parseTable(await s.k(['get', 'pvc', 'inuse', '-n', ns]))[0]!;
    assert.deepEqual([row.NAME, row.STATUS, row.VOLUME], ['inuse', 'Terminating', pvName]);
    assert.equal(parseTable(await s.k(['get', 'pv', pvName]))[0]!.STATUS, 'Terminating');
    assert.match(await s.k(['describe', 'pvc', 'inuse', '-n', ns]), /Finalizers:\s+\[kubernetes\.io\/pvc-protection\]/);

    await s.k(['delete', 'pod', 'user', '-n', ns, '--grace-period=0', '--force']);
    await pollUntil('claim gone once its pod is', async () => {
      const r = await s.kubectl(['get', 'pvc', 'inuse', '-n', ns]);
      return r.code === 1 && r.stderr.includes('persistentvolumeclaims "inuse" not found') ? true : undefined;
    }, { timeoutMs: 30_000 });
    await pollUntil('volume gone once released', async () => ((await s.kubectl(['get', 'pv', pvName])).code === 1 ? true : undefined), { timeoutMs: 30_000 });
  });

  test('a static volume binds a claim of class "" at once; Retain leaves it Released', async () => {
    const ns = 'vol-static';
    await ensureNamespace(s, ns);
    await applyObjects(s, [staticVolume('static-big', { size: '5Gi', reclaim: 'Retain' }), staticVolume('static-fit', { size: '1Gi', reclaim: 'Retain' })]);
    await applyObjects(s, [claim('small', { storageClassName: '', size: '500Mi' })], { namespace: ns });
    await pollUntil('claim Bound', async () => ((await phase(ns, 'small')) === 'Bound' ? true : undefined));
    const pvc = parseTable(await s.k(['get', 'pvc', 'small', '-n', ns]))[0]!;
    assert.deepEqual({ ...pvc, AGE: '' }, { NAME: 'small', STATUS: 'Bound', VOLUME: 'static-fit', CAPACITY: '1Gi', 'ACCESS MODES': 'RWO', STORAGECLASS: '', VOLUMEATTRIBUTESCLASS: '<unset>', AGE: '' });
    const out = await s.k(['get', 'pv', 'static-fit', 'static-big']);
    assert.deepEqual(header(out), PV_HEADER);
    const rows = parseTable(out).map((r) => [r.NAME, r.STATUS, r.CLAIM, r['RECLAIM POLICY']]);
    assert.deepEqual(rows, [['static-fit', 'Bound', `${ns}/small`, 'Retain'], ['static-big', 'Available', '', 'Retain']]);
    assert.equal(await jsonpath(['get', 'pv', 'static-fit'], '{.metadata.annotations.pv\\.kubernetes\\.io/bound-by-controller}'), 'yes');

    await s.k(['delete', 'pvc', 'small', '-n', ns, '--wait=false']);
    await pollUntil('volume Released', async () => ((await jsonpath(['get', 'pv', 'static-fit'], '{.status.phase}')) === 'Released' ? true : undefined));
    const released = parseTable(await s.k(['get', 'pv', 'static-fit']))[0]!;
    assert.equal(released.STATUS, 'Released');
    assert.equal(released.CLAIM, `${ns}/small`);
    await s.k(['delete', 'pv', 'static-fit', 'static-big', '--wait=false']);
  });

  test('a claim too big for every volume stays Pending with FailedBinding', async () => {
    const ns = 'vol-big';
    await ensureNamespace(s, ns);
    await applyObjects(s, [staticVolume('static-tiny', { size: '1Gi', reclaim: 'Retain' })]);
    await applyObjects(s, [claim('huge', { storageClassName: '', size: '100Gi' })], { namespace: ns });
    await pollUntil('FailedBinding event', async () => ((await events(ns, 'FailedBinding')).includes('huge: no persistent volumes available for this claim and no storage class is set') ? true : undefined));
    assert.equal(await phase(ns, 'huge'), 'Pending');
    assert.equal(await jsonpath(['get', 'pv', 'static-tiny'], '{.status.phase}'), 'Available');
    await s.k(['delete', 'pv', 'static-tiny', '--wait=false']);
  });
});
