/**
 * Paginated LISTs served from the watch cache. The first page of a LIST with
 * a limit takes a snapshot of the cache's objects (sorted by key) at the
 * cache's revision; the continue tokens of that LIST carry the revision, and
 * the pages they ask for are cut from the same snapshot. Every page is then
 * one consistent state, as from storage at that revision, without reading
 * storage: kubectl asks for 500 objects at a time, so a LIST of thousands is
 * many requests.
 *
 * Snapshots hold references to cached objects, not copies; they are few (the
 * `max` most recently used) and dropped `ttlMs` after their last use. A token
 * whose snapshot is gone (evicted, expired, another server) is served from
 * storage at its revision, as before.
 */
import type { Clock } from '../../machinery/clock.js';
import type { CachedObject } from './cached-object.js';

interface Snapshot {
  items: readonly CachedObject[];
  lastUsed: number;
}

export interface ListSnapshotOptions {
  clock: Clock;
  /** Snapshots kept at most (default 16). */
  max?: number;
  /** Objects referenced by all snapshots together at most (default 200,000): what they can keep alive is bounded. */
  maxItems?: number;
  /** Unused this long, a snapshot is dropped (default 2 minutes). */
  ttlMs?: number;
}

export class ListSnapshots {
  private readonly entries = new Map<string, Snapshot>();
  private readonly max: number;
  private readonly maxItems: number;
  private readonly ttlMs: number;
  private items = 0;

  constructor(private readonly opts: ListSnapshotOptions) {
    this.max = opts.max ?? 16;
    this.maxItems = opts.maxItems ?? 200_000;
    this.ttlMs = opts.ttlMs ?? 120_000;
  }

  /** Keeps `items` (which must not change afterwards) as the state of `prefix` at `revision`. */
  put(prefix: string, revision: number, items: readonly CachedObject[]): void {
    this.expire();
    const k = snapshotKey(prefix, revision);
    this.drop(k);
    if (items.length > this.maxItems) return;
    this.entries.set(k, { items, lastUsed: this.opts.clock.now() });
    this.items += items.length;
    // Map order is insertion order: the first entries are the least recently used.
    for (const old of this.entries.keys()) {
      if (this.entries.size <= this.max && this.items <= this.maxItems) break;
      this.drop(old);
    }
  }

  /** The objects of `prefix` at `revision`, when a snapshot of them is still kept. */
  get(prefix: string, revision: number): readonly CachedObject[] | undefined {
    this.expire();
    const k = snapshotKey(prefix, revision);
    const s = this.entries.get(k);
    if (!s) return undefined;
    s.lastUsed = this.opts.clock.now();
    this.entries.delete(k);
    this.entries.set(k, s);
    return s.items;
  }

  get size(): number {
    return this.entries.size;
  }

  private expire(): void {
    const cutoff = this.opts.clock.now() - this.ttlMs;
    for (const [k, s] of this.entries) if (s.lastUsed < cutoff) this.drop(k);
  }

  private drop(k: string): void {
    const s = this.entries.get(k);
    if (!s) return;
    this.entries.delete(k);
    this.items -= s.items.length;
  }
}

function snapshotKey(prefix: string, revision: number): string {
  return `${revision}\x00${prefix}`;
}

/** The index of the first object whose key is not below `key` (objects sorted by key). */
export function lowerBound(items: readonly CachedObject[], key: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
