/**
 * Expiry timers for leases, driven by the injected clock so tests can step
 * time. The backend owns the lease records; this only says when one is due.
 */
import type { Clock, Timer } from '../machinery/clock.js';

export class LeaseTimers {
  private readonly timers = new Map<number, Timer>();

  constructor(private readonly clock: Clock, private readonly onExpire: (id: number) => void) {}

  /** (Re)arms the lease to expire at `expiresAt` (clock milliseconds). */
  set(id: number, expiresAt: number): void {
    this.timers.get(id)?.cancel();
    const t = this.clock.setTimeout(() => {
      this.timers.delete(id);
      this.onExpire(id);
    }, Math.max(0, expiresAt - this.clock.now()));
    this.timers.set(id, t);
  }

  delete(id: number): void {
    this.timers.get(id)?.cancel();
    this.timers.delete(id);
  }

  dispose(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}
