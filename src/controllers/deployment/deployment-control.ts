/** The deployment controller's writes, through the API. */
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { isNotFound } from '../../machinery/errors/index.js';
import type { GroupVersionResource } from '../../machinery/meta/types.js';
import type { DeploymentControl } from './controller.js';
import type { Deployment, ReplicaSet } from './types.js';

export const DEPLOYMENTS_GVR: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'deployments' };
export const REPLICA_SETS_GVR: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'replicasets' };

export class RealDeploymentControl implements DeploymentControl {
  private readonly deployments: ResourceClient<Deployment>;
  private readonly replicaSets: ResourceClient<ReplicaSet>;

  constructor(rest: RESTClient) {
    this.deployments = new ResourceClient<Deployment>(rest, DEPLOYMENTS_GVR);
    this.replicaSets = new ResourceClient<ReplicaSet>(rest, REPLICA_SETS_GVR);
  }

  createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    return this.replicaSets.inNamespace(rs.metadata.namespace ?? '').create(rs);
  }

  updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    return this.replicaSets.inNamespace(rs.metadata.namespace ?? '').update(rs);
  }

  async deleteReplicaSet(namespace: string, name: string): Promise<void> {
    await this.replicaSets.inNamespace(namespace).delete(name);
  }

  async patchReplicaSet(namespace: string, name: string, patch: unknown): Promise<void> {
    await this.replicaSets.inNamespace(namespace).patch(name, 'merge', patch);
  }

  updateDeploymentStatus(d: Deployment): Promise<Deployment> {
    return this.deployments.inNamespace(d.metadata.namespace ?? '').updateStatus(d);
  }

  async getDeployment(namespace: string, name: string): Promise<Deployment | undefined> {
    try {
      return await this.deployments.inNamespace(namespace).get(name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
