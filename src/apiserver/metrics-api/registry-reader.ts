/**
 * Reads nodes and pods for the metrics API from the server's registry,
 * which answers from the watch cache: no storage round trip per request.
 */
import type { KubeObject } from '../../machinery/meta/types.js';
import type { Registry } from '../registry/build.js';
import type { MetricsObjectReader } from './metrics-api.js';

export function registryReader(registry: () => Registry): MetricsObjectReader {
  const list = async (resource: string, namespace: string): Promise<readonly Readonly<KubeObject>[]> => {
    const store = registry().storeFor('', resource);
    if (!store) return [];
    // Any recent state will do, as metrics-server reads from its informers.
    const result = await store.list({ namespace, resourceVersion: '0' });
    return result.items.map((c) => c.object);
  };
  return {
    listNodes: () => list('nodes', ''),
    listPods: (namespace) => list('pods', namespace),
  };
}
