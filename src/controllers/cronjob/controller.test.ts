import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformer } from '../../client/informers/shared-informer.js';
import type { ListerWatcher } from '../../client/informers/lister-watcher.js';
import { FakeClock, rfc3339 } from '../../machinery/clock.js';
import { StatusError } from '../../machinery/errors/index.js';
import { silentLogger } from '../../machinery/log.js';
import type { Job } from '../job/types.js';
import { type CronJob, type CronJobControl, CronJobController, CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION } from './controller.js';

const idle: ListerWatcher<never> = {
  list: async () => ({ metadata: {}, items: [] }),
  // eslint-disable-next-line require-yield
  watch: async function* () {
    return;
  },
};

const T0 = Date.parse('2025-01-01T00:00:30Z');

class Fixture implements CronJobControl {
  readonly clock = new FakeClock(T0);
  readonly cronJobInformer = new SharedInformer<CronJob>({ listerWatcher: idle, clock: this.clock, freeze: true });
  readonly jobInformer = new SharedInformer<Job>({ listerWatcher: idle, clock: this.clock, freeze: true });
  readonly jobs = new Map<string, Job>();
  readonly events: string[] = [];
  readonly controller: CronJobController;
  deletedJobs: string[] = [];
  cj: CronJob;
  private seq = 0;

  constructor(spec: CronJob['spec'], opts: { created?: number } = {}) {
    this.cj = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cj', namespace: 'ns', uid: 'cj-uid', resourceVersion: '1', creationTimestamp: rfc3339(opts.created ?? T0) },
      spec: { concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } }, ...spec },
      status: {},
    };
    this.controller = new CronJobController({
      cronJobInformer: this.cronJobInformer,
      jobInformer: this.jobInformer,
      control: this,
      recorder: { event: (_o, type, reason, message) => void this.events.push(`${type} ${reason} ${message}`) },
      clock: this.clock,
      logger: silentLogger,
    });
  }

  async getCronJob(): Promise<CronJob> {
    return structuredClone(this.cj);
  }
  async updateStatus(cj: CronJob): Promise<CronJob> {
    this.cj = { ...this.cj, status: structuredClone(cj.status) };
    return this.cj;
  }
  async getJob(_ns: string, name: string): Promise<Job> {
    const j = this.jobs.get(name);
    if (!j) throw new StatusError(404, 'NotFound', `jobs.batch "${name}" not found`);
    return j;
  }
  async createJob(_ns: string, job: Job): Promise<Job> {
    if (this.jobs.has(job.metadata.name!)) throw new StatusError(409, 'AlreadyExists', `jobs.batch "${job.metadata.name}" already exists`);
    const stored: Job = { ...structuredClone(job), metadata: { ...job.metadata, uid: `uid-${this.seq++}`, resourceVersion: '5', creationTimestamp: rfc3339(this.clock.now()) } };
    this.jobs.set(job.metadata.name!, stored);
    return stored;
  }
  async deleteJob(_ns: string, name: string): Promise<void> {
    if (!this.jobs.delete(name)) throw new StatusError(404, 'NotFound', `jobs.batch "${name}" not found`);
    this.deletedJobs.push(name);
  }

  finishJob(name: string, type: 'Complete' | 'Failed'): void {
    const j = this.jobs.get(name)!;
    const t = rfc3339(this.clock.now());
    this.jobs.set(name, { ...j, status: { startTime: j.metadata.creationTimestamp ?? t, conditions: [{ type, status: 'True', lastTransitionTime: t }], ...(type === 'Complete' ? { completionTime: t } : {}) } });
  }

  async sync(): Promise<number | undefined> {
    this.cronJobInformer.replace([this.cj], '1');
    this.jobInformer.replace([...this.jobs.values()], '1');
    const r = await this.controller.sync('ns/cj');
    return r.requeueAfterMs;
  }

  /** Steps the clock to the requeue time and syncs again. */
  async wait(ms: number | undefined): Promise<number | undefined> {
    assert.ok(ms !== undefined && ms > 0, `requeue expected, got ${ms}`);
    this.clock.step(ms);
    return this.sync();
  }
}

describe('CronJob controller sync', () => {
  test('every minute: requeues to the next minute, creates one deterministic Job per run', async () => {
    const f = new Fixture({ schedule: '*/1 * * * *' });
    const first = await f.sync();
    assert.equal(first, 30_100, 'waits until 00:01:00 plus the 100ms pad');
    assert.equal(f.jobs.size, 0);
    const next = await f.wait(first);
    const minute = Date.parse('2025-01-01T00:01:00Z') / 60_000;
    const job = f.jobs.get(`cj-${minute}`)!;
    assert.ok(job, `job cj-${minute}`);
    assert.equal(job.metadata.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION], '2025-01-01T00:01:00Z');
    assert.deepEqual(job.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'cj', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }]);
    assert.equal(f.cj.status?.lastScheduleTime, '2025-01-01T00:01:00Z');
    assert.deepEqual(f.cj.status?.active, [{ apiVersion: 'batch/v1', kind: 'Job', namespace: 'ns', name: `cj-${minute}`, uid: 'uid-0', resourceVersion: '5' }]);
    assert.deepEqual(f.events, [`Normal SuccessfulCreate Created job cj-${minute}`]);
    assert.equal(next, 60_000);
    // Syncing again within the same minute creates nothing.
    assert.equal(await f.sync(), 60_000);
    assert.equal(f.jobs.size, 1);
    // The next minute runs again (Allow).
    await f.wait(60_000);
    assert.equal(f.jobs.size, 2);
    assert.equal(f.cj.status?.active?.length, 2);
  });

  test('a finished Job leaves the active list; success sets lastSuccessfulTime', async () => {
    const f = new Fixture({ schedule: '*/1 * * * *' });
    await f.wait(await f.sync());
    const name = [...f.jobs.keys()][0]!;
    f.clock.step(5_000);
    f.finishJob(name, 'Complete');
    await f.sync();
    assert.equal(f.cj.status?.active, undefined);
    assert.equal(f.cj.status?.lastSuccessfulTime, '2025-01-01T00:01:05Z');
    assert.ok(f.events.includes(`Normal SawCompletedJob Saw completed job: ${name}, condition: Complete`));
  });

  test('Forbid skips a run while one is active', async () => {
    const f = new Fixture({ schedule: '*/1 * * * *', concurrencyPolicy: 'Forbid' });
    const next = await f.wait(await f.sync());
    await f.wait(next);
    assert.equal(f.jobs.size, 1);
    assert.equal(f.events.at(-1), 'Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid');
  });

  test('Replace deletes the active Job and starts the new run', async () => {
    const f = new Fixture({ schedule: '*/1 * * * *', concurrencyPolicy: 'Replace' });
    const next = await f.wait(await f.sync());
    const old = [...f.jobs.keys()][0]!;
    await f.wait(next);
    assert.deepEqual(f.deletedJobs, [old]);
    assert.equal(f.jobs.size, 1);
    assert.equal(f.cj.status?.active?.length, 1);
    assert.notEqual(f.cj.status?.active?.[0]?.name, old);
    assert.ok(f.events.includes(`Normal SuccessfulDelete Deleted job ${old}`));
  });

  test('suspend creates nothing and does not requeue', async () => {
    const f = new Fixture({ schedule: '*/1 * * * *', suspend: true });
    f.clock.step(120_000);
    assert.equal(await f.sync(), undefined);
    assert.equal(f.jobs.size, 0);
  });

  test('after a long outage only the most recent run starts, with a warning beyond 100 missed', async () => {
    const f = new Fixture({ schedule: '*/1 * * * *' });
    f.clock.step(3 * 3600_000);
    await f.sync();
    assert.equal(f.jobs.size, 1);
    assert.equal(f.cj.status?.lastScheduleTime, '2025-01-01T03:00:00Z');
    assert.equal(f.events[0], 'Warning TooManyMissedTimes too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
  });

  test('startingDeadlineSeconds: a run still within the deadline starts, none older', async () => {
    const f = new Fixture({ schedule: '0 * * * *', startingDeadlineSeconds: 120 });
    f.clock.step(3 * 3600_000 + 30_000);
    await f.sync();
    assert.equal(f.cj.status?.lastScheduleTime, '2025-01-01T03:00:00Z');
    assert.ok(!f.events.some((e) => e.includes('TooManyMissedTimes')));
    const g = new Fixture({ schedule: '0 * * * *', startingDeadlineSeconds: 10 });
    g.clock.step(3 * 3600_000 + 30_000);
    const requeue = await g.sync();
    assert.equal(g.jobs.size, 0, 'the 03:00 run is more than 10s late');
    assert.equal(requeue, Date.parse('2025-01-01T04:00:00.100Z') - g.clock.now(), 'next try at 04:00');
  });

  test('timeZone: the schedule is read in the zone, the annotation carries its offset', async () => {
    const f = new Fixture({ schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' }, { created: Date.parse('2024-12-31T23:00:00Z') });
    f.clock.step(Date.parse('2025-01-01T00:00:00Z') - T0 + 1000);
    await f.sync();
    const job = [...f.jobs.values()][0]!;
    assert.equal(job.metadata.name, `cj-${Date.parse('2025-01-01T00:00:00Z') / 60_000}`);
    assert.equal(job.metadata.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION], '2025-01-01T09:00:00+09:00');
  });

  test('history limits delete the oldest finished Jobs', async () => {
    const f = new Fixture({ schedule: '*/1 * * * *', successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 });
    let next = await f.sync();
    for (let i = 0; i < 3; i++) next = await f.wait(next);
    const names = [...f.jobs.keys()];
    f.finishJob(names[0]!, 'Complete');
    f.finishJob(names[1]!, 'Complete');
    f.finishJob(names[2]!, 'Failed');
    await f.sync();
    assert.deepEqual(f.deletedJobs.sort(), [names[0], names[2]].sort());
    assert.deepEqual([...f.jobs.keys()], [names[1]]);
  });

  test('a Job made by hand from the CronJob is reported, not adopted into active', async () => {
    const f = new Fixture({ schedule: '0 0 1 1 *' });
    f.jobs.set('cj-manual', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'cj-manual', namespace: 'ns', uid: 'm', annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'cj', uid: 'cj-uid', controller: true }] }, spec: {} });
    await f.sync();
    assert.deepEqual(f.events, ['Warning UnexpectedJob Saw a job that the controller did not create or forgot: cj-manual']);
    assert.equal(f.cj.status?.active, undefined);
  });

  test('an active Job that vanished is dropped from status', async () => {
    const f = new Fixture({ schedule: '*/1 * * * *' });
    await f.wait(await f.sync());
    const name = [...f.jobs.keys()][0]!;
    f.jobs.delete(name);
    await f.sync();
    assert.equal(f.cj.status?.active, undefined);
    assert.ok(f.events.includes(`Normal MissingJob Active job went missing: ${name}`));
  });
});
