/**
 * A work queue whose keys can be added after a delay, timed by the injected
 * clock. A key already waiting keeps the earlier of its two ready times.
 */
import type { Clock, Timer } from '../../machinery/clock.js';
import { type Interface, Queue } from './queue.js';

export interface DelayingInterface<K = string> extends Interface<K> {
  addAfter(key: K, delayMs: number): void;
}

export class DelayingQueue<K = string> extends Queue<K> implements DelayingInterface<K> {
  private readonly waiting = new Map<K, { at: number; timer: Timer }>();

  constructor(protected readonly clock: Clock) {
    super();
  }

  addAfter(key: K, delayMs: number): void {
    if (this.isShuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + delayMs;
    const existing = this.waiting.get(key);
    if (existing && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.waiting.set(key, { at, timer });
  }

  override shutDown(): void {
    for (const w of this.waiting.values()) w.timer.cancel();
    this.waiting.clear();
    super.shutDown();
  }
}
