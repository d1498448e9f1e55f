/**
 * Keeps a store in step with the server: list (paged), then watch from the
 * list's resourceVersion with bookmarks. A watch the server ends normally is
 * resumed from the last seen resourceVersion; 410 Gone (ERROR event or
 * response) forces a fresh list; any other failure is retried after an
 * exponential back-off timed by the injected clock.
 */
import type { Clock } from '../../machinery/clock.js';
import { StatusError, isGone } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { ListerWatcher } from './lister-watcher.js';

/** Receives what the reflector learns; the shared informer implements it. */
export interface ReflectorStore<T extends KubeObject> {
  replace(objs: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
}

export interface ReflectorOptions<T extends KubeObject> {
  listerWatcher: ListerWatcher<T>;
  store: ReflectorStore<T>;
  clock: Clock;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size of the initial list. */
  pageSize?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** Server-side watch timeout; a random value in [min, 2*min) spreads reconnects. */
  minWatchTimeoutSeconds?: number;
  /** Gets told about every failure that leads to a retry (for logging). */
  onError?: (err: unknown) => void;
}

export class Reflector<T extends KubeObject = KubeObject> {
  private rv = '';
  private backoffMs: number;

  constructor(private readonly opts: ReflectorOptions<T>) {
    this.backoffMs = opts.backoff?.initialMs ?? 800;
  }

  /** The resourceVersion of the last list, event or bookmark seen. */
  lastSyncResourceVersion(): string {
    return this.rv;
  }

  /** Runs until `signal` aborts; never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.list(signal);
          needList = false;
          this.backoffMs = this.opts.backoff?.initialMs ?? 800;
        }
        const outcome = await this.watch(signal);
        if (outcome === 'gone') needList = true;
        // A server that ends watches at once must not be hammered in a tight loop.
        if (outcome === 'empty') await this.opts.clock.sleep(this.opts.backoff?.initialMs ?? 800, signal);
      } catch (err) {
        if (signal.aborted) return;
        this.opts.onError?.(err);
        if (isGone(err)) {
          needList = true;
          continue;
        }
        // The watch may have missed events while failing: start over from a list.
        needList = true;
        const wait = this.backoffMs;
        this.backoffMs = Math.min(this.backoffMs * 2, this.opts.backoff?.maxMs ?? 30_000);
        try {
          await this.opts.clock.sleep(wait, signal);
        } catch {
          return;
        }
      }
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.opts.listerWatcher.list({
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        limit: this.opts.pageSize ?? 500,
        continue: cont,
        signal,
      });
      items.push(...page.items);
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion ?? rv;
    } while (cont && !signal.aborted);
    if (signal.aborted) return;
    this.rv = rv;
    this.opts.store.replace(items, rv);
  }

  private async watch(signal: AbortSignal): Promise<'ended' | 'empty' | 'gone'> {
    const min = this.opts.minWatchTimeoutSeconds ?? 300;
    const events = this.opts.listerWatcher.watch({
      resourceVersion: this.rv,
      allowWatchBookmarks: true,
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      timeoutSeconds: Math.floor(min * (1 + Math.random())),
      signal,
    });
    let seen = 0;
    for await (const ev of events) {
      if (signal.aborted) break;
      seen++;
      if (ev.type === 'ERROR') {
        if (ev.object.code === 410) return 'gone';
        throw StatusError.fromStatus(ev.object);
      }
      const rv = ev.object.metadata?.resourceVersion;
      if (ev.type === 'ADDED') this.opts.store.add(ev.object);
      else if (ev.type === 'MODIFIED') this.opts.store.update(ev.object);
      else if (ev.type === 'DELETED') this.opts.store.delete(ev.object);
      if (rv) this.rv = rv;
    }
    return seen ? 'ended' : 'empty';
  }
}
