/**
 * StatefulSets in `k8ts server --sim-nodes 3`, seen through kubectl: ordered
 * creation with stable names and claims, ordered scale-down, Parallel,
 * rolling update from the highest ordinal, partition, and rollout
 * status/history/undo.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { BackgroundKubectl, applyObjects, ensureNamespace, pollUntil } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

interface SetOptions {
  replicas?: number;
  image?: string;
  parallel?: boolean;
  claims?: boolean;
  partition?: number;
  neverReady?: boolean;
}

function statefulSet(name: string, opts: SetOptions = {}): object {
  const annotations = opts.neverReady ? { 'sim.k8ts.io/ready': 'false' } : undefined;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      replicas: opts.replicas ?? 3,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      ...(opts.parallel ? { podManagementPolicy: 'Parallel' } : {}),
      ...(opts.partition !== undefined ? { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: opts.partition } } } : {}),
      template: {
        metadata: { labels: { app: name }, ...(annotations ? { annotations } : {}) },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'nginx', image: opts.image ?? 'nginx:1.25' }] },
      },
      ...(opts.claims ? { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } : {}),
    },
  };
}

const headless = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { clusterIP: 'None', selector: { app: name }, ports: [{ port: 80 }] } });

describe('StatefulSets in k8ts server', { skip }, () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start({ args: ['--sim-nodes', '3'] });
  });
  after(async () => {
    await s?.stop();
  });

  const jp = async (ns: string, what: string[], path: string) => (await s.k(['get', ...what, '-n', ns, '-o', `jsonpath=${path}`])).trim();
  const names = async (ns: string, app: string) => (await jp(ns, ['pods', '-l', `app=${app}`], '{range .items[*]}{.metadata.name}{" "}{end}')).split(' ').filter(Boolean).sort();
  const rolloutStatus = async (ns: string, name: string) => {
    const out = await s.k(['rollout', 'status', `statefulset/${name}`, '-n', ns, '--timeout=60s']);
    return out.trim().split('\n').pop();
  };
  const imagesByPod = async (ns: string, app: string) => jp(ns, ['pods', '-l', `app=${app}`], '{range .items[*]}{.metadata.name}={.spec.containers[0].image} {end}');

  test('OrderedReady creates web-0, web-1, web-2 in order; scale down goes in reverse', async () => {
    const ns = 'ordered';
    await ensureNamespace(s, ns);
    const watch = new BackgroundKubectl(s, ['get', 'pods', '-n', ns, '-w', '-o', 'jsonpath={.metadata.name}{" "}{.metadata.deletionTimestamp}{"\\n"}']);
    try {
      await applyObjects(s, [headless('web'), statefulSet('web')], { namespace: ns });
      assert.equal(await rolloutStatus(ns, 'web'), 'partitioned roll out complete: 3 new pods have been updated...');
      const firstSeen = [...new Set(watch.stdout.split('\n').map((l) => l.split(' ')[0]).filter(Boolean))];
      assert.deepEqual(firstSeen, ['web-0', 'web-1', 'web-2']);

      // Stable identity: labels, hostname, subdomain; status as upstream reports it.
      const pod = JSON.parse(await s.k(['get', 'pod', 'web-1', '-n', ns, '-o', 'json'])) as { metadata: { labels: Record<string, string> }; spec: { hostname: string; subdomain: string } };
      assert.equal(pod.metadata.labels['statefulset.kubernetes.io/pod-name'], 'web-1');
      assert.equal(pod.metadata.labels['apps.kubernetes.io/pod-index'], '1');
      assert.equal(pod.spec.hostname, 'web-1');
      assert.equal(pod.spec.subdomain, 'web');
      const status = JSON.parse(await s.k(['get', 'statefulset', 'web', '-n', ns, '-o', 'jsonpath={.status}'])) as Record<string, unknown>;
      assert.equal(pod.metadata.labels['controller-revision-hash'], status['updateRevision']);
      assert.match(String(status['updateRevision']), /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
      assert.equal(status['currentRevision'], status['updateRevision']);
      assert.deepEqual({ ...status, updateRevision: undefined, currentRevision: undefined }, { availableReplicas: 3, collisionCount: 0, currentReplicas: 3, observedGeneration: 1, readyReplicas: 3, replicas: 3, updatedReplicas: 3, updateRevision: undefined, currentRevision: undefined });
      const events = await jp(ns, ['events', '--field-selector', 'involvedObject.kind=StatefulSet,reason=SuccessfulCreate'], '{range .items[*]}{.source.component}|{.message}{"\\n"}{end}');
      for (const i of [0, 1, 2]) assert.ok(events.includes(`statefulset-controller|create Pod web-${i} in StatefulSet web successful`), events);

      await s.k(['scale', 'statefulset', 'web', '-n', ns, '--replicas=1']);
      await pollUntil('one pod left', async () => ((await names(ns, 'web')).join(',') === 'web-0' ? true : undefined), { timeoutMs: 30_000 });
      const deletedOrder = [...new Set(watch.stdout.split('\n').filter((l) => /^\S+ \S+/.test(l)).map((l) => l.split(' ')[0]))];
      assert.deepEqual(deletedOrder, ['web-2', 'web-1']);
      const deletes = await jp(ns, ['events', '--field-selector', 'involvedObject.kind=StatefulSet,reason=SuccessfulDelete'], '{range .items[*]}{.message}{"\\n"}{end}');
      assert.match(deletes, /delete Pod web-2 in StatefulSet web successful/);
    } finally {
      await watch.stop();
    }
  });

  test('volumeClaimTemplates give each pod its claim data-<set>-<ordinal>', async () => {
    const ns = 'claims';
    await ensureNamespace(s, ns);
    await applyObjects(s, [statefulSet('web', { claims: true, parallel: true })], { namespace: ns });
    await pollUntil('3 claims', async () => ((await jp(ns, ['pvc'], '{range .items[*]}{.metadata.name} {end}')) === 'data-web-0 data-web-1 data-web-2' ? true : undefined), { timeoutMs: 20_000 });
    await pollUntil('3 pods', async () => ((await names(ns, 'web')).length === 3 ? true : undefined));
    const claims = await jp(ns, ['pvc'], '{range .items[*]}{.metadata.name}:{.metadata.labels.app}:{.metadata.ownerReferences}:{.spec.resources.requests.storage} {end}');
    // The default retention (Retain/Retain) leaves the claims unowned.
    assert.equal(claims, 'data-web-0:web::1Gi data-web-1:web::1Gi data-web-2:web::1Gi');
    assert.equal(await jp(ns, ['pod', 'web-2'], '{.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName}'), 'data-web-2');
    const events = await pollUntil('claim events', async () => {
      const out = await jp(ns, ['events', '--field-selector', 'involvedObject.kind=StatefulSet,reason=SuccessfulCreate'], '{range .items[*]}{.message}{"\\n"}{end}');
      return out.split('\n').length >= 6 ? out : undefined;
    });
    for (const i of [0, 1, 2]) assert.ok(events.includes(`create Claim data-web-${i} Pod web-${i} in StatefulSet web success`), events);
    // whenDeleted=Delete makes the set the claims' controller, so they go with it.
    await s.k(['patch', 'statefulset', 'web', '-n', ns, '-p', '{"spec":{"persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Delete"}}}']);
    const uid = await jp(ns, ['statefulset', 'web'], '{.metadata.uid}');
    await pollUntil('claims owned by the set', async () => ((await jp(ns, ['pvc'], '{range .items[*]}{.metadata.ownerReferences[0].uid} {end}')) === `${uid} ${uid} ${uid}` ? true : undefined), { timeoutMs: 20_000 });
  });

  test('Parallel creates every pod without waiting for readiness; OrderedReady waits', async () => {
    const ns = 'parallel';
    await ensureNamespace(s, ns);
    await applyObjects(s, [statefulSet('par', { parallel: true, neverReady: true }), statefulSet('ord', { neverReady: true })], { namespace: ns });
    await pollUntil('3 parallel pods', async () => ((await names(ns, 'par')).length === 3 ? true : undefined), { timeoutMs: 20_000 });
    await pollUntil('ord-0 running', async () => ((await jp(ns, ['pod', 'ord-0'], '{.status.phase}').catch(() => '')) === 'Running' ? true : undefined), { timeoutMs: 20_000 });
    // ord-0 never becomes ready, so ord-1 must not appear.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await names(ns, 'ord'), ['ord-0']);
  });

  test('set image rolls from the highest ordinal; rollout status, history and undo', async () => {
    const ns = 'rolling';
    await ensureNamespace(s, ns);
    await applyObjects(s, [headless('web'), statefulSet('web', { image: 'nginx:1.25' })], { namespace: ns });
    await rolloutStatus(ns, 'web');
    const before = JSON.parse(await s.k(['get', 'statefulset', 'web', '-n', ns, '-o', 'jsonpath={.status}'])) as { currentRevision: string };
    const watch = new BackgroundKubectl(s, ['get', 'pods', '-n', ns, '-w', '--watch-only', '-o', 'jsonpath={.metadata.name}{" "}{.metadata.deletionTimestamp}{"\\n"}']);
    try {
      await s.k(['set', 'image', 'statefulset/web', '-n', ns, 'nginx=nginx:1.26']);
      const done = await rolloutStatus(ns, 'web');
      assert.equal(done, 'partitioned roll out complete: 3 new pods have been updated...');
      const deletedOrder = [...new Set(watch.stdout.split('\n').filter((l) => /^\S+ \S+/.test(l)).map((l) => l.split(' ')[0]))];
      assert.deepEqual(deletedOrder, ['web-2', 'web-1', 'web-0']);
    } finally {
      await watch.stop();
    }
    assert.equal(await imagesByPod(ns, 'web'), 'web-0=nginx:1.26 web-1=nginx:1.26 web-2=nginx:1.26');
    const st = JSON.parse(await s.k(['get', 'statefulset', 'web', '-n', ns, '-o', 'jsonpath={.status}'])) as { currentRevision: string; updateRevision: string };
    assert.notEqual(st.updateRevision, before.currentRevision);
    await pollUntil('current revision caught up', async () => ((await jp(ns, ['statefulset', 'web'], '{.status.currentRevision}')) === st.updateRevision ? true : undefined));

    const history = await s.k(['rollout', 'history', 'statefulset/web', '-n', ns]);
    assert.deepEqual(history.trim().split('\n').map((l) => l.trimEnd()), ['statefulset.apps/web', 'REVISION  CHANGE-CAUSE', '1         <none>', '2         <none>']);
    const revisions = await jp(ns, ['controllerrevisions'], '{range .items[*]}{.metadata.name}:{.revision}:{.metadata.ownerReferences[0].name} {end}');
    assert.equal(revisions.split(' ').sort().join(' '), [`${before.currentRevision}:1:web`, `${st.updateRevision}:2:web`].sort().join(' '));

    assert.equal((await s.k(['rollout', 'undo', 'statefulset/web', '-n', ns])).trim(), 'statefulset.apps/web rolled back');
    await rolloutStatus(ns, 'web');
    await pollUntil('pods back on nginx:1.25', async () => ((await imagesByPod(ns, 'web')) === 'web-0=nginx:1.25 web-1=nginx:1.25 web-2=nginx:1.25' ? true : undefined), { timeoutMs: 30_000 });
    // The old revision is reused under the next number.
    await pollUntil('revision renumbered', async () => ((await jp(ns, ['controllerrevision', before.currentRevision], '{.revision}')) === '3' ? true : undefined));
    assert.equal(await jp(ns, ['statefulset', 'web'], '{.status.updateRevision}'), before.currentRevision);
  });

  test('a partition keeps ordinals below it on the old revision', async () => {
    const ns = 'partition';
    await ensureNamespace(s, ns);
    await applyObjects(s, [statefulSet('db', { image: 'nginx:1.25', partition: 2 })], { namespace: ns });
    await rolloutStatus(ns, 'db');
    await s.k(['set', 'image', 'statefulset/db', '-n', ns, 'nginx=nginx:1.26']);
    assert.equal(await rolloutStatus(ns, 'db'), 'partitioned roll out complete: 1 new pods have been updated...');
    await pollUntil('only db-2 updated', async () => ((await imagesByPod(ns, 'db')) === 'db-0=nginx:1.25 db-1=nginx:1.25 db-2=nginx:1.26' ? true : undefined), { timeoutMs: 20_000 });
    await s.k(['patch', 'statefulset', 'db', '-n', ns, '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}']);
    assert.equal(await rolloutStatus(ns, 'db'), 'partitioned roll out complete: 3 new pods have been updated...');
    assert.equal(await imagesByPod(ns, 'db'), 'db-0=nginx:1.26 db-1=nginx:1.26 db-2=nginx:1.26');
  });

  test('PVC binding: the claims of a StatefulSet become Bound', async () => {
    const ns = 'bound';
    await ensureNamespace(s, ns);
    await applyObjects(s, [statefulSet('vol', { replicas: 2, claims: true })], { namespace: ns });
    await pollUntil('claims Bound', async () => ((await jp(ns, ['pvc'], '{range .items[*]}{.metadata.name}={.status.phase} {end}')) === 'data-vol-0=Bound data-vol-1=Bound' ? true : undefined), { timeoutMs: 15_000 });
  });
});
