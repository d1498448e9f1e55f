/**
 * The garbage collector through kubectl on `k8ts server --sim-nodes 3`:
 * `kubectl delete` of a ReplicaSet with each --cascade mode, and an object
 * whose owner UID does not exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { applyObjects, ensureNamespace, pollUntil } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

function replicaSet(name: string, replicas = 2): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  };
}

describe('garbage collection through kubectl', { skip }, () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start({ args: ['--sim-nodes', '3'] });
  });
  after(async () => {
    await s?.stop();
  });

  const podNames = async (ns: string, app: string) => (await s.k(['get', 'pods', '-n', ns, '-l', `app=${app}`, '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}'])).split('\n').filter(Boolean);
  const withPods = async (ns: string, name: string) => {
    await applyObjects(s, [replicaSet(name)], { namespace: ns });
    return pollUntil(`2 pods of ${name}`, async () => {
      const names = await podNames(ns, name);
      return names.length === 2 ? names : undefined;
    }, { timeoutMs: 20_000 });
  };

  test('background (default): deleting a ReplicaSet removes its pods', async () => {
    const ns = 'gc-background';
    await ensureNamespace(s, ns);
    await withPods(ns, 'web');
    assert.equal(await s.k(['delete', 'rs', 'web', '-n', ns]), 'replicaset.apps "web" deleted\n');
    await pollUntil('pods gone', async () => ((await podNames(ns, 'web')).length === 0 ? true : undefined), { timeoutMs: 30_000 });
  });

  test('--cascade=orphan leaves the pods without ownerReferences', async () => {
    const ns = 'gc-orphan';
    await ensureNamespace(s, ns);
    const before = await withPods(ns, 'web');
    assert.equal(await s.k(['delete', 'rs', 'web', '-n', ns, '--cascade=orphan']), 'replicaset.apps "web" deleted\n');
    const r = await s.kubectl(['get', 'rs', 'web', '-n', ns]);
    assert.match(r.stderr, /replicasets.apps "web" not found/);
    assert.deepEqual((await podNames(ns, 'web')).sort(), before.sort());
    const owners = await s.k(['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'jsonpath={range .items[*]}[{.metadata.ownerReferences}]{end}']);
    assert.equal(owners, '[][]');
  });

  test('--cascade=foreground deletes the pods first, the ReplicaSet last', async () => {
    const ns = 'gc-foreground';
    await ensureNamespace(s, ns);
    await withPods(ns, 'web');
    assert.equal(await s.k(['delete', 'rs', 'web', '-n', ns, '--cascade=foreground', '--wait=false']), 'replicaset.apps "web" deleted\n');
    const finalizers = await s.kubectl(['get', 'rs', 'web', '-n', ns, '-o', 'jsonpath={.metadata.finalizers}']);
    // Either still waiting for its pods (with the finalizer) or already gone.
    if (finalizers.code === 0) assert.equal(finalizers.stdout, '["foregroundDeletion"]');
    await pollUntil('ReplicaSet gone, after its pods', async () => {
      const rs = await s.kubectl(['get', 'rs', 'web', '-n', ns, '-o', 'name']);
      if (rs.code === 0) return undefined;
      // Listed after the ReplicaSet was seen gone: none may be left.
      assert.deepEqual(await podNames(ns, 'web'), []);
      return true;
    }, { timeoutMs: 30_000 });
  });

  test('a ConfigMap whose owner UID does not exist is collected', async () => {
    const ns = 'gc-dangling';
    await ensureNamespace(s, ns);
    await s.k(['create', 'configmap', 'owner', '-n', ns]);
    const uid = await s.k(['get', 'configmap', 'owner', '-n', ns, '-o', 'jsonpath={.metadata.uid}']);
    const ref = (u: string) => [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: u }];
    await applyObjects(s, [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', ownerReferences: ref(uid) } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'collected', ownerReferences: ref('6b0c2a6e-0000-4000-8000-000000000000') } },
    ], { namespace: ns });
    await pollUntil('dangling ConfigMap collected', async () => ((await s.kubectl(['get', 'configmap', 'collected', '-n', ns])).code === 1 ? true : undefined), { timeoutMs: 20_000 });
    assert.equal((await s.k(['get', 'configmap', 'kept', '-n', ns, '-o', 'name'])).trim(), 'configmap/kept');
  });
});
