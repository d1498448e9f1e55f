/**
 * The CronJob controller, as upstream's second version: each CronJob is a
 * key that is requeued exactly at its next schedule time (through the
 * injected clock). A sync reconciles status.active with the Jobs it owns,
 * creates the Job for the most recent unmet schedule time (named after that
 * time in minutes, so a retry cannot run it twice) unless suspended, too
 * late (startingDeadlineSeconds) or forbidden by concurrencyPolicy, and
 * prunes finished Jobs beyond the history limits.
 */
import { type DeletedFinalStateUnknown, type SharedInformer, isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { EventRecorder, type CoreEvent } from '../../client/events/event-recorder.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import { isKnownTimeZone } from '../../api/batch/v1/cron.js';
import type { Clock } from '../../machinery/clock.js';
import { rfc3339 } from '../../machinery/clock.js';
import { isAlreadyExists, isNotFound, isStatusError } from '../../machinery/errors/index.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { KubeObject, ObjectMeta } from '../../machinery/meta/types.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { type EventSink, controllerRefFor, errorMessage } from '../framework/pod-control.js';
import { controllerRefOf } from '../framework/pods.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import { JOB_GVR, type Job, type JobTemplateSpec, finishedCondition, isJobFinished, isJobSucceeded } from '../job/types.js';
import { bindSchedule, formatRFC1123Z, formatRFC3339InZone, jobNameFor, nextScheduleDelayMs, nextScheduleTime } from './schedule.js';

export const CRONJOB_GVR = { group: 'batch', version: 'v1', resource: 'cronjobs' };
export const CRONJOB_KIND = { apiVersion: 'batch/v1', kind: 'CronJob' };
export const CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface JobReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface CronJob extends KubeObject {
  spec?: {
    schedule?: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
    suspend?: boolean;
    jobTemplate?: JobTemplateSpec;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
  };
  status?: { active?: JobReference[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
}

/** The CronJob controller's writes, behind an interface so sync is tested with a fake. */
export interface CronJobControl {
  getCronJob(namespace: string, name: string): Promise<CronJob>;
  updateStatus(cj: CronJob): Promise<CronJob>;
  getJob(namespace: string, name: string): Promise<Job>;
  createJob(namespace: string, job: Job): Promise<Job>;
  /** Deletes with background propagation, so the Job's pods go too. */
  deleteJob(namespace: string, name: string): Promise<void>;
}

export interface CronJobControllerOptions {
  cronJobInformer: SharedInformer<CronJob>;
  jobInformer: SharedInformer<Job>;
  control: CronJobControl;
  recorder: EventSink;
  clock: Clock;
  logger: Logger;
}

interface SyncState {
  cj: CronJob;
  updateStatus: boolean;
  requeueAfterMs?: number;
}

export interface SyncResult {
  /** When to look at the CronJob again (the next schedule time), if at all. */
  requeueAfterMs?: number;
}

export class CronJobController implements Controller {
  readonly name = 'cronjob';
  readonly queue: RateLimitingQueue<string>;
  private readonly handlers: Disposable[] = [];

  constructor(private readonly opts: CronJobControllerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    this.handlers.push(
      opts.cronJobInformer.addEventHandler({
        onAdd: (cj) => this.enqueue(cj),
        onUpdate: (old, cj) => this.updateCronJob(old, cj),
        onDelete: (obj) => this.enqueue(isDeletedFinalStateUnknown(obj) ? obj.obj : obj),
      }),
      opts.jobInformer.addEventHandler({
        onAdd: (job) => this.jobChanged(job),
        onUpdate: (old, job) => {
          this.jobChanged(job);
          if (controllerRefOf(old)?.uid !== controllerRefOf(job)?.uid) this.jobChanged(old);
        },
        onDelete: (obj) => this.jobChanged(isDeletedFinalStateUnknown(obj) ? obj.obj : obj),
      }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    await runSyncedWorkers({
      informers: [this.opts.cronJobInformer, this.opts.jobInformer],
      handlers: this.handlers,
      onSynced: () => this.opts.logger.info('starting controller', { controller: this.name, workers }),
      queue: this.queue,
      reconcile: (key) => this.reconcile(key),
      workers,
      signal,
      logger: this.opts.logger,
    });
  }

  /** The worker's entry: sync, then requeue at the next schedule time. */
  async reconcile(key: string): Promise<void> {
    const res = await this.sync(key);
    if (res.requeueAfterMs !== undefined) this.queue.addAfter(key, Math.max(0, res.requeueAfterMs));
  }

  async sync(key: string): Promise<SyncResult> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.opts.cronJobInformer.lister().get(namespace, name);
    if (!cached) return {};
    const jobs = this.opts.jobInformer
      .lister()
      .listInNamespace(namespace)
      .filter((j) => {
        const ref = controllerRefOf(j);
        return ref?.kind === CRONJOB_KIND.kind && ref.uid === cached.metadata.uid;
      });
    // The sync works on a copy; `state` survives a failure half-way so status still gets written.
    const state: SyncState = { cj: normalizeStatus(cached), updateStatus: false };
    let syncError: unknown;
    try {
      await this.syncCronJob(state, jobs);
    } catch (err) {
      syncError = err;
    }
    if (await this.cleanupFinishedJobs(state.cj, jobs)) state.updateStatus = true;
    if (state.updateStatus) await this.opts.control.updateStatus(state.cj);
    if (state.requeueAfterMs !== undefined) return { requeueAfterMs: state.requeueAfterMs };
    if (syncError !== undefined) throw syncError;
    return {};
  }

  private async syncCronJob(state: SyncState, jobs: Job[]): Promise<void> {
    let cj = state.cj;
    const { recorder } = this.opts;
    const now = this.opts.clock.now();
    const children = new Set<string>();
    for (const j of jobs) {
      const uid = j.metadata.uid ?? '';
      children.add(uid);
      const found = inActiveList(cj, uid);
      if (!found && !isJobFinished(j)) {
        // Our cache may predate our own status update: ask the server before complaining.
        const fresh = normalizeStatus(await this.opts.control.getCronJob(cj.metadata.namespace ?? '', cj.metadata.name ?? ''));
        if (inActiveList(fresh, uid)) {
          cj = state.cj = fresh;
          continue;
        }
        void recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (found && isJobFinished(j)) {
        const cond = finishedCondition(j)!;
        deleteFromActiveList(cj, uid);
        void recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${cond.type}`);
        state.updateStatus = true;
      }
      if (isJobSucceeded(j) && j.status?.completionTime) {
        const last = cj.status!.lastSuccessfulTime;
        if (!last || Date.parse(j.status.completionTime) > Date.parse(last)) {
          cj.status!.lastSuccessfulTime = j.status.completionTime;
          state.updateStatus = true;
        }
      }
    }
    // An active Job that no longer exists must not keep the CronJob busy forever.
    for (const ref of [...(cj.status!.active ?? [])]) {
      if (children.has(ref.uid ?? '')) continue;
      try {
        await this.opts.control.getJob(ref.namespace ?? cj.metadata.namespace ?? '', ref.name ?? '');
      } catch (err) {
        if (!isNotFound(err)) throw err;
        void recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        deleteFromActiveList(cj, ref.uid ?? '');
        state.updateStatus = true;
      }
    }
    if (cj.metadata.deletionTimestamp) return;
    const spec = cj.spec ?? {};
    const schedule = spec.schedule ?? '';
    if (spec.timeZone !== undefined && !isKnownTimeZone(spec.timeZone)) {
      void recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${spec.timeZone}": unknown time zone ${spec.timeZone}`);
      return;
    }
    if (spec.suspend) return;
    if (schedule.includes('TZ')) {
      void recorder.event(cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule "${schedule}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    }
    const bound = bindSchedule(schedule, spec.timeZone);
    if (!bound.ok) {
      // A user error: nothing to do until the spec changes.
      void recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${schedule}" : ${bound.error}`);
      return;
    }
    const sched = bound.schedule;
    const due = nextScheduleTime(scheduleInput(cj), now, sched);
    if (due.error) {
      void recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${schedule} : ${due.error}`);
      return;
    }
    if (due.missed === 'many') {
      void recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    const requeue = () => {
      state.requeueAfterMs = nextScheduleDelayMs(scheduleInput(cj), now, sched);
    };
    const scheduled = due.mostRecent;
    if (scheduled === undefined) return requeue();
    if (spec.startingDeadlineSeconds !== undefined && scheduled + spec.startingDeadlineSeconds * 1000 < now) {
      void recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatRFC1123Z(scheduled)}`);
      return requeue();
    }
    const jobName = jobNameFor(cj.metadata.name ?? '', scheduled);
    const last = cj.status!.lastScheduleTime;
    if ((cj.status!.active ?? []).some((r) => r.name === jobName) || (last !== undefined && Date.parse(last) === scheduled)) return requeue();
    if (spec.concurrencyPolicy === 'Forbid' && (cj.status!.active ?? []).length > 0) {
      void recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return requeue();
    }
    if (spec.concurrencyPolicy === 'Replace') {
      for (const ref of [...(cj.status!.active ?? [])]) {
        let job: Job;
        try {
          job = await this.opts.control.getJob(ref.namespace ?? cj.metadata.namespace ?? '', ref.name ?? '');
        } catch (err) {
          void recorder.event(cj, 'Warning', 'FailedGet', `Get job: ${errorMessage(err)}`);
          throw err;
        }
        if (!(await this.deleteJob(cj, job))) throw new Error(`could not replace job ${job.metadata.namespace}/${job.metadata.name}`);
        state.updateStatus = true;
      }
    }
    const request = jobFromTemplate(cj, scheduled);
    let created: Job;
    try {
      created = await this.opts.control.createJob(cj.metadata.namespace ?? '', request);
      void recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        if (!isNamespaceTerminating(err)) void recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${errorMessage(err)}`);
        throw err;
      }
      // Someone made this run already: if it is ours, make sure it is listed.
      const existing = await this.opts.control.getJob(cj.metadata.namespace ?? '', jobName);
      if (controllerRefOf(existing)?.uid !== cj.metadata.uid || inActiveList(cj, existing.metadata.uid ?? '')) return;
      created = existing;
    }
    (cj.status!.active ??= []).push(referenceTo(created));
    cj.status!.lastScheduleTime = rfc3339(scheduled);
    state.updateStatus = true;
    return requeue();
  }

  /** Deletes the oldest finished Jobs beyond the history limits; answers whether status changed. */
  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<boolean> {
    const spec = cj.spec ?? {};
    if (spec.successfulJobsHistoryLimit === undefined && spec.failedJobsHistoryLimit === undefined) return false;
    const succeeded = jobs.filter((j) => isJobSucceeded(j));
    const failed = jobs.filter((j) => isJobFinished(j) && !isJobSucceeded(j));
    let changed = false;
    for (const [list, limit] of [[succeeded, spec.successfulJobsHistoryLimit], [failed, spec.failedJobsHistoryLimit]] as const) {
      if (limit === undefined || list.length <= limit) continue;
      const oldest = [...list].sort(byStartTime).slice(0, list.length - limit);
      for (const job of oldest) {
        const wasActive = inActiveList(cj, job.metadata.uid ?? '');
        // A failed delete shows as an event and is tried again on the next sync.
        if ((await this.deleteJob(cj, job)) && wasActive) changed = true;
      }
    }
    return changed;
  }

  private async deleteJob(cj: CronJob, job: Job): Promise<boolean> {
    try {
      await this.opts.control.deleteJob(job.metadata.namespace ?? '', job.metadata.name ?? '');
    } catch (err) {
      if (!isNotFound(err)) {
        void this.opts.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${errorMessage(err)}`);
        return false;
      }
    }
    deleteFromActiveList(cj, job.metadata.uid ?? '');
    void this.opts.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    return true;
  }

  private enqueue(cj: CronJob): void {
    this.queue.add(metaNamespaceKey(cj));
  }

  private updateCronJob(old: CronJob, cj: CronJob): void {
    const key = metaNamespaceKey(cj);
    if (old.spec?.schedule !== cj.spec?.schedule || old.spec?.timeZone !== cj.spec?.timeZone) {
      // A new schedule: look again when it is next due (and now, to reconcile status).
      const bound = bindSchedule(cj.spec?.schedule ?? '', cj.spec?.timeZone);
      if (bound.ok) {
        const delay = nextScheduleDelayMs(scheduleInput(cj), this.opts.clock.now(), bound.schedule);
        if (delay !== undefined) this.queue.addAfter(key, delay);
      }
    }
    this.queue.add(key);
  }

  private jobChanged(job: Job | DeletedFinalStateUnknown<Job>): void {
    const j = isDeletedFinalStateUnknown(job) ? job.obj : job;
    const ref = controllerRefOf(j);
    if (ref?.kind !== CRONJOB_KIND.kind) return;
    const cj = this.opts.cronJobInformer.lister().get(j.metadata.namespace ?? '', ref.name);
    if (cj && cj.metadata.uid === ref.uid) this.enqueue(cj);
  }
}

// ---- helpers ----

function scheduleInput(cj: CronJob) {
  return {
    creationTimestamp: cj.metadata.creationTimestamp,
    lastScheduleTime: cj.status?.lastScheduleTime,
    startingDeadlineSeconds: cj.spec?.startingDeadlineSeconds,
    timeZone: cj.spec?.timeZone,
  };
}

function normalizeStatus(cj: CronJob): CronJob {
  const copy = structuredClone(cj);
  copy.status ??= {};
  return copy;
}

function inActiveList(cj: CronJob, uid: string): boolean {
  return (cj.status?.active ?? []).some((r) => r.uid === uid);
}

function deleteFromActiveList(cj: CronJob, uid: string): void {
  const status = (cj.status ??= {});
  const kept = (status.active ?? []).filter((r) => r.uid !== uid);
  if (kept.length) status.active = kept;
  else delete status.active;
}

function referenceTo(job: Job): JobReference {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    namespace: job.metadata.namespace,
    name: job.metadata.name,
    uid: job.metadata.uid,
    resourceVersion: job.metadata.resourceVersion,
  };
}

/** Oldest first by start time; Jobs that never started sort last, then by name. */
function byStartTime(a: Job, b: Job): number {
  const ta = a.status?.startTime ? Date.parse(a.status.startTime) : undefined;
  const tb = b.status?.startTime ? Date.parse(b.status.startTime) : undefined;
  if (ta === undefined && tb !== undefined) return 1;
  if (ta !== undefined && tb === undefined) return -1;
  if (ta !== undefined && tb !== undefined && ta !== tb) return ta - tb;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** The Job for one run: the template's labels, annotations and spec, our controller reference, the scheduled time. */
export function jobFromTemplate(cj: CronJob, scheduledTime: number): Job {
  const tmpl = cj.spec?.jobTemplate ?? {};
  const meta: ObjectMeta = {
    name: jobNameFor(cj.metadata.name ?? '', scheduledTime),
    namespace: cj.metadata.namespace,
    labels: { ...(tmpl.metadata?.labels ?? {}) },
    annotations: { ...(tmpl.metadata?.annotations ?? {}), [CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION]: formatRFC3339InZone(scheduledTime, cj.spec?.timeZone) },
    ownerReferences: [controllerRefFor(cj, CRONJOB_KIND)],
  };
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: meta, spec: structuredClone(tmpl.spec ?? {}) };
}

function isNamespaceTerminating(err: unknown): boolean {
  return isStatusError(err) && (err.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

const eventsGVR = { group: '', version: 'v1', resource: 'events' };

export function newCronJobController(ctx: ControllerContext): CronJobController {
  const recorder = new EventRecorder({
    events: new ResourceClient<CoreEvent>(ctx.rest, eventsGVR),
    component: 'cronjob-controller',
    clock: ctx.clock,
    onError: (err) => ctx.logger.debug('event not recorded', { err }),
  });
  const cronJobs = new ResourceClient<CronJob>(ctx.rest, CRONJOB_GVR);
  const jobs = new ResourceClient<Job>(ctx.rest, JOB_GVR);
  return new CronJobController({
    cronJobInformer: ctx.informers.informerFor<CronJob>(CRONJOB_GVR),
    jobInformer: ctx.informers.informerFor<Job>(JOB_GVR),
    control: {
      getCronJob: (ns, name) => cronJobs.inNamespace(ns).get(name),
      updateStatus: (cj) => cronJobs.inNamespace(cj.metadata.namespace ?? '').updateStatus(cj),
      getJob: (ns, name) => jobs.inNamespace(ns).get(name),
      createJob: (ns, job) => jobs.inNamespace(ns).create(job),
      deleteJob: async (ns, name) => void (await jobs.inNamespace(ns).delete(name, { propagationPolicy: 'Background' })),
    },
    recorder,
    clock: ctx.clock,
    logger: ctx.logger.with({ controller: 'cronjob' }),
  });
}

export const cronJobControllerDescriptor: ControllerDescriptor = {
  name: 'cronjob',
  init: (ctx) => newCronJobController(ctx),
};
