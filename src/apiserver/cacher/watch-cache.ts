/**
 * The API server's watch cache. One backend watch over the whole registry
 * feeds a cache per resource prefix, so LIST and WATCH from any number of
 * clients never touch the backend. Each resource keeps a bounded history of
 * events so watches can resume from a recent resourceVersion; older ones
 * fall back to a direct backend watch (and get 410 once compacted).
 */
import type { Clock } from '../../machinery/clock.js';
import type { Logger } from '../../machinery/log.js';
import type { Backend, WatchEvent as BackendEvent } from '../../storage/interface.js';
import { CachedObject } from './cached-object.js';
import { lowerBound } from './list-snapshots.js';

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: CacheEventType;
  object: CachedObject;
  /** The object before this event (for MODIFIED and DELETED). */
  prev?: CachedObject;
  revision: number;
}

export interface CacheWatchOptions {
  /** Deliver events with revision > fromRevision. */
  fromRevision: number;
  /** Only keys with this prefix (a namespace, or one object). */
  keyPrefix?: string;
  onEvents(events: CacheEvent[]): void;
  /** The watch cannot continue (too old, cache reset). */
  onError(err: Error): void;
  signal: AbortSignal;
}

export class TooOldError extends Error {
  constructor(readonly requested: number, readonly oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
    this.name = 'TooOldError';
  }
}

interface Watcher {
  keyPrefix: string;
  onEvents(events: CacheEvent[]): void;
  onError(err: Error): void;
}

export interface WatchCacheOptions {
  backend: Backend;
  logger: Logger;
  clock: Clock;
  /** Events kept per resource for resuming watches. */
  historySize?: number;
  /** Deep-freeze cached objects (tests), so mutation of cached state throws. */
  freeze?: boolean;
}

export class ResourceCache {
  private readonly objects = new Map<string, CachedObject>();
  private sorted: CachedObject[] | undefined;
  private readonly history: CacheEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  /** The cache holds every event after this revision. */
  private completeSince: number;

  constructor(
    readonly prefix: string,
    private readonly root: WatchCache,
    startRevision: number,
    private readonly historySize: number,
  ) {
    this.completeSince = startRevision;
  }

  get size(): number {
    return this.objects.size;
  }

  get revision(): number {
    return this.root.revision;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  get(key: string): CachedObject | undefined {
    return this.objects.get(key);
  }

  /** Current objects in key order, optionally under a key prefix (namespace). */
  list(keyPrefix?: string): CachedObject[] {
    this.sorted ??= [...this.objects.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (!keyPrefix || keyPrefix === this.prefix) return this.sorted;
    // Namespaces are contiguous: from the first key with the prefix on.
    const out: CachedObject[] = [];
    for (let i = lowerBound(this.sorted, keyPrefix); i < this.sorted.length && this.sorted[i]!.key.startsWith(keyPrefix); i++) out.push(this.sorted[i]!);
    return out;
  }

  /** `list(keyPrefix)` as an array of its own, which later events do not change (a paginated LIST's snapshot). */
  snapshot(keyPrefix?: string): CachedObject[] {
    const l = this.list(keyPrefix);
    // Only the whole resource's list is the cache's own sorted view, updated in place.
    return l === this.sorted ? l.slice() : l;
  }

  /** Loads an object without an event (initial fill). */
  seed(obj: CachedObject): void {
    this.objects.set(obj.key, obj);
    this.sorted = undefined;
  }

  apply(ev: BackendEvent, freeze: boolean): CacheEvent {
    const prev = this.objects.get(ev.kv.key);
    let event: CacheEvent;
    if (ev.type === 'PUT') {
      const obj = CachedObject.fromKV(ev.kv, { freeze });
      if (!prev) this.sorted = undefined;
      else if (this.sorted) {
        // Same key, same place: found by binary search, not a scan of every object.
        const i = lowerBound(this.sorted, prev.key);
        if (this.sorted[i] === prev) this.sorted[i] = obj;
        else this.sorted = undefined;
      }
      this.objects.set(ev.kv.key, obj);
      event = { type: prev ? 'MODIFIED' : 'ADDED', object: obj, prev, revision: ev.kv.modRevision };
    } else {
      // The deleted object is reported with the delete's revision as its resourceVersion.
      const last = prev ?? (ev.prev ? CachedObject.fromKV(ev.prev, { freeze }) : undefined);
      const base = last ? last.clone() : { metadata: {} };
      base.metadata.resourceVersion = String(ev.kv.modRevision);
      const obj = new CachedObject(ev.kv.key, base as CachedObject['object'], ev.kv.modRevision);
      this.objects.delete(ev.kv.key);
      this.sorted = undefined;
      event = { type: 'DELETED', object: obj, prev: last, revision: ev.kv.modRevision };
    }
    this.history.push(event);
    if (this.history.length > this.historySize) {
      const dropped = this.history.splice(0, this.history.length - this.historySize);
      this.completeSince = dropped[dropped.length - 1]!.revision;
    }
    return event;
  }

  /** Hands each watcher the events under its prefix; watchers read the arrays they get, never change them. */
  dispatch(events: CacheEvent[]): void {
    if (!events.length || !this.watchers.size) return;
    // Many watchers share a prefix (a thousand watches of one namespace): each prefix's events are picked once.
    const byPrefix = new Map<string, CacheEvent[]>();
    for (const w of this.watchers) {
      let mine = w.keyPrefix === this.prefix ? events : byPrefix.get(w.keyPrefix);
      if (mine === undefined) {
        mine = events.filter((e) => e.object.key.startsWith(w.keyPrefix));
        byPrefix.set(w.keyPrefix, mine);
      }
      if (mine.length) {
        try {
          w.onEvents(mine);
        } catch (err) {
          this.watchers.delete(w);
          w.onError(err instanceof Error ? err : new Error(String(err)));
        }
      }
    }
  }

  /**
   * Replays history after `fromRevision` and then follows live events.
   * Throws TooOldError when the history no longer reaches back that far.
   */
  watch(opts: CacheWatchOptions): void {
    if (opts.fromRevision < this.completeSince) throw new TooOldError(opts.fromRevision, this.completeSince + 1);
    const keyPrefix = opts.keyPrefix ?? this.prefix;
    const w: Watcher = { keyPrefix, onEvents: opts.onEvents, onError: opts.onError };
    const replay = this.history.filter((e) => e.revision > opts.fromRevision && e.object.key.startsWith(keyPrefix));
    if (replay.length) opts.onEvents(replay);
    if (opts.signal.aborted) return;
    this.watchers.add(w);
    opts.signal.addEventListener('abort', () => this.watchers.delete(w), { once: true });
  }

  /** Ends every watcher with an error (used when the cache must be rebuilt). */
  failAll(err: Error): void {
    const ws = [...this.watchers];
    this.watchers.clear();
    for (const w of ws) w.onError(err);
  }

  reset(startRevision: number): void {
    this.objects.clear();
    this.sorted = undefined;
    this.history.length = 0;
    this.completeSince = startRevision;
  }
}

export class WatchCache {
  private readonly caches = new Map<string, ResourceCache>();
  /** Objects whose prefix no cache has claimed yet (e.g. a CRD not yet served). */
  private readonly unclaimed = new Map<string, CachedObject>();
  private rev = 0;
  private readonly abort = new AbortController();
  private readonly freshWaiters: { rev: number; resolve: () => void }[] = [];
  private readonly historySize: number;
  private started = false;

  constructor(private readonly opts: WatchCacheOptions) {
    this.historySize = opts.historySize ?? 2000;
  }

  get revision(): number {
    return this.rev;
  }

  /** Loads the registry and follows it. Resolves once the cache is filled. */
  async start(): Promise<void> {
    const { backend } = this.opts;
    const all = await backend.range('/registry/', {});
    this.rev = all.revision;
    for (const c of this.caches.values()) c.reset(this.rev);
    for (const kv of all.kvs) this.place(CachedObject.fromKV(kv, { freeze: this.opts.freeze }));
    this.started = true;
    this.follow(this.rev);
  }

  private follow(fromRevision: number): void {
    this.opts.backend.watch('/registry/', {
      afterRevision: fromRevision,
      signal: this.abort.signal,
      onEvents: (events) => this.ingest(events),
      onProgress: (revision) => this.advance(revision),
      onError: (err) => {
        if (this.abort.signal.aborted) return;
        this.opts.logger.warn('watch cache lost its backend watch; rebuilding', { err: err.message });
        void this.rebuild();
      },
    });
  }

  private async rebuild(): Promise<void> {
    for (const c of this.caches.values()) c.failAll(new Error('watch cache was reset; re-list and watch again'));
    for (;;) {
      if (this.abort.signal.aborted) return;
      try {
        this.unclaimed.clear();
        const all = await this.opts.backend.range('/registry/', {});
        for (const c of this.caches.values()) c.reset(all.revision);
        this.rev = all.revision;
        for (const kv of all.kvs) this.place(CachedObject.fromKV(kv, { freeze: this.opts.freeze }));
        this.follow(this.rev);
        return;
      } catch (err) {
        this.opts.logger.warn('watch cache rebuild failed; retrying', { err: (err as Error).message });
        await this.opts.clock.sleep(1000, this.abort.signal).catch(() => undefined);
      }
    }
  }

  private cacheForKey(key: string): ResourceCache | undefined {
    // Keys are /registry/<resource>/... or /registry/<group>/<resource>/...
    const a = key.indexOf('/', 10);
    if (a < 0) return undefined;
    const one = this.caches.get(key.slice(0, a + 1));
    if (one) return one;
    const b = key.indexOf('/', a + 1);
    return b < 0 ? undefined : this.caches.get(key.slice(0, b + 1));
  }

  private place(obj: CachedObject): void {
    const c = this.cacheForKey(obj.key);
    if (c) c.seed(obj);
    else this.unclaimed.set(obj.key, obj);
  }

  private ingest(events: BackendEvent[]): void {
    const byCache = new Map<ResourceCache, CacheEvent[]>();
    for (const ev of events) {
      const c = this.cacheForKey(ev.kv.key);
      if (c) {
        const ce = c.apply(ev, !!this.opts.freeze);
        let list = byCache.get(c);
        if (!list) byCache.set(c, (list = []));
        list.push(ce);
      } else if (ev.type === 'PUT') {
        this.unclaimed.set(ev.kv.key, CachedObject.fromKV(ev.kv, { freeze: this.opts.freeze }));
      } else {
        this.unclaimed.delete(ev.kv.key);
      }
      if (ev.kv.modRevision > this.rev) this.rev = ev.kv.modRevision;
    }
    for (const [c, evs] of byCache) c.dispatch(evs);
    this.wakeFresh();
  }

  private advance(revision: number): void {
    if (revision > this.rev) this.rev = revision;
    this.wakeFresh();
  }

  private wakeFresh(): void {
    for (let i = this.freshWaiters.length - 1; i >= 0; i--) {
      const w = this.freshWaiters[i]!;
      if (w.rev <= this.rev) {
        this.freshWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /**
   * Waits until the cache has seen every write the backend acknowledged so far,
   * which makes a LIST served from the cache a consistent read. Returns false
   * on timeout (the caller then reads the backend directly).
   */
  async waitFresh(timeoutMs = 3000): Promise<boolean> {
    const target = await this.opts.backend.currentRevision();
    if (target <= this.rev) return true;
    return new Promise<boolean>((resolve) => {
      const timer = this.opts.clock.setTimeout(() => {
        const i = this.freshWaiters.indexOf(waiter);
        if (i >= 0) this.freshWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      const waiter = {
        rev: target,
        resolve: () => {
          timer.cancel();
          resolve(true);
        },
      };
      this.freshWaiters.push(waiter);
    });
  }

  /** The cache for one resource prefix; objects already loaded for it are claimed. */
  register(prefix: string): ResourceCache {
    let c = this.caches.get(prefix);
    if (c) return c;
    c = new ResourceCache(prefix, this, this.rev, this.historySize);
    this.caches.set(prefix, c);
    for (const [key, obj] of this.unclaimed) {
      if (key.startsWith(prefix)) {
        c.seed(obj);
        this.unclaimed.delete(key);
      }
    }
    return c;
  }

  unregister(prefix: string): void {
    const c = this.caches.get(prefix);
    if (!c) return;
    c.failAll(new Error('resource is no longer served'));
    this.caches.delete(prefix);
    for (const obj of c.list()) this.unclaimed.set(obj.key, obj);
  }

  get isStarted(): boolean {
    return this.started;
  }

  totalWatchers(): number {
    let n = 0;
    for (const c of this.caches.values()) n += c.watcherCount;
    return n;
  }

  dispose(): void {
    this.abort.abort();
    for (const c of this.caches.values()) c.failAll(new Error('server is shutting down'));
  }
}
