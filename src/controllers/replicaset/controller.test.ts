import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import { SharedInformer } from '../../client/informers/shared-informer.js';
import type { ListerWatcher } from '../../client/informers/lister-watcher.js';
import { type PodControl, podFromTemplate } from '../framework/pod-control.js';
import type { Pod, PodTemplateSpec } from '../framework/pods.js';
import { ReplicaSetController } from './controller.js';
import { type ReplicaSetAdapter, type ReplicatedObject, replicaSetAdapter, replicationControllerAdapter } from './adapters.js';

const idle: ListerWatcher<never> = {
  list: async () => ({ metadata: {}, items: [] }),
  // eslint-disable-next-line require-yield
  watch: async function* () {
    return;
  },
};

class FakePodControl implements PodControl {
  created: Pod[] = [];
  deleted: string[] = [];
  patched: { name: string; patch: unknown }[] = [];
  /** Fail every create after this many succeeded. */
  failCreatesAfter = Infinity;
  private seq = 0;

  async createPod(namespace: string, template: PodTemplateSpec, owner: KubeObject, ref: OwnerReference): Promise<Pod> {
    if (this.created.length >= this.failCreatesAfter) throw new Error('pods "web-" is forbidden: exceeded quota: q');
    const pod = podFromTemplate(namespace, template, owner, ref);
    const name = `${pod.metadata.generateName}${String(this.seq++).padStart(5, 'x')}`;
    const done: Pod = { ...pod, metadata: { ...pod.metadata, name, uid: `uid-${name}`, resourceVersion: '1' } };
    this.created.push(done);
    return done;
  }
  async deletePod(_ns: string, name: string): Promise<void> {
    this.deleted.push(name);
  }
  async patchPod(_ns: string, name: string, patch: unknown): Promise<void> {
    this.patched.push({ name, patch });
  }
}

function rsObject(adapter: ReplicaSetAdapter, replicas: number, extra: { minReadySeconds?: number; generation?: number } = {}): ReplicatedObject {
  const selector = adapter === replicaSetAdapter ? { matchLabels: { app: 'web' } } : { app: 'web' };
  return {
    apiVersion: adapter.apiVersion,
    kind: adapter.kind,
    metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid', resourceVersion: '3', generation: extra.generation ?? 1 },
    spec: { replicas, minReadySeconds: extra.minReadySeconds, selector, template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  };
}

function ownedPod(adapter: ReplicaSetAdapter, name: string, extra: { ready?: string; phase?: string; node?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      resourceVersion: '2',
      labels: { app: 'web', tier: 'fe' },
      ownerReferences: [{ apiVersion: adapter.apiVersion, kind: adapter.kind, name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: extra.node ? { nodeName: extra.node } : {},
    status: { phase: extra.phase ?? 'Pending', conditions: extra.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: extra.ready }] : [] },
  };
}

function setup(adapter: ReplicaSetAdapter, rs: ReplicatedObject, pods: Pod[] = []) {
  const clock = new FakeClock(Date.parse('2025-01-01T00:10:00Z'));
  const rsInformer = new SharedInformer<ReplicatedObject>({ listerWatcher: idle, clock, freeze: true });
  const podInformer = new SharedInformer<Pod>({ listerWatcher: idle, clock, freeze: true });
  rsInformer.replace([rs], '1');
  podInformer.replace(pods, '1');
  const podControl = new FakePodControl();
  const statuses: ReplicatedObject[] = [];
  const controller = new ReplicaSetController({
    adapter,
    rsInformer,
    podInformer,
    podControl,
    updateStatus: async (obj) => void statuses.push(obj),
    clock,
    logger: silentLogger,
  });
  return { clock, rsInformer, podInformer, podControl, statuses, controller };
}

for (const adapter of [replicaSetAdapter, replicationControllerAdapter]) {
  describe(`${adapter.kind} sync`, () => {
    test('creates the missing pods once, then waits for the informer', async () => {
      const f = setup(adapter, rsObject(adapter, 3));
      await f.controller.sync('ns/web');
      assert.equal(f.podControl.created.length, 3);
      for (const p of f.podControl.created) {
        assert.equal(p.metadata.generateName, 'web-');
        assert.deepEqual(p.metadata.labels, { app: 'web', tier: 'fe' });
        assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: adapter.apiVersion, kind: adapter.kind, name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }]);
      }
      // The cache has not seen them yet: a second sync must not create again.
      await f.controller.sync('ns/web');
      assert.equal(f.podControl.created.length, 3);
      for (const p of f.podControl.created) f.podInformer.add(p);
      assert.equal(f.controller.expectations.satisfied('ns/web'), true);
      await f.controller.sync('ns/web');
      assert.equal(f.podControl.created.length, 3);
      assert.deepEqual(f.statuses.at(-1)?.status, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 });
    });

    test('create errors stop the slow start, set ReplicaFailure and lower expectations', async () => {
      const f = setup(adapter, rsObject(adapter, 10));
      f.podControl.failCreatesAfter = 2;
      await assert.rejects(f.controller.sync('ns/web'), /exceeded quota/);
      // Batches 1 then 2: the second batch has one failure, so no third batch.
      assert.equal(f.podControl.created.length, 2);
      assert.deepEqual(f.controller.expectations.pending('ns/web'), { add: 2, del: 0 });
      const cond = f.statuses.at(-1)?.status?.conditions?.[0];
      assert.equal(cond?.type, 'ReplicaFailure');
      assert.equal(cond?.reason, 'FailedCreate');
      assert.match(cond?.message ?? '', /exceeded quota/);
      for (const p of f.podControl.created) f.podInformer.add(p);
      assert.equal(f.controller.expectations.satisfied('ns/web'), true);
    });

    test('scale down deletes the least valuable pods', async () => {
      const pods = [
        ownedPod(adapter, 'ready', { node: 'n1', phase: 'Running', ready: '2025-01-01T00:00:00Z' }),
        ownedPod(adapter, 'running', { node: 'n1', phase: 'Running' }),
        ownedPod(adapter, 'unscheduled'),
        ownedPod(adapter, 'scheduled', { node: 'n2' }),
      ];
      const f = setup(adapter, rsObject(adapter, 1), pods);
      await f.controller.sync('ns/web');
      assert.deepEqual(f.podControl.deleted.sort(), ['running', 'scheduled', 'unscheduled']);
      assert.equal(f.controller.expectations.satisfied('ns/web'), false);
      for (const name of ['running', 'scheduled', 'unscheduled']) f.podInformer.delete(f.podInformer.lister().get('ns', name)!);
      assert.equal(f.controller.expectations.satisfied('ns/web'), true);
    });

    test('adopts a matching orphan instead of creating', async () => {
      const orphan = ownedPod(adapter, 'orphan');
      const f = setup(adapter, rsObject(adapter, 1), [{ ...orphan, metadata: { ...orphan.metadata, ownerReferences: undefined } }]);
      await f.controller.sync('ns/web');
      assert.equal(f.podControl.created.length, 0);
      assert.equal(f.podControl.patched.length, 1);
      assert.equal(f.podControl.patched[0]!.name, 'orphan');
    });

    test('ready and available counts honour minReadySeconds', async () => {
      const pods = [ownedPod(adapter, 'old', { ready: '2025-01-01T00:00:00Z' }), ownedPod(adapter, 'fresh', { ready: '2025-01-01T00:09:55Z' })];
      const f = setup(adapter, rsObject(adapter, 2, { minReadySeconds: 30, generation: 4 }), pods);
      await f.controller.sync('ns/web');
      assert.deepEqual(f.statuses.at(-1)?.status, { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 4 });
      // Availability arrives with time, not with an event: the key is scheduled again.
      f.clock.step(30_000);
      assert.equal(f.controller.queue.len(), 1);
    });

    test('a deleted object is not an error', async () => {
      const f = setup(adapter, rsObject(adapter, 1));
      await f.controller.sync('ns/gone');
      assert.equal(f.podControl.created.length, 0);
    });

    test('unchanged status is not written', async () => {
      const rs = rsObject(adapter, 0);
      const f = setup(adapter, { ...rs, status: { replicas: 0, observedGeneration: 1 } });
      await f.controller.sync('ns/web');
      assert.equal(f.statuses.length, 0);
    });
  });
}
