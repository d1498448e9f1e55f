/**
 * Deployments through the real kubectl against `k8ts server --sim-nodes 3`:
 * create, rollout status, scale, set image, rollout history/undo,
 * pause/resume/restart, a progress deadline exceeded, and Recreate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { applyObjects, pollUntil } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';
const HASH = /^[bcdfghjklmnpqrstvwxz2456789]+$/;

describe('deployments through kubectl', { skip }, () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start({ args: ['--sim-nodes', '3'] });
    await pollUntil('3 nodes', async () => (await s.k(['get', 'nodes', '-o', 'name'])).trim().split('\n').length === 3 || undefined, { timeoutMs: 30_000 });
  });
  after(async () => {
    await s?.stop();
  });

  const rollout = (ns: string, name: string) => s.kubectl(['rollout', 'status', `deployment/${name}`, '-n', ns, '--timeout=40s']);
  const expectRolledOut = async (ns: string, name: string) => {
    const r = await rollout(ns, name);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.endsWith(`deployment "${name}" successfully rolled out\n`), r.stdout);
  };
  /** name -> spec.replicas of the deployment's ReplicaSets. */
  const replicaSets = async (ns: string, app: string) => {
    const out = await s.k(['get', 'rs', '-n', ns, '-l', `app=${app}`, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.replicas}{"\\n"}{end}']);
    return new Map(out.trim().split('\n').filter(Boolean).map((l) => l.split('=') as [string, string]).map(([n, r]) => [n, Number(r)]));
  };
  const history = async (ns: string, name: string) => s.k(['rollout', 'history', `deployment/${name}`, '-n', ns]);
  const historyRows = (out: string) => out.trim().split('\n').slice(2).map((l) => l.trim().split(/\s{2,}/));

  test('create, scale, set image, history, undo', async () => {
    const ns = 'dep-basic';
    await s.k(['create', 'namespace', ns]);
    assert.equal((await s.k(['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '-n', ns])).trim(), 'deployment.apps/web created');
    await expectRolledOut(ns, 'web');

    const [rs1] = [...(await replicaSets(ns, 'web')).keys()];
    assert.ok(rs1?.startsWith('web-'), rs1);
    const hash = rs1!.slice('web-'.length);
    assert.match(hash, HASH);
    assert.equal(await s.k(['get', 'rs', rs1!, '-n', ns, '-o', 'jsonpath={.metadata.labels.pod-template-hash}']), hash);
    assert.equal(await s.k(['get', 'rs', rs1!, '-n', ns, '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}']), '1');
    const nodes = (await s.k(['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}'])).trim().split('\n');
    // The scheduler's default topology spread puts one replica on each node.
    assert.equal(new Set(nodes).size, 3, `pods on ${nodes.join(',')}`);
    const cond = await s.k(['get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={range .status.conditions[*]}{.type}/{.status}/{.reason}: {.message}{"\\n"}{end}']);
    assert.equal(cond, `Available/True/MinimumReplicasAvailable: Deployment has minimum availability.\nProgressing/True/NewReplicaSetAvailable: ReplicaSet "${rs1}" has successfully progressed.\n`);

    assert.equal((await s.k(['scale', 'deployment', 'web', '--replicas=5', '-n', ns])).trim(), 'deployment.apps/web scaled');
    await expectRolledOut(ns, 'web');
    assert.equal(await s.k(['get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.status.availableReplicas}/{.status.updatedReplicas}/{.status.replicas}']), '5/5/5');

    assert.equal((await s.k(['set', 'image', 'deployment/web', 'nginx=nginx:1.27', '-n', ns])).trim(), 'deployment.apps/web image updated');
    await expectRolledOut(ns, 'web');
    const after2 = await replicaSets(ns, 'web');
    assert.equal(after2.size, 2);
    assert.equal(after2.get(rs1!), 0);
    const rs2 = [...after2.keys()].find((n) => n !== rs1)!;
    assert.equal(after2.get(rs2), 5);
    assert.equal(await s.k(['get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}']), '2');
    const events = await s.k(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.kind=Deployment,reason=ScalingReplicaSet', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}']);
    assert.match(events, new RegExp(`^Scaled up replica set ${rs1} to 3$`, 'm'));
    assert.match(events, new RegExp(`^Scaled up replica set ${rs1} to 5 from 3$`, 'm'));
    assert.match(events, new RegExp(`^Scaled down replica set ${rs1} to 0 from \\d$`, 'm'));
    assert.equal(await s.k(['get', 'events', '-n', ns, '--field-selector', 'reason=ScalingReplicaSet', '-o', 'jsonpath={.items[0].source.component}']), 'deployment-controller');

    let h = await history(ns, 'web');
    assert.equal(h.split('\n')[0]!.trim(), 'deployment.apps/web');
    assert.match(h.split('\n')[1]!, /^REVISION\s+CHANGE-CAUSE$/);
    assert.deepEqual(historyRows(h), [['1', '<none>'], ['2', '<none>']]);
    await s.k(['annotate', 'deployment/web', '-n', ns, 'kubernetes.io/change-cause=image 1.27']);
    h = await pollUntil('change-cause in history', async () => {
      const out = await history(ns, 'web');
      return out.includes('image 1.27') ? out : undefined;
    });
    assert.deepEqual(historyRows(h), [['1', '<none>'], ['2', 'image 1.27']]);

    assert.equal((await s.k(['rollout', 'undo', 'deployment/web', '-n', ns])).trim(), 'deployment.apps/web rolled back');
    await expectRolledOut(ns, 'web');
    assert.equal(await s.k(['get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx');
    const after3 = await replicaSets(ns, 'web');
    assert.deepEqual([...after3.entries()].sort(), [[rs1!, 5], [rs2, 0]].sort());
    assert.equal(await s.k(['get', 'rs', rs1!, '-n', ns, '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}/{.metadata.annotations.deployment\\.kubernetes\\.io/revision-history}']), '3/1');
    assert.deepEqual(historyRows(await history(ns, 'web')).map((r) => r[0]), ['2', '3']);
  });

  test('pause, resume and restart', async () => {
    const ns = 'dep-pause';
    await s.k(['create', 'namespace', ns]);
    await s.k(['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '-n', ns]);
    await expectRolledOut(ns, 'web');
    assert.equal((await s.k(['rollout', 'pause', 'deployment/web', '-n', ns])).trim(), 'deployment.apps/web paused');
    await s.k(['set', 'image', 'deployment/web', 'nginx=nginx:1.27', '-n', ns]);
    await pollUntil('paused condition', async () => {
      const out = await s.k(['get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.metadata.generation}={.status.observedGeneration} {.status.conditions[?(@.type=="Progressing")].reason}']);
      const [gens, reason] = out.split(' ');
      const [g, o] = gens!.split('=');
      return g === o && reason === 'DeploymentPaused' ? true : undefined;
    });
    assert.equal((await replicaSets(ns, 'web')).size, 1);

    assert.equal((await s.k(['rollout', 'resume', 'deployment/web', '-n', ns])).trim(), 'deployment.apps/web resumed');
    await expectRolledOut(ns, 'web');
    assert.equal((await replicaSets(ns, 'web')).size, 2);

    assert.equal((await s.k(['rollout', 'restart', 'deployment/web', '-n', ns])).trim(), 'deployment.apps/web restarted');
    await expectRolledOut(ns, 'web');
    const sets = await replicaSets(ns, 'web');
    assert.equal(sets.size, 3);
    assert.deepEqual([...sets.values()].sort(), [0, 0, 2]);
    const newest = [...sets.entries()].find(([, r]) => r === 2)![0];
    assert.match(await s.k(['get', 'rs', newest, '-n', ns, '-o', 'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}']), /^\d{4}-\d\d-\d\dT/);
  });

  test('a rollout that never becomes ready exceeds its progress deadline', async () => {
    const ns = 'dep-stuck';
    await s.k(['create', 'namespace', ns]);
    await applyObjects(s, [{
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'stuck' },
      spec: {
        replicas: 1,
        progressDeadlineSeconds: 2,
        selector: { matchLabels: { app: 'stuck' } },
        template: { metadata: { labels: { app: 'stuck' }, annotations: { 'sim.k8ts.io/ready': 'false' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    }], { namespace: ns });
    const r = await rollout(ns, 'stuck');
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.stderr, 'error: deployment "stuck" exceeded its progress deadline\n');
    const [rs] = [...(await replicaSets(ns, 'stuck')).keys()];
    const cond = await s.k(['get', 'deploy', 'stuck', '-n', ns, '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")].status}/{.status.conditions[?(@.type=="Progressing")].reason}/{.status.conditions[?(@.type=="Progressing")].message}']);
    assert.equal(cond, `False/ProgressDeadlineExceeded/ReplicaSet "${rs}" has timed out progressing.`);
    assert.equal(await s.k(['get', 'deploy', 'stuck', '-n', ns, '-o', 'jsonpath={.status.conditions[?(@.type=="Available")].reason}/{.status.unavailableReplicas}']), 'MinimumReplicasUnavailable/1');
  });

  test('Recreate scales the old ReplicaSet to zero before the new one comes up', async () => {
    const ns = 'dep-recreate';
    await s.k(['create', 'namespace', ns]);
    const dep = (image: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'db' },
      spec: {
        replicas: 2,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image }] } },
      },
    });
    await applyObjects(s, [dep('postgres:16')], { namespace: ns });
    await expectRolledOut(ns, 'db');
    const [oldRS] = [...(await replicaSets(ns, 'db')).keys()];
    await applyObjects(s, [dep('postgres:17')], { namespace: ns });
    await expectRolledOut(ns, 'db');
    const sets = await replicaSets(ns, 'db');
    const newRS = [...sets.keys()].find((n) => n !== oldRS)!;
    assert.equal(sets.get(oldRS!), 0);
    assert.equal(sets.get(newRS), 2);
    // Event names grow with time, so name order is the order they happened in.
    const out = await s.k(['get', 'events', '-n', ns, '--field-selector', 'reason=ScalingReplicaSet', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.message}{"\\n"}{end}']);
    const messages = out.trim().split('\n').sort().map((l) => l.slice(l.indexOf(' ') + 1));
    assert.deepEqual(messages, [`Scaled up replica set ${oldRS} to 2`, `Scaled down replica set ${oldRS} to 0 from 2`, `Scaled up replica set ${newRS} to 2`]);
  });
});
