import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isConflict, isNotFound, isStatusError } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type TestAPIServer, startTestAPIServer } from '../../testing/api-server.js';
import { HTTP2Transport } from './http2-transport.js';
import { parseKubeconfig, loadKubeconfigFile } from './kubeconfig.js';
import { ResourceClient } from './resource-client.js';
import { RESTClient } from './rest-client.js';
import type { WatchEvent } from './watch-decoder.js';

const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

describe('REST client against an in-process API server', () => {
  let srv: TestAPIServer;
  let transport: HTTP2Transport;
  let configMaps: ResourceClient;

  before(async () => {
    srv = await startTestAPIServer({ bookmarkIntervalMs: 200 });
    const loaded = parseKubeconfig(srv.kubeconfig);
    assert.equal(loaded.kind, 'ok');
    transport = new HTTP2Transport(loaded.kind === 'ok' ? loaded.config : { server: '' });
    configMaps = new ResourceClient(new RESTClient(transport), { group: '', version: 'v1', resource: 'configmaps' }, 'default');
  });
  after(async () => {
    transport.close();
    await srv.stop();
  });

  test('create, get, update with a stale resourceVersion is a Conflict', async () => {
    const created = await configMaps.create(cm('a', { k: 'v' }));
    assert.ok(created.metadata.uid);
    const got = await configMaps.get('a');
    assert.deepEqual(got.data, { k: 'v' });
    const updated = await configMaps.update({ ...got, data: { k: 'w' } });
    assert.notEqual(updated.metadata.resourceVersion, got.metadata.resourceVersion);
    await assert.rejects(configMaps.update({ ...got, data: { k: 'x' } }), (e) => isConflict(e));
  });

  test('get of a missing object is a NotFound StatusError', async () => {
    await assert.rejects(configMaps.get('missing'), (e) => isNotFound(e) && isStatusError(e) && e.code === 404);
  });

  test('list with label selector, limit and continue', async () => {
    for (const n of ['l1', 'l2', 'l3']) await configMaps.create(cm(n, {}, { app: 'list' }));
    await configMaps.create(cm('other', {}, { app: 'no' }));
    const first = await configMaps.list({ labelSelector: 'app=list', limit: 2 });
    assert.deepEqual(first.items.map((i) => i.metadata.name), ['l1', 'l2']);
    assert.ok(first.metadata.continue);
    const second = await configMaps.list({ labelSelector: 'app=list', limit: 2, continue: first.metadata.continue });
    assert.deepEqual(second.items.map((i) => i.metadata.name), ['l3']);
  });

  test('patch kinds and server-side apply', async () => {
    await configMaps.create(cm('p', { a: '1' }));
    const table: { name: string; type: 'merge' | 'json' | 'strategic'; body: unknown; want: Record<string, string> }[] = [
      { name: 'merge', type: 'merge', body: { data: { b: '2' } }, want: { a: '1', b: '2' } },
      { name: 'json', type: 'json', body: [{ op: 'remove', path: '/data/a' }], want: { b: '2' } },
      { name: 'strategic', type: 'strategic', body: { data: { c: '3' } }, want: { b: '2', c: '3' } },
    ];
    for (const c of table) {
      const out = await configMaps.patch('p', c.type, c.body);
      assert.deepEqual(out.data, c.want, c.name);
    }
    const applied = await configMaps.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { x: 'y' } }, { fieldManager: 'test' });
    assert.equal(applied.metadata.managedFields?.[0]?.manager, 'test');
    const conflict = configMaps.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { x: 'z' } }, { fieldManager: 'other' });
    await assert.rejects(conflict, (e) => isConflict(e));
    const forced = await configMaps.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { x: 'z' } }, { fieldManager: 'other', force: true });
    assert.deepEqual(forced.data, { x: 'z' });
  });

  test('delete with preconditions, deleteCollection', async () => {
    const obj = await configMaps.create(cm('d'));
    await assert.rejects(configMaps.delete('d', { preconditions: { uid: 'wrong' } }), (e) => isConflict(e));
    await configMaps.delete('d', { preconditions: { uid: obj.metadata.uid }, propagationPolicy: 'Background' });
    await assert.rejects(configMaps.get('d'), (e) => isNotFound(e));
    await configMaps.deleteCollection({ labelSelector: 'app=list' });
    assert.equal((await configMaps.list({ labelSelector: 'app=list' })).items.length, 0);
  });

  test('subresources: scale of a deployment', async () => {
    const deployments = new ResourceClient(new RESTClient(transport), { group: 'apps', version: 'v1', resource: 'deployments' }, 'default');
    await deployments.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const scale = await deployments.getSubresource<{ spec: { replicas: number } }>('web', 'scale');
    assert.equal(scale.spec.replicas, 1);
    await deployments.updateSubresource('web', 'scale', { ...scale, spec: { replicas: 3 } });
    const dep = await deployments.get('web');
    assert.equal((dep.spec as { replicas: number }).replicas, 3);
  });

  test('watch resumes from a resourceVersion, sees bookmarks, ends on abort', async () => {
    const list = await configMaps.list();
    const abort = new AbortController();
    const seen: WatchEvent[] = [];
    const done = (async () => {
      for await (const ev of configMaps.watch({ resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true, signal: abort.signal })) {
        seen.push(ev);
        if (seen.some((e) => e.type === 'BOOKMARK') && seen.some((e) => e.type === 'DELETED')) abort.abort();
      }
    })();
    await configMaps.create(cm('w1'));
    await configMaps.patch('w1', 'merge', { data: { a: 'b' } });
    await configMaps.delete('w1');
    await done;
    const changes = seen.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.metadata && 'name' in e.object.metadata ? e.object.metadata.name : ''}`);
    assert.deepEqual(changes, ['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
  });

  test('thousands of requests on one connection complete without the server closing it', async () => {
    // Servers cut a connection whose client resets streams in bulk (nghttp2: GOAWAY INTERNAL_ERROR after a
    // burst of 1000 resets): a client resetting every finished request lost its connection at about 1000.
    await configMaps.create(cm('many'));
    let failures = 0;
    for (let i = 0; i < 1500; i++) await configMaps.get('many').catch(() => failures++);
    assert.equal(failures, 0);
  });

  test('bad credentials are Unauthorized', async () => {
    const anon = new HTTP2Transport({ server: srv.url, caPEM: srv.credentials.caPEM, bearerToken: 'nope' });
    const client = new ResourceClient(new RESTClient(anon), { group: '', version: 'v1', resource: 'configmaps' }, 'default');
    await assert.rejects(client.list(), (e) => isStatusError(e) && e.code === 401);
    anon.close();
  });
});

describe('kubeconfig', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const doc = (user: string) => `apiVersion: v1
kind: Config
current-context: one
clusters:
- name: c1
  cluster: {server: "https://one:6443", certificate-authority-data: ${b64('CA1')}}
- name: c2
  cluster: {server: "https://two:6443", certificate-authority: ca.pem, tls-server-name: two.example}
users:
- name: u1
  user: {client-certificate-data: ${b64('CERT')}, client-key-data: ${b64('KEY')}}
- name: u2
  user: ${user}
contexts:
- name: one
  context: {cluster: c1, user: u1}
- name: two
  context: {cluster: c2, user: u2, namespace: team}
`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-kubeconfig-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'ca.pem'), 'CA2');
  writeFileSync(path.join(dir, 'token'), 'secret-token\n');

  const cases = [
    { name: 'current-context with inline data', context: undefined, user: '{token: t}', want: { server: 'https://one:6443', caPEM: 'CA1', certPEM: 'CERT', keyPEM: 'KEY' }, ns: 'default' },
    { name: 'explicit context, file paths, token', context: 'two', user: '{token: abc}', want: { server: 'https://two:6443', caPEM: 'CA2', bearerToken: 'abc', tlsServerName: 'two.example' }, ns: 'team' },
    { name: 'tokenFile relative to kubeconfig', context: 'two', user: '{tokenFile: token}', want: { bearerToken: 'secret-token' }, ns: 'team' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const file = path.join(dir, 'config');
      writeFileSync(file, doc(c.user));
      const r = loadKubeconfigFile(file, { context: c.context });
      assert.equal(r.kind, 'ok', r.kind === 'error' ? r.message : '');
      if (r.kind !== 'ok') return;
      for (const [k, v] of Object.entries(c.want)) assert.equal(r.config[k as keyof typeof r.config], v, k);
      assert.equal(r.namespace, c.ns);
    });
  }
  test('unknown context is an error value', () => {
    const r = parseKubeconfig(doc('{}'), { context: 'nope' });
    assert.deepEqual(r, { kind: 'error', message: 'context was not found for specified context: nope' });
  });
});
