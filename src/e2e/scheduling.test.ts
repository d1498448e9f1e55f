/**
 * Controllers, scheduler and simulated nodes together through kubectl
 * (`k8ts server --sim-nodes 3`): a ReplicaSet's pods are scheduled across the
 * nodes and run; a pod that fits nowhere stays Pending with the upstream
 * FailedScheduling message, and `k8ts explain-schedule` says why per node.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { K8TS_BIN, TestServer, kubectlPath, run } from '../testing/server-harness.js';
import { pollUntil } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

describe('scheduling onto simulated nodes', { skip }, () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start({ args: ['--sim-nodes', '3', '--node-cpu', '4'] });
    await pollUntil('3 nodes', async () => (await s.k(['get', 'nodes', '-o', 'name'])).trim().split('\n').length === 3);
  });
  after(async () => {
    await s?.stop();
  });

  test('a ReplicaSet spreads over the nodes and its pods run', async () => {
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 6, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '500m' } } }] } } },
    };
    await s.k(['apply', '-f', '-'], { input: JSON.stringify(rs) });
    await pollUntil('6 ready', async () => (await s.k(['get', 'rs', 'web', '-o', 'jsonpath={.status.readyReplicas}'])) === '6', { timeoutMs: 30_000 });
    const nodes = (await s.k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}'])).trim().split('\n');
    const perNode = new Map<string, number>();
    for (const n of nodes) perNode.set(n, (perNode.get(n) ?? 0) + 1);
    assert.deepEqual([...perNode.values()].sort(), [2, 2, 2]);
  });

  test('a pod that fits nowhere is explained', async () => {
    await s.k(['run', 'big', '--image=nginx', '--overrides', JSON.stringify({ spec: { containers: [{ name: 'big', image: 'nginx', resources: { requests: { cpu: '10' } } }] } })]);
    const message = await pollUntil('FailedScheduling', async () => {
      const out = await s.k(['get', 'events', '--field-selector', 'involvedObject.name=big,reason=FailedScheduling', '-o', 'jsonpath={.items[0].message}']);
      return out || undefined;
    });
    assert.equal(message, '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
    assert.equal(await s.k(['get', 'pod', 'big', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}']), 'Unschedulable');
    const r = await run(process.execPath, [K8TS_BIN, 'explain-schedule', '-n', 'default', 'big'], { env: { KUBECONFIG: s.kubeconfig } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sim-node-0\s+rejected by NodeResourcesFit: Insufficient cpu/);
  });

  test('labelling a node satisfies a waiting nodeSelector', async () => {
    await s.k(['run', 'picky', '--image=nginx', '--overrides', JSON.stringify({ spec: { nodeSelector: { disk: 'ssd' } } })]);
    await pollUntil('unschedulable', async () => (await s.k(['get', 'pod', 'picky', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}'])) === 'Unschedulable');
    await s.k(['label', 'node', 'sim-node-2', 'disk=ssd']);
    await pollUntil('scheduled on sim-node-2', async () => (await s.k(['get', 'pod', 'picky', '-o', 'jsonpath={.spec.nodeName}'])) === 'sim-node-2', { timeoutMs: 30_000 });
  });
});
