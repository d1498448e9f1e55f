/**
 * A timing wheel for periodic work over many items (simulated nodes' lease
 * renewals and status reports). Each item is due once per period; items are
 * dealt round-robin into period/tick slots, and one timer fires a whole slot
 * per tick. Thousands of nodes then cost a handful of timers, and the server
 * receives their heartbeats in bursts it can take in a few wake-ups rather
 * than one wake-up per node (a lone small request costs a server several
 * times what the same request costs in a batch).
 */
import type { Clock, Timer } from '../machinery/clock.js';

export interface HeartbeatWheelOptions<T> {
  clock: Clock;
  /** How often each item is due. */
  periodMs: number;
  /** How often a slot fires; the period is divided into max(1, round(period / tick)) slots. */
  tickMs: number;
  /** Called with the items of the slot that is due, in the order they were added. */
  fire: (items: readonly T[]) => void;
}

export class HeartbeatWheel<T> {
  private readonly slots: T[][];
  private readonly tickMs: number;
  private next = 0;
  private added = 0;
  private timer?: Timer;

  constructor(private readonly opts: HeartbeatWheelOptions<T>) {
    if (!(opts.periodMs > 0) || !(opts.tickMs > 0)) throw new Error('heartbeat period and tick must be positive');
    const count = Math.max(1, Math.round(opts.periodMs / opts.tickMs));
    // The slots together span the period exactly, so each item is due once per period.
    this.tickMs = opts.periodMs / count;
    this.slots = Array.from({ length: count }, () => []);
  }

  /** Adds an item to the next slot in turn: the items spread evenly over the period. */
  add(item: T): void {
    this.slots[this.added++ % this.slots.length]!.push(item);
  }

  /** Fires the first slot one tick from now, then one slot per tick until stopped. */
  start(): void {
    if (this.timer) return;
    this.schedule();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  get slotCount(): number {
    return this.slots.length;
  }

  private schedule(): void {
    this.timer = this.opts.clock.setTimeout(() => {
      const slot = this.slots[this.next]!;
      this.next = (this.next + 1) % this.slots.length;
      this.schedule();
      if (slot.length) this.opts.fire(slot);
    }, this.tickMs);
  }
}
