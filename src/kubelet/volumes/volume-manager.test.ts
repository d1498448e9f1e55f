import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { PodT } from '../../api/core/v1/types.js';
import { HTTP2Transport } from '../../client/rest/http2-transport.js';
import { parseKubeconfig } from '../../client/rest/kubeconfig.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RESTClient } from '../../client/rest/rest-client.js';
import type { Transport, TransportRequest, TransportResponse } from '../../client/rest/transport.js';
import { FakeClock, rfc3339 } from '../../machinery/clock.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type TestAPIServer, startTestAPIServer } from '../../testing/api-server.js';
import { HostMounter } from './mounter.js';
import { PLUGIN_CONFIG_MAP, PLUGIN_EMPTY_DIR, PLUGIN_PROJECTED, PLUGIN_SECRET, VolumeManager } from './volume-manager.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Answers TokenRequests itself (the test server has no token issuer) and records them. */
class TokenTransport implements Transport {
  readonly requests: { path: string; body: Record<string, any> }[] = [];
  constructor(private readonly inner: Transport, private readonly clock: FakeClock) {}
  async request(req: TransportRequest): Promise<TransportResponse> {
    if (req.method === 'POST' && req.path.endsWith('/token')) {
      const body = JSON.parse(String(req.body)) as Record<string, any>;
      this.requests.push({ path: req.path, body });
      if (req.path.includes('/serviceaccounts/missing/')) {
        const status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'serviceaccounts "missing" not found' };
        return { status: 404, headers: {}, body: Buffer.from(JSON.stringify(status)) };
      }
      const exp = body.spec.expirationSeconds ?? 3600;
      const tr = { ...body, status: { token: `token-${this.requests.length}`, expirationTimestamp: rfc3339(this.clock.now() + exp * 1000) } };
      return { status: 201, headers: {}, body: Buffer.from(JSON.stringify(tr)) };
    }
    return this.inner.request(req);
  }
  stream(req: TransportRequest) {
    return this.inner.stream(req);
  }
  close() {
    this.inner.close();
  }
}

const NS = 'default';
const isRoot = process.getuid?.() === 0;
const hasMount = spawnSync('mount', ['--version']).status === 0;

function pod(uid: string, spec: Partial<NonNullable<PodT['spec']>>, meta: Partial<NonNullable<PodT['metadata']>> = {}): PodT {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${uid}`, namespace: NS, uid, labels: { app: 'web' }, ...meta },
    spec: { containers: [{ name: 'app', image: 'busybox' }], ...spec },
  };
}

describe('VolumeManager against an API server', () => {
  let srv: TestAPIServer;
  let rest: RESTClient;
  let tokens: TokenTransport;
  let vm: VolumeManager;
  let rootDir: string;
  let hostDir: string;
  const clock = new FakeClock(Date.now());
  const core = (r: string) => new ResourceClient<KubeObject>(rest, { group: '', version: 'v1', resource: r }, NS);

  before(async () => {
    srv = await startTestAPIServer();
    const loaded = parseKubeconfig(srv.kubeconfig);
    assert.equal(loaded.kind, 'ok');
    tokens = new TokenTransport(new HTTP2Transport(loaded.kind === 'ok' ? loaded.config : { server: '' }), clock);
    rest = new RESTClient(tokens);
    rootDir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-volumes-'));
    hostDir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-volumes-host-'));
    vm = new VolumeManager({ rootDir, client: rest, clock });
    await core('configmaps').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { 'app.conf': 'mode=prod\n', other: 'o' } });
    await core('secrets').create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, data: { password: b64('s3cr3t'), user: b64('admin') } });
    await core('configmaps').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'PEM' } }).catch(() => undefined);
  });

  after(async () => {
    for (const uid of await vm.podUIDsOnDisk()) await vm.tearDown(uid);
    tokens.close();
    await srv.stop();
    rmSync(rootDir, { recursive: true, force: true });
    rmSync(hostDir, { recursive: true, force: true });
  });

  test('configMap and secret volumes with items, modes and mounts', async () => {
    const p = pod('cm-1', {
      volumes: [
        { name: 'cfg', configMap: { name: 'app-config', items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o600 }] } },
        { name: 'sec', secret: { secretName: 'creds', defaultMode: 0o400 } },
      ],
      containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'cfg', mountPath: '/etc/app' }, { name: 'sec', mountPath: '/secrets', readOnly: false }, { name: 'cfg', mountPath: '/app.conf', subPath: 'conf/app.conf' }] }],
    });
    const r = await vm.setUp(p);
    assert.ok(r.ok, r.ok ? '' : r.message);
    const cfgDir = vm.volumeDir('cm-1', PLUGIN_CONFIG_MAP, 'cfg');
    const secDir = vm.volumeDir('cm-1', PLUGIN_SECRET, 'sec');
    assert.equal(readFileSync(path.join(cfgDir, 'conf/app.conf'), 'utf8'), 'mode=prod\n');
    assert.equal(statSync(path.join(cfgDir, 'conf/app.conf')).mode & 0o777, 0o600);
    assert.equal(existsSync(path.join(cfgDir, 'other')), false, 'only listed items');
    assert.equal(readFileSync(path.join(secDir, 'password'), 'utf8'), 's3cr3t');
    assert.equal(statSync(path.join(secDir, 'user')).mode & 0o777, 0o400);
    const m = await r.mounts('app');
    assert.ok(m.ok);
    const ts = readlinkSync(path.join(cfgDir, '..data'));
    assert.deepEqual(m.mounts, [
      { containerPath: '/etc/app', hostPath: cfgDir, readonly: true },
      { containerPath: '/secrets', hostPath: secDir, readonly: true },
      { containerPath: '/app.conf', hostPath: path.join(cfgDir, ts, 'conf/app.conf'), readonly: true },
    ]);
  });

  test('resync writes config map updates and reports the changed volume', async () => {
    const p = pod('cm-2', { volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }, { name: 'scratch', emptyDir: {} }] });
    assert.ok((await vm.setUp(p)).ok);
    const dir = vm.volumeDir('cm-2', PLUGIN_CONFIG_MAP, 'cfg');
    assert.deepEqual(await vm.resync(p), { ok: true, changed: [] });
    const cm = await core('configmaps').get('app-config');
    await core('configmaps').update({ ...cm, data: { 'app.conf': 'mode=dev\n', added: 'a' } });
    assert.deepEqual(await vm.resync(p), { ok: true, changed: ['cfg'] });
    assert.equal(readFileSync(path.join(dir, 'app.conf'), 'utf8'), 'mode=dev\n');
    assert.equal(readFileSync(path.join(dir, 'added'), 'utf8'), 'a');
    assert.equal(existsSync(path.join(dir, 'other')), false, 'a removed key disappears');
    await core('configmaps').update({ ...(await core('configmaps').get('app-config')), data: { 'app.conf': 'mode=prod\n', other: 'o' } });
  });

  const failures: { name: string; vol: NonNullable<PodT['spec']>['volumes']; message: string }[] = [
    { name: 'missing config map', vol: [{ name: 'v', configMap: { name: 'nope' } }], message: 'MountVolume.SetUp failed for volume "v" : configmap "nope" not found' },
    { name: 'missing secret', vol: [{ name: 'v', secret: { secretName: 'nope' } }], message: 'MountVolume.SetUp failed for volume "v" : secret "nope" not found' },
    { name: 'missing config map key', vol: [{ name: 'v', configMap: { name: 'app-config', items: [{ key: 'zzz', path: 'z' }] } }], message: 'MountVolume.SetUp failed for volume "v" : configmap references non-existent config key: zzz' },
    { name: 'missing secret key', vol: [{ name: 'v', secret: { secretName: 'creds', items: [{ key: 'zzz', path: 'z' }] } }], message: 'MountVolume.SetUp failed for volume "v" : references non-existent secret key: zzz' },
    { name: 'missing claim', vol: [{ name: 'v', persistentVolumeClaim: { claimName: 'nope' } }], message: 'MountVolume.SetUp failed for volume "v" : error processing PVC default/nope: failed to fetch PVC from API server: persistentvolumeclaims "nope" not found' },
    { name: 'unsupported source', vol: [{ name: 'v', nfs: { server: 'x', path: '/' } }], message: 'MountVolume.SetUp failed for volume "v" : no volume plugin matched: nfs volume source is not supported by this node' },
    { name: 'hugepages emptyDir', vol: [{ name: 'v', emptyDir: { medium: 'HugePages' } }], message: 'MountVolume.SetUp failed for volume "v" : emptyDir medium "HugePages" is not supported by this node' },
  ];
  for (const [i, c] of failures.entries()) {
    test(`fails with upstream message: ${c.name}`, async () => {
      const r = await vm.setUp(pod(`fail-${i}`, { volumes: c.vol }));
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.reason, 'FailedMount');
        assert.equal(r.message, c.message);
        assert.deepEqual(r.failures, [{ volume: 'v', message: c.message }]);
      }
    });
  }

  test('optional sources may be missing and give empty volumes', async () => {
    const r = await vm.setUp(pod('opt-1', { volumes: [{ name: 'c', configMap: { name: 'nope', optional: true } }, { name: 's', secret: { secretName: 'nope', optional: true, items: [{ key: 'k', path: 'k' }] } }] }));
    assert.ok(r.ok);
    assert.deepEqual(readdirSync(vm.volumeDir('opt-1', PLUGIN_CONFIG_MAP, 'c')).filter((e) => !e.startsWith('..')), []);
  });

  test('projected volume: token, kube-root-ca.crt and namespace; tokens refresh at 80% of their life', async () => {
    tokens.requests.length = 0;
    const p = pod('proj-1', {
      serviceAccountName: 'builder',
      volumes: [{
        name: 'kube-api-access-abcde',
        projected: {
          defaultMode: 0o644,
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            { serviceAccountToken: { path: 'vault-token', audience: 'vault', expirationSeconds: 600 } },
          ],
        },
      }],
    });
    const r = await vm.setUp(p);
    assert.ok(r.ok, r.ok ? '' : r.message);
    const dir = vm.volumeDir('proj-1', PLUGIN_PROJECTED, 'kube-api-access-abcde');
    assert.equal(readFileSync(path.join(dir, 'token'), 'utf8'), 'token-1');
    assert.equal(readFileSync(path.join(dir, 'vault-token'), 'utf8'), 'token-2');
    assert.equal(readFileSync(path.join(dir, 'ca.crt'), 'utf8'), 'PEM');
    assert.equal(readFileSync(path.join(dir, 'namespace'), 'utf8'), 'default');
    assert.equal(tokens.requests[0]!.path, '/api/v1/namespaces/default/serviceaccounts/builder/token');
    assert.deepEqual(tokens.requests[0]!.body.spec, { expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'pod-proj-1', uid: 'proj-1' } });
    assert.deepEqual(tokens.requests[1]!.body.spec.audiences, ['vault']);

    assert.deepEqual(await vm.resync(p), { ok: true, changed: [] }, 'fresh tokens are reused');
    assert.equal(tokens.requests.length, 2);
    clock.step(481_000); // past 80% of the 600 s token only
    assert.deepEqual(await vm.resync(p), { ok: true, changed: ['kube-api-access-abcde'] });
    assert.equal(tokens.requests.length, 3);
    assert.equal(readFileSync(path.join(dir, 'vault-token'), 'utf8'), 'token-3');
    assert.equal(readFileSync(path.join(dir, 'token'), 'utf8'), 'token-1');
  });

  test('projected token for a missing service account fails the mount', async () => {
    const r = await vm.setUp(pod('proj-2', { serviceAccountName: 'missing', volumes: [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }] }));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.message, 'MountVolume.SetUp failed for volume "t" : failed to fetch token: serviceaccounts "missing" not found');
  });

  test('downwardAPI volume follows label changes on resync', async () => {
    const p = pod('dapi-1', { volumes: [{ name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } }] } }] });
    assert.ok((await vm.setUp(p, { nodeAllocatable: { memory: '2Gi' } })).ok);
    const dir = vm.volumeDir('dapi-1', 'kubernetes.io~downward-api', 'info');
    assert.equal(readFileSync(path.join(dir, 'labels'), 'utf8'), 'app="web"');
    assert.equal(readFileSync(path.join(dir, 'mem'), 'utf8'), '2048');
    const relabeled = { ...p, metadata: { ...p.metadata, labels: { app: 'web', tier: 'fe' } } };
    assert.deepEqual(await vm.resync(relabeled, { nodeAllocatable: { memory: '2Gi' } }), { ok: true, changed: ['info'] });
    assert.equal(readFileSync(path.join(dir, 'labels'), 'utf8'), 'app="web"\ntier="fe"');
  });

  test('hostPath, emptyDir, subPathExpr and readOnly mounts', async () => {
    const hp = path.join(hostDir, 'data');
    const p = pod('mix-1', {
      volumes: [{ name: 'host', hostPath: { path: hp, type: 'DirectoryOrCreate' } }, { name: 'scratch', emptyDir: {} }],
      initContainers: [{ name: 'init', image: 'busybox', volumeMounts: [{ name: 'scratch', mountPath: '/work', subPathExpr: 'logs/$(POD_NAME)' }] }],
      containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'host', mountPath: '/data', readOnly: true, mountPropagation: 'HostToContainer' }, { name: 'scratch', mountPath: '/scratch' }, { name: 'scratch', mountPath: '/bad', subPath: '../etc' }] }],
    });
    const r = await vm.setUp(p);
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.ok(statSync(hp).isDirectory());
    const scratch = vm.volumeDir('mix-1', PLUGIN_EMPTY_DIR, 'scratch');
    assert.equal(statSync(scratch).mode & 0o777, 0o777);
    const init = await r.mounts('init', { envs: [{ key: 'POD_NAME', value: 'pod-mix-1' }] });
    assert.deepEqual(init, { ok: true, mounts: [{ containerPath: '/work', hostPath: path.join(scratch, 'logs/pod-mix-1'), readonly: false }] });
    assert.deepEqual(await r.mounts('init'), { ok: false, reason: 'CreateContainerConfigError', message: 'missing value for POD_NAME' });
    assert.deepEqual(await r.mounts('app'), { ok: false, reason: 'CreateContainerConfigError', message: "unable to provision SubPath `../etc`: must not contain '..'" });
    assert.deepEqual(await r.mounts('nope'), { ok: false, reason: 'CreateContainerConfigError', message: 'container "nope" not found in pod' });
  });

  test('persistentVolumeClaim on a local-path volume creates its directory', async () => {
    const pvPath = path.join(hostDir, 'pvc-abc');
    await new ResourceClient<KubeObject>(rest, { group: '', version: 'v1', resource: 'persistentvolumes' }).create({
      apiVersion: 'v1', kind: 'PersistentVolume',
      metadata: { name: 'pv-local-1', annotations: { 'pv.kubernetes.io/provisioned-by': 'k8ts.io/local-path' } },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: pvPath, type: 'DirectoryOrCreate' }, claimRef: { namespace: NS, name: 'data' } },
    });
    const claims = core('persistentvolumeclaims');
    const pvc = await claims.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    const unbound = await vm.setUp(pod('pvc-1', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] }));
    assert.equal(unbound.ok ? '' : unbound.message, 'MountVolume.SetUp failed for volume "d" : error processing PVC default/data: PVC is not bound');
    const bound = await claims.update({ ...pvc, spec: { ...(pvc.spec as object), volumeName: 'pv-local-1' } });
    await claims.updateStatus({ ...bound, status: { phase: 'Bound' } });
    const r = await vm.setUp(pod('pvc-1', {
      volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data', readOnly: true } }],
      containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'd', mountPath: '/data' }] }],
    }));
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.equal(statSync(pvPath).mode & 0o777, 0o777);
    assert.deepEqual(await r.mounts('app'), { ok: true, mounts: [{ containerPath: '/data', hostPath: pvPath, readonly: true }] });
  });

  test('tearDown removes the pod directory and is idempotent', async () => {
    const p = pod('td-1', { volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }, { name: 's', emptyDir: {} }] });
    assert.ok((await vm.setUp(p)).ok);
    writeFileSync(path.join(vm.volumeDir('td-1', PLUGIN_EMPTY_DIR, 's'), 'f'), 'x');
    assert.deepEqual(await vm.tearDown('td-1'), { ok: true });
    assert.equal(existsSync(vm.podDir('td-1')), false);
    assert.deepEqual(await vm.tearDown('td-1'), { ok: true });
    assert.deepEqual(await vm.tearDown('../x'), { ok: false, message: 'invalid pod uid "../x"' });
  });
});

describe('memory-backed emptyDir', () => {
  const skip = !isRoot ? 'needs root to mount tmpfs' : !hasMount ? 'mount is not installed' : false;
  test('is a tmpfs of the size limit and is unmounted by tearDown', { skip }, async () => {
    const rootDir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-tmpfs-'));
    const mounter = new HostMounter();
    const uid = `tmpfs-${process.pid}-${Date.now()}`;
    const vm = new VolumeManager({ rootDir, client: new RESTClient({ request: () => Promise.reject(new Error('unused')), stream: () => Promise.reject(new Error('unused')), close: () => undefined }), mounter });
    try {
      const r = await vm.setUp(pod(uid, { volumes: [{ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }] }));
      assert.ok(r.ok, r.ok ? '' : r.message);
      const dir = vm.volumeDir(uid, PLUGIN_EMPTY_DIR, 'mem');
      const info = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === dir);
      assert.ok(info, 'mounted');
      assert.match(info!, / - tmpfs tmpfs .*size=1024k/);
      assert.ok((await vm.setUp(pod(uid, { volumes: [{ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }] }))).ok, 'setUp again does not mount twice');
      assert.equal((await mounter.mountsUnder(dir)).length, 1);
      assert.deepEqual(await vm.tearDown(uid), { ok: true });
      assert.deepEqual(await mounter.mountsUnder(rootDir), []);
      assert.equal(existsSync(vm.podDir(uid)), false);
    } finally {
      for (const mp of await mounter.mountsUnder(rootDir)) await mounter.unmount(mp);
      rmSync(rootDir, { recursive: true, force: true });
    }
  });
});
