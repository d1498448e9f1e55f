import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCluster } from './fake-cluster.js';
import { JOB_COMPLETION_INDEX_ANNOTATION, JOB_TRACKING_FINALIZER } from './types.js';

/** Runs every active pod to the given phase and syncs. */
async function finishAll(c: FakeCluster, phase: 'Succeeded' | 'Failed', exitCode?: number): Promise<void> {
  for (const name of c.activeNames()) c.setPhase(name, phase, { exitCode });
  await c.sync();
}

describe('Job controller sync', () => {
  test('creates min(parallelism, completions) pods once, with the tracking finalizer', async () => {
    const c = new FakeCluster({ completions: 5, parallelism: 2 });
    await c.sync();
    assert.equal(c.created.length, 2);
    const pod = c.pods.get(c.created[0]!)!;
    assert.deepEqual(pod.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
    assert.equal(pod.metadata.generateName, 'pi-');
    assert.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true, blockOwnerDeletion: true }]);
    assert.equal(c.job!.status!.active, 2);
    assert.equal(c.job!.status!.startTime, '2025-01-01T00:00:00Z');
    assert.deepEqual(c.events.map((e) => e.reason), []);
    // Before the informer reports the pods, a second sync must not create again.
    await c.controller.sync('ns/pi');
    assert.equal(c.created.length, 2);
  });

  test('completions 5 parallelism 2: never more than 2 active, counts survive, Complete at the end', async () => {
    const c = new FakeCluster({ completions: 5, parallelism: 2 });
    await c.sync();
    let maxActive = 0;
    for (let round = 0; round < 6 && !c.conditions().some((x) => x.startsWith('Complete=True')); round++) {
      maxActive = Math.max(maxActive, c.activeNames().length);
      c.setPhase(c.activeNames()[0]!, 'Succeeded');
      const writes = c.statusWrites.length;
      await c.sync();
      // The first write of a round records the finished pod's uid before its finalizer goes.
      const first = c.statusWrites[writes];
      if (first && c.job!.status!.succeeded !== 5) assert.equal(first.status?.uncountedTerminatedPods?.succeeded?.length, 1, `round ${round}`);
      await c.sync();
      maxActive = Math.max(maxActive, c.activeNames().length);
    }
    assert.equal(maxActive, 2);
    const s = c.job!.status!;
    assert.equal(s.succeeded, 5);
    assert.equal(s.active, 0);
    assert.deepEqual(s.uncountedTerminatedPods, {});
    assert.deepEqual(c.conditions(), ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached']);
    assert.equal(s.completionTime, '2025-01-01T00:00:00Z');
    assert.equal(c.created.length, 5);
    assert.ok([...c.pods.values()].every((p) => !p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)));
    assert.deepEqual(c.events.filter((e) => e.reason === 'Completed'), [{ type: 'Normal', reason: 'Completed', message: 'Job completed' }]);
  });

  test('a failed pod is replaced only after the 10s back-off, and the limit fails the Job', async () => {
    const c = new FakeCluster({ completions: 1, parallelism: 1, backoffLimit: 1 });
    await c.sync();
    await finishAll(c, 'Failed');
    assert.equal(c.job!.status!.failed, 1);
    assert.equal(c.created.length, 1, 'no replacement during the back-off');
    c.clock.step(9_000);
    await c.sync();
    assert.equal(c.created.length, 1);
    c.clock.step(1_001);
    await c.sync();
    assert.equal(c.created.length, 2, 'replacement after 10s');
    await finishAll(c, 'Failed');
    assert.equal(c.job!.status!.failed, 2);
    assert.deepEqual(c.conditions(), ['FailureTarget=True/BackoffLimitExceeded', 'Failed=True/BackoffLimitExceeded']);
    assert.equal(c.job!.status!.completionTime, undefined);
    assert.deepEqual(c.events.at(-1), { type: 'Warning', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    const failed = c.job!.status!.conditions!.find((x) => x.type === 'Failed')!;
    assert.equal(failed.message, 'Job has reached the specified backoff limit');
  });

  test('the back-off doubles with each failure since the last success', async () => {
    const c = new FakeCluster({ completions: 3, parallelism: 1, backoffLimit: 6 });
    await c.sync();
    await finishAll(c, 'Failed');
    c.clock.step(10_001);
    await c.sync();
    assert.equal(c.created.length, 2);
    await finishAll(c, 'Failed');
    c.clock.step(19_000);
    await c.sync();
    assert.equal(c.created.length, 2, 'second failure waits 20s');
    c.clock.step(1_001);
    await c.sync();
    assert.equal(c.created.length, 3);
  });

  test('activeDeadlineSeconds: DeadlineExceeded, pods deleted, Failed once none is terminating', async () => {
    const c = new FakeCluster({ completions: 2, parallelism: 2, activeDeadlineSeconds: 30 });
    await c.sync();
    for (const n of c.activeNames()) c.setPhase(n, 'Running', { ready: true });
    await c.sync();
    assert.equal(c.job!.status!.ready, 2);
    c.clock.step(30_000);
    await c.sync();
    assert.deepEqual(c.conditions(), ['FailureTarget=True/DeadlineExceeded']);
    assert.equal(c.deleted.length, 2);
    assert.equal(c.job!.status!.terminating, 2);
    assert.equal(c.job!.status!.failed, 2, 'pods killed by the deadline count as failed');
    c.reapDeleted();
    await c.sync();
    assert.deepEqual(c.conditions(), ['FailureTarget=True/DeadlineExceeded', 'Failed=True/DeadlineExceeded']);
    assert.equal(c.job!.status!.conditions![1]!.message, 'Job was active longer than specified deadline');
  });

  test('podFailurePolicy: Ignore does not count, FailJob fails the Job with the rule in the message', async () => {
    const c = new FakeCluster({
      completions: 1,
      backoffLimit: 0,
      podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }, { action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] },
    });
    await c.sync();
    c.setPhase(c.activeNames()[0]!, 'Failed', { exitCode: 137, conditions: [{ type: 'DisruptionTarget', status: 'True' }] });
    await c.sync();
    assert.equal(c.job!.status!.failed ?? 0, 0);
    assert.deepEqual(c.conditions(), []);
    assert.equal(c.created.length, 2, 'an ignored failure is replaced without back-off');
    const second = c.created[1]!;
    c.setPhase(second, 'Failed', { exitCode: 42 });
    await c.sync();
    assert.deepEqual(c.conditions(), ['FailureTarget=True/PodFailurePolicy', 'Failed=True/PodFailurePolicy']);
    assert.equal(c.job!.status!.conditions![0]!.message, `Container main for pod ns/${second} failed with exit code 42 matching FailJob rule at index 1`);
  });

  test('Indexed: one pod per index with annotation, label, hostname, env; completedIndexes', async () => {
    const c = new FakeCluster({ completions: 3, parallelism: 3, completionMode: 'Indexed' });
    await c.sync();
    const pods = c.created.map((n) => c.pods.get(n)!);
    assert.deepEqual(pods.map((p) => p.metadata.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION]), ['0', '1', '2']);
    assert.deepEqual(pods.map((p) => p.metadata.labels?.[JOB_COMPLETION_INDEX_ANNOTATION]), ['0', '1', '2']);
    assert.deepEqual(pods.map((p) => p.metadata.generateName), ['pi-0-', 'pi-1-', 'pi-2-']);
    assert.deepEqual(pods.map((p) => p.spec?.hostname), ['pi-0', 'pi-1', 'pi-2']);
    const env = (pods[0]!.spec as { containers: { env: unknown[] }[] }).containers[0]!.env;
    assert.deepEqual(env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
    c.setPhase(c.created[0]!, 'Succeeded');
    c.setPhase(c.created[2]!, 'Succeeded');
    await c.sync();
    assert.equal(c.job!.status!.completedIndexes, '0,2');
    assert.equal(c.job!.status!.succeeded, 2);
    // Index 1 fails: it is recreated for the same index after the back-off.
    c.setPhase(c.created[1]!, 'Failed');
    await c.sync();
    c.clock.step(10_001);
    await c.sync();
    assert.equal(c.pods.get(c.created[3]!)!.metadata.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION], '1');
    c.setPhase(c.created[3]!, 'Succeeded');
    await c.sync();
    assert.equal(c.job!.status!.completedIndexes, '0-2');
    assert.deepEqual(c.conditions(), ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached']);
  });

  test('backoffLimitPerIndex: an index failing past its limit is failed, the Job fails with FailedIndexes', async () => {
    const c = new FakeCluster({ completions: 2, parallelism: 2, completionMode: 'Indexed', backoffLimitPerIndex: 0, backoffLimit: 2147483647 });
    await c.sync();
    c.setPhase(c.created[0]!, 'Failed');
    c.setPhase(c.created[1]!, 'Succeeded');
    await c.sync();
    assert.equal(c.job!.status!.failedIndexes, '0');
    assert.equal(c.job!.status!.completedIndexes, '1');
    assert.deepEqual(c.conditions(), ['FailureTarget=True/FailedIndexes', 'Failed=True/FailedIndexes']);
  });

  test('suspend deletes active pods without counting them; resume resets startTime', async () => {
    const c = new FakeCluster({ completions: 2, parallelism: 2 });
    await c.sync();
    c.job = { ...c.job!, spec: { ...c.job!.spec, suspend: true } };
    await c.sync();
    assert.deepEqual(c.conditions(), ['Suspended=True/JobSuspended']);
    assert.equal(c.deleted.length, 2);
    assert.deepEqual(c.activeNames(), []);
    assert.equal(c.job!.status!.failed ?? 0, 0);
    assert.deepEqual(c.events.map((e) => e.reason), ['Suspended']);
    c.clock.step(60_000);
    c.job = { ...c.job!, spec: { ...c.job!.spec, suspend: false } };
    await c.sync();
    assert.deepEqual(c.conditions(), ['Suspended=False/JobResumed']);
    assert.equal(c.job!.status!.startTime, '2025-01-01T00:01:00Z');
    assert.equal(c.activeNames().length, 2);
  });

  test('a Job without completions is complete when any pod succeeded and none is active', async () => {
    const c = new FakeCluster({ completions: undefined, parallelism: 2 });
    await c.sync();
    assert.equal(c.created.length, 2);
    c.setPhase(c.created[0]!, 'Succeeded');
    await c.sync();
    assert.equal(c.created.length, 2, 'after a success nothing new starts');
    assert.deepEqual(c.conditions(), []);
    c.setPhase(c.created[1]!, 'Succeeded');
    await c.sync();
    assert.deepEqual(c.conditions(), ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached']);
  });

  test('a create error is retried and lowers expectations', async () => {
    const c = new FakeCluster({ completions: 1 });
    c.failCreates = true;
    await assert.rejects(c.sync(), /exceeded quota/);
    assert.equal(c.controller.expectations.satisfied('ns/pi'), true);
    c.failCreates = false;
    await c.sync();
    assert.equal(c.created.length, 1);
  });

  test('a finished Job releases left-over finalizers; an orphaned pod loses its finalizer', async () => {
    const c = new FakeCluster({ completions: 1 });
    await c.sync();
    const name = c.created[0]!;
    c.job = undefined;
    c.flush();
    await c.controller.syncOrphanPod(`ns/${name}`);
    assert.deepEqual(c.finalizersRemoved, [name]);
  });

  test('a Job managed by another controller is left alone', async () => {
    const c = new FakeCluster({ completions: 1, managedBy: 'example.com/other' });
    await c.sync();
    assert.equal(c.created.length, 0);
    assert.equal(c.statusWrites.length, 0);
  });
});
