/**
 * The real kubectl (1.32, and 1.35 when installed) against `k8ts server`
 * and a KubeletServer in this process over a fake runtime: logs, exec,
 * attach, cp and port-forward through the API server, with WebSocket (what
 * both versions prefer) and with the SPDY fall-backs forced by kubectl's
 * environment switches.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { issueCertificate } from '../../machinery/pki/certificate.js';
import { clusterPKIFiles } from '../../machinery/pki/cluster-pki.js';
import { createLogger } from '../../machinery/log.js';
import { TestServer, freePort, kubectlPath, toolPath } from '../../testing/server-harness.js';
import { FakeRuntime } from './fake-runtime.js';
import { KubeletServer } from './kubelet-server.js';

const kubectls = [
  { version: '1.32', bin: kubectlPath() },
  { version: '1.35', bin: toolPath('kubectl-1.35') },
];

let server: TestServer;
let kubelet: KubeletServer;
let fake: FakeRuntime;
let dir: string;
let ids: Record<string, string>;
let echo: net.Server;
/** The kubelet's `stream upgrade` log lines: which transport and protocol each session really used. */
const upgrades: string[] = [];

function upgradesSince(n: number): string[] {
  return upgrades.slice(n).map((l) => /kind=(\S+) transport=(\S+) protocol=(\S+)/.exec(l)!.slice(1).join(' '));
}

async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A long-running kubectl (logs -f, attach, port-forward) whose output is collected. */
function startKubectl(bin: string, args: string[], env: Record<string, string> = {}): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number> } {
  const child = spawn(bin, args, { env: { ...process.env, KUBECONFIG: server.kubeconfig, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number>((r) => child.once('close', (code) => r(code ?? -1)));
  return { child, out: () => out, err: () => err, exit };
}

before(async () => {
  if (!kubectls.some((k) => k.bin)) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-kubectl-streaming-'));
  server = await TestServer.start({ args: ['--disable-scheduler', '--disable-controller-manager'] });
  const tlsDir = path.join(server.dataDir, 'tls');
  const ca = { certPEM: readFileSync(path.join(tlsDir, clusterPKIFiles.caCert), 'utf8'), keyPEM: readFileSync(path.join(tlsDir, clusterPKIFiles.caKey), 'utf8') };
  const serving = await issueCertificate(ca, { commonName: 'system:node:fake', organizations: ['system:nodes'], ipAddresses: ['127.0.0.1'], usage: 'server' });
  fake = new FakeRuntime(dir);
  echo = net.createServer((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  fake.ports.set(8080, (echo.address() as net.AddressInfo).port);
  kubelet = new KubeletServer({ runtime: fake, tls: { certPEM: serving.certPEM, keyPEM: serving.keyPEM, clientCAPEM: ca.certPEM }, bindAddress: '127.0.0.1', port: 0, logPollMs: 50, logger: createLogger({ level: 'debug', sink: { write: (l) => l.includes('stream upgrade') && upgrades.push(l) } }) });
  await kubelet.start();
  const closedPort = await freePort();
  const node = (name: string, port: number) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
  });
  const pod = (name: string, nodeName: string, containers: string[], annotations: Record<string, string> = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', annotations },
    spec: { nodeName, containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
  });
  const items = [node('fake-node', kubelet.port), node('gone-node', closedPort), pod('web', 'fake-node', ['app', 'side'], { 'kubectl.kubernetes.io/default-container': 'app' }), pod('lost', 'gone-node', ['c'])];
  await server.k(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  const running = { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
  for (const p of ['web', 'lost']) await server.k(['patch', 'pod', p, '--subresource=status', '--type=merge', '-p', JSON.stringify(running)]);
  const uid = (await server.k(['get', 'pod', 'web', '-o', 'jsonpath={.metadata.uid}'])).trim();
  ids = fake.addPod({ namespace: 'default', name: 'web', uid, containers: ['app', 'side'] });
});

after(async () => {
  await kubelet?.stop();
  await new Promise((r) => (echo ? echo.close(r) : r(undefined)));
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const kc of kubectls) {
  const skip = !kc.bin ? `kubectl ${kc.version} is not installed (scripts/install-test-tools.sh)` : false;
  describe(`kubectl ${kc.version} streaming through the API server`, { skip }, () => {
    const bin = kc.bin!;
    const k = (args: string[], opts: { input?: string; env?: Record<string, string> } = {}) => server.kubectl(args, { bin, ...opts, timeoutMs: 30_000 });

    test('logs: container by name, default container annotation, --tail, --timestamps', async () => {
      ids.app = fake.restartContainer(ids.app!, 0);
      fake.log(ids.app, 'stdout', 'hello from app', { time: '2024-06-01T12:00:00.5Z' });
      fake.log(ids.app, 'stderr', 'second line', { time: '2024-06-01T12:00:01Z' });
      assert.deepEqual(await k(['logs', 'web', '-c', 'app']).then((r) => [r.code, r.stdout]), [0, 'hello from app\nsecond line\n']);
      assert.equal((await k(['logs', 'web'])).stdout, 'hello from app\nsecond line\n');
      assert.equal((await k(['logs', 'web', '-c', 'app', '--tail=1'])).stdout, 'second line\n');
      assert.equal((await k(['logs', 'web', '-c', 'app', '--timestamps'])).stdout, '2024-06-01T12:00:00.5Z hello from app\n2024-06-01T12:00:01Z second line\n');
    });

    test('logs: an unknown container and an unreachable kubelet fail as upstream', async () => {
      const bad = await k(['logs', 'web', '-c', 'nope']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /container nope is not valid for pod web/);
      const lost = await k(['logs', 'lost']);
      assert.notEqual(lost.code, 0);
      assert.match(lost.stderr, /^Error from server: Get "https:\/\/127\.0\.0\.1:\d+\/containerLogs\/default\/lost\/c": dial tcp 127\.0\.0\.1:\d+: connect: connection refused/);
    });

    test('logs -f streams new lines and ends when the container exits; --previous reads the last instance', async () => {
      const f = startKubectl(bin, ['logs', '-f', 'web', '-c', 'side']);
      await new Promise((r) => setTimeout(r, 500));
      fake.log(ids.side!, 'stdout', `live ${kc.version}`);
      await waitFor('the followed line', () => f.out().includes(`live ${kc.version}\n`));
      fake.log(ids.side!, 'stdout', 'last words');
      await new Promise((r) => setTimeout(r, 200));
      const old = ids.side!;
      ids.side = fake.restartContainer(old, 1);
      assert.equal(await f.exit, 0, f.err());
      assert.match(f.out(), /last words\n$/);
      const prev = await k(['logs', 'web', '-c', 'side', '--previous']);
      assert.match(prev.stdout, /last words\n$/);
    });

    test('exec: output and the exit code propagate', async () => {
      const seen = upgrades.length;
      const r = await k(['exec', 'web', '-c', 'app', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stdout, 'out\n');
      assert.match(r.stderr, /err\n/);
      assert.deepEqual(upgradesSince(seen), ['exec websocket v5.channel.k8s.io']);
      const ok = await k(['exec', 'web', '--', 'echo', 'fine']);
      assert.deepEqual([ok.code, ok.stdout], [0, 'fine\n']);
    });

    test('exec -i: stdin reaches the process and its end ends it', async () => {
      const r = await k(['exec', '-i', 'web', '-c', 'app', '--', 'sh', '-c', 'cat; echo " [eof]"'], { input: 'piped in' });
      assert.deepEqual([r.code, r.stdout], [0, 'piped in [eof]\n'], r.stderr);
    });

    test('exec over the SPDY fall-back', async () => {
      const env = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };
      const seen = upgrades.length;
      const r = await k(['exec', '-i', 'web', '-c', 'app', '--', 'sh', '-c', 'cat; exit 4'], { input: 'spdy', env });
      assert.deepEqual([r.code, r.stdout], [4, 'spdy'], r.stderr);
      assert.deepEqual(upgradesSince(seen), ['exec spdy v4.channel.k8s.io']);
    });

    test('exec into a container that does not run: unable to upgrade connection', async () => {
      const r = await k(['exec', 'web', '-c', 'nope', '--', 'true']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /container nope is not valid for pod web/);
      fake.exitContainer(ids.app!, 0);
      try {
        const down = await k(['exec', 'web', '-c', 'app', '--', 'true']);
        assert.notEqual(down.code, 0);
        assert.match(down.stderr, /unable to upgrade connection: container not found \("app"\)/);
      } finally {
        ids.app = fake.restartContainer(ids.app!, 0);
      }
    });

    test('attach -i: the main process sees stdin, the client sees its output until it exits', async () => {
      const a = startKubectl(bin, ['attach', '-i', 'web', '-c', 'side']);
      await new Promise((r) => setTimeout(r, 500));
      a.child.stdin!.write('typed into attach\n');
      await waitFor('the echo of attach stdin', () => a.out().includes('typed into attach\n'));
      fake.mainOutput(ids.side!).write('said by main\n');
      await waitFor('main process output', () => a.out().includes('said by main\n'));
      const old = ids.side!;
      ids.side = fake.restartContainer(old, 0);
      assert.equal(await a.exit, 0, a.err());
    });

    test('cp: a file round-trips through exec and tar', async () => {
      const src = path.join(dir, `src-${kc.version}.txt`);
      const remote = path.join(dir, `remote-${kc.version}.txt`);
      const back = path.join(dir, `back-${kc.version}.txt`);
      const content = `copied by kubectl ${kc.version}\n`.repeat(1000);
      writeFileSync(src, content);
      const up = await k(['cp', src, `default/web:${remote}`, '-c', 'app']);
      assert.equal(up.code, 0, up.stderr);
      assert.equal(readFileSync(remote, 'utf8'), content);
      const down = await k(['cp', `default/web:${remote}`, back, '-c', 'app']);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(readFileSync(back, 'utf8'), content);
    });

    const modes: { name: string; env: Record<string, string>; upgrade: string }[] = [
      { name: 'WebSocket tunnel', env: {}, upgrade: 'portForward websocket SPDY/3.1+portforward.k8s.io' },
      { name: 'SPDY fall-back', env: { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }, upgrade: 'portForward spdy portforward.k8s.io' },
    ];
    for (const mode of modes) {
      test(`port-forward (${mode.name}) reaches the pod's port`, async () => {
        const seen = upgrades.length;
        const pf = startKubectl(bin, ['port-forward', 'pod/web', ':8080'], mode.env);
        try {
          const port = await waitFor('the forwarding line', () => /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(pf.out())?.[1]);
          for (const payload of ['first connection', 'x'.repeat(300_000)]) {
            const reply = await new Promise<string>((resolve, reject) => {
              const s = net.connect(Number(port), '127.0.0.1');
              let got = '';
              s.on('data', (d) => {
                got += d;
                if (got.length >= payload.length) {
                  s.end();
                  resolve(got);
                }
              });
              s.on('error', reject);
              s.write(payload);
            });
            assert.equal(reply, payload);
          }
          assert.deepEqual(upgradesSince(seen), [mode.upgrade]);
        } finally {
          pf.child.kill('SIGTERM');
          await pf.exit;
        }
      });
    }
  });
}
