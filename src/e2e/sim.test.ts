/**
 * `k8ts server --sim-nodes N` and `k8ts sim --nodes N` through kubectl:
 * simulated nodes register Ready with their capacity and podCIDRs, and play
 * the kubelet for pods bound to them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { K8TS_BIN, TestServer, kubectlPath } from '../testing/server-harness.js';
import { pollUntil } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

describe('simulated nodes', { skip }, () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start({ args: ['--sim-nodes', '2', '--node-cpu', '4', '--node-label', 'pool=sim'] });
  });
  after(async () => {
    await s?.stop();
  });

  test('server --sim-nodes registers Ready nodes with capacity, labels and podCIDRs', async () => {
    await pollUntil('2 nodes', async () => (await s.k(['get', 'nodes', '-o', 'name'])).trim().split('\n').length === 2);
    const out = await s.k(['get', 'nodes', '-l', 'pool=sim', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.capacity.cpu} {.spec.podCIDR} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
    assert.equal(out.trim(), 'sim-node-0 4 10.244.0.0/24 True\nsim-node-1 4 10.244.1.0/24 True');
  });

  test('a pod bound to a simulated node runs with an IP from its podCIDR', async () => {
    await s.k(['run', 'web', '--image=nginx', '--overrides', JSON.stringify({ spec: { nodeName: 'sim-node-1' } })]);
    await pollUntil('pod Running', async () => (await s.k(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}'])) === 'Running');
    assert.match(await s.k(['get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}']), /^10\.244\.1\.\d+$/);
    await s.k(['wait', '--for=condition=Ready', 'pod/web', '--timeout=20s']);
  });

  test('k8ts sim --nodes joins a cluster from a kubeconfig', async () => {
    const child = spawn(process.execPath, [K8TS_BIN, 'sim', '--nodes', '1', '--start-index', '5', '--node-prefix', 'extra-', '--kubeconfig', s.kubeconfig], { stdio: 'ignore' });
    try {
      await pollUntil('extra node Ready', async () => {
        const r = await s.kubectl(['get', 'node', 'extra-5', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.spec.podCIDR}']);
        return r.code === 0 && r.stdout === 'True 10.244.5.0/24';
      });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
