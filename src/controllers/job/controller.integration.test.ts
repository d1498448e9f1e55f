import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { type ClientEnv, eventually, startControllerEnv } from '../../testing/controller-env.js';
import { cronJobControllerDescriptor } from '../cronjob/controller.js';
import { ttlAfterFinishedControllerDescriptor } from '../ttlafterfinished/controller.js';
import { jobControllerDescriptor } from './controller.js';
import type { JobPod } from './job-pod.js';
import { JOB_GVR, JOB_TRACKING_FINALIZER, type Job } from './types.js';

const NS = 'default';

describe('Job controllers against an API server', () => {
  let env: ClientEnv;
  let pods: ResourceClient<JobPod>;
  let jobs: ResourceClient<Job>;

  before(async () => {
    env = await startControllerEnv({ controllers: [jobControllerDescriptor, cronJobControllerDescriptor, ttlAfterFinishedControllerDescriptor] });
    const { rest } = env;
    pods = new ResourceClient<JobPod>(rest, { group: '', version: 'v1', resource: 'pods' }, NS);
    jobs = new ResourceClient<Job>(rest, JOB_GVR, NS);
  });

  after(() => env.stop());

  /** Plays the kubelet: the pod's container exits with `exitCode`. */
  const finish = async (name: string, exitCode: number) => {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await pods.patch(name, 'merge', {
      status: {
        phase: exitCode === 0 ? 'Succeeded' : 'Failed',
        containerStatuses: [{ name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, finishedAt: now, startedAt: now } } }],
      },
    }, { subresource: 'status' });
  };
  const activePods = async (job: string) => (await pods.list({ labelSelector: `batch.kubernetes.io/job-name=${job}` })).items.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');

  test('runs completions one by one, removes finalizers after counting, completes, then the TTL deletes it', async () => {
    const created = await jobs.create({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'two' },
      spec: { completions: 2, parallelism: 1, ttlSecondsAfterFinished: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
    });
    for (let i = 0; i < 2; i++) {
      const [pod] = await eventually(`pod ${i}`, async () => {
        const a = await activePods('two');
        return a.length === 1 ? a : undefined;
      });
      assert.deepEqual(pod!.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
      assert.equal(pod!.metadata.labels?.['batch.kubernetes.io/controller-uid'], created.metadata.uid);
      await finish(pod!.metadata.name!, 0);
      await eventually('finalizer removed', async () => ((await pods.get(pod!.metadata.name!)).metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ? undefined : true));
    }
    const done = await eventually('Complete', async () => {
      const j = await jobs.get('two');
      return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
    });
    assert.equal(done.status?.succeeded, 2);
    assert.ok(done.status?.completionTime);
    await eventually('deleted by TTL', async () => ((await jobs.list()).items.some((j) => j.metadata.name === 'two') ? undefined : true));
  });

  test('an Indexed Job whose index fails under a FailJob rule fails with PodFailurePolicy', async () => {
    await jobs.create({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'pfp' },
      spec: {
        completions: 2,
        parallelism: 2,
        completionMode: 'Indexed',
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] },
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } },
      },
    });
    const two = await eventually('2 pods', async () => {
      const a = await activePods('pfp');
      return a.length === 2 ? a : undefined;
    });
    const zero = two.find((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === '0')!;
    await finish(zero.metadata.name!, 42);
    // The other pod is deleted; nothing plays the kubelet here, so its finalizer removal is what lets it go.
    const failed = await eventually('Failed', async () => {
      const j = await jobs.get('pfp');
      return j.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True') ? j : undefined;
    });
    const target = failed.status?.conditions?.find((c) => c.type === 'FailureTarget');
    assert.equal(target?.reason, 'PodFailurePolicy');
    assert.equal(target?.message, `Container main for pod ${NS}/${zero.metadata.name} failed with exit code 42 matching FailJob rule at index 0`);
    assert.equal(failed.status?.failed, 2);
    assert.equal(failed.status?.active ?? 0, 0);
  });
});
