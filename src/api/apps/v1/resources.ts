/**
 * The apps/v1 resources as upstream's discovery lists them.
 */
import { ALL_VERBS, type ResourceType, type ScaleInfo, type SubresourceInfo } from '../../scheme.js';
import { dispatchValidation as dispatch } from './validation-dispatch.js';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from './defaults.js';
import { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from './types.js';
import * as v from './validation.js';

const group = 'apps';
const version = 'v1';

const statusOf = (kind: string): SubresourceInfo => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });
const scaleSub: SubresourceInfo = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };

/**
 * Built-in workloads keep the selector as a LabelSelector object at
 * `.spec.selector`; the scale subresource reports it in its string form.
 */
const replicasScale: ScaleInfo = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' };

export const deployments: ResourceType = {
  group,
  version,
  kind: 'Deployment',
  resource: 'deployments',
  singular: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: [statusOf('Deployment'), scaleSub],
  scale: replicasScale,
  hasStatus: true,
  storageVersion: true,
  definition: Deployment,
  defaults: (o) => defaultDeployment(o as never),
  validate: dispatch({ create: v.validateDeployment, update: v.validateDeploymentUpdate, status: v.validateDeploymentStatusUpdate }),
};

export const replicaSets: ResourceType = {
  group,
  version,
  kind: 'ReplicaSet',
  resource: 'replicasets',
  singular: 'replicaset',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: [statusOf('ReplicaSet'), scaleSub],
  scale: replicasScale,
  hasStatus: true,
  storageVersion: true,
  definition: ReplicaSet,
  defaults: (o) => defaultReplicaSet(o as never),
  validate: dispatch({ create: v.validateReplicaSet, update: v.validateReplicaSetUpdate, status: v.validateReplicaSetStatusUpdate }),
};

export const statefulSets: ResourceType = {
  group,
  version,
  kind: 'StatefulSet',
  resource: 'statefulsets',
  singular: 'statefulset',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: [statusOf('StatefulSet'), scaleSub],
  scale: replicasScale,
  hasStatus: true,
  storageVersion: true,
  definition: StatefulSet,
  defaults: (o) => defaultStatefulSet(o as never),
  validate: dispatch({ create: v.validateStatefulSet, update: v.validateStatefulSetUpdate, status: v.validateStatefulSetStatusUpdate }),
};

export const daemonSets: ResourceType = {
  group,
  version,
  kind: 'DaemonSet',
  resource: 'daemonsets',
  singular: 'daemonset',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: [statusOf('DaemonSet')],
  hasStatus: true,
  storageVersion: true,
  definition: DaemonSet,
  defaults: (o) => defaultDaemonSet(o as never),
  validate: dispatch({ create: v.validateDaemonSet, update: v.validateDaemonSetUpdate, status: v.validateDaemonSetStatusUpdate }),
};

export const controllerRevisions: ResourceType = {
  group,
  version,
  kind: 'ControllerRevision',
  resource: 'controllerrevisions',
  singular: 'controllerrevision',
  namespaced: true,
  verbs: ALL_VERBS,
  storageVersion: true,
  definition: ControllerRevision,
  validate: dispatch({ create: v.validateControllerRevision, update: v.validateControllerRevisionUpdate }),
};

export const appsV1Resources: readonly ResourceType[] = [controllerRevisions, daemonSets, deployments, replicaSets, statefulSets];
