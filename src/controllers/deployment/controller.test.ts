import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformer } from '../../client/informers/shared-informer.js';
import type { ListerWatcher } from '../../client/informers/lister-watcher.js';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { Pod } from '../framework/pods.js';
import { type DeploymentControl, DeploymentController } from './controller.js';
import { computeHash } from './hash.js';
import type { Deployment, ReplicaSet } from './types.js';

const idle: ListerWatcher<never> = {
  list: async () => ({ metadata: {}, items: [] }),
  // eslint-disable-next-line require-yield
  watch: async function* () {
    return;
  },
};

const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });

class FakeControl implements DeploymentControl {
  created: ReplicaSet[] = [];
  updated: ReplicaSet[] = [];
  deleted: string[] = [];
  patched: { name: string; patch: unknown }[] = [];
  statuses: Deployment[] = [];
  private rv = 100;
  constructor(private readonly clock: FakeClock) {}
  async createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const done = structuredClone({ ...rs, metadata: { ...rs.metadata, uid: `uid-${rs.metadata.name}`, resourceVersion: String(this.rv++), creationTimestamp: this.clock.nowRFC3339(), generation: 1 } });
    this.created.push(done);
    return done;
  }
  async updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const done = structuredClone({ ...rs, metadata: { ...rs.metadata, resourceVersion: String(this.rv++) } });
    this.updated.push(done);
    return done;
  }
  async deleteReplicaSet(_ns: string, name: string): Promise<void> {
    this.deleted.push(name);
  }
  async patchReplicaSet(_ns: string, name: string, patch: unknown): Promise<void> {
    this.patched.push({ name, patch });
  }
  async updateDeploymentStatus(d: Deployment): Promise<Deployment> {
    const done = structuredClone({ ...d, metadata: { ...d.metadata, resourceVersion: String(this.rv++) } });
    this.statuses.push(done);
    return done;
  }
  async getDeployment(): Promise<Deployment | undefined> {
    return this.statuses.at(-1);
  }
}

function deployment(extra: Partial<NonNullable<Deployment['spec']>> = {}, status?: Deployment['status']): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', resourceVersion: '1', generation: 1, annotations: { 'kubernetes.io/change-cause': 'first' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: template('nginx'),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...extra,
    },
    ...(status ? { status } : {}),
  };
}

/** A ReplicaSet the deployment made earlier for `image`. */
function ownedRS(image: string, replicas: number, extra: { revision: number; available?: number; created?: string; statusReplicas?: number }): ReplicaSet {
  const hash = computeHash(template(image));
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      namespace: 'ns',
      uid: `uid-${hash}`,
      resourceVersion: '5',
      generation: 1,
      creationTimestamp: extra.created ?? '2024-12-31T00:00:00Z',
      labels: { app: 'web', 'pod-template-hash': hash },
      annotations: { 'kubernetes.io/change-cause': 'first', 'deployment.kubernetes.io/revision': String(extra.revision), 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas, minReadySeconds: 0, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: { ...template(image), metadata: { labels: { app: 'web', 'pod-template-hash': hash } } } },
    status: { replicas: extra.statusReplicas ?? replicas, readyReplicas: extra.available ?? 0, availableReplicas: extra.available ?? 0, observedGeneration: 1 },
  };
}

function setup(d: Deployment, rss: ReplicaSet[] = [], pods: Pod[] = []) {
  const clock = new FakeClock(Date.parse('2025-01-01T00:00:00Z'));
  const deploymentInformer = new SharedInformer<Deployment>({ listerWatcher: idle, clock, freeze: true });
  const rsInformer = new SharedInformer<ReplicaSet>({ listerWatcher: idle, clock, freeze: true });
  const podInformer = new SharedInformer<Pod>({ listerWatcher: idle, clock, freeze: true });
  deploymentInformer.replace([d], '1');
  rsInformer.replace(rss, '1');
  podInformer.replace(pods, '1');
  const control = new FakeControl(clock);
  const events: string[] = [];
  const controller = new DeploymentController({
    deploymentInformer,
    rsInformer,
    podInformer,
    control,
    events: { event: (_o: KubeObject, type: string, reason: string, message: string) => void events.push(`${type} ${reason} ${message}`) },
    clock,
    logger: silentLogger,
  });
  return { clock, deploymentInformer, rsInformer, podInformer, control, events, controller };
}

describe('deployment controller sync', () => {
  test('a new deployment gets its first ReplicaSet, revision 1 and NewReplicaSetCreated', async () => {
    const f = setup(deployment());
    await f.controller.sync('ns/web');
    assert.equal(f.control.created.length, 1);
    const rs = f.control.created[0]!;
    const hash = computeHash(template('nginx'));
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.deepEqual(rs.metadata.labels, { app: 'web', 'pod-template-hash': hash });
    assert.deepEqual(rs.spec?.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
    assert.deepEqual(rs.spec?.template?.metadata?.labels, { app: 'web', 'pod-template-hash': hash });
    assert.equal(rs.spec?.replicas, 3);
    assert.deepEqual(rs.metadata.annotations, {
      'kubernetes.io/change-cause': 'first',
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    assert.deepEqual(rs.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(f.events, [`Normal ScalingReplicaSet Scaled up replica set web-${hash} to 3`]);
    const first = f.control.statuses[0]!;
    assert.equal(first.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.deepEqual(first.status?.conditions, [
      { type: 'Progressing', status: 'True', lastUpdateTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'NewReplicaSetCreated', message: `Created new replica set "web-${hash}"` },
    ]);
  });

  test('a template change starts a rolling update within maxSurge', async () => {
    const old = ownedRS('nginx', 3, { revision: 1, available: 3 });
    const f = setup(deployment({ template: template('nginx:1.27') }), [old]);
    await f.controller.sync('ns/web');
    const fresh = f.control.created[0]!;
    assert.equal(fresh.spec?.replicas, 1, '3 + surge 1 = 4 pods at most');
    assert.equal(fresh.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.equal(f.control.updated.length, 0, 'no old pod goes before a new one is available');

    // The new pod became available: one old replica may go.
    f.rsInformer.add({ ...fresh, status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 } });
    f.deploymentInformer.add(f.control.statuses.at(-1)!);
    await f.controller.sync('ns/web');
    const down = f.control.updated.find((r) => r.metadata.name === old.metadata.name);
    assert.equal(down?.spec?.replicas, 2);
    assert.ok(f.events.includes(`Normal ScalingReplicaSet Scaled down replica set ${old.metadata.name} to 2 from 3`), f.events.join('\n'));
  });

  test('no progress for progressDeadlineSeconds sets Progressing=False ProgressDeadlineExceeded', async () => {
    const rs = ownedRS('nginx', 3, { revision: 1, available: 0 });
    const t0 = '2025-01-01T00:00:00Z';
    const status = {
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 0,
      availableReplicas: 0,
      unavailableReplicas: 3,
      conditions: [
        { type: 'Progressing', status: 'True' as const, lastUpdateTime: t0, lastTransitionTime: t0, reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rs.metadata.name}" is progressing.` },
        { type: 'Available', status: 'False' as const, lastUpdateTime: t0, lastTransitionTime: t0, reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
      ],
    };
    const d = deployment({ progressDeadlineSeconds: 10 }, status);
    d.metadata.annotations = { ...d.metadata.annotations, 'deployment.kubernetes.io/revision': '1' };
    const f = setup(d, [rs]);
    // The informer's initial add queued the key: take it off, as a worker would.
    const initial = await f.controller.queue.get();
    assert.ok(!initial.shutdown);
    f.controller.queue.done(initial.key);
    f.clock.step(4000);
    await f.controller.sync('ns/web');
    assert.equal(f.control.statuses.length, 0, 'nothing changed yet');
    assert.equal(f.controller.queue.len(), 0);
    // The controller asked to look again at the deadline.
    f.clock.step(6500);
    assert.equal(f.controller.queue.len(), 1);
    await f.controller.sync('ns/web');
    const cond = f.control.statuses.at(-1)?.status?.conditions?.find((c) => c.type === 'Progressing');
    assert.deepEqual(cond, { type: 'Progressing', status: 'False', lastUpdateTime: '2025-01-01T00:00:10Z', lastTransitionTime: '2025-01-01T00:00:10Z', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rs.metadata.name}" has timed out progressing.` });
  });

  test('a paused deployment does not roll out but says so', async () => {
    const old = ownedRS('nginx', 3, { revision: 1, available: 3 });
    const f = setup(deployment({ paused: true, template: template('nginx:1.27') }), [old]);
    await f.controller.sync('ns/web');
    assert.equal(f.control.created.length, 0);
    const cond = f.control.statuses[0]?.status?.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(cond?.status, 'Unknown');
    assert.equal(cond?.reason, 'DeploymentPaused');
    assert.equal(cond?.message, 'Deployment is paused');
  });

  test('a replicas change scales the only ReplicaSet and records it', async () => {
    const rs = ownedRS('nginx', 3, { revision: 1, available: 3 });
    const f = setup(deployment({ replicas: 5 }), [rs]);
    await f.controller.sync('ns/web');
    const up = f.control.updated.find((r) => r.metadata.name === rs.metadata.name)!;
    assert.equal(up.spec?.replicas, 5);
    assert.equal(up.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '5');
    assert.equal(up.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '6');
    assert.ok(f.events.includes(`Normal ScalingReplicaSet Scaled up replica set ${rs.metadata.name} to 5 from 3`), f.events.join('\n'));
  });

  test('Recreate scales old to zero, waits for its pods, then creates the new ReplicaSet', async () => {
    const old = ownedRS('nginx', 3, { revision: 1, available: 3 });
    const d = deployment({ strategy: { type: 'Recreate' }, template: template('nginx:1.27') });
    const f = setup(d, [old]);
    await f.controller.sync('ns/web');
    assert.equal(f.control.updated.find((r) => r.metadata.name === old.metadata.name)?.spec?.replicas, 0);
    assert.equal(f.control.created.length, 0);

    // Scaled down, but a pod is still terminating.
    const zero = ownedRS('nginx', 0, { revision: 1, statusReplicas: 0 });
    f.rsInformer.add(zero);
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns', uid: 'p', labels: zero.metadata.labels, deletionTimestamp: '2025-01-01T00:00:00Z', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: zero.metadata.name!, uid: zero.metadata.uid!, controller: true }] },
      status: { phase: 'Running' },
    };
    f.podInformer.add(pod);
    f.deploymentInformer.add(f.control.statuses.at(-1) ?? d);
    await f.controller.sync('ns/web');
    assert.equal(f.control.created.length, 0, 'old pods still running');

    f.podInformer.delete(pod);
    assert.equal(f.controller.queue.len(), 1, 'a deleted pod of a Recreate deployment enqueues it');
    await f.controller.sync('ns/web');
    assert.equal(f.control.created.length, 1);
    assert.equal(f.control.created[0]!.spec?.replicas, 3);
  });

  test('old idle ReplicaSets beyond revisionHistoryLimit are deleted, oldest revision first', async () => {
    const current = ownedRS('v4', 3, { revision: 4, available: 3 });
    const olds = [1, 2, 3].map((r) => ownedRS(`v${r}`, 0, { revision: r }));
    const status = { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 };
    const f = setup(deployment({ template: template('v4'), revisionHistoryLimit: 1 }, status), [current, ...olds]);
    await f.controller.sync('ns/web');
    assert.deepEqual(f.control.deleted, [olds[0]!.metadata.name, olds[1]!.metadata.name]);
  });

  test('a matching orphan ReplicaSet is adopted', async () => {
    const orphan = ownedRS('nginx', 3, { revision: 1, available: 3 });
    delete orphan.metadata.ownerReferences;
    const f = setup(deployment(), [orphan]);
    f.control.statuses.push(deployment());
    await f.controller.sync('ns/web');
    assert.equal(f.control.patched.length, 1);
    assert.deepEqual(f.control.patched[0], {
      name: orphan.metadata.name,
      patch: { metadata: { uid: orphan.metadata.uid, resourceVersion: '5', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }] } },
    });
    assert.equal(f.control.created.length, 0, 'the adopted ReplicaSet is the new one');
  });
});
