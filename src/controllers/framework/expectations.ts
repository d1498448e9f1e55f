/**
 * Upstream's ControllerExpectations: after a controller asks for N creates
 * or deletes it must not act on the same key again until its informer has
 * observed them all (or five minutes passed, in case a watch event was lost).
 * Without this a second sync would see a stale cache and create twice.
 * Deletions are tracked by pod key so an observed delete is counted once.
 */
import type { Clock } from '../../machinery/clock.js';

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  add: number;
  del: Set<string>;
  timestamp: number;
}

export class ControllerExpectations {
  private readonly store = new Map<string, Expectation>();

  constructor(private readonly clock: Clock) {}

  /** True when the controller may act: no record, all observed, or expired. */
  satisfied(controllerKey: string): boolean {
    const e = this.store.get(controllerKey);
    if (!e) return true;
    if (e.add <= 0 && e.del.size === 0) return true;
    return this.clock.now() - e.timestamp > EXPECTATIONS_TIMEOUT_MS;
  }

  expectCreations(controllerKey: string, count: number): void {
    this.set(controllerKey, { add: count, del: new Set(), timestamp: this.clock.now() });
  }

  expectDeletions(controllerKey: string, podKeys: readonly string[]): void {
    this.set(controllerKey, { add: 0, del: new Set(podKeys), timestamp: this.clock.now() });
  }

  creationObserved(controllerKey: string): void {
    const e = this.store.get(controllerKey);
    if (e) e.add--;
  }

  deletionObserved(controllerKey: string, podKey: string): void {
    this.store.get(controllerKey)?.del.delete(podKey);
  }

  delete(controllerKey: string): void {
    this.store.delete(controllerKey);
  }

  /** The outstanding counts, for logs and tests. */
  pending(controllerKey: string): { add: number; del: number } | undefined {
    const e = this.store.get(controllerKey);
    return e && { add: e.add, del: e.del.size };
  }

  private set(key: string, e: Expectation): void {
    this.store.set(key, e);
  }
}
