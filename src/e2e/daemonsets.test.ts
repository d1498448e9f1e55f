/**
 * DaemonSets through kubectl on `k8ts server --sim-nodes 3`: one pod per
 * eligible node, a tainted node skipped until the taint goes, nodeSelector,
 * and `rollout status/history/undo` with `set image`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { applyObjects, ensureNamespace, pollUntil } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

function daemonSet(name: string, opts: { image?: string; nodeSelector?: Record<string, string> } = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { ...(opts.nodeSelector ? { nodeSelector: opts.nodeSelector } : {}), containers: [{ name: 'agent', image: opts.image ?? 'agent:1' }] } },
    },
  };
}

describe('DaemonSets on simulated nodes', { skip }, () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start({ args: ['--sim-nodes', '3'] });
    await pollUntil('3 nodes', async () => (await s.k(['get', 'nodes', '-o', 'name'])).trim().split('\n').length === 3, { timeoutMs: 20_000 });
  });
  after(async () => {
    await s?.stop();
  });

  /** `node image` of each running pod of `app`, sorted. */
  const running = async (ns: string, app: string) =>
    (await s.k(['get', 'pods', '-n', ns, '-l', `app=${app}`, '-o', 'jsonpath={range .items[?(@.status.phase=="Running")]}{.spec.nodeName} {.spec.containers[0].image}{"\\n"}{end}']))
      .split('\n')
      .filter(Boolean)
      .sort();

  test('a tainted node is skipped until the taint is removed; rollout status, set image, history, undo', async () => {
    const ns = 'ds-taint';
    await ensureNamespace(s, ns);
    await s.k(['taint', 'nodes', 'sim-node-2', 'dedicated=db:NoSchedule']);
    try {
      await applyObjects(s, [daemonSet('agent')], { namespace: ns });
      await pollUntil('2 running pods', async () => (await running(ns, 'agent')).join(',') === 'sim-node-0 agent:1,sim-node-1 agent:1', { timeoutMs: 20_000 });
      const desired = await s.k(['get', 'ds', 'agent', '-n', ns, '-o', 'jsonpath={.status.desiredNumberScheduled}']);
      assert.equal(desired, '2');
    } finally {
      await s.k(['taint', 'nodes', 'sim-node-2', 'dedicated=db:NoSchedule-']);
    }
    await pollUntil('3 running pods', async () => (await running(ns, 'agent')).length === 3, { timeoutMs: 20_000 });
    const status = await s.k(['rollout', 'status', 'daemonset/agent', '-n', ns, '--timeout=30s']);
    assert.equal(status, 'daemon set "agent" successfully rolled out\n');

    assert.equal(await s.k(['set', 'image', 'daemonset/agent', 'agent=agent:2', '-n', ns]), 'daemonset.apps/agent image updated\n');
    const rolled = await s.k(['rollout', 'status', 'daemonset/agent', '-n', ns, '--timeout=45s']);
    assert.match(rolled, /daemon set "agent" successfully rolled out\n$/);
    await pollUntil('3 pods on agent:2', async () => (await running(ns, 'agent')).join(',') === 'sim-node-0 agent:2,sim-node-1 agent:2,sim-node-2 agent:2', { timeoutMs: 20_000 });

    const history = await s.k(['rollout', 'history', 'daemonset/agent', '-n', ns]);
    assert.equal(history.split('\n').map((l) => l.trimEnd()).join('\n'), 'daemonset.apps/agent\nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');

    assert.equal(await s.k(['rollout', 'undo', 'daemonset/agent', '-n', ns]), 'daemonset.apps/agent rolled back\n');
    await s.k(['rollout', 'status', 'daemonset/agent', '-n', ns, '--timeout=45s']);
    await pollUntil('3 pods back on agent:1', async () => (await running(ns, 'agent')).join(',') === 'sim-node-0 agent:1,sim-node-1 agent:1,sim-node-2 agent:1', { timeoutMs: 20_000 });
    const afterUndo = await s.k(['rollout', 'history', 'daemonset/agent', '-n', ns]);
    assert.match(afterUndo, /REVISION {2}CHANGE-CAUSE\n2 {9}<none>\n3 {9}<none>\n/);
  });

  test('nodeSelector limits the DaemonSet to matching nodes', async () => {
    const ns = 'ds-selector';
    await ensureNamespace(s, ns);
    await s.k(['label', 'nodes', 'sim-node-1', 'role=edge']);
    try {
      await applyObjects(s, [daemonSet('edge', { nodeSelector: { role: 'edge' } })], { namespace: ns });
      await pollUntil('1 running pod on sim-node-1', async () => (await running(ns, 'edge')).join(',') === 'sim-node-1 agent:1', { timeoutMs: 20_000 });
      await s.k(['label', 'nodes', 'sim-node-0', 'role=edge']);
      await pollUntil('pods on sim-node-0 and sim-node-1', async () => (await running(ns, 'edge')).join(',') === 'sim-node-0 agent:1,sim-node-1 agent:1', { timeoutMs: 20_000 });
      const table = await s.k(['get', 'ds', 'edge', '-n', ns]);
      assert.match(table, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\nedge\s+2\s+2\s+2\s+2\s+2\s+role=edge\s+\S+\n$/);
    } finally {
      await s.k(['label', 'nodes', 'sim-node-0', 'sim-node-1', 'role-']);
    }
  });
});
