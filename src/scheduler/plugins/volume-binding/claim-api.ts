/** The ClaimAPI VolumeBinding's PreBind uses, over the API server. */
import type { PersistentVolumeClaimT } from '../../../api/core/v1/types.js';
import type { RESTClient } from '../../../client/rest/rest-client.js';
import { ResourceClient } from '../../../client/rest/resource-client.js';
import { isNotFound } from '../../../machinery/errors/index.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import { ANN_SELECTED_NODE, type ClaimAPI } from './volume-binding.js';

export function restClaimAPI(rest: RESTClient): ClaimAPI {
  const claims = new ResourceClient<PersistentVolumeClaimT & KubeObject>(rest, { group: '', version: 'v1', resource: 'persistentvolumeclaims' });
  return {
    async get(namespace, name) {
      try {
        return await claims.inNamespace(namespace).get(name);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async selectNode(namespace, name, nodeName) {
      await claims.inNamespace(namespace).patch(name, 'merge', { metadata: { annotations: { [ANN_SELECTED_NODE]: nodeName } } });
    },
  };
}
