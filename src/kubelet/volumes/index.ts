/**
 * Pod volumes on the node.
 *
 *   const vm = new VolumeManager({ rootDir, client });
 *   const r = await vm.setUp(pod, { nodeAllocatable });
 *   if (!r.ok) -> record each r.failures[i].message as a FailedMount event, retry later
 *   const m = await r.mounts(container.name, { envs });   // envs from resolveEnv, for subPathExpr
 *   if (!m.ok) -> container waiting with m.reason (CreateContainerConfigError), m.message
 *   else ContainerConfig.mounts = m.mounts
 *   await vm.resync(pod)      // periodically / on config map, secret or pod metadata change
 *   await vm.tearDown(uid)    // after the pod's containers are gone
 *
 * Layout: `<rootDir>/pods/<uid>/volumes/<plugin>/<name>` with plugin names
 * as kubelet's (kubernetes.io~empty-dir, ~configmap, ~secret, ~downward-api,
 * ~projected); hostPath and persistent volumes mount their own paths.
 */
export {
  type ContainerMountsOptions, type ContainerMountsResult, type MountsFor, type ResyncResult, type SetUpDeps, type SetUpResult, type TearDownResult,
  type VolumeFailure, type VolumeManagerOptions, PLUGIN_CONFIG_MAP, PLUGIN_DOWNWARD_API, PLUGIN_EMPTY_DIR, PLUGIN_PROJECTED, PLUGIN_SECRET, VolumeManager,
} from './volume-manager.js';
export { AtomicWriter, type FileProjection, type Payload, type WriteResult, validatePayloadPath } from './atomic-writer.js';
export { type HostPathType, checkHostPathType } from './host-path.js';
export { type Mounter, type MountResult, HostMounter } from './mounter.js';
export { checkSubPath, expandSubPathExpr, prepareSubPath } from './subpath.js';
export { TokenManager, type TokenRequestSpec, type TokenResult } from './token-manager.js';
