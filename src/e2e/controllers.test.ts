/**
 * Controllers running inside `k8ts server`, seen through kubectl: a
 * ReplicaSet keeps its pod count, scales, and replaces a deleted pod.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { pollUntil } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

const rs = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
});

describe('controllers in k8ts server', { skip }, () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start();
  });
  after(async () => {
    await s?.stop();
  });

  const podNames = async () => (await s.k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}'])).split('\n').filter(Boolean);

  test('a ReplicaSet creates, scales and replaces its pods', async () => {
    await s.k(['apply', '-f', '-'], { input: rs });
    await pollUntil('3 pods', async () => (await podNames()).length === 3);
    const owners = await s.k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {end}']);
    assert.equal(owners.trim(), 'ReplicaSet/web ReplicaSet/web ReplicaSet/web');
    await s.k(['scale', 'rs', 'web', '--replicas=1']);
    await pollUntil('1 pod', async () => (await podNames()).length === 1);
    const [only] = await podNames();
    await s.k(['delete', 'pod', only!, '--wait=false']);
    await pollUntil('a replacement', async () => {
      const names = await podNames();
      return names.length === 1 && names[0] !== only;
    });
    const events = await s.k(['get', 'events', '--field-selector', 'involvedObject.kind=ReplicaSet,reason=SuccessfulCreate', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /Created pod: web-/);
  });

  test('deleting a namespace removes everything in it, then the namespace', async () => {
    await s.k(['create', 'namespace', 'doomed']);
    await s.k(['create', 'configmap', 'c', '-n', 'doomed', '--from-literal=a=b']);
    await s.k(['create', 'secret', 'generic', 'x', '-n', 'doomed', '--from-literal=k=v']);
    await s.k(['run', 'p', '-n', 'doomed', '--image=nginx']);
    const out = await s.k(['delete', 'namespace', 'doomed', '--timeout=60s']);
    assert.equal(out.trim(), 'namespace "doomed" deleted');
    const r = await s.kubectl(['get', 'namespace', 'doomed']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /namespaces "doomed" not found/);
    const left = await s.k(['get', 'configmaps,secrets,pods', '-n', 'doomed', '-o', 'name']);
    assert.equal(left.trim(), '');
  });
});
