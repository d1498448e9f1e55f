/**
 * The Job controller, as upstream's: runs pods until `completions` of them
 * succeed (per index for Indexed Jobs), at most `parallelism` at once,
 * replacing failed ones after an exponential back-off until backoffLimit,
 * activeDeadlineSeconds or the podFailurePolicy fail the Job.
 *
 * Counting never loses a pod: every pod carries the tracking finalizer; a
 * finished pod's uid is first written to status.uncountedTerminatedPods,
 * then its finalizer removed, then it moves into the succeeded/failed
 * counters. Finishing goes through the interim SuccessCriteriaMet or
 * FailureTarget condition, and Complete/Failed is added only once no pod
 * is left terminating, as Kubernetes 1.32 does.
 */
import { type DeletedFinalStateUnknown, type SharedInformer, isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { EventRecorder, type CoreEvent } from '../../client/events/event-recorder.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import { type Clock, rfc3339 } from '../../machinery/clock.js';
import { isNotFound } from '../../machinery/errors/index.js';
import { type Selector, labelSelectorAsSelector } from '../../machinery/labels/selector.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { OwnerReference } from '../../machinery/meta/types.js';
import { podsToDelete } from '../framework/active-pods.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { claimPods } from '../framework/controller-ref-manager.js';
import { ControllerExpectations } from '../framework/expectations.js';
import { type EventSink, controllerRefFor } from '../framework/pod-control.js';
import { type Pod, type PodTemplateSpec, controllerRefOf, isPodActive, isPodReady } from '../framework/pods.js';
import { runWorkers } from '../framework/queue-worker.js';
import { remainingBackoffMs, backoffRecordFor } from './backoff.js';
import { IndexSet, completionIndexOf, indexFailureCountOf } from './indexes.js';
import { type JobPod, isPodSucceeded, isPodTerminating } from './job-pod.js';
import { type JobPodControl, RealJobPodControl } from './job-pod-control.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import {
  COND_COMPLETE,
  COND_FAILED,
  COND_FAILURE_TARGET,
  COND_SUCCESS_CRITERIA_MET,
  COND_SUSPENDED,
  JOB_COMPLETION_INDEX_ANNOTATION,
  JOB_COMPLETION_INDEX_ENV,
  JOB_CONTROLLER_NAME,
  JOB_GVR,
  JOB_INDEX_FAILURE_COUNT_ANNOTATION,
  JOB_KIND,
  JOB_TRACKING_FINALIZER,
  type Job,
  type JobCondition,
  type JobStatus,
  isIndexedJob,
  isJobFinished,
} from './types.js';

/** Upstream's MaxPodCreateDeletePerSync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export interface JobControllerOptions {
  jobInformer: SharedInformer<Job>;
  podInformer: SharedInformer<JobPod>;
  podControl: JobPodControl;
  /** Writes the status subresource; answers the stored Job. */
  updateStatus: (job: Job) => Promise<Job>;
  recorder: EventSink;
  clock: Clock;
  logger: Logger;
}

const podKey = (p: Pod) => metaNamespaceKey(p);
const hasTrackingFinalizer = (p: Pod) => p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;

/** Everything one sync learned about a Job, shared by its phases. */
interface SyncContext {
  key: string;
  job: Job;
  pods: JobPod[];
  status: JobStatus;
  activePods: JobPod[];
  terminating: number;
  /** Pod uids whose finalizer removal we asked for but have not seen yet. */
  expectedRemovals: Set<string>;
  uncountedSucceeded: Set<string>;
  uncountedFailed: Set<string>;
  succeeded: number;
  prevSucceededIndexes: IndexSet;
  succeededIndexes: IndexSet;
  failedIndexes?: IndexSet;
  /** The interim or terminal condition this sync decided on. */
  finished?: JobCondition;
  /** Uids of the active pods this sync deleted. */
  deleted: Set<string>;
  now: number;
}

export class JobController implements Controller {
  readonly name = 'job';
  readonly queue: RateLimitingQueue<string>;
  /** Pods whose tracking finalizer must go because their Job is gone. */
  readonly orphanQueue: RateLimitingQueue<string>;
  readonly expectations: ControllerExpectations;
  /** Per Job key: uids of pods whose finalizer removal is not yet observed. */
  readonly finalizerExpectations = new Map<string, Set<string>>();
  private readonly handlers: Disposable[] = [];

  constructor(private readonly opts: JobControllerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    this.orphanQueue = new RateLimitingQueue<string>({ clock: opts.clock });
    this.expectations = new ControllerExpectations(opts.clock);
    this.handlers.push(
      opts.jobInformer.addEventHandler({
        onAdd: (job) => this.enqueue(job),
        onUpdate: (old, job) => this.updateJob(old, job),
        onDelete: (obj) => this.deleteJob(obj),
      }),
      opts.podInformer.addEventHandler({
        onAdd: (pod) => this.addPod(pod),
        onUpdate: (old, pod) => this.updatePod(old, pod),
        onDelete: (obj) => this.deletePod(obj),
      }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    try {
      const synced = await Promise.all([this.opts.jobInformer.waitForSync(signal), this.opts.podInformer.waitForSync(signal)]);
      if (!synced.every(Boolean)) return;
      this.opts.logger.info('starting controller', { controller: this.name, workers });
      await Promise.all([
        runWorkers({ queue: this.queue, reconcile: (key) => this.sync(key), workers, signal, logger: this.opts.logger }),
        runWorkers({ queue: this.orphanQueue, reconcile: (key) => this.syncOrphanPod(key), workers: 1, signal, logger: this.opts.logger }),
      ]);
    } finally {
      this.queue.shutDown();
      this.orphanQueue.shutDown();
      for (const h of this.handlers) h.dispose();
    }
  }

  /** One reconcile pass for `namespace/name`; throws to be retried with back-off. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const job = this.opts.jobInformer.lister().get(namespace, name);
    if (!job) {
      this.expectations.delete(key);
      this.finalizerExpectations.delete(key);
      return;
    }
    // Another controller reconciles this Job (spec.managedBy).
    if (job.spec?.managedBy && job.spec.managedBy !== JOB_CONTROLLER_NAME) return;
    const pods = await this.podsForJob(job);
    if (isJobFinished(job)) {
      // Counted long ago; a finalizer left over (say, from a crash) must not pin the pod.
      await this.removeFinalizers(key, pods.filter(hasTrackingFinalizer));
      return;
    }
    const ctx = this.newContext(key, job, pods);
    const satisfied = this.expectations.satisfied(key);
    const spec = job.spec ?? {};
    const suspended = spec.suspend === true;

    if (!ctx.status.startTime && !suspended) ctx.status.startTime = rfc3339(ctx.now);

    const failed = (job.status?.failed ?? 0) + ctx.uncountedFailed.size + this.newFailedCount(ctx);
    this.decideFailure(ctx, failed);

    let active = ctx.activePods.length;
    let manageError: unknown;
    let suspendChanged = false;
    if (ctx.finished) {
      const { deleted, error } = await this.deleteActivePods(ctx, ctx.activePods);
      // Only a Job whose pods are all on their way out can be declared finished.
      if (deleted !== active || !satisfied) ctx.finished = undefined;
      active -= deleted;
      ctx.terminating += deleted;
      manageError = error;
    } else {
      let managed = false;
      if (satisfied && !job.metadata.deletionTimestamp) {
        const res = await this.manageJob(ctx);
        active = res.active;
        manageError = res.error;
        managed = true;
      }
      const completions = spec.completions ?? undefined;
      const complete = completions === undefined || completions === null ? ctx.succeeded > 0 && active === 0 : ctx.succeeded >= completions && active === 0;
      if (complete) {
        ctx.finished = condition(COND_SUCCESS_CRITERIA_MET, 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', ctx.now);
      } else if (managed) {
        if (suspended) {
          suspendChanged = ensureCondition(ctx.status, condition(COND_SUSPENDED, 'True', 'JobSuspended', 'Job suspended', ctx.now));
          if (suspendChanged) void this.opts.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
        } else {
          suspendChanged = ensureCondition(ctx.status, condition(COND_SUSPENDED, 'False', 'JobResumed', 'Job resumed', ctx.now));
          if (suspendChanged) {
            void this.opts.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
            // activeDeadlineSeconds measures continuous activity: resuming restarts the clock.
            ctx.status.startTime = rfc3339(ctx.now);
          }
        }
      }
    }
    ctx.status.active = active;
    ctx.status.ready = ctx.activePods.filter((p) => isPodReady(p) && !ctx.deleted.has(p.metadata.uid ?? '')).length;
    ctx.status.terminating = ctx.terminating;
    await this.trackStatusAndRemoveFinalizers(ctx);
    if (manageError !== undefined) throw manageError;
    this.requeueForDeadline(ctx);
  }

  private newContext(key: string, job: Job, pods: JobPod[]): SyncContext {
    const status = structuredClone(job.status ?? {}) as JobStatus;
    const completions = job.spec?.completions ?? 0;
    const expectedRemovals = this.finalizerExpectations.get(key) ?? new Set<string>();
    const ctx: SyncContext = {
      key,
      job,
      pods,
      status,
      activePods: pods.filter(isPodActive),
      terminating: pods.filter(isPodTerminating).length,
      expectedRemovals,
      uncountedSucceeded: new Set(status.uncountedTerminatedPods?.succeeded ?? []),
      uncountedFailed: new Set(status.uncountedTerminatedPods?.failed ?? []),
      succeeded: 0,
      prevSucceededIndexes: IndexSet.empty(),
      succeededIndexes: IndexSet.empty(),
      deleted: new Set(),
      now: this.opts.clock.now(),
    };
    if (isIndexedJob(job)) {
      ctx.prevSucceededIndexes = IndexSet.parse(status.completedIndexes, completions);
      const fresh = pods.filter((p) => isPodSucceeded(p) && hasTrackingFinalizer(p) && !expectedRemovals.has(p.metadata.uid ?? '')).map(completionIndexOf);
      ctx.succeededIndexes = ctx.prevSucceededIndexes.with(fresh.filter((i): i is number => i !== undefined && i < completions));
      ctx.succeeded = ctx.succeededIndexes.total();
      if (job.spec?.backoffLimitPerIndex !== undefined) ctx.failedIndexes = this.failedIndexes(ctx);
    } else {
      const fresh = pods.filter((p) => this.isNewlyFinished(ctx, p) && isPodSucceeded(p) && !ctx.uncountedSucceeded.has(p.metadata.uid ?? '')).length;
      ctx.succeeded = (status.succeeded ?? 0) + ctx.uncountedSucceeded.size + fresh;
    }
    return ctx;
  }

  /** A finished pod still carrying our finalizer, whose removal we have not asked for. */
  private isNewlyFinished(ctx: SyncContext, p: JobPod): boolean {
    return hasTrackingFinalizer(p) && !ctx.expectedRemovals.has(p.metadata.uid ?? '');
  }

  /** Pods that failed (or, unless only failed pods are replaced, are being deleted). */
  private isPodFailed(job: Job, p: JobPod): boolean {
    if (p.status?.phase === 'Failed') return true;
    if (onlyReplaceFailedPods(job)) return false;
    return !!p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded';
  }

  /**
   * A failure that delays replacements. Pods this controller deleted lost
   * their finalizer first, so a deleting pod only counts while it still has it.
   */
  private isBackoffFailure(job: Job, p: JobPod): boolean {
    const failed = p.status?.phase === 'Failed' || (this.isPodFailed(job, p) && hasTrackingFinalizer(p));
    return failed && (!job.spec?.podFailurePolicy || matchPodFailurePolicy(job.spec.podFailurePolicy, p).countFailed);
  }

  private newFailedCount(ctx: SyncContext): number {
    const { job } = ctx;
    let n = 0;
    for (const p of ctx.pods) {
      if (!this.isNewlyFinished(ctx, p) || !this.isPodFailed(job, p) || ctx.uncountedFailed.has(p.metadata.uid ?? '')) continue;
      if (job.spec?.podFailurePolicy && !matchPodFailurePolicy(job.spec.podFailurePolicy, p).countFailed) continue;
      n++;
    }
    return n;
  }

  private failedIndexes(ctx: SyncContext): IndexSet {
    const { job } = ctx;
    const completions = job.spec?.completions ?? 0;
    const limit = job.spec?.backoffLimitPerIndex ?? 0;
    const fresh: number[] = [];
    for (const p of ctx.pods) {
      const ix = completionIndexOf(p);
      if (ix === undefined || ix >= completions || !this.isNewlyFinished(ctx, p) || !this.isPodFailed(job, p)) continue;
      const match = job.spec?.podFailurePolicy ? matchPodFailurePolicy(job.spec.podFailurePolicy, p) : { countFailed: true, action: undefined };
      if (match.action === 'FailIndex' || (match.countFailed && indexFailureCountOf(p) >= limit)) fresh.push(ix);
    }
    return IndexSet.parse(ctx.status.failedIndexes, completions).with(fresh);
  }

  /** Sets ctx.finished to a FailureTarget when a limit, the deadline or the pod failure policy says so. */
  private decideFailure(ctx: SyncContext, failed: number): void {
    const { job, status, now } = ctx;
    const spec = job.spec ?? {};
    const target = status.conditions?.find((c) => c.type === COND_FAILURE_TARGET && c.status === 'True');
    if (target) {
      ctx.finished = { ...target };
      return;
    }
    if (spec.podFailurePolicy) {
      for (const p of ctx.pods) {
        if (!this.isPodFailed(job, p)) continue;
        const msg = matchPodFailurePolicy(spec.podFailurePolicy, p).failJobMessage;
        if (msg) {
          ctx.finished = condition(COND_FAILURE_TARGET, 'True', 'PodFailurePolicy', msg, now);
          return;
        }
      }
    }
    const backoffLimit = spec.backoffLimit ?? 6;
    if (failed > backoffLimit || pastBackoffLimitOnFailure(job, ctx.activePods)) {
      ctx.finished = condition(COND_FAILURE_TARGET, 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
      return;
    }
    if (pastActiveDeadline(job, status, now)) {
      ctx.finished = condition(COND_FAILURE_TARGET, 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
      return;
    }
    if (ctx.failedIndexes) {
      const completions = spec.completions ?? 0;
      const nFailed = ctx.failedIndexes.total();
      if (spec.maxFailedIndexes !== undefined && nFailed > spec.maxFailedIndexes) {
        ctx.finished = condition(COND_FAILURE_TARGET, 'True', 'MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes', now);
      } else if (nFailed > 0 && nFailed + ctx.succeededIndexes.total() >= completions) {
        ctx.finished = condition(COND_FAILURE_TARGET, 'True', 'FailedIndexes', 'Job has failed indexes', now);
      }
    }
  }

  private requeueForDeadline(ctx: SyncContext): void {
    const { job, status, now } = ctx;
    const ads = job.spec?.activeDeadlineSeconds;
    if (ads === undefined || job.spec?.suspend || ctx.finished || !status.startTime) return;
    const start = Date.parse(status.startTime);
    if (!Number.isNaN(start)) this.queue.addAfter(ctx.key, Math.max(0, start + ads * 1000 - now));
  }

  /** Creates or deletes pods towards min(parallelism, remaining completions); answers the active count. */
  private async manageJob(ctx: SyncContext): Promise<{ active: number; error?: unknown }> {
    const { job, key } = ctx;
    const spec = job.spec ?? {};
    const active = ctx.activePods.length;
    if (spec.suspend) {
      const { deleted, error } = await this.deleteJobPods(ctx, ctx.activePods);
      ctx.terminating += deleted;
      return { active: active - deleted, error };
    }
    const parallelism = spec.parallelism ?? 1;
    const completions = spec.completions ?? undefined;
    let wantActive: number;
    if (completions === undefined || completions === null) wantActive = ctx.succeeded > 0 ? active : parallelism;
    else wantActive = Math.max(0, Math.min(completions - ctx.succeeded, parallelism));

    const removals = activePodsForRemoval(job, ctx.activePods, Math.max(0, active - wantActive)).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (removals.length > 0) {
      // Either deletions or creations in one sync, never both; deletions first.
      const { deleted, error } = await this.deleteJobPods(ctx, removals);
      ctx.terminating += deleted;
      return { active: active - deleted, error };
    }
    const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
    let diff = wantActive - terminating - active;
    if (diff <= 0) return { active };
    if (spec.backoffLimitPerIndex === undefined) {
      const record = backoffRecordFor(ctx.pods, (p) => this.isBackoffFailure(job, p), ctx.now);
      const wait = remainingBackoffMs(record, ctx.now);
      if (wait > 0) {
        this.queue.addAfter(key, wait);
        return { active };
      }
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    const template: PodTemplateSpec = structuredClone(spec.template ?? {});
    template.metadata = { ...(template.metadata ?? {}) };
    template.metadata.finalizers = [...(template.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER), JOB_TRACKING_FINALIZER];
    const controllerRef = controllerRefFor(job, JOB_KIND);
    const namespace = job.metadata.namespace ?? '';
    let plans: { template: PodTemplateSpec; generateName: string }[];
    if (isIndexedJob(job)) {
      addCompletionIndexEnv(template);
      const indexes = this.pendingIndexes(ctx, diff);
      const ready: number[] = [];
      let wait = 0;
      for (const ix of indexes) {
        const w = spec.backoffLimitPerIndex === undefined ? 0 : this.indexBackoffMs(ctx, ix);
        if (w > 0) wait = wait === 0 ? w : Math.min(wait, w);
        else ready.push(ix);
      }
      if (wait > 0) this.queue.addAfter(key, wait);
      plans = ready.map((ix) => ({ template: indexedTemplate(ctx, template, ix), generateName: podGenerateNameWithIndex(job.metadata.name ?? '', ix) }));
    } else {
      plans = Array.from({ length: diff }, () => ({ template, generateName: '' }));
    }
    if (plans.length === 0) return { active };
    this.expectations.expectCreations(key, plans.length);
    this.opts.logger.debug('too few pods running', { job: key, need: wantActive, creating: plans.length });
    let error: unknown;
    let created = 0;
    // Slow start: batches of 1, 2, 4, … stop at the first failing batch.
    let next = 0;
    for (let batch = 1; next < plans.length; batch *= 2) {
      const slice = plans.slice(next, next + batch);
      next += slice.length;
      const results = await Promise.allSettled(slice.map((p) => this.opts.podControl.createPodWithGenerateName(namespace, p.template, job, controllerRef, p.generateName)));
      for (const r of results) {
        if (r.status === 'fulfilled') created++;
        else {
          error ??= r.reason;
          this.expectations.creationObserved(key);
        }
      }
      if (error !== undefined) break;
    }
    // Creations never attempted produce no watch event either.
    for (let i = next; i < plans.length; i++) this.expectations.creationObserved(key);
    return { active: active + created, error };
  }

  /** The lowest indexes neither succeeded, failed, nor held by an active (or, if only failed pods are replaced, terminating) pod. */
  private pendingIndexes(ctx: SyncContext, count: number): number[] {
    const completions = ctx.job.spec?.completions ?? 0;
    const taken = new Set<number>();
    for (const p of ctx.activePods) {
      const ix = completionIndexOf(p);
      if (ix !== undefined) taken.add(ix);
    }
    if (onlyReplaceFailedPods(ctx.job)) {
      for (const p of ctx.pods) {
        const ix = completionIndexOf(p);
        if (ix !== undefined && isPodTerminating(p)) taken.add(ix);
      }
    }
    const out: number[] = [];
    for (let i = 0; i < completions && out.length < count; i++) {
      if (taken.has(i) || ctx.succeededIndexes.has(i) || ctx.failedIndexes?.has(i)) continue;
      out.push(i);
    }
    return out;
  }

  /** Failures so far of index `ix`, and the per-index back-off still to wait. */
  private indexFailures(ctx: SyncContext, ix: number): { count: number; last?: number } {
    let count = 0;
    let last: number | undefined;
    for (const p of ctx.pods) {
      if (completionIndexOf(p) !== ix || !this.isPodFailed(ctx.job, p)) continue;
      const policy = ctx.job.spec?.podFailurePolicy;
      const counts = !policy || matchPodFailurePolicy(policy, p).countFailed;
      const c = indexFailureCountOf(p) + (counts ? 1 : 0);
      if (c > count) count = c;
      const t = backoffRecordFor([p], () => true, ctx.now).lastFailureTime;
      if (t !== undefined && (last === undefined || t > last)) last = t;
    }
    return { count, last };
  }

  private indexBackoffMs(ctx: SyncContext, ix: number): number {
    const f = this.indexFailures(ctx, ix);
    return remainingBackoffMs({ failuresAfterLastSuccess: f.count, lastFailureTime: f.last }, ctx.now);
  }

  /** Deletes pods the Job no longer wants, removing the finalizer first so they are not counted as failures. */
  private async deleteJobPods(ctx: SyncContext, pods: JobPod[]): Promise<{ deleted: number; error?: unknown }> {
    const { key, job } = ctx;
    if (pods.length === 0) return { deleted: 0 };
    this.expectations.expectDeletions(key, pods.map(podKey));
    const namespace = job.metadata.namespace ?? '';
    const results = await Promise.allSettled(
      pods.map(async (pod) => {
        try {
          if (hasTrackingFinalizer(pod)) await this.opts.podControl.removeTrackingFinalizer(namespace, pod.metadata.name!);
          await this.opts.podControl.deletePod(namespace, pod.metadata.name!, job);
        } catch (err) {
          this.expectations.deletionObserved(key, podKey(pod));
          if (!isNotFound(err)) throw err;
        }
        ctx.deleted.add(pod.metadata.uid ?? '');
      }),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    return { deleted: pods.length - failed.length, error: failed[0]?.reason };
  }

  /** Deletes every active pod of a failing Job, keeping finalizers: they are counted as failed on the way out. */
  private async deleteActivePods(ctx: SyncContext, pods: JobPod[]): Promise<{ deleted: number; error?: unknown }> {
    const { job } = ctx;
    const namespace = job.metadata.namespace ?? '';
    const results = await Promise.allSettled(
      pods.map(async (pod) => {
        try {
          await this.opts.podControl.deletePod(namespace, pod.metadata.name!, job);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        ctx.deleted.add(pod.metadata.uid ?? '');
      }),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    return { deleted: pods.length - failed.length, error: failed[0]?.reason };
  }

  /**
   * Counts finished pods in three durable steps: record their uids as
   * uncounted, remove their finalizers, move them into the counters; then
   * declares the Job finished once nothing is uncounted or terminating.
   */
  private async trackStatusAndRemoveFinalizers(ctx: SyncContext): Promise<void> {
    const { job, status } = ctx;
    const spec = job.spec ?? {};
    const indexed = isIndexedJob(job);
    const completions = spec.completions ?? 0;
    const failureFinish = ctx.finished !== undefined && ctx.finished.type !== COND_SUCCESS_CRITERIA_MET && ctx.finished.type !== COND_COMPLETE;
    const toRemove: JobPod[] = [];
    for (const p of ctx.pods) {
      const uid = p.metadata.uid ?? '';
      if (!this.isNewlyFinished(ctx, p)) continue;
      const failed = this.isPodFailed(job, p);
      if (!canRemoveFinalizer(ctx, p, failed)) continue;
      toRemove.push(p);
      if (isPodSucceeded(p) && !ctx.uncountedFailed.has(uid)) {
        // Indexed Jobs count by index (in completedIndexes): no uid needed.
        if (!indexed) ctx.uncountedSucceeded.add(uid);
      } else if (failed || failureFinish) {
        const ix = completionIndexOf(p);
        if (ctx.uncountedFailed.has(uid) || (indexed && (ix === undefined || ix >= completions))) continue;
        if (!spec.podFailurePolicy || matchPodFailurePolicy(spec.podFailurePolicy, p).countFailed) ctx.uncountedFailed.add(uid);
      }
    }
    if (indexed) {
      status.completedIndexes = ctx.succeededIndexes.toString();
      status.succeeded = ctx.succeededIndexes.total();
    }
    if (ctx.failedIndexes) status.failedIndexes = ctx.failedIndexes.toString();
    if (ctx.finished?.type === COND_FAILURE_TARGET || ctx.finished?.type === COND_SUCCESS_CRITERIA_MET) {
      // The interim condition is stored before finalizers go, so a restart finishes the same way.
      ensureCondition(status, ctx.finished);
      ctx.finished = condition(ctx.finished.type === COND_FAILURE_TARGET ? COND_FAILED : COND_COMPLETE, 'True', ctx.finished.reason ?? '', ctx.finished.message ?? '', ctx.now);
    }
    status.uncountedTerminatedPods = uncountedOf(ctx);
    let current = await this.writeStatus(ctx.job, status);

    const stillFinalized = new Set(ctx.pods.filter((p) => this.isNewlyFinished(ctx, p)).map((p) => p.metadata.uid ?? ''));
    const { removed, error } = await this.removeFinalizers(ctx.key, toRemove);
    for (const uid of removed) stillFinalized.delete(uid);
    for (const uid of [...ctx.uncountedSucceeded]) {
      if (stillFinalized.has(uid)) continue;
      ctx.uncountedSucceeded.delete(uid);
      status.succeeded = (status.succeeded ?? 0) + 1;
    }
    for (const uid of [...ctx.uncountedFailed]) {
      if (stillFinalized.has(uid)) continue;
      ctx.uncountedFailed.delete(uid);
      status.failed = (status.failed ?? 0) + 1;
    }
    status.uncountedTerminatedPods = uncountedOf(ctx);
    let finishedNow: JobCondition | undefined;
    if (ctx.finished && error === undefined && ctx.uncountedSucceeded.size === 0 && ctx.uncountedFailed.size === 0 && ctx.terminating === 0) {
      ensureCondition(status, ctx.finished);
      if (ctx.finished.type === COND_COMPLETE) status.completionTime = rfc3339(ctx.now);
      finishedNow = ctx.finished;
    }
    current = await this.writeStatus(current, status);
    if (finishedNow) this.recordFinished(current, finishedNow);
    if (error !== undefined) throw error;
  }

  private recordFinished(job: Job, cond: JobCondition): void {
    if (cond.type === COND_COMPLETE) {
      const completions = job.spec?.completions;
      if (completions !== undefined && completions !== null && (job.status?.succeeded ?? 0) > completions) {
        void this.opts.recorder.event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
      }
      void this.opts.recorder.event(job, 'Normal', 'Completed', 'Job completed');
    } else {
      void this.opts.recorder.event(job, 'Warning', cond.reason ?? 'Failed', cond.message ?? '');
    }
  }

  /** Writes `status` when it differs from what `job` carries; answers the stored Job. */
  private async writeStatus(job: Job, status: JobStatus): Promise<Job> {
    if (statusEqual(job.status, status)) return job;
    const written = await this.opts.updateStatus({ ...structuredClone(job), status: structuredClone(status) });
    return written ?? { ...job, status };
  }

  /** Removes the tracking finalizer from `pods`; answers the uids done and the first error. */
  private async removeFinalizers(key: string, pods: JobPod[]): Promise<{ removed: string[]; error?: unknown }> {
    if (pods.length === 0) return { removed: [] };
    const expected = this.finalizerExpectations.get(key) ?? new Set<string>();
    this.finalizerExpectations.set(key, expected);
    const removed: string[] = [];
    let error: unknown;
    await Promise.all(
      pods.map(async (p) => {
        const uid = p.metadata.uid ?? '';
        expected.add(uid);
        try {
          await this.opts.podControl.removeTrackingFinalizer(p.metadata.namespace ?? '', p.metadata.name!);
          removed.push(uid);
        } catch (err) {
          expected.delete(uid);
          error ??= err;
        }
      }),
    );
    return { removed, error };
  }

  /** Every pod (finished ones too) this Job controls, adopting orphans that match its selector. */
  private async podsForJob(job: Job): Promise<JobPod[]> {
    let selector: Selector;
    try {
      selector = labelSelectorAsSelector(job.spec?.selector);
    } catch (err) {
      this.opts.logger.error('invalid selector', { job: metaNamespaceKey(job), err });
      return [];
    }
    const all = this.opts.podInformer.lister().listInNamespace(job.metadata.namespace ?? '');
    const claim = await claimPods(all, { owner: job, controllerRef: controllerRefFor(job, JOB_KIND), selector, podControl: this.opts.podControl });
    if (claim.error !== undefined) throw claim.error;
    return claim.claimed;
  }

  /** Drops the tracking finalizer of a pod whose Job is gone or finished. */
  async syncOrphanPod(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const pod = this.opts.podInformer.lister().get(namespace, name);
    if (!pod || !hasTrackingFinalizer(pod) || this.owningJob(pod)) return;
    await this.opts.podControl.removeTrackingFinalizer(namespace, name);
  }

  /** The live, unfinished Job controlling `pod`, if any. */
  private owningJob(pod: Pod): Job | undefined {
    const ref = controllerRefOf(pod);
    if (!ref) return undefined;
    const job = this.resolveControllerRef(pod.metadata.namespace ?? '', ref);
    return job && !isJobFinished(job) ? job : undefined;
  }

  private enqueue(job: Job): void {
    this.queue.add(metaNamespaceKey(job));
  }

  private updateJob(old: Job, job: Job): void {
    this.enqueue(job);
    // A changed deadline needs a look when the new one passes.
    if (old.spec?.activeDeadlineSeconds !== job.spec?.activeDeadlineSeconds && job.spec?.activeDeadlineSeconds !== undefined && job.status?.startTime) {
      const left = Date.parse(job.status.startTime) + job.spec.activeDeadlineSeconds * 1000 - this.opts.clock.now();
      this.queue.addAfter(metaNamespaceKey(job), Math.max(0, left));
    }
    if (!isJobFinished(old) && isJobFinished(job)) this.enqueueOrphansOf(job);
  }

  private deleteJob(obj: Job | DeletedFinalStateUnknown<Job>): void {
    const job = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
    const key = metaNamespaceKey(job);
    this.expectations.delete(key);
    this.finalizerExpectations.delete(key);
    this.enqueue(job);
    this.enqueueOrphansOf(job);
  }

  /** Pods of `job` still carrying the finalizer go to the orphan queue. */
  private enqueueOrphansOf(job: Job): void {
    for (const p of this.opts.podInformer.lister().listInNamespace(job.metadata.namespace ?? '')) {
      if (hasTrackingFinalizer(p) && controllerRefOf(p)?.uid === job.metadata.uid) this.orphanQueue.add(podKey(p));
    }
  }

  private resolveControllerRef(namespace: string, ref: OwnerReference): Job | undefined {
    if (ref.kind !== JOB_KIND.kind) return undefined;
    const job = this.opts.jobInformer.lister().get(namespace, ref.name);
    return job && job.metadata.uid === ref.uid ? job : undefined;
  }

  private matchingJobs(pod: Pod): Job[] {
    return this.opts.jobInformer
      .lister()
      .listInNamespace(pod.metadata.namespace ?? '')
      .filter((job) => {
        try {
          return labelSelectorAsSelector(job.spec?.selector).matches(pod.metadata.labels ?? {});
        } catch {
          return false;
        }
      });
  }

  private addPod(pod: JobPod): void {
    if (pod.metadata.deletionTimestamp) {
      // A restarted controller may first see a pod already being deleted: treat it as deleted.
      this.deletePod(pod, { final: false });
      return;
    }
    const ref = controllerRefOf(pod);
    if (ref) {
      const job = this.resolveControllerRef(pod.metadata.namespace ?? '', ref);
      if (!job) {
        if (hasTrackingFinalizer(pod)) this.orphanQueue.add(podKey(pod));
        return;
      }
      this.expectations.creationObserved(metaNamespaceKey(job));
      this.enqueue(job);
      return;
    }
    if (hasTrackingFinalizer(pod)) this.orphanQueue.add(podKey(pod));
    for (const job of this.matchingJobs(pod)) this.enqueue(job);
  }

  private updatePod(old: JobPod, pod: JobPod): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    if (!hasTrackingFinalizer(pod)) this.observeFinalizerRemoved(pod);
    if (pod.metadata.deletionTimestamp) {
      this.deletePod(pod, { final: false });
      return;
    }
    const ns = pod.metadata.namespace ?? '';
    const oldRef = controllerRefOf(old);
    const ref = controllerRefOf(pod);
    if (oldRef && oldRef.uid !== ref?.uid) {
      const oldJob = this.resolveControllerRef(ns, oldRef);
      if (oldJob) this.enqueue(oldJob);
    }
    if (ref) {
      const job = this.resolveControllerRef(ns, ref);
      if (job) this.enqueue(job);
      else if (hasTrackingFinalizer(pod)) this.orphanQueue.add(podKey(pod));
      return;
    }
    if (hasTrackingFinalizer(pod)) this.orphanQueue.add(podKey(pod));
    for (const job of this.matchingJobs(pod)) this.enqueue(job);
  }

  private deletePod(obj: JobPod | DeletedFinalStateUnknown<JobPod>, opts: { final: boolean } = { final: true }): void {
    const pod = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
    if (opts.final) this.observeFinalizerRemoved(pod);
    const ref = controllerRefOf(pod);
    if (!ref) return;
    const job = this.resolveControllerRef(pod.metadata.namespace ?? '', ref);
    if (!job) {
      if (!opts.final && hasTrackingFinalizer(pod)) this.orphanQueue.add(podKey(pod));
      return;
    }
    this.expectations.deletionObserved(metaNamespaceKey(job), podKey(pod));
    this.enqueue(job);
  }

  private observeFinalizerRemoved(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    for (const [key, set] of this.finalizerExpectations) {
      if (set.delete(uid) && set.size === 0) this.finalizerExpectations.delete(key);
    }
  }
}

// ---- pure helpers ----

export function condition(type: string, status: string, reason: string, message: string, now: number): JobCondition {
  const t = rfc3339(now);
  return { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message };
}

/**
 * Upstream's ensureJobConditionStatus: replaces a condition of the same type
 * whose status, reason or message differ; adds it only when not False.
 * Answers whether anything changed.
 */
export function ensureCondition(status: JobStatus, cond: JobCondition): boolean {
  const list = (status.conditions ??= []);
  const i = list.findIndex((c) => c.type === cond.type);
  if (i >= 0) {
    const c = list[i]!;
    if (c.status === cond.status && c.reason === cond.reason && c.message === cond.message) return false;
    list[i] = { ...cond };
    return true;
  }
  if (cond.status === 'False') {
    if (list.length === 0) delete status.conditions;
    return false;
  }
  list.push({ ...cond });
  return true;
}

/** Only Failed pods are replaced (podReplacementPolicy Failed, implied by a podFailurePolicy). */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || job.spec?.podFailurePolicy !== undefined;
}

function canRemoveFinalizer(ctx: SyncContext, pod: JobPod, failed: boolean): boolean {
  if (ctx.job.metadata.deletionTimestamp || ctx.finished || pod.status?.phase === 'Succeeded') return true;
  if (!failed) return false;
  // With a failure policy the exit codes decide, so wait until the pod is really terminal.
  if (ctx.job.spec?.podFailurePolicy && pod.status?.phase !== 'Failed') return false;
  return true;
}

function pastActiveDeadline(job: Job, status: JobStatus, now: number): boolean {
  const ads = job.spec?.activeDeadlineSeconds;
  if (ads === undefined || !status.startTime || job.spec?.suspend) return false;
  const start = Date.parse(status.startTime);
  return !Number.isNaN(start) && now - start >= ads * 1000;
}

/** restartPolicy OnFailure restarts in place, so restarts of active pods count against backoffLimit. */
function pastBackoffLimitOnFailure(job: Job, active: JobPod[]): boolean {
  if ((job.spec?.template?.spec as { restartPolicy?: string } | undefined)?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of active) {
    for (const c of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += c.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** Which active pods go first: for Indexed Jobs duplicates and out-of-range indexes, then the least valuable. */
export function activePodsForRemoval(job: Job, pods: JobPod[], count: number): JobPod[] {
  if (!isIndexedJob(job)) return count > 0 ? podsToDelete(pods, pods, count) : [];
  const completions = job.spec?.completions ?? 0;
  const extra: JobPod[] = [];
  const byIndex = new Map<number, JobPod[]>();
  for (const p of pods) {
    const ix = completionIndexOf(p);
    if (ix === undefined || ix >= completions) extra.push(p);
    else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
  }
  const keep: JobPod[] = [];
  for (const group of byIndex.values()) {
    // Keep the most valuable pod of an index; the rest are duplicates.
    const ranked = podsToDelete(group, group, group.length);
    extra.push(...ranked.slice(0, -1));
    keep.push(ranked.at(-1)!);
  }
  const more = Math.max(0, count - extra.length);
  return [...extra, ...(more > 0 ? podsToDelete(keep, keep, more) : [])];
}

function addCompletionIndexEnv(template: PodTemplateSpec): void {
  const spec = (template.spec ??= {}) as { containers?: { env?: { name: string }[] }[]; initContainers?: { env?: { name: string }[] }[] };
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (c.env?.some((e) => e.name === JOB_COMPLETION_INDEX_ENV)) continue;
    c.env = [...(c.env ?? []), { name: JOB_COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX_ANNOTATION}']` } } } as { name: string }];
  }
}

function indexedTemplate(ctx: SyncContext, base: PodTemplateSpec, ix: number): PodTemplateSpec {
  const t = structuredClone(base);
  const meta = (t.metadata ??= {});
  meta.annotations = { ...(meta.annotations ?? {}), [JOB_COMPLETION_INDEX_ANNOTATION]: String(ix) };
  meta.labels = { ...(meta.labels ?? {}), [JOB_COMPLETION_INDEX_ANNOTATION]: String(ix) };
  if (ctx.job.spec?.backoffLimitPerIndex !== undefined) {
    let failures = 0;
    for (const p of ctx.pods) {
      if (completionIndexOf(p) !== ix || p.status?.phase !== 'Failed') continue;
      const policy = ctx.job.spec.podFailurePolicy;
      const counts = !policy || matchPodFailurePolicy(policy, p).countFailed;
      failures = Math.max(failures, indexFailureCountOf(p) + (counts ? 1 : 0));
    }
    meta.annotations[JOB_INDEX_FAILURE_COUNT_ANNOTATION] = String(failures);
  }
  (t.spec ??= {}).hostname = `${ctx.job.metadata.name ?? ''}-${ix}`;
  return t;
}

/** `<job>-<index>-`, the job name cut so a generated name still fits 63 characters. */
export function podGenerateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = `${jobName}${suffix}`;
  return prefix.length > 58 ? `${jobName.slice(0, 58 - suffix.length)}${suffix}` : prefix;
}

function uncountedOf(ctx: SyncContext): NonNullable<JobStatus['uncountedTerminatedPods']> {
  const out: NonNullable<JobStatus['uncountedTerminatedPods']> = {};
  if (ctx.uncountedSucceeded.size) out.succeeded = [...ctx.uncountedSucceeded].sort();
  if (ctx.uncountedFailed.size) out.failed = [...ctx.uncountedFailed].sort();
  return out;
}

/** Compares as the wire does: omitted numbers are zero, empty lists are absent. */
export function statusEqual(a: JobStatus | undefined, b: JobStatus): boolean {
  return JSON.stringify(normalize(a ?? {})) === JSON.stringify(normalize(b));
}

function normalize(s: JobStatus): unknown {
  const u = s.uncountedTerminatedPods ?? {};
  return {
    active: s.active ?? 0,
    succeeded: s.succeeded ?? 0,
    failed: s.failed ?? 0,
    ready: s.ready ?? 0,
    terminating: s.terminating ?? 0,
    startTime: s.startTime ?? null,
    completionTime: s.completionTime ?? null,
    completedIndexes: s.completedIndexes ?? '',
    failedIndexes: s.failedIndexes ?? null,
    conditions: s.conditions ?? [],
    uncounted: [u.succeeded ?? [], u.failed ?? []],
  };
}

const podsGVR = { group: '', version: 'v1', resource: 'pods' };
const eventsGVR = { group: '', version: 'v1', resource: 'events' };

export function newJobController(ctx: ControllerContext): JobController {
  const recorder = new EventRecorder({
    events: new ResourceClient<CoreEvent>(ctx.rest, eventsGVR),
    component: 'job-controller',
    clock: ctx.clock,
    onError: (err) => ctx.logger.debug('event not recorded', { err }),
  });
  const jobs = new ResourceClient<Job>(ctx.rest, JOB_GVR);
  return new JobController({
    jobInformer: ctx.informers.informerFor<Job>(JOB_GVR),
    podInformer: ctx.informers.informerFor<JobPod>(podsGVR),
    podControl: new RealJobPodControl(new ResourceClient<Pod>(ctx.rest, podsGVR), recorder),
    updateStatus: (job) => jobs.inNamespace(job.metadata.namespace ?? '').updateStatus(job),
    recorder,
    clock: ctx.clock,
    logger: ctx.logger.with({ controller: 'job' }),
  });
}

export const jobControllerDescriptor: ControllerDescriptor = {
  name: 'job',
  init: (ctx) => newJobController(ctx),
};
