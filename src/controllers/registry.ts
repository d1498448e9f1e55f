/**
 * Every controller the manager can run, by upstream name (the names
 * `--kube-controller-manager-arg controllers=...` selects).
 */
import type { ControllerDescriptor } from './framework/controller.js';
import { deploymentControllerDescriptor } from './deployment/controller.js';
import { daemonSetControllerDescriptor } from './daemonset/controller.js';
import { garbageCollectorDescriptor } from './garbagecollector/controller.js';
import { namespaceControllerDescriptor } from './namespace/controller.js';
import { disruptionControllerDescriptor } from './disruption/controller.js';
import { resourceQuotaControllerDescriptor } from './resourcequota/controller.js';
import { rootCACertPublisherDescriptor, serviceAccountControllerDescriptor } from './serviceaccount/index.js';
import { endpointsControllerDescriptor } from './endpoints/controller.js';
import { endpointSliceControllerDescriptor } from './endpointslice/controller.js';
import { endpointSliceMirroringControllerDescriptor } from './endpointslicemirroring/controller.js';
import { nodeLifecycleControllerDescriptor, taintEvictionControllerDescriptor } from './nodelifecycle/index.js';
import { podGCControllerDescriptor } from './podgc/controller.js';
import { nodeIPAMControllerDescriptor } from './nodeipam/controller.js';
import { horizontalPodAutoscalerControllerDescriptor } from './podautoscaler/controller.js';
import { replicaSetControllerDescriptor, replicationControllerDescriptor } from './replicaset/controller.js';
import { statefulSetControllerDescriptor } from './statefulset/controller.js';
import { localPathProvisionerDescriptor, persistentVolumeBinderDescriptor } from './volume/index.js';
import { pvProtectionControllerDescriptor } from './volume/protection-pv-controller.js';
import { pvcProtectionControllerDescriptor } from './volume/protection-pvc-controller.js';
import { jobControllerDescriptor } from './job/controller.js';
import { cronJobControllerDescriptor } from './cronjob/controller.js';
import { ttlAfterFinishedControllerDescriptor } from './ttlafterfinished/controller.js';

export const builtinControllers: readonly ControllerDescriptor[] = [
  replicaSetControllerDescriptor,
  replicationControllerDescriptor,
  deploymentControllerDescriptor,
  namespaceControllerDescriptor,
  resourceQuotaControllerDescriptor, serviceAccountControllerDescriptor, rootCACertPublisherDescriptor, disruptionControllerDescriptor,
  endpointsControllerDescriptor, endpointSliceControllerDescriptor, endpointSliceMirroringControllerDescriptor,
  nodeLifecycleControllerDescriptor, taintEvictionControllerDescriptor,
  nodeIPAMControllerDescriptor,
  podGCControllerDescriptor,
  daemonSetControllerDescriptor,
  garbageCollectorDescriptor,
  statefulSetControllerDescriptor,
  persistentVolumeBinderDescriptor, localPathProvisionerDescriptor, pvcProtectionControllerDescriptor, pvProtectionControllerDescriptor,
  horizontalPodAutoscalerControllerDescriptor,
  jobControllerDescriptor, cronJobControllerDescriptor, ttlAfterFinishedControllerDescriptor,
];
