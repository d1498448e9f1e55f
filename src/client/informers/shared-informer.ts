/**
 * One reflector and one indexed cache per resource, shared by every handler
 * in the process. Handlers only see notifications; the objects they get are
 * the cached ones and must not be mutated.
 */
import type { Clock } from '../../machinery/clock.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { Lister } from '../cache/lister.js';
import { deepFreeze } from '../cache/keys.js';
import { CacheIndexer, type Indexers } from '../cache/store.js';
import type { ListerWatcher } from './lister-watcher.js';
import { Reflector, type ReflectorStore } from './reflector.js';

/**
 * What a delete handler gets when the informer learned of the deletion only
 * from a re-list: the last state it knew, which may be stale.
 */
export interface DeletedFinalStateUnknown<T extends KubeObject> {
  kind: 'DeletedFinalStateUnknown';
  key: string;
  obj: T;
}

export function isDeletedFinalStateUnknown<T extends KubeObject>(v: T | DeletedFinalStateUnknown<T>): v is DeletedFinalStateUnknown<T> {
  return (v as DeletedFinalStateUnknown<T>).kind === 'DeletedFinalStateUnknown' && 'obj' in v && 'key' in v;
}

export interface ResourceEventHandler<T extends KubeObject> {
  /** `isInInitialList`: the object came from the first list (or a late handler's replay). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface SharedInformerOptions<T extends KubeObject> {
  listerWatcher: ListerWatcher<T>;
  clock: Clock;
  indexers?: Indexers<T>;
  /** Deep-freeze cached objects so a mutation throws (tests). */
  freeze?: boolean;
  labelSelector?: string;
  fieldSelector?: string;
  backoff?: { initialMs: number; maxMs: number };
  onError?: (err: unknown) => void;
}

export class SharedInformer<T extends KubeObject = KubeObject> implements ReflectorStore<T> {
  readonly indexer: CacheIndexer<T>;
  private readonly handlers = new Set<ResourceEventHandler<T>>();
  private readonly reflector: Reflector<T>;
  private synced = false;
  private started = false;
  private syncWaiters: (() => void)[] = [];

  constructor(private readonly opts: SharedInformerOptions<T>) {
    this.indexer = new CacheIndexer<T>({ indexers: opts.indexers, freeze: opts.freeze });
    this.reflector = new Reflector<T>({
      listerWatcher: opts.listerWatcher,
      store: this,
      clock: opts.clock,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      backoff: opts.backoff,
      onError: opts.onError,
    });
  }

  lister(): Lister<T> {
    return new Lister(this.indexer);
  }

  /** A handler added after the first sync is first told about every cached object. */
  addEventHandler(handler: ResourceEventHandler<T>): Disposable {
    this.handlers.add(handler);
    if (this.synced) for (const obj of this.indexer.list()) this.safely(() => handler.onAdd?.(obj, true));
    return { dispose: () => void this.handlers.delete(handler) };
  }

  addIndexers(indexers: Indexers<T>): void {
    this.indexer.addIndexers(indexers);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list is in the cache, or when `signal` aborts (false). */
  waitForSync(signal: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion();
  }

  /** Runs the reflector until `signal` aborts; a second call is a no-op. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.reflector.run(signal);
  }

  // ReflectorStore: applies what the reflector learned, then notifies.

  replace(objs: T[], _resourceVersion: string): void {
    const initial = !this.synced;
    const before = new Map(this.indexer.listKeys().map((k) => [k, this.indexer.getByKey(k)!]));
    this.indexer.replace(objs);
    for (const obj of objs) {
      const key = this.indexer.keyOf(obj);
      const old = before.get(key);
      before.delete(key);
      if (old) this.notify((h) => h.onUpdate?.(old, obj));
      else this.notify((h) => h.onAdd?.(obj, initial));
    }
    // Whatever vanished between watches was deleted while we were not looking.
    for (const [key, obj] of before) this.notify((h) => h.onDelete?.({ kind: 'DeletedFinalStateUnknown', key, obj }));
    if (initial) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  add(obj: T): void {
    const old = this.indexer.get(obj);
    this.indexer.add(obj);
    if (old) this.notify((h) => h.onUpdate?.(old, obj));
    else this.notify((h) => h.onAdd?.(obj, false));
  }

  update(obj: T): void {
    const old = this.indexer.get(obj);
    this.indexer.update(obj);
    if (old) this.notify((h) => h.onUpdate?.(old, obj));
    else this.notify((h) => h.onAdd?.(obj, false));
  }

  delete(obj: T): void {
    this.indexer.delete(obj);
    if (this.opts.freeze) deepFreeze(obj);
    this.notify((h) => h.onDelete?.(obj));
  }

  private notify(fn: (h: ResourceEventHandler<T>) => void): void {
    for (const h of this.handlers) this.safely(() => fn(h));
  }

  /** One failing handler must not starve the others or stop the reflector. */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.onError?.(err);
    }
  }
}
