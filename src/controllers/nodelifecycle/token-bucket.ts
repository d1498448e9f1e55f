/**
 * The token bucket node eviction is paced by (upstream's
 * flowcontrol.NewTokenBucketRateLimiter over x/time/rate): it starts full,
 * refills at `qps` tokens a second up to `burst`, and each accepted action
 * takes one token. A rate of zero or less never accepts, as upstream swaps in
 * its "never" limiter for that rate. Time comes from the injected clock.
 */
import type { Clock } from '../../machinery/clock.js';

export interface RateLimiter {
  readonly qps: number;
  /** Takes a token if one is there; never waits. */
  tryAccept(): boolean;
}

export class TokenBucket implements RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = qps > 0 ? burst : 0;
    this.last = clock.now();
  }

  tryAccept(): boolean {
    if (this.qps <= 0) return false;
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
