/**
 * Upstream's RateLimitedTimedQueue, the per-zone queue of nodes waiting for
 * their NoExecute taint: unique by node name, first in first out, drained
 * only as fast as the zone's token bucket allows. A name stays known after
 * it was processed, so a node already tainted is not queued again until
 * `remove` forgets it (the node became reachable, or lost its taint).
 */
import type { Clock } from '../../machinery/clock.js';
import { type RateLimiter, TokenBucket } from './token-bucket.js';

/** Upstream's EvictionRateLimiterBurst. */
export const EVICTION_RATE_LIMITER_BURST = 1;

export interface TimedValue {
  value: string;
  uid: string;
  /** When (clock ms) it was first queued. */
  addedAt: number;
  /** Not to be tried before this time (clock ms). */
  processAt: number;
}

/** What the action did with a value: done, or try again after `retryAfterMs`. */
export type TryResult = { done: true } | { done: false; retryAfterMs: number };

export class RateLimitedTimedQueue {
  private limiter: RateLimiter;
  private queue: TimedValue[] = [];
  /** Every name added and not removed since, queued or already processed. */
  private readonly known = new Set<string>();

  constructor(
    private readonly clock: Clock,
    qps: number,
  ) {
    this.limiter = new TokenBucket(qps, EVICTION_RATE_LIMITER_BURST, clock);
  }

  get qps(): number {
    return this.limiter.qps;
  }

  /** False when the name is known already (queued, or processed and not removed). */
  add(value: string, uid: string): boolean {
    if (this.known.has(value)) return false;
    const now = this.clock.now();
    this.known.add(value);
    this.insertByTime({ value, uid, addedAt: now, processAt: now });
    return true;
  }

  /** Forgets the name, queued or not; true when it was known. */
  remove(value: string): boolean {
    this.queue = this.queue.filter((v) => v.value !== value);
    return this.known.delete(value);
  }

  /** The queued values, first due first. */
  pending(): readonly TimedValue[] {
    return this.queue;
  }

  /**
   * Runs `fn` on due values in order while the limiter hands out tokens.
   * As upstream, a token is spent before looking at whether the head is due.
   */
  async try(fn: (value: TimedValue) => Promise<TryResult>): Promise<void> {
    for (let head = this.queue[0]; head; head = this.queue[0]) {
      if (!this.limiter.tryAccept()) return;
      const now = this.clock.now();
      if (now < head.processAt) return;
      const result = await fn(head);
      // The action may have removed the value meanwhile; act only on what is still queued.
      const i = this.queue.indexOf(head);
      if (i < 0) continue;
      this.queue.splice(i, 1);
      if (!result.done) this.insertByTime({ ...head, processAt: now + result.retryAfterMs + 1 });
    }
  }

  /**
   * A new limiter at `qps` (a no-op when unchanged). When the old one is out
   * of tokens the new one starts out of tokens too, so swapping rates cannot
   * be used to jump the queue.
   */
  swapLimiter(qps: number): void {
    if (this.limiter.qps === qps) return;
    const next = new TokenBucket(qps, EVICTION_RATE_LIMITER_BURST, this.clock);
    if (!this.limiter.tryAccept()) next.tryAccept();
    this.limiter = next;
  }

  private insertByTime(v: TimedValue): void {
    const at = this.queue.findIndex((q) => q.processAt > v.processAt);
    if (at < 0) this.queue.push(v);
    else this.queue.splice(at, 0, v);
  }
}
