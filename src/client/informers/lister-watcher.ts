/** What a reflector needs from the API: `ResourceClient` satisfies it; tests pass fakes. */
import type { KubeList, KubeObject } from '../../machinery/meta/types.js';
import type { ListOptions, WatchOptions } from '../rest/resource-client.js';
import type { WatchEvent } from '../rest/watch-decoder.js';

export interface ListerWatcher<T extends KubeObject = KubeObject> {
  list(opts: ListOptions): Promise<KubeList<T>>;
  watch(opts: WatchOptions): AsyncIterable<WatchEvent<T>>;
}
