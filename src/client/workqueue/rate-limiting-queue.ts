/** A delaying queue that retries failed keys after the rate limiter's delay. */
import type { Clock } from '../../machinery/clock.js';
import { DelayingQueue, type DelayingInterface } from './delaying-queue.js';
import { type RateLimiter, defaultControllerRateLimiter } from './rate-limiters.js';

export interface RateLimitingInterface<K = string> extends DelayingInterface<K> {
  addRateLimited(key: K): void;
  forget(key: K): void;
  numRequeues(key: K): number;
}

export interface RateLimitingQueueOptions<K> {
  clock: Clock;
  rateLimiter?: RateLimiter<K>;
}

export class RateLimitingQueue<K = string> extends DelayingQueue<K> implements RateLimitingInterface<K> {
  private readonly limiter: RateLimiter<K>;

  constructor(opts: RateLimitingQueueOptions<K>) {
    super(opts.clock);
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter<K>(opts.clock);
  }

  addRateLimited(key: K): void {
    this.addAfter(key, this.limiter.when(key));
  }

  forget(key: K): void {
    this.limiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.limiter.numRequeues(key);
  }
}
