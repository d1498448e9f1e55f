/**
 * core/v1 validation as upstream's Validate<Kind> and Validate<Kind>Update:
 * same field paths, same messages. Generic ObjectMeta checks are the server's.
 */
export { validatePodSpec, validatePodTemplateSpec, validatePod, validatePodUpdate, validateEphemeralContainersUpdate, validateBinding, validatePodTemplate } from './validation/pod.js';
export { validateResourceRequirements, validateResourceList, validateResourceQuantityValue } from './validation/resources.js';
export { validateTolerations, validateTaints, validateAffinity, validateNodeSelector, validateNodeSelectorTerm, validateTopologySpreadConstraints } from './validation/scheduling.js';
export { validateProbe } from './validation/containers.js';
export { validateLabelSelector } from './validation/label-selector.js';
export {
  validatePersistentVolumeClaimSpec,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeSpec,
  validatePersistentVolume,
  validatePersistentVolumeUpdate,
} from './validation/persistent-volume.js';
export { validateService, validateServiceUpdate, validateEndpoints } from './validation/service.js';
export { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './validation/config.js';
export { validateNamespace, validateNamespaceUpdate, validateNode, validateNodeUpdate, validateFinalizerName } from './validation/cluster.js';
export { validateResourceQuota, validateLimitRange } from './validation/policy.js';
export { validateReplicationController, validateReplicationControllerStatus } from './validation/replication-controller.js';
export { validateEvent } from './validation/event.js';
export { isConfigMapKey } from './validation/common.js';
