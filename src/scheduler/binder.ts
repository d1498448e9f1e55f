/**
 * Binds pods by POSTing a Binding to pods/{name}/binding, as the upstream
 * DefaultBinder does; API failures come back as an error Status.
 */
import type { PodT } from '../api/core/v1/types.js';
import type { ResourceClient } from '../client/rest/resource-client.js';
import type { PodBinder } from './framework/interface.js';
import { Status } from './framework/status.js';

export class APIBinder implements PodBinder {
  constructor(private readonly pods: ResourceClient) {}

  async bind(pod: PodT, nodeName: string): Promise<Status> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace, uid: pod.metadata?.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    try {
      await this.pods.inNamespace(namespace).createSubresource(name, 'binding', binding);
      return Status.success();
    } catch (err) {
      return Status.error(err instanceof Error ? err.message : String(err));
    }
  }
}
