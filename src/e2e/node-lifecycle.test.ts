/**
 * Node lifecycle through kubectl against `k8ts server --sim-nodes 3` with a
 * short node-monitor-grace-period: a NoExecute taint evicts pods that do not
 * tolerate it; a node that stops heartbeating goes NotReady, gets the
 * unreachable taints, loses its pods after their tolerationSeconds (the
 * ReplicaSet replaces them elsewhere), and comes back when it heartbeats again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { applyObjects, ensureNamespace, pollUntil } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

function replicaSet(name: string, replicas: number, tolerationSeconds?: number): object {
  const tolerations = tolerationSeconds === undefined ? undefined : ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready'].map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds }));
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { tolerations, containers: [{ name: 'web', image: 'nginx' }] } },
    },
  };
}

describe('node lifecycle and taint eviction', { skip }, () => {
  let s: TestServer;
  before(async () => {
    // Leases of 8 s renewed every 2 s (a quarter, as kubelets do) against an 8 s grace period.
    s = await TestServer.start({ args: ['--sim-nodes', '3', '--node-lease-duration-seconds', '8', '--kube-controller-manager-arg', 'node-monitor-grace-period=8s', '--kube-controller-manager-arg', 'node-monitor-period=1s'] });
  });
  after(async () => {
    await s?.stop();
  });

  /** `node` of every live (not terminating) pod of the app, sorted. */
  const placement = async (ns: string, app: string) => {
    const out = await s.k(['get', 'pods', '-n', ns, '-l', `app=${app}`, '-o', 'jsonpath={range .items[*]}{.metadata.deletionTimestamp}|{.spec.nodeName}|{.status.phase}{"\\n"}{end}']);
    return out.split('\n').filter(Boolean).map((l) => l.split('|')).filter(([del]) => !del).map(([, node, phase]) => `${node}:${phase}`).sort();
  };
  const nodeStatus = async (name: string) => (await s.k(['get', 'node', name, '--no-headers'])).trim().split(/\s+/)[1];

  test('kubectl taint NoExecute evicts pods that do not tolerate it', async () => {
    const ns = 'taint-e2e';
    await ensureNamespace(s, ns);
    await applyObjects(s, [replicaSet('web', 3)], { namespace: ns });
    await pollUntil('3 running pods', async () => ((await placement(ns, 'web')).filter((p) => p.endsWith(':Running')).length === 3 ? true : undefined), { timeoutMs: 20_000 });
    const out = await s.k(['taint', 'node', 'sim-node-2', 'k=v:NoExecute']);
    assert.equal(out.trim(), 'node/sim-node-2 tainted');
    try {
      await pollUntil('no pods on sim-node-2, 3 running elsewhere', async () => {
        const p = await placement(ns, 'web');
        return p.length === 3 && p.every((x) => x.endsWith(':Running') && !x.startsWith('sim-node-2:')) ? true : undefined;
      }, { timeoutMs: 20_000 });
      const events = await s.k(['get', 'events', '-n', ns, '--field-selector', 'reason=TaintManagerEviction', '-o', 'jsonpath={.items[*].message}']);
      // Only when the scheduler had put a pod there is there anything to evict.
      if (events) assert.match(events, new RegExp(`Marking for deletion Pod ${ns}/web-`));
    } finally {
      await s.k(['taint', 'node', 'sim-node-2', 'k=v:NoExecute-']);
    }
  });

  test('a node that stops heartbeating goes NotReady, is tainted, loses its pods after tolerationSeconds, and recovers', async () => {
    // Healthy nodes renew their Lease well within the 8 s grace period.
    const renewTime = () => s.k(['get', 'lease', 'sim-node-0', '-n', 'kube-node-lease', '-o', 'jsonpath={.spec.renewTime}']);
    const first = await renewTime();
    await pollUntil('a lease renewal', async () => ((await renewTime()) !== first ? true : undefined), { timeoutMs: 5000 });
    const ns = 'down-e2e';
    await ensureNamespace(s, ns);
    await applyObjects(s, [replicaSet('app', 6, 5)], { namespace: ns });
    await pollUntil('6 running pods on all nodes', async () => {
      const p = await placement(ns, 'app');
      return p.length === 6 && p.every((x) => x.endsWith(':Running')) && p.some((x) => x.startsWith('sim-node-1:')) ? true : undefined;
    }, { timeoutMs: 20_000 });
    await s.k(['annotate', 'node', 'sim-node-1', 'sim.k8ts.io/down=true']);
    try {
      await pollUntil('sim-node-1 NotReady', async () => ((await nodeStatus('sim-node-1')) === 'NotReady' ? true : undefined), { timeoutMs: 20_000 });
      assert.equal(await s.k(['get', 'node', 'sim-node-1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].reason}']), 'NodeStatusUnknown');
      const taints = await s.k(['get', 'node', 'sim-node-1', '-o', 'jsonpath={range .spec.taints[*]}{.key}:{.effect}{"\\n"}{end}']);
      assert.deepEqual(taints.trim().split('\n').sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
      assert.equal(await nodeStatus('sim-node-0'), 'Ready');
      // After 5 s of toleration the pods go; the ReplicaSet puts them on the healthy nodes.
      await pollUntil('6 running pods off sim-node-1', async () => {
        const p = await placement(ns, 'app');
        return p.length === 6 && p.every((x) => x.endsWith(':Running') && !x.startsWith('sim-node-1:')) ? true : undefined;
      }, { timeoutMs: 25_000 });
      const events = await s.k(['get', 'events', '-n', ns, '--field-selector', 'reason=TaintManagerEviction', '-o', 'jsonpath={.items[*].message}']);
      assert.match(events, new RegExp(`Marking for deletion Pod ${ns}/app-`));
    } finally {
      await s.k(['annotate', 'node', 'sim-node-1', 'sim.k8ts.io/down-']);
    }
    await pollUntil('sim-node-1 Ready again', async () => ((await nodeStatus('sim-node-1')) === 'Ready' ? true : undefined), { timeoutMs: 20_000 });
    await pollUntil('taints gone', async () => ((await s.k(['get', 'node', 'sim-node-1', '-o', 'jsonpath={.spec.taints}'])).trim() === '' ? true : undefined), { timeoutMs: 10_000 });
  });
});
