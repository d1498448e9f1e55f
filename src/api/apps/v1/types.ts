/**
 * apps/v1 definitions: Deployment, ReplicaSet, StatefulSet, DaemonSet and
 * ControllerRevision, with upstream's field names, formats, required lists,
 * list types and strategic-merge metadata.
 */
import { def, t, type Static, type T } from '../../schema/dsl.js';
import { IntOrString, LabelSelector, ObjectMeta, Time } from '../../meta/v1.js';
import { PersistentVolumeClaim, PodTemplateSpec } from '../../core/v1/types.js';

const P = 'io.k8s.api.apps.v1.';
const gvk = (kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group: 'apps', version: 'v1', kind }] });

const apiVersion = t.string({ description: 'The versioned schema of this representation of an object.' });
const kindField = t.string({ description: 'The REST resource this object represents, in CamelCase.' });
const metadata = t.ref(ObjectMeta, { description: "Standard object's metadata." });

/** A workload condition as every apps/v1 status carries it; Deployments add lastUpdateTime. */
function condition(what: string, withUpdateTime: boolean) {
  const props = {
    lastTransitionTime: t.ref(Time, { description: 'Last time the condition moved from one status to another.' }),
    message: t.string({ description: 'A human-readable message with details about the transition.' }),
    reason: t.string({ description: "The reason for the condition's last transition, in CamelCase." }),
    status: t.string({ description: 'Status of the condition: True, False or Unknown.' }),
    type: t.string({ description: `Type of ${what} condition.` }),
  };
  if (!withUpdateTime) return t.object(props, { required: ['type', 'status'], description: `The state of a ${what} at a point in time.` });
  return t.object(
    { ...props, lastUpdateTime: t.ref(Time, { description: 'The last time this condition was updated.' }) },
    { required: ['type', 'status'], description: `The state of a ${what} at a point in time.` },
  );
}

function conditionList<X>(item: T<X>, what: string): T<X[]> {
  return t.array(item, { listType: 'map', mapKeys: ['type'], mergeKey: 'type', patchStrategy: 'merge', description: `The latest observations of the ${what}'s current state.` });
}

// ---- Deployment ----

export const RollingUpdateDeployment = def(
  P + 'RollingUpdateDeployment',
  t.object(
    {
      maxSurge: t.ref(IntOrString, { description: 'How many pods may be created above the desired count during an update, as a number or a percentage (default 25%).' }),
      maxUnavailable: t.ref(IntOrString, { description: 'How many pods may be unavailable during an update, as a number or a percentage (default 25%).' }),
    },
    { description: 'Parameters of a rolling update.' },
  ),
);

export const DeploymentStrategy = def(
  P + 'DeploymentStrategy',
  t.object(
    {
      rollingUpdate: t.ref(RollingUpdateDeployment, { description: 'Rolling update parameters; only with type RollingUpdate.' }),
      type: t.enum(['Recreate', 'RollingUpdate'], { description: 'How pods are replaced: Recreate or RollingUpdate (the default).' }),
    },
    { description: 'How to replace existing pods with new ones.' },
  ),
);

export const DeploymentSpec = def(
  P + 'DeploymentSpec',
  t.object(
    {
      minReadySeconds: t.int32({ description: 'Seconds a new pod must be ready without crashing to count as available (default 0).' }),
      paused: t.bool({ description: 'Whether the deployment is paused: changes to the template do not roll out.' }),
      progressDeadlineSeconds: t.int32({ description: 'Seconds a rollout may make no progress before it is reported as failed (default 600).' }),
      replicas: t.int32({ description: 'Number of desired pods (default 1).' }),
      revisionHistoryLimit: t.int32({ description: 'How many old ReplicaSets to keep for rollback (default 10).' }),
      selector: t.ref(LabelSelector, { description: 'Label selector for the pods; must match the template labels and is immutable.' }),
      // A ref with a patch strategy on the referring property, as upstream publishes it.
      strategy: t.raw<DeploymentStrategyT>({ allOf: [DeploymentStrategy.schema], 'x-kubernetes-patch-strategy': 'retainKeys', description: 'How existing pods are replaced by new ones.' }),
      template: t.ref(PodTemplateSpec, { description: 'The pods to create.' }),
    },
    { required: ['selector', 'template'], description: 'The desired behaviour of a Deployment.' },
  ),
);

export const DeploymentCondition = def(P + 'DeploymentCondition', condition('deployment', true));

export const DeploymentStatus = def(
  P + 'DeploymentStatus',
  t.object(
    {
      availableReplicas: t.int32({ description: 'Pods targeted by this deployment that have been ready for at least minReadySeconds.' }),
      collisionCount: t.int32({ description: 'Count of hash collisions, used to name the newest ReplicaSet.' }),
      conditions: conditionList(t.ref(DeploymentCondition), 'deployment'),
      observedGeneration: t.int64({ description: 'The generation observed by the deployment controller.' }),
      readyReplicas: t.int32({ description: 'Pods targeted by this deployment with a Ready condition.' }),
      replicas: t.int32({ description: 'Non-terminating pods targeted by this deployment (their labels match the selector).' }),
      unavailableReplicas: t.int32({ description: 'Pods still needed for the deployment to reach 100% availability.' }),
      updatedReplicas: t.int32({ description: 'Non-terminating pods that have the desired template.' }),
    },
    { description: 'The most recently observed status of a Deployment.' },
  ),
);

export const Deployment = def(
  P + 'Deployment',
  t.object({
    apiVersion,
    kind: kindField,
    metadata,
    spec: t.ref(DeploymentSpec, { description: 'Desired behaviour of the Deployment.' }),
    status: t.ref(DeploymentStatus, { description: 'Most recently observed status of the Deployment.' }),
  }, { description: 'Declarative updates for Pods and ReplicaSets.' }),
  gvk('Deployment'),
);

// ---- ReplicaSet ----

export const ReplicaSetSpec = def(
  P + 'ReplicaSetSpec',
  t.object(
    {
      minReadySeconds: t.int32({ description: 'Seconds a new pod must be ready without crashing to count as available (default 0).' }),
      replicas: t.int32({ description: 'Number of desired pods (default 1).' }),
      selector: t.ref(LabelSelector, { description: 'Label query over the pods that count towards the replica count; must match the template labels.' }),
      template: t.ref(PodTemplateSpec, { description: 'The pod created when too few replicas are found.' }),
    },
    { required: ['selector'], description: 'The desired behaviour of a ReplicaSet.' },
  ),
);

export const ReplicaSetCondition = def(P + 'ReplicaSetCondition', condition('replica set', false));

export const ReplicaSetStatus = def(
  P + 'ReplicaSetStatus',
  t.object(
    {
      availableReplicas: t.int32({ description: 'Pods that have been ready for at least minReadySeconds.' }),
      conditions: conditionList(t.ref(ReplicaSetCondition), 'replica set'),
      fullyLabeledReplicas: t.int32({ description: 'Pods whose labels match the labels of the pod template.' }),
      observedGeneration: t.int64({ description: 'The generation of the most recently observed ReplicaSet.' }),
      readyReplicas: t.int32({ description: 'Pods with a Ready condition.' }),
      replicas: t.int32({ description: 'The most recently observed number of replicas.' }),
    },
    { required: ['replicas'], description: 'The current status of a ReplicaSet.' },
  ),
);

export const ReplicaSet = def(
  P + 'ReplicaSet',
  t.object({
    apiVersion,
    kind: kindField,
    metadata: t.ref(ObjectMeta, { description: "Standard object's metadata; its labels may differ from the template's." }),
    spec: t.ref(ReplicaSetSpec, { description: 'Desired behaviour of the ReplicaSet.' }),
    status: t.ref(ReplicaSetStatus, { description: 'Most recently observed status of the ReplicaSet.' }),
  }, { description: 'Keeps a given number of pod replicas running.' }),
  gvk('ReplicaSet'),
);

// ---- StatefulSet ----

export const RollingUpdateStatefulSetStrategy = def(
  P + 'RollingUpdateStatefulSetStrategy',
  t.object(
    {
      maxUnavailable: t.ref(IntOrString, { description: 'How many pods may be unavailable during the update, as a number or a percentage (alpha; default 1).' }),
      partition: t.int32({ description: 'Pods with an ordinal at or above this are updated; lower ones keep the old revision (default 0).' }),
    },
    { description: 'Parameters of a StatefulSet rolling update.' },
  ),
);

export const StatefulSetUpdateStrategy = def(
  P + 'StatefulSetUpdateStrategy',
  t.object(
    {
      rollingUpdate: t.ref(RollingUpdateStatefulSetStrategy, { description: 'Rolling update parameters; only with type RollingUpdate.' }),
      type: t.enum(['OnDelete', 'RollingUpdate'], { description: 'The update strategy: RollingUpdate (the default) or OnDelete.' }),
    },
    { description: 'How the StatefulSet controller replaces pods when the template changes.' },
  ),
);

export const StatefulSetPersistentVolumeClaimRetentionPolicy = def(
  P + 'StatefulSetPersistentVolumeClaimRetentionPolicy',
  t.object(
    {
      whenDeleted: t.string({ description: 'What happens to claims from volumeClaimTemplates when the StatefulSet is deleted: Retain (the default) or Delete.' }),
      whenScaled: t.string({ description: 'What happens to claims from volumeClaimTemplates when the StatefulSet scales down: Retain (the default) or Delete.' }),
    },
    { description: 'The lifecycle of claims created from volumeClaimTemplates.' },
  ),
);

export const StatefulSetOrdinals = def(
  P + 'StatefulSetOrdinals',
  t.object(
    { start: t.int32({ description: 'The number of the first replica index (default 0).' }) },
    { description: 'How replica indices are numbered.' },
  ),
);

export const StatefulSetSpec = def(
  P + 'StatefulSetSpec',
  t.object(
    {
      minReadySeconds: t.int32({ description: 'Seconds a new pod must be ready without crashing to count as available (default 0).' }),
      ordinals: t.ref(StatefulSetOrdinals, { description: 'How replica indices are numbered.' }),
      persistentVolumeClaimRetentionPolicy: t.ref(StatefulSetPersistentVolumeClaimRetentionPolicy, { description: 'Whether claims from volumeClaimTemplates are deleted on scale-down or deletion.' }),
      podManagementPolicy: t.enum(['OrderedReady', 'Parallel'], { description: 'How pods are created and deleted: OrderedReady (the default) one at a time in order, or Parallel.' }),
      replicas: t.int32({ description: 'Number of desired pods (default 1).' }),
      revisionHistoryLimit: t.int32({ description: 'How many ControllerRevisions to keep (default 10).' }),
      selector: t.ref(LabelSelector, { description: 'Label query over the pods that count towards the replica count; must match the template labels.' }),
      serviceName: t.string({ description: 'The headless Service that gives the pods their network identity.' }),
      template: t.ref(PodTemplateSpec, { description: 'The pod each replica is created from.' }),
      updateStrategy: t.ref(StatefulSetUpdateStrategy, { description: 'How pods are replaced when the template changes.' }),
      volumeClaimTemplates: t.array(t.ref(PersistentVolumeClaim), { listType: 'atomic', description: 'Claims each pod gets, named <template>-<pod>.' }),
    },
    { required: ['selector', 'template'], description: 'The desired behaviour of a StatefulSet.' },
  ),
);

export const StatefulSetCondition = def(P + 'StatefulSetCondition', condition('statefulset', false));

export const StatefulSetStatus = def(
  P + 'StatefulSetStatus',
  t.object(
    {
      availableReplicas: t.int32({ description: 'Pods that have been ready for at least minReadySeconds.' }),
      collisionCount: t.int32({ description: 'Count of hash collisions, used to name the newest ControllerRevision.' }),
      conditions: conditionList(t.ref(StatefulSetCondition), 'statefulset'),
      currentReplicas: t.int32({ description: 'Pods created from the currentRevision.' }),
      currentRevision: t.string({ description: 'The revision used for pods with ordinals below the partition.' }),
      observedGeneration: t.int64({ description: 'The most recent generation observed by the controller.' }),
      readyReplicas: t.int32({ description: 'Pods with a Ready condition.' }),
      replicas: t.int32({ description: 'Pods created by the StatefulSet controller.' }),
      updateRevision: t.string({ description: 'The revision used for pods with ordinals at or above the partition.' }),
      updatedReplicas: t.int32({ description: 'Pods created from the updateRevision.' }),
    },
    { required: ['replicas'], description: 'The current state of a StatefulSet.' },
  ),
);

export const StatefulSet = def(
  P + 'StatefulSet',
  t.object({
    apiVersion,
    kind: kindField,
    metadata,
    spec: t.ref(StatefulSetSpec, { description: 'Desired identities of the pods in this set.' }),
    status: t.ref(StatefulSetStatus, { description: 'Current status of the pods in this set; may lag the spec.' }),
  }, { description: 'Pods with stable network identities and stable storage.' }),
  gvk('StatefulSet'),
);

// ---- DaemonSet ----

export const RollingUpdateDaemonSet = def(
  P + 'RollingUpdateDaemonSet',
  t.object(
    {
      maxSurge: t.ref(IntOrString, { description: 'How many nodes may run an updated pod alongside the old one during the update (default 0).' }),
      maxUnavailable: t.ref(IntOrString, { description: 'How many scheduled pods may be unavailable during the update, as a number or a percentage (default 1).' }),
    },
    { description: 'Parameters of a DaemonSet rolling update.' },
  ),
);

export const DaemonSetUpdateStrategy = def(
  P + 'DaemonSetUpdateStrategy',
  t.object(
    {
      rollingUpdate: t.ref(RollingUpdateDaemonSet, { description: 'Rolling update parameters; only with type RollingUpdate.' }),
      type: t.enum(['OnDelete', 'RollingUpdate'], { description: 'The update strategy: RollingUpdate (the default) or OnDelete.' }),
    },
    { description: 'How the DaemonSet controller replaces pods when the template changes.' },
  ),
);

export const DaemonSetSpec = def(
  P + 'DaemonSetSpec',
  t.object(
    {
      minReadySeconds: t.int32({ description: 'Seconds a new pod must be ready without crashing to count as available (default 0).' }),
      revisionHistoryLimit: t.int32({ description: 'How many old history entries to keep for rollback (default 10).' }),
      selector: t.ref(LabelSelector, { description: 'Label query over the pods the daemon set manages; must match the template labels.' }),
      template: t.ref(PodTemplateSpec, { description: 'The pod run on every eligible node.' }),
      updateStrategy: t.ref(DaemonSetUpdateStrategy, { description: 'How pods are replaced when the template changes.' }),
    },
    { required: ['selector', 'template'], description: 'The desired behaviour of a DaemonSet.' },
  ),
);

export const DaemonSetCondition = def(P + 'DaemonSetCondition', condition('DaemonSet', false));

export const DaemonSetStatus = def(
  P + 'DaemonSetStatus',
  t.object(
    {
      collisionCount: t.int32({ description: 'Count of hash collisions, used to name the newest ControllerRevision.' }),
      conditions: conditionList(t.ref(DaemonSetCondition), 'DaemonSet'),
      currentNumberScheduled: t.int32({ description: 'Nodes running at least one daemon pod that are supposed to.' }),
      desiredNumberScheduled: t.int32({ description: 'Nodes that should be running the daemon pod.' }),
      numberAvailable: t.int32({ description: 'Nodes whose daemon pod has been ready for at least minReadySeconds.' }),
      numberMisscheduled: t.int32({ description: 'Nodes running the daemon pod that are not supposed to.' }),
      numberReady: t.int32({ description: 'Nodes whose daemon pod is ready.' }),
      numberUnavailable: t.int32({ description: 'Nodes that should run the daemon pod but have none available.' }),
      observedGeneration: t.int64({ description: 'The most recent generation observed by the controller.' }),
      updatedNumberScheduled: t.int32({ description: 'Nodes running the updated daemon pod.' }),
    },
    { required: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'], description: 'The current status of a DaemonSet.' },
  ),
);

export const DaemonSet = def(
  P + 'DaemonSet',
  t.object({
    apiVersion,
    kind: kindField,
    metadata,
    spec: t.ref(DaemonSetSpec, { description: 'Desired behaviour of the DaemonSet.' }),
    status: t.ref(DaemonSetStatus, { description: 'Most recently observed status of the DaemonSet.' }),
  }, { description: 'Runs a copy of a pod on every eligible node.' }),
  gvk('DaemonSet'),
);

// ---- ControllerRevision ----

export const ControllerRevision = def(
  P + 'ControllerRevision',
  t.object(
    {
      apiVersion,
      data: t.raw<Record<string, unknown>>({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: 'The serialized state this revision records.' }),
      kind: kindField,
      metadata,
      revision: t.int64({ description: 'The revision number of the state in data.' }),
    },
    { required: ['revision'], description: 'An immutable snapshot of state data, used by controllers for rollback.' },
  ),
  gvk('ControllerRevision'),
);

export type RollingUpdateDeploymentT = Static<typeof RollingUpdateDeployment>;
export type DeploymentStrategyT = Static<typeof DeploymentStrategy>;
export type DeploymentSpecT = Static<typeof DeploymentSpec>;
export type DeploymentConditionT = Static<typeof DeploymentCondition>;
export type DeploymentStatusT = Static<typeof DeploymentStatus>;
export type DeploymentT = Static<typeof Deployment>;
export type ReplicaSetSpecT = Static<typeof ReplicaSetSpec>;
export type ReplicaSetConditionT = Static<typeof ReplicaSetCondition>;
export type ReplicaSetStatusT = Static<typeof ReplicaSetStatus>;
export type ReplicaSetT = Static<typeof ReplicaSet>;
export type RollingUpdateStatefulSetStrategyT = Static<typeof RollingUpdateStatefulSetStrategy>;
export type StatefulSetUpdateStrategyT = Static<typeof StatefulSetUpdateStrategy>;
export type StatefulSetPersistentVolumeClaimRetentionPolicyT = Static<typeof StatefulSetPersistentVolumeClaimRetentionPolicy>;
export type StatefulSetOrdinalsT = Static<typeof StatefulSetOrdinals>;
export type StatefulSetSpecT = Static<typeof StatefulSetSpec>;
export type StatefulSetConditionT = Static<typeof StatefulSetCondition>;
export type StatefulSetStatusT = Static<typeof StatefulSetStatus>;
export type StatefulSetT = Static<typeof StatefulSet>;
export type RollingUpdateDaemonSetT = Static<typeof RollingUpdateDaemonSet>;
export type DaemonSetUpdateStrategyT = Static<typeof DaemonSetUpdateStrategy>;
export type DaemonSetSpecT = Static<typeof DaemonSetSpec>;
export type DaemonSetConditionT = Static<typeof DaemonSetCondition>;
export type DaemonSetStatusT = Static<typeof DaemonSetStatus>;
export type DaemonSetT = Static<typeof DaemonSet>;
export type ControllerRevisionT = Static<typeof ControllerRevision>;

export const appsV1Definitions = [
  RollingUpdateDeployment,
  DeploymentStrategy,
  DeploymentSpec,
  DeploymentCondition,
  DeploymentStatus,
  Deployment,
  ReplicaSetSpec,
  ReplicaSetCondition,
  ReplicaSetStatus,
  ReplicaSet,
  RollingUpdateStatefulSetStrategy,
  StatefulSetUpdateStrategy,
  StatefulSetPersistentVolumeClaimRetentionPolicy,
  StatefulSetOrdinals,
  StatefulSetSpec,
  StatefulSetCondition,
  StatefulSetStatus,
  StatefulSet,
  RollingUpdateDaemonSet,
  DaemonSetUpdateStrategy,
  DaemonSetSpec,
  DaemonSetCondition,
  DaemonSetStatus,
  DaemonSet,
  ControllerRevision,
] as const;
