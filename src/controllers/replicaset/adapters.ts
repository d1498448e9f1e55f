/**
 * ReplicaSets and ReplicationControllers differ only in where the selector
 * lives and what it looks like; one adapter per resource hides that.
 */
import { type LabelSelector, Selector, labelSelectorAsSelector, selectorFromSet } from '../../machinery/labels/selector.js';
import type { GroupVersionResource, KubeObject } from '../../machinery/meta/types.js';
import type { PodTemplateSpec } from '../framework/pods.js';

export interface ReplicaSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

/** Both kinds: spec.selector is a LabelSelector (apps/v1) or a label map (core/v1). */
export interface ReplicatedObject extends KubeObject {
  spec?: { replicas?: number; minReadySeconds?: number; selector?: unknown; template?: PodTemplateSpec };
  status?: ReplicaSetStatus;
}

export interface ReplicaSetAdapter {
  gvr: GroupVersionResource;
  apiVersion: string;
  kind: string;
  /** Name in the manager's registry. */
  controllerName: string;
  /** Component name on events, as upstream. */
  component: string;
  selector(obj: ReplicatedObject): Selector;
}

export const replicaSetAdapter: ReplicaSetAdapter = {
  gvr: { group: 'apps', version: 'v1', resource: 'replicasets' },
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  controllerName: 'replicaset',
  component: 'replicaset-controller',
  selector: (obj) => labelSelectorAsSelector(obj.spec?.selector as LabelSelector | undefined),
};

export const replicationControllerAdapter: ReplicaSetAdapter = {
  gvr: { group: '', version: 'v1', resource: 'replicationcontrollers' },
  apiVersion: 'v1',
  kind: 'ReplicationController',
  controllerName: 'replicationcontroller',
  component: 'replication-controller',
  selector: (obj) => {
    const set = obj.spec?.selector as Record<string, string> | undefined;
    // An empty RC selector would select every pod in the namespace; the API defaults it, so refuse it here.
    return set && Object.keys(set).length ? selectorFromSet(set) : Selector.nothing();
  },
};
