/**
 * The TTL-after-finished controller: a Job with ttlSecondsAfterFinished is
 * deleted (background propagation, so its pods follow) that many seconds
 * after it finished. The key is requeued for exactly the time left; before
 * deleting, the Job is read fresh from the server and the delete carries its
 * resourceVersion, so a TTL changed meanwhile is honoured.
 */
import type { SharedInformer } from '../../client/informers/shared-informer.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { isNotFound } from '../../machinery/errors/index.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import { JOB_GVR, type Job, finishedCondition } from '../job/types.js';

export interface TTLJobControl {
  getJob(namespace: string, name: string): Promise<Job>;
  /** Deletes with background propagation, only if the Job is still at `resourceVersion`. */
  deleteJob(namespace: string, name: string, resourceVersion: string | undefined): Promise<void>;
}

export interface TTLAfterFinishedControllerOptions {
  jobInformer: SharedInformer<Job>;
  control: TTLJobControl;
  clock: Clock;
  logger: Logger;
}

export type TTLState = { kind: 'none' } | { kind: 'wait'; remainingMs: number } | { kind: 'expired' };

/** Whether `job` is due for deletion at `now`, and if not yet, how long until it is. */
export function ttlState(job: Job, now: number): TTLState {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  const cond = finishedCondition(job);
  if (ttl === undefined || ttl === null || !cond || job.metadata.deletionTimestamp) return { kind: 'none' };
  const finishedAt = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : NaN;
  if (Number.isNaN(finishedAt)) return { kind: 'none' };
  const remainingMs = finishedAt + ttl * 1000 - now;
  return remainingMs <= 0 ? { kind: 'expired' } : { kind: 'wait', remainingMs };
}

export class TTLAfterFinishedController implements Controller {
  readonly name = 'ttl-after-finished';
  readonly queue: RateLimitingQueue<string>;
  private readonly handlers: Disposable[] = [];

  constructor(private readonly opts: TTLAfterFinishedControllerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    const enqueue = (job: Job) => {
      if (ttlState(job, opts.clock.now()).kind !== 'none') this.queue.add(metaNamespaceKey(job));
    };
    this.handlers.push(opts.jobInformer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, job) => enqueue(job) }));
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    await runSyncedWorkers({
      informers: [this.opts.jobInformer],
      handlers: this.handlers,
      queue: this.queue,
      reconcile: (key) => this.sync(key),
      workers,
      signal,
      logger: this.opts.logger,
    });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.opts.jobInformer.lister().get(namespace, name);
    if (!cached || !this.dueOrRequeue(key, cached)) return;
    // The cache may be stale (TTL raised, job restarted): decide on the server's copy.
    let fresh: Job;
    try {
      fresh = await this.opts.control.getJob(namespace, name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!this.dueOrRequeue(key, fresh)) return;
    try {
      await this.opts.control.deleteJob(namespace, name, fresh.metadata.resourceVersion);
      this.opts.logger.info('deleted finished job after its TTL', { job: key });
    } catch (err) {
      // Gone already is done; a Conflict (changed under us) is retried and decided afresh.
      if (!isNotFound(err)) throw err;
    }
  }

  /** True when expired; otherwise requeues for the time left (if any) and answers false. */
  private dueOrRequeue(key: string, job: Job): boolean {
    const state = ttlState(job, this.opts.clock.now());
    if (state.kind === 'wait') this.queue.addAfter(key, state.remainingMs);
    return state.kind === 'expired';
  }
}

export function newTTLAfterFinishedController(ctx: ControllerContext): TTLAfterFinishedController {
  const jobs = new ResourceClient<Job>(ctx.rest, JOB_GVR);
  return new TTLAfterFinishedController({
    jobInformer: ctx.informers.informerFor<Job>(JOB_GVR),
    control: {
      getJob: (ns, name) => jobs.inNamespace(ns).get(name),
      deleteJob: async (ns, name, resourceVersion) => void (await jobs.inNamespace(ns).delete(name, { propagationPolicy: 'Background', preconditions: { resourceVersion } })),
    },
    clock: ctx.clock,
    logger: ctx.logger.with({ controller: 'ttl-after-finished' }),
  });
}

export const ttlAfterFinishedControllerDescriptor: ControllerDescriptor = {
  name: 'ttl-after-finished',
  init: (ctx) => newTTLAfterFinishedController(ctx),
};
