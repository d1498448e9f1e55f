/**
 * The loop every level-triggered controller shares: take a key, reconcile
 * it, forget its back-off on success, requeue it rate-limited on failure.
 */
import type { RateLimitingInterface } from '../../client/workqueue/rate-limiting-queue.js';
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
