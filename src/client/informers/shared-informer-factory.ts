/**
 * One shared informer per GroupVersionResource for the whole process, so
 * every controller reads the same cache and the server sees one watch.
 */
import type { Clock } from '../../machinery/clock.js';
import type { GroupVersionResource, KubeObject } from '../../machinery/meta/types.js';
import { ResourceClient } from '../rest/resource-client.js';
import type { RESTClient } from '../rest/rest-client.js';
import type { ListerWatcher } from './lister-watcher.js';
import { SharedInformer } from './shared-informer.js';

export interface SharedInformerFactoryOptions {
  /** Where lists and watches come from: a REST client, or a function (tests). */
  source: RESTClient | ((gvr: GroupVersionResource) => ListerWatcher);
  clock: Clock;
  /** Limit every informer to one namespace (all namespaces when empty). */
  namespace?: string;
  freeze?: boolean;
  onError?: (gvr: GroupVersionResource, err: unknown) => void;
}

const gvrKey = (gvr: GroupVersionResource) => `${gvr.group}/${gvr.version}/${gvr.resource}`;

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private readonly running = new Set<string>();
  private readonly runs: Promise<void>[] = [];

  constructor(private readonly opts: SharedInformerFactoryOptions) {}

  /** The informer for `gvr`, created on first request; start it with `start`. */
  informerFor<T extends KubeObject = KubeObject>(gvr: GroupVersionResource): SharedInformer<T> {
    const key = gvrKey(gvr);
    let inf = this.informers.get(key);
    if (!inf) {
      const src = this.opts.source;
      const lw = typeof src === 'function' ? src(gvr) : new ResourceClient(src, gvr, this.opts.namespace ?? '');
      inf = new SharedInformer({ listerWatcher: lw, clock: this.opts.clock, freeze: this.opts.freeze, onError: (err) => this.opts.onError?.(gvr, err) });
      this.informers.set(key, inf);
    }
    return inf as unknown as SharedInformer<T>;
  }

  /** Starts every informer requested so far that is not running yet. */
  start(signal: AbortSignal): void {
    for (const [key, inf] of this.informers) {
      if (this.running.has(key)) continue;
      this.running.add(key);
      this.runs.push(inf.run(signal));
    }
  }

  /** True once every started informer has synced; false if `signal` aborts first. */
  async waitForCacheSync(signal: AbortSignal): Promise<boolean> {
    const started = [...this.informers].filter(([k]) => this.running.has(k)).map(([, inf]) => inf);
    const results = await Promise.all(started.map((inf) => inf.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** Resolves once every started informer has stopped (after the start signal aborted). */
  async shutdown(): Promise<void> {
    await Promise.all(this.runs);
  }
}
