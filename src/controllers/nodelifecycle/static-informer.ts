/** Informers over fixed objects for the node lifecycle tests: no server, changes only by `update`. */
import type { ListerWatcher } from '../../client/informers/lister-watcher.js';
import { SharedInformer } from '../../client/informers/shared-informer.js';
import type { FakeClock } from '../../machinery/clock.js';
import type { KubeObject } from '../../machinery/meta/types.js';

const idle: ListerWatcher<never> = {
  list: async () => ({ metadata: {}, items: [] }),
  // eslint-disable-next-line require-yield
  watch: async function* () {
    return;
  },
};

/** A synced informer holding `objs`, deep-frozen so a controller mutating what the cache gave it throws. */
export function staticInformer<T extends KubeObject>(clock: FakeClock, objs: T[]): SharedInformer<T> {
  const inf = new SharedInformer<T>({ listerWatcher: idle, clock, freeze: true });
  inf.replace(objs, '1');
  return inf;
}
