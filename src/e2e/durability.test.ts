/**
 * What the server acknowledged survives it: a writer records every create the
 * server confirmed, the server is killed with SIGKILL mid-loop and relaunched
 * on the same data dir, and every confirmed object is there with the
 * resourceVersion it was confirmed at, and later writes get higher ones.
 * SIGTERM drains and exits 0 with state kept.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { type AdminCredentials, eventually, readAdminCredentials, requestJSON } from './https-client.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

// The writer is a separate process so the test's own event loop cannot delay
// or reorder acknowledgements; it prints "<name> <resourceVersion>" per 201.
const WRITER = `
import https from 'node:https';
import { readFileSync } from 'node:fs';
const [credsFile, ns, prefix] = process.argv.slice(2);
const c = JSON.parse(readFileSync(credsFile, 'utf8'));
const url = new URL(c.server);
const agent = new https.Agent({ keepAlive: true, ca: c.ca, cert: c.cert, key: c.key });
function create(name) {
  return new Promise((resolve, reject) => {
    const req = https.request({ hostname: url.hostname, port: url.port, method: 'POST', path: '/api/v1/namespaces/' + ns + '/configmaps', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(body)) : reject(new Error(res.statusCode + ' ' + body))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: name } }));
  });
}
for (let i = 0; ; i++) {
  const name = prefix + String(i).padStart(5, '0');
  let obj;
  try {
    obj = await create(name);
  } catch (err) {
    process.stderr.write(String(err) + '\\n');
    process.exit(0);
  }
  process.stdout.write(name + ' ' + obj.metadata.resourceVersion + '\\n');
}
`;

interface ConfigMapList {
  metadata: { resourceVersion: string };
  items: { metadata: { name: string; resourceVersion: string }; data?: Record<string, string> }[];
}

describe('durability: acknowledged writes survive kill -9 and SIGTERM', { skip }, () => {
  let s: TestServer;
  let creds: AdminCredentials;
  let dir: string;
  let writer: ChildProcess | undefined;

  before(async () => {
    s = await TestServer.start();
    creds = readAdminCredentials(s.kubeconfig);
    dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-durability-'));
    writeFileSync(path.join(dir, 'writer.mjs'), WRITER);
    writeFileSync(path.join(dir, 'creds.json'), JSON.stringify(creds), { mode: 0o600 });
    await s.k(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'durable' } }) });
  });
  after(async () => {
    writer?.kill('SIGKILL');
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function listDurable(): Promise<ConfigMapList> {
    const r = await requestJSON<ConfigMapList>(creds, '/api/v1/namespaces/durable/configmaps');
    assert.equal(r.status, 200);
    return r.body;
  }

  test('SIGKILL during a write loop loses no acknowledged object', async () => {
    const child = spawn(process.execPath, [path.join(dir, 'writer.mjs'), path.join(dir, 'creds.json'), 'durable', 'k-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    writer = child;
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const acked = () => out.split('\n').filter((l) => l.includes(' '));
    await eventually('the writer to have 40 acknowledged creates', async () => (acked().length >= 40 ? true : undefined), 20_000);
    await s.signal('SIGKILL');
    await exited;
    writer = undefined;
    const confirmed = new Map(acked().map((l) => l.split(' ') as [string, string]));

    await s.launch();
    const after = await listDurable();
    // Only the writer's objects: the namespace also holds what controllers create (kube-root-ca.crt).
    const stored = new Map(after.items.filter((i) => i.metadata.name.startsWith('k-')).map((i) => [i.metadata.name, i.metadata.resourceVersion]));
    const missing = [...confirmed.keys()].filter((n) => !stored.has(n));
    assert.deepEqual(missing, [], 'every acknowledged object survives');
    for (const [name, rv] of confirmed) assert.equal(stored.get(name), rv, `${name} keeps the resourceVersion it was acknowledged at`);
    // At most the one create in flight at the kill may have landed unacknowledged.
    assert.ok(stored.size - confirmed.size <= 1, `stored ${stored.size}, acknowledged ${confirmed.size}`);

    const highest = Math.max(...after.items.map((i) => Number(i.metadata.resourceVersion)));
    const fresh = await requestJSON<{ metadata: { resourceVersion: string } }>(creds, '/api/v1/namespaces/durable/configmaps', {
      method: 'POST',
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-kill' } }),
    });
    assert.equal(fresh.status, 201);
    assert.ok(Number(fresh.body.metadata.resourceVersion) > highest, `new write rv ${fresh.body.metadata.resourceVersion} > ${highest}`);
    assert.ok(Number(fresh.body.metadata.resourceVersion) > Number(after.metadata.resourceVersion));
  });

  test('SIGTERM exits 0 within a few seconds and a restart keeps state', async () => {
    const before = await listDurable();
    const started = Date.now();
    const code = await s.signal('SIGTERM');
    const took = Date.now() - started;
    assert.equal(code, 0);
    assert.ok(took < 5000, `drained in ${took} ms`);
    await s.launch();
    const after = await listDurable();
    assert.deepEqual(
      after.items.map((i) => [i.metadata.name, i.metadata.resourceVersion]),
      before.items.map((i) => [i.metadata.name, i.metadata.resourceVersion]),
    );
    assert.equal(await s.k(['get', 'cm', '-n', 'durable', 'after-kill', '-o', 'name']), 'configmap/after-kill\n');
  });
});
