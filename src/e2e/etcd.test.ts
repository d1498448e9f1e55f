/**
 * The server on a real etcd: create, read, watch, and restart with state and
 * watch history kept by etcd rather than by the server.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestServer, freePort, kubectlPath } from '../testing/server-harness.js';
import { type AdminCredentials, WatchStream, readAdminCredentials, requestJSON } from './https-client.js';
import { waitForNamespaceDefaults } from './kubectl-helpers.js';

const haveEtcd = spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = !haveEtcd ? 'etcd not installed: apt-get install etcd-server' : kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

interface RunningEtcd {
  url: string;
  child: ChildProcess;
  dir: string;
}

/** A single-member etcd on loopback ports with its own data dir; resolves once healthy. */
async function startEtcd(): Promise<RunningEtcd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-e2e-etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const child = spawn(
    'etcd',
    ['--name', 'e2e', '--data-dir', path.join(dir, 'data'), '--listen-client-urls', url, '--advertise-client-urls', url, '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `e2e=${peerUrl}`, '--log-level', 'error'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`etcd did not become healthy: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, dir };
}

async function stopEtcd(e: RunningEtcd): Promise<void> {
  if (e.child.exitCode === null && e.child.signalCode === null) {
    const exited = new Promise((r) => e.child.once('exit', r));
    e.child.kill('SIGTERM');
    await exited;
  }
  rmSync(e.dir, { recursive: true, force: true });
}

interface ConfigMap {
  metadata: { name: string; resourceVersion: string };
  data?: Record<string, string>;
}

describe('k8ts server on etcd', { skip }, () => {
  let etcd: RunningEtcd | undefined;
  let s: TestServer;
  let creds: AdminCredentials;
  const watches: WatchStream[] = [];

  before(async () => {
    etcd = await startEtcd();
    s = await TestServer.start({ args: ['--datastore-endpoint', etcd.url] });
    creds = readAdminCredentials(s.kubeconfig);
  });
  after(async () => {
    for (const w of watches) w.close();
    await s?.stop();
    if (etcd) await stopEtcd(etcd);
  });

  test('create, get, watch, restart', async () => {
    assert.match(s.output, /datastore=etcd/);
    assert.equal(await s.k(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'on-etcd' } }) }), 'namespace/on-etcd created\n');
    // Before taking a resourceVersion to watch from, so the controllers' writes cannot land midway.
    await waitForNamespaceDefaults(s, 'on-etcd');
    const cm = (name: string, v: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'on-etcd' }, data: { v } });
    assert.equal(await s.k(['create', '-f', '-'], { input: cm('first', '1') }), 'configmap/first created\n');
    assert.equal(await s.k(['get', 'cm', '-n', 'on-etcd', 'first', '-o', 'jsonpath={.data.v}']), '1');
    const first = (await requestJSON<ConfigMap>(creds, '/api/v1/namespaces/on-etcd/configmaps/first')).body;

    const w = await WatchStream.open(creds, `/api/v1/namespaces/on-etcd/configmaps?watch=1&timeoutSeconds=30&resourceVersion=${first.metadata.resourceVersion}`);
    watches.push(w);
    assert.equal(await s.k(['create', '-f', '-'], { input: cm('second', '2') }), 'configmap/second created\n');
    assert.equal(await s.k(['apply', '-f', '-'], { input: cm('first', '3') }), 'configmap/first configured\n');
    await w.waitFor('two events', (ev) => ev.length >= 2);
    assert.deepEqual(
      w.events.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED second', 'MODIFIED first'],
    );

    // etcd, not the server, keeps state and history across a restart.
    await s.restart();
    assert.match(await s.k(['get', 'cm', '-n', 'on-etcd', '-o', 'name']), /^configmap\/first\nconfigmap\/kube-root-ca\.crt\nconfigmap\/second\n$/);
    const replay = await WatchStream.open(creds, `/api/v1/namespaces/on-etcd/configmaps?watch=1&timeoutSeconds=30&resourceVersion=${first.metadata.resourceVersion}`);
    watches.push(replay);
    await replay.waitFor('the replayed events or a 410', (ev) => ev.some((e) => e.type === 'ERROR') || ev.length >= 2);
    if (replay.events[0]!.type === 'ERROR') {
      assert.equal(replay.events[0]!.object.code, 410);
    } else {
      assert.deepEqual(replay.events.slice(0, 2).map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED second', 'MODIFIED first']);
    }
    const list = (await requestJSON<{ metadata: { resourceVersion: string }; items: ConfigMap[] }>(creds, '/api/v1/namespaces/on-etcd/configmaps')).body;
    const highest = Math.max(...list.items.map((i) => Number(i.metadata.resourceVersion)));
    const third = await requestJSON<ConfigMap>(creds, '/api/v1/namespaces/on-etcd/configmaps', { method: 'POST', body: cm('third', '4') });
    assert.equal(third.status, 201);
    assert.ok(Number(third.body.metadata.resourceVersion) > highest);
  });
});
