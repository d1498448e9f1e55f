/**
 * Policy through kubectl against `k8ts server --sim-nodes 3`: ResourceQuota
 * refusing a pod, LimitRange defaults and bounds, the per-namespace
 * ServiceAccount and root CA, and `kubectl drain` honouring a
 * PodDisruptionBudget. Pods of the other tests stay off sim-node-0, which
 * the drain test empties.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { applyObjects, ensureNamespace, pollUntil } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

/** A pod pinned to sim-node-1 so the drain test never meets it. */
function pinnedPod(name: string, resources: object = {}): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'sim-node-1', containers: [{ name: 'app', image: 'nginx', resources }] } };
}

describe('policy in k8ts server', { skip }, () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start({ args: ['--sim-nodes', '3'] });
  });
  after(async () => {
    await s?.stop();
  });

  const jsonpath = async (args: string[], path: string) => (await s.k([...args, '-o', `jsonpath=${path}`])).trim();

  test('a ResourceQuota refuses the pod past its limit and describe shows usage', async () => {
    const ns = 'quota';
    await ensureNamespace(s, ns);
    await s.k(['create', 'quota', 'q', '-n', ns, '--hard=pods=2']);
    await pollUntil('quota status', async () => ((await jsonpath(['get', 'quota', 'q', '-n', ns], '{.status.used.pods}')) === '0' ? true : undefined));
    await applyObjects(s, [pinnedPod('p1'), pinnedPod('p2')], { namespace: ns });
    const r = await s.kubectl(['run', 'p3', '-n', ns, '--image=nginx']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
    const describe = await s.k(['describe', 'quota', 'q', '-n', ns]);
    assert.match(describe, /Resource\s+Used\s+Hard\n\s*--------\s+----\s+----\npods\s+2\s+2\n/);

    // A quota on limits refuses a pod that declares none.
    await s.k(['create', 'quota', 'compute', '-n', ns, '--hard=limits.cpu=2']);
    await pollUntil('compute quota status', async () => ((await jsonpath(['get', 'quota', 'compute', '-n', ns], '{.status.used.limits\\.cpu}')) === '0' ? true : undefined));
    await s.k(['delete', 'pod', 'p2', '-n', ns, '--wait=true']);
    await pollUntil('pods used back to 1', async () => ((await jsonpath(['get', 'quota', 'q', '-n', ns], '{.status.used.pods}')) === '1' ? true : undefined));
    const r2 = await s.kubectl(['run', 'p4', '-n', ns, '--image=nginx']);
    assert.equal(r2.code, 1);
    assert.equal(r2.stderr.trim(), 'Error from server (Forbidden): pods "p4" is forbidden: failed quota: compute: must specify limits.cpu for: p4');
  });

  test('a LimitRange defaults container resources and refuses out-of-bounds pods', async () => {
    const ns = 'limits';
    await ensureNamespace(s, ns);
    await applyObjects(
      s,
      [
        {
          apiVersion: 'v1',
          kind: 'LimitRange',
          metadata: { name: 'lr' },
          spec: { limits: [{ type: 'Container', default: { cpu: '200m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' }, min: { cpu: '100m' }, max: { memory: '1Gi' } }] },
        },
      ],
      { namespace: ns },
    );
    await applyObjects(s, [pinnedPod('defaulted')], { namespace: ns });
    const resources = JSON.parse(await jsonpath(['get', 'pod', 'defaulted', '-n', ns], '{.spec.containers[0].resources}'));
    assert.deepEqual(resources, { limits: { cpu: '200m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    const note = await jsonpath(['get', 'pod', 'defaulted', '-n', ns], '{.metadata.annotations.kubernetes\\.io/limit-ranger}');
    assert.equal(note, 'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app');

    const bad = pinnedPod('bad', { requests: { cpu: '50m' }, limits: { memory: '2Gi' } });
    const r = await s.kubectl(['create', '-n', ns, '-f', '-'], { input: JSON.stringify(bad) });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'Error from server (Forbidden): error when creating "STDIN": pods "bad" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum memory usage per Container is 1Gi, but limit is 2Gi]',
    );
  });

  test('a new namespace gets the default ServiceAccount and kube-root-ca.crt, restored when deleted', async () => {
    const ns = 'fresh';
    await s.k(['create', 'namespace', ns]);
    const uid = await pollUntil('default ServiceAccount', async () => (await s.kubectl(['get', 'sa', 'default', '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).stdout || undefined);
    const ca = await pollUntil('kube-root-ca.crt', async () => (await s.kubectl(['get', 'cm', 'kube-root-ca.crt', '-n', ns, '-o', 'jsonpath={.data.ca\\.crt}'])).stdout || undefined);
    assert.match(ca, /^-----BEGIN CERTIFICATE-----\n/);
    await s.k(['delete', 'sa', 'default', '-n', ns]);
    await pollUntil('a new default ServiceAccount', async () => {
      const now = (await s.kubectl(['get', 'sa', 'default', '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).stdout;
      return now && now !== uid ? true : undefined;
    });
    await s.k(['patch', 'cm', 'kube-root-ca.crt', '-n', ns, '--type', 'merge', '-p', '{"data":{"ca.crt":"forged"}}']);
    await pollUntil('the CA restored', async () => ((await jsonpath(['get', 'cm', 'kube-root-ca.crt', '-n', ns], '{.data.ca\\.crt}')) === ca.trim() ? true : undefined));
  });

  test('kubectl drain waits on a PodDisruptionBudget that blocks, and completes when it allows', async () => {
    const ns = 'drain';
    await ensureNamespace(s, ns);
    const labels = { app: 'web' };
    await applyObjects(
      s,
      [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web' },
          spec: {
            replicas: 3,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                terminationGracePeriodSeconds: 1,
                // One pod per node, so sim-node-0 holds exactly one.
                affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' }] } },
                containers: [{ name: 'web', image: 'nginx' }],
              },
            },
          },
        },
        { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web-pdb' }, spec: { minAvailable: 3, selector: { matchLabels: labels } } },
      ],
      { namespace: ns },
    );
    const pdbStatus = () => jsonpath(['get', 'pdb', 'web-pdb', '-n', ns], '{.status.currentHealthy}/{.status.desiredHealthy}/{.status.disruptionsAllowed}');
    await pollUntil('3 healthy pods', async () => ((await pdbStatus()) === '3/3/0' ? true : undefined), { timeoutMs: 30_000 });
    const onNode0 = await jsonpath(['get', 'pods', '-n', ns, '--field-selector', 'spec.nodeName=sim-node-0'], '{.items[*].metadata.name}');
    assert.match(onNode0, /^web-\S+$/);

    const blocked = await s.kubectl(['drain', 'sim-node-0', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout', '10s'], { timeoutMs: 30_000 });
    assert.equal(blocked.code, 1);
    assert.ok(
      blocked.stderr.includes(`error when evicting pods/"${onNode0}" -n "${ns}" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`),
      blocked.stderr,
    );
    assert.equal(await jsonpath(['get', 'pod', onNode0, '-n', ns], '{.metadata.name}'), onNode0);

    await s.k(['patch', 'pdb', 'web-pdb', '-n', ns, '--type', 'merge', '-p', '{"spec":{"minAvailable":2}}']);
    await pollUntil('one disruption allowed', async () => ((await pdbStatus()) === '3/2/1' ? true : undefined));
    const drained = await s.kubectl(['drain', 'sim-node-0', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout', '40s'], { timeoutMs: 60_000 });
    assert.equal(drained.code, 0, drained.stderr);
    assert.match(drained.stdout, new RegExp(`pod/${onNode0} evicted\\n`));
    assert.match(drained.stdout, /node\/sim-node-0 drained\n$/);
    const nodes = await s.k(['get', 'node', 'sim-node-0', '--no-headers']);
    assert.match(nodes, /^sim-node-0\s+Ready,SchedulingDisabled\s/);
  });
});
