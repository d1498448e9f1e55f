/**
 * Every controller the manager can run, by upstream name (the names
 * `--kube-controller-manager-arg controllers=...` selects).
 */
import type { ControllerDescriptor } from './framework/controller.js';
import { namespaceControllerDescriptor } from './namespace/controller.js';
import { replicaSetControllerDescriptor, replicationControllerDescriptor } from './replicaset/controller.js';

export const builtinControllers: readonly ControllerDescriptor[] = [
  replicaSetControllerDescriptor,
  replicationControllerDescriptor,
  namespaceControllerDescriptor,
];
