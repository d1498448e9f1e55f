/**
 * Fan-out of write events to watchers for backends that see every write in
 * this process (memory, sqlite). The backend registers a watcher and hands it
 * the replayed history in the same synchronous step in which it reads that
 * history, so no write can fall between replay and live delivery.
 */
import type { Clock, Timer } from '../machinery/clock.js';
import type { WatchEvent, WatchOptions } from './interface.js';

interface Watcher {
  prefix: string;
  opts: WatchOptions;
  /** Events at or below this revision are not delivered (the watcher's history already covers them). */
  after: number;
  queue: WatchEvent[];
  scheduled: boolean;
  done: boolean;
  progress?: Timer;
  onAbort: () => void;
}

export interface WatchHubOptions {
  clock: Clock;
  /** How often watchers with `onProgress` hear the current revision. */
  progressIntervalMs: number;
  currentRevision: () => number;
}

export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  constructor(private readonly o: WatchHubOptions) {}

  get size(): number {
    return this.watchers.size;
  }

  /**
   * Starts a watcher whose first delivery is `replay`; later `publish` calls follow it, except events
   * at or below `after` (a backend may publish writes later than they became readable).
   */
  add(prefix: string, opts: WatchOptions, replay: WatchEvent[], after = 0): void {
    if (opts.signal.aborted) return;
    const w: Watcher = {
      prefix,
      opts,
      after,
      queue: replay.slice(),
      scheduled: false,
      done: false,
      onAbort: () => this.remove(w),
    };
    opts.signal.addEventListener('abort', w.onAbort, { once: true });
    this.watchers.add(w);
    if (w.queue.length) this.schedule(w);
    if (opts.onProgress) this.armProgress(w);
  }

  publish(ev: WatchEvent): void {
    for (const w of this.watchers) {
      if (!ev.kv.key.startsWith(w.prefix) || ev.kv.modRevision <= w.after) continue;
      w.queue.push(ev);
      this.schedule(w);
    }
  }

  /** Ends every watcher with `err` (delivered after what is already queued). */
  closeAll(err: Error): void {
    for (const w of [...this.watchers]) {
      this.flush(w);
      this.remove(w);
      const onError = w.opts.onError;
      if (onError) queueMicrotask(() => onError(err));
    }
  }

  private remove(w: Watcher): void {
    if (w.done) return;
    w.done = true;
    w.queue = [];
    w.progress?.cancel();
    w.opts.signal.removeEventListener('abort', w.onAbort);
    this.watchers.delete(w);
  }

  private schedule(w: Watcher): void {
    if (w.scheduled) return;
    w.scheduled = true;
    // Delivery is always asynchronous so a consumer that writes from inside
    // its handler never re-enters the backend's write path.
    queueMicrotask(() => this.flush(w));
  }

  private flush(w: Watcher): void {
    w.scheduled = false;
    if (w.done || !w.queue.length) return;
    const batch = w.queue;
    w.queue = [];
    try {
      w.opts.onEvents(batch);
    } catch {
      // A throwing consumer must not break delivery to the others.
    }
  }

  private armProgress(w: Watcher): void {
    w.progress = this.o.clock.setTimeout(() => {
      if (w.done) return;
      // Progress may only claim a revision once everything before it is out.
      this.flush(w);
      if (!w.done) w.opts.onProgress?.(this.o.currentRevision());
      if (!w.done) this.armProgress(w);
    }, this.o.progressIntervalMs);
  }
}
