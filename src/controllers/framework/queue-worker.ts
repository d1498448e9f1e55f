/**
 * The loop every level-triggered controller shares: take a key, reconcile
 * it, forget its back-off on success, requeue it rate-limited on failure.
 */
import type { RateLimitingInterface } from '../../client/workqueue/rate-limiting-queue.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';

export interface RunWorkersOptions {
  queue: RateLimitingInterface<string>;
  reconcile: (key: string) => Promise<void>;
  workers: number;
  signal: AbortSignal;
  logger: Logger;
}

/** Resolves once `signal` aborted and every worker finished its key. */
export async function runWorkers(opts: RunWorkersOptions): Promise<void> {
  const { queue, signal } = opts;
  const stop = () => queue.shutDown();
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  const loops = Array.from({ length: Math.max(1, opts.workers) }, () => workerLoop(opts));
  await Promise.all(loops);
}

async function workerLoop(opts: RunWorkersOptions): Promise<void> {
  for (;;) {
    const item = await opts.queue.get();
    if (item.shutdown) return;
    await processKey(opts, item.key);
  }
}

/** Reconciles one key; exported so tests can drive a single pass. */
export async function processKey(opts: Pick<RunWorkersOptions, 'queue' | 'reconcile' | 'logger'>, key: string): Promise<void> {
  try {
    await opts.reconcile(key);
    opts.queue.forget(key);
  } catch (err) {
    opts.logger.debug('reconcile failed, requeuing', { key, err, requeues: opts.queue.numRequeues(key) });
    opts.queue.addRateLimited(key);
  } finally {
    opts.queue.done(key);
  }
}

export interface RunSyncedWorkersOptions extends RunWorkersOptions {
  /** The caches reconcile reads; workers start only once all of them synced. */
  informers: readonly { waitForSync(signal: AbortSignal): Promise<boolean> }[];
  /** The controller's event handler registrations, removed when it stops. */
  handlers: readonly Disposable[];
  /** Called once the caches synced, before the first worker starts. */
  onSynced?: () => void;
}

/**
 * A controller's whole run: wait for its caches, work the queue until
 * `signal` aborts, then shut the queue down and drop its event handlers
 * (also when the caches never synced).
 */
export async function runSyncedWorkers(opts: RunSyncedWorkersOptions): Promise<void> {
  try {
    const synced = await Promise.all(opts.informers.map((i) => i.waitForSync(opts.signal)));
    if (!synced.every(Boolean)) return;
    opts.onSynced?.();
    await runWorkers(opts);
  } finally {
    opts.queue.shutDown();
    for (const h of opts.handlers) h.dispose();
  }
}
