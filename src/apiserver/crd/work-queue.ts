/**
 * A small keyed work queue for controllers inside the API server: a key
 * waiting is queued once however often it is added, one worker processes
 * keys in order, a key added while it is being processed runs again
 * afterwards, and failures come back after an exponential back-off.
 */
import type { Clock, Timer } from '../../machinery/clock.js';

export interface WorkQueueOptions {
  clock: Clock;
  /** Processes one key; a rejection re-queues it with back-off. */
  process(key: string): Promise<void>;
  onError?(key: string, err: unknown): void;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export class WorkQueue {
  private readonly pending: string[] = [];
  private readonly queued = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly retries = new Map<string, Timer>();
  private running = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: WorkQueueOptions) {}

  add(key: string): void {
    if (this.stopped || this.queued.has(key)) return;
    this.queued.add(key);
    this.pending.push(key);
    void this.drain();
  }

  /** Resolves once nothing is queued or running (keys waiting to retry do not count). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return !this.running && this.pending.length === 0;
  }

  stop(): void {
    this.stopped = true;
    this.pending.length = 0;
    this.queued.clear();
    for (const t of this.retries.values()) t.cancel();
    this.retries.clear();
    this.wakeIdle();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.pending.length && !this.stopped) {
      const key = this.pending.shift()!;
      this.queued.delete(key);
      try {
        await this.opts.process(key);
        this.failures.delete(key);
      } catch (err) {
        this.opts.onError?.(key, err);
        this.retryLater(key);
      }
    }
    this.running = false;
    this.wakeIdle();
  }

  private retryLater(key: string): void {
    if (this.stopped || this.retries.has(key)) return;
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const delay = Math.min((this.opts.baseDelayMs ?? 100) * 2 ** (n - 1), this.opts.maxDelayMs ?? 30_000);
    this.retries.set(
      key,
      this.opts.clock.setTimeout(() => {
        this.retries.delete(key);
        this.add(key);
      }, delay),
    );
  }

  private wakeIdle(): void {
    if (!this.isIdle() && !this.stopped) return;
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w();
  }
}
