import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runBackendConformance, encodeText } from '../conformance.case.test.js';
import { EtcdBackend } from './etcd-backend.js';
import { parseEndpoints } from './etcd-client.js';

const SKIP = 'etcd not installed: apt-get install etcd-server';
const haveEtcd = spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

interface RunningEtcd {
  url: string;
  child: ChildProcess;
  dir: string;
}

/** A single-member etcd on loopback ports with its own data dir. */
async function startEtcd(): Promise<RunningEtcd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const child = spawn('etcd', [
    '--name', 'k8ts-test',
    '--data-dir', path.join(dir, 'data'),
    '--listen-client-urls', url,
    '--advertise-client-urls', url,
    '--listen-peer-urls', peerUrl,
    '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `k8ts-test=${peerUrl}`,
    '--log-level', 'error',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`etcd did not become healthy: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, dir };
}

async function stopEtcd(e: RunningEtcd): Promise<void> {
  if (e.child.exitCode === null) {
    const exited = new Promise((r) => e.child.once('exit', r));
    e.child.kill('SIGKILL');
    await exited;
  }
  fs.rmSync(e.dir, { recursive: true, force: true });
}

describe('etcd endpoint parsing', () => {
  const cases: { name: string; input: string; want?: string[]; error?: RegExp }[] = [
    { name: 'one http endpoint', input: 'http://127.0.0.1:2379', want: ['127.0.0.1:2379/plain'] },
    { name: 'list with spaces and tls', input: 'https://a:1, http://b:2', want: ['a:1/tls', 'b:2/plain'] },
    { name: 'default port', input: 'http://etcd', want: ['etcd:2379/plain'] },
    { name: 'wrong scheme', input: 'unix:///tmp/x', error: /scheme must be http or https/ },
    { name: 'not a URL', input: 'localhost:2379x', error: /invalid endpoint|scheme/ },
    { name: 'empty', input: ' , ', error: /no endpoints/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      if (c.error) return assert.throws(() => parseEndpoints(c.input), c.error);
      assert.deepEqual(parseEndpoints(c.input).map((e) => `${e.target}/${e.secure ? 'tls' : 'plain'}`), c.want);
    });
  }
});

if (!haveEtcd) {
  test('storage conformance: etcd', (t) => {
    t.skip(SKIP);
  });
} else {
  let server: Promise<RunningEtcd> | undefined;
  const shared = () => (server ??= startEtcd());
  after(async () => {
    if (server) await stopEtcd(await server);
  });

  runBackendConformance('etcd', async () => {
    const { url } = await shared();
    const backend = new EtcdBackend({ endpoints: url });
    return { backend, cleanup: async () => backend.dispose() };
  });

  describe('EtcdBackend', () => {
    test('fails over past an unreachable endpoint', async () => {
      const { url } = await shared();
      const dead = `http://127.0.0.1:${await freePort()}`;
      const b = new EtcdBackend({ endpoints: `${dead},${url}` });
      try {
        const key = `/failover/${Date.now()}`;
        const r = await b.create(key, encodeText('v'));
        assert.ok(r.ok);
        assert.ok(await b.get(key));
      } finally {
        b.dispose();
      }
    });
  });
}
