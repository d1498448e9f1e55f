/**
 * The node agent joining a cluster: in-process (NodeStatusManager with the
 * node IPAM controller against an in-process API server), and as the real
 * `k8ts agent` process with the sim runtime next to `k8ts server`, checked
 * through kubectl.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SharedInformerFactory } from '../client/informers/shared-informer-factory.js';
import { HTTP2Transport } from '../client/rest/http2-transport.js';
import { ResourceClient } from '../client/rest/resource-client.js';
import { RESTClient } from '../client/rest/rest-client.js';
import { defaultControllerConfig } from '../controllers/framework/controller-config.js';
import { newNodeIPAMController } from '../controllers/nodeipam/controller.js';
import { parseOSRelease } from '../kubelet/node/host-info.js';
import { type Node, NodeStatusManager } from '../kubelet/node/node-status-manager.js';
import type { RuntimeService, RuntimeStatus } from '../kubelet/runtime/interface.js';
import { realClock } from '../machinery/clock.js';
import { silentLogger } from '../machinery/log.js';
import { type TestAPIServer, startTestAPIServer } from '../testing/api-server.js';
import { K8TS_BIN, TestServer, kubectlPath } from '../testing/server-harness.js';
import { parseTable, pollUntil } from './kubectl-helpers.js';

const suffix = () => randomBytes(3).toString('hex');

describe('NodeStatusManager with node IPAM (in-process API server)', () => {
  let api: TestAPIServer;
  let transport: HTTP2Transport;
  let rest: RESTClient;
  const stop = new AbortController();
  let runtimeStatus: RuntimeStatus = { runtimeReady: true, networkReady: true };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-nsm-'));
  const runtime = {
    status: async () => runtimeStatus,
    version: async () => ({ runtimeName: 'fake', runtimeVersion: '9.9', runtimeApiVersion: 'v1' }),
  } as unknown as RuntimeService;
  const host = { cpus: 3, memTotalBytes: 8 * 1024 ** 3, machineID: 'm-1', systemUUID: 'u-1', bootID: 'b-1', kernelVersion: '6.1.0-test', osImage: 'Test OS 1', operatingSystem: 'linux', architecture: 'amd64', hostname: 'h' };
  const manager = (name: string, o: { labels?: Record<string, string> } = {}) =>
    new NodeStatusManager({ rest, nodeName: name, runtime, clock: realClock, logger: silentLogger, dataDir, nodeIP: '10.9.8.7', kubeletPort: 12345, host, labels: o.labels, taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }], signals: () => ({}), statusUpdateIntervalMs: 100 });

  before(async () => {
    api = await startTestAPIServer();
    transport = new HTTP2Transport({ server: api.url, ...api.credentials });
    rest = new RESTClient(transport);
    const informers = new SharedInformerFactory({ source: rest, clock: realClock });
    const ipam = newNodeIPAMController({ rest, informers, clock: realClock, logger: silentLogger, config: { ...defaultControllerConfig, clusterCIDR: '10.50.0.0/23', nodeCIDRMaskSize: 24 } });
    informers.start(stop.signal);
    void ipam.run(stop.signal, 1);
  });
  after(async () => {
    stop.abort();
    transport?.close();
    await api?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('registers the node with host facts, gets a podCIDR, renews its lease, reports runtime trouble', async () => {
    const name = `n-${suffix()}`;
    const nsm = manager(name, { labels: { team: 'a' } });
    const run = new AbortController();
    const running = nsm.run(run.signal);
    try {
      const cidr = await nsm.waitForPodCIDR(AbortSignal.timeout(10_000));
      assert.match(cidr, /^10\.50\.[01]\.0\/24$/);
      const nodes = new ResourceClient<Node>(rest, { group: '', version: 'v1', resource: 'nodes' });
      const node = await nodes.get(name);
      const status = node.status as Record<string, any>;
      assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], name);
      assert.equal(node.metadata.labels?.['node.kubernetes.io/instance-type'], 'k8ts');
      assert.equal(node.metadata.labels?.team, 'a');
      assert.deepEqual(node.spec?.taints, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]);
      assert.equal(status.capacity.cpu, '3');
      assert.equal(status.capacity.memory, '8388608Ki');
      assert.equal(status.capacity.pods, '110');
      assert.deepEqual(status.addresses, [{ type: 'InternalIP', address: '10.9.8.7' }, { type: 'Hostname', address: name }]);
      assert.equal(status.daemonEndpoints.kubeletEndpoint.Port, 12345);
      assert.equal(status.nodeInfo.containerRuntimeVersion, 'fake://9.9');
      assert.equal(status.nodeInfo.kubeletVersion, 'v1.32.0-k8ts');
      assert.equal(status.nodeInfo.osImage, 'Test OS 1');
      assert.equal(status.conditions.find((c: { type: string }) => c.type === 'Ready').status, 'True');
      const lease = await new ResourceClient(rest, { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' }, 'kube-node-lease').get(name);
      assert.equal((lease.spec as { holderIdentity: string }).holderIdentity, name);
      assert.equal(lease.metadata.ownerReferences?.[0]?.uid, node.metadata.uid);

      runtimeStatus = { runtimeReady: false, networkReady: false, message: 'runc missing' };
      await pollUntil('Ready=False', async () => {
        const n = await nodes.get(name);
        const ready = (n.status as { conditions: { type: string; status: string; reason: string }[] }).conditions.find((c) => c.type === 'Ready');
        return ready?.status === 'False' && ready.reason === 'KubeletNotReady' ? true : undefined;
      });
    } finally {
      runtimeStatus = { runtimeReady: true, networkReady: true };
      run.abort();
      await running;
    }
  });

  test('a deleted node frees its subnet for the next one; a restarted agent keeps its podCIDR', async () => {
    const nodes = new ResourceClient<Node>(rest, { group: '', version: 'v1', resource: 'nodes' });
    const a = `a-${suffix()}`;
    const first = manager(a);
    let run = new AbortController();
    let running = first.run(run.signal);
    const cidrA = await first.waitForPodCIDR(AbortSignal.timeout(10_000));
    run.abort();
    await running;
    // Same node again (an agent restart): same subnet, no reallocation.
    const again = manager(a);
    run = new AbortController();
    running = again.run(run.signal);
    assert.equal(await again.waitForPodCIDR(AbortSignal.timeout(10_000)), cidrA);
    run.abort();
    await running;
    // The /23 holds two subnets: take the other, delete A, and a new node gets A's.
    const all = (await nodes.list()).items;
    for (const n of all) if (n.metadata.name !== a) await nodes.delete(n.metadata.name!);
    await nodes.delete(a);
    const b = manager(`b-${suffix()}`);
    const c = manager(`c-${suffix()}`);
    run = new AbortController();
    const runs = [b.run(run.signal), c.run(run.signal)];
    const got = await Promise.all([b.waitForPodCIDR(AbortSignal.timeout(10_000)), c.waitForPodCIDR(AbortSignal.timeout(10_000))]);
    assert.deepEqual(got.sort(), ['10.50.0.0/24', '10.50.1.0/24']);
    run.abort();
    await Promise.all(runs);
  });
});

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

function startAgent(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [K8TS_BIN, 'agent', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function stopAgent(a: { child: ChildProcess; exited: Promise<number | null> } | undefined): Promise<void> {
  if (!a || a.child.exitCode !== null || a.child.signalCode !== null) return;
  const timer = setTimeout(() => a.child.kill('SIGKILL'), 10_000);
  a.child.kill('SIGTERM');
  await a.exited;
  clearTimeout(timer);
}

describe('k8ts agent joins k8ts server with the node token', { skip }, () => {
  let s: TestServer;
  let agent: ReturnType<typeof startAgent> | undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-agent-e2e-'));
  const nodeName = `agent-${suffix()}`;
  let token = '';

  before(async () => {
    s = await TestServer.start();
    token = readFileSync(path.join(s.dataDir, 'node-token'), 'utf8').trim();
    agent = startAgent([
      '--server', s.url, '--token', token, '--container-runtime-endpoint', 'sim', '--data-dir', dataDir, '--node-name', nodeName,
      '--node-ip', '127.0.0.1', '--bind-address', '127.0.0.1', '--kubelet-port', '0', '--node-labels', 'pool=e2e', '--node-taints', 'e2e=yes:PreferNoSchedule',
    ]);
  });
  after(async () => {
    await stopAgent(agent);
    await s?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the node token is in k3s format', () => {
    assert.match(token, /^K10[0-9a-f]{64}::server:[0-9a-f]{32}$/);
  });

  test('kubectl get nodes -o wide shows the node Ready with its address, OS, kernel and runtime', async () => {
    const row = await pollUntil(
      `node ${nodeName} Ready; agent output:\n${agent?.output()}`,
      async () => {
        const r = await s.kubectl(['get', 'nodes', '-o', 'wide']);
        const found = r.code === 0 ? parseTable(r.stdout).find((x) => x.NAME === nodeName) : undefined;
        return found?.STATUS === 'Ready' ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    assert.equal(row['INTERNAL-IP'], '127.0.0.1');
    assert.equal(row['OS-IMAGE'], parseOSRelease(readFileSync('/etc/os-release', 'utf8')));
    assert.equal(row['KERNEL-VERSION'], os.release());
    assert.match(row['CONTAINER-RUNTIME'] ?? '', /^sim:\/\/\S+$/);
    assert.equal(row.VERSION, 'v1.32.0-k8ts');
  });

  test('the node has a /24 of the cluster CIDR, its labels and taints', async () => {
    const cidr = await s.k(['get', 'node', nodeName, '-o', 'jsonpath={.spec.podCIDR}']);
    assert.match(cidr, /^10\.244\.\d{1,3}\.0\/24$/);
    assert.equal(await s.k(['get', 'node', nodeName, '-o', 'jsonpath={.metadata.labels.pool}']), 'e2e');
    assert.equal(await s.k(['get', 'node', nodeName, '-o', 'jsonpath={.spec.taints[0].key}={.spec.taints[0].effect}']), 'e2e=PreferNoSchedule');
    assert.equal(await s.k(['get', 'lease', '-n', 'kube-node-lease', nodeName, '-o', 'jsonpath={.spec.holderIdentity}']), nodeName);
  });

  test('a pod bound to the node runs there with an IP from its podCIDR', async () => {
    const cidr = await s.k(['get', 'node', nodeName, '-o', 'jsonpath={.spec.podCIDR}']);
    await s.k(['run', 'on-agent', '--image=busybox', '--overrides', JSON.stringify({ spec: { nodeName, tolerations: [{ key: 'e2e', operator: 'Exists' }] } })]);
    await pollUntil('pod Running', async () => ((await s.k(['get', 'pod', 'on-agent', '-o', 'jsonpath={.status.phase}'])) === 'Running' ? true : undefined), { timeoutMs: 30_000 });
    const ip = await s.k(['get', 'pod', 'on-agent', '-o', 'jsonpath={.status.podIP}']);
    assert.equal(ip.split('.').slice(0, 3).join('.'), cidr.split('.').slice(0, 3).join('.'));
    assert.equal(await s.k(['get', 'pod', 'on-agent', '-o', 'jsonpath={.status.hostIP}']), '127.0.0.1');
  });

  test('the API server scrapes the agent for kubectl top node (at the port it really listens on)', async () => {
    assert.notEqual(await s.k(['get', 'node', nodeName, '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}']), '0');
    const out = await pollUntil(
      'kubectl top node',
      async () => {
        const r = await s.kubectl(['top', 'node', nodeName, '--no-headers']);
        return r.code === 0 ? r.stdout : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    assert.match(out, new RegExp(`^${nodeName}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`));
  });

  test('a wrong CA hash in the token is refused before anything is sent', async () => {
    const bad = token.replace(/^K10(.)/, (_m, c: string) => `K10${c === 'a' ? 'b' : 'a'}`);
    const other = mkdtempSync(path.join(os.tmpdir(), 'k8ts-agent-bad-'));
    try {
      const a = startAgent(['--server', s.url, '--token', bad, '--container-runtime-endpoint', 'sim', '--data-dir', other, '--node-name', `bad-${suffix()}`]);
      const timer = setTimeout(() => a.child.kill('SIGKILL'), 20_000);
      const code = await a.exited;
      clearTimeout(timer);
      assert.equal(code, 1, a.output());
      assert.match(a.output(), /token CA hash does not match the server CA hash/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  test('a wrong secret is refused by the server', async () => {
    const bad = token.replace(/::server:.*/, '::server:not-the-secret');
    const other = mkdtempSync(path.join(os.tmpdir(), 'k8ts-agent-bad-'));
    try {
      const a = startAgent(['--server', s.url, '--token', bad, '--container-runtime-endpoint', 'sim', '--data-dir', other, '--node-name', `bad-${suffix()}`]);
      const timer = setTimeout(() => a.child.kill('SIGKILL'), 20_000);
      const code = await a.exited;
      clearTimeout(timer);
      assert.equal(code, 1, a.output());
      assert.match(a.output(), /401 Unauthorized/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  test('a second agent under a name already taken is refused with the node password message', async () => {
    // The first agent must have joined (its Node exists) before a second one tries the name.
    await pollUntil(`node ${nodeName} registered`, async () => ((await s.kubectl(['get', 'node', nodeName])).code === 0 ? true : undefined), { timeoutMs: 30_000, intervalMs: 250 });
    const other = mkdtempSync(path.join(os.tmpdir(), 'k8ts-agent-dup-'));
    try {
      const a = startAgent(['--server', s.url, '--token', token, '--container-runtime-endpoint', 'sim', '--data-dir', other, '--node-name', nodeName, '--kubelet-port', '0', '--bind-address', '127.0.0.1']);
      const timer = setTimeout(() => a.child.kill('SIGKILL'), 20_000);
      const code = await a.exited;
      clearTimeout(timer);
      assert.equal(code, 1, a.output());
      assert.match(a.output(), new RegExp(`403 Forbidden\\): node password rejected for node \\\\?"${nodeName}`));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
