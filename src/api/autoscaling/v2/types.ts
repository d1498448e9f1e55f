/**
 * autoscaling/v2 definitions: HorizontalPodAutoscaler with metric sources,
 * scaling behaviour and status, as upstream publishes them. This is the
 * storage version of horizontalpodautoscalers.
 */
import { def, t, type Static } from '../../schema/dsl.js';
import { LabelSelector, ObjectMeta, Quantity, Time } from '../../meta/v1.js';

const P = 'io.k8s.api.autoscaling.v2.';

export const CrossVersionObjectReference = def(
  P + 'CrossVersionObjectReference',
  t.object(
    {
      apiVersion: t.string({ description: 'API version of the referent.' }),
      kind: t.string({ description: 'Kind of the referent.' }),
      name: t.string({ description: 'Name of the referent.' }),
    },
    { required: ['kind', 'name'], description: 'Identifies the object to scale or read a metric from.' },
  ),
);

export const MetricTarget = def(
  P + 'MetricTarget',
  t.object(
    {
      averageUtilization: t.int32({ description: 'Target mean utilization across pods, as a percentage of the requested resource; Resource and ContainerResource only.' }),
      averageValue: t.ref(Quantity, { description: 'Target mean value of the metric across pods.' }),
      type: t.string({ description: 'Whether the target is a Utilization, Value or AverageValue.' }),
      value: t.ref(Quantity, { description: 'Target value of the metric.' }),
    },
    { required: ['type'], description: 'The target value, mean value or mean utilization of a metric.' },
  ),
);

export const MetricIdentifier = def(
  P + 'MetricIdentifier',
  t.object(
    {
      name: t.string({ description: 'Name of the metric.' }),
      selector: t.ref(LabelSelector, { description: 'Label selector narrowing the metric for the metrics provider.' }),
    },
    { required: ['name'], description: 'Names a metric and optionally narrows it by labels.' },
  ),
);

export const ResourceMetricSource = def(
  P + 'ResourceMetricSource',
  t.object(
    {
      name: t.string({ description: 'Name of the resource, such as cpu or memory.' }),
      target: t.ref(MetricTarget, { description: 'The target value for the resource.' }),
    },
    { required: ['name', 'target'], description: 'A resource metric (from requests and limits) of the pods of the scale target.' },
  ),
);

export const ContainerResourceMetricSource = def(
  P + 'ContainerResourceMetricSource',
  t.object(
    {
      container: t.string({ description: 'Name of the container in the pods of the scale target.' }),
      name: t.string({ description: 'Name of the resource, such as cpu or memory.' }),
      target: t.ref(MetricTarget, { description: 'The target value for the resource.' }),
    },
    { required: ['name', 'target', 'container'], description: 'A resource metric of one container in each pod of the scale target.' },
  ),
);

export const PodsMetricSource = def(
  P + 'PodsMetricSource',
  t.object(
    {
      metric: t.ref(MetricIdentifier, { description: 'The metric by name and selector.' }),
      target: t.ref(MetricTarget, { description: 'The target value for the metric.' }),
    },
    { required: ['metric', 'target'], description: 'A metric describing each pod of the scale target, averaged across them.' },
  ),
);

export const ObjectMetricSource = def(
  P + 'ObjectMetricSource',
  t.object(
    {
      describedObject: t.ref(CrossVersionObjectReference, { description: 'The object the metric describes.' }),
      metric: t.ref(MetricIdentifier, { description: 'The metric by name and selector.' }),
      target: t.ref(MetricTarget, { description: 'The target value for the metric.' }),
    },
    { required: ['describedObject', 'target', 'metric'], description: 'A metric describing a single Kubernetes object.' },
  ),
);

export const ExternalMetricSource = def(
  P + 'ExternalMetricSource',
  t.object(
    {
      metric: t.ref(MetricIdentifier, { description: 'The metric by name and selector.' }),
      target: t.ref(MetricTarget, { description: 'The target value for the metric.' }),
    },
    { required: ['metric', 'target'], description: 'A metric not associated with any Kubernetes object.' },
  ),
);

export const MetricSpec = def(
  P + 'MetricSpec',
  t.object(
    {
      containerResource: t.ref(ContainerResourceMetricSource, { description: 'A container resource metric; with type ContainerResource.' }),
      external: t.ref(ExternalMetricSource, { description: 'A metric from outside the cluster; with type External.' }),
      object: t.ref(ObjectMetricSource, { description: 'A metric of a single object; with type Object.' }),
      pods: t.ref(PodsMetricSource, { description: 'A per-pod metric; with type Pods.' }),
      resource: t.ref(ResourceMetricSource, { description: 'A pod resource metric; with type Resource.' }),
      type: t.string({ description: 'Which metric source field is set: ContainerResource, External, Object, Pods or Resource.' }),
    },
    { required: ['type'], description: 'One metric to scale on.' },
  ),
);

export const HPAScalingPolicy = def(
  P + 'HPAScalingPolicy',
  t.object(
    {
      periodSeconds: t.int32({ description: 'The window, in seconds, in which the policy must hold (1 to 1800).' }),
      type: t.string({ description: 'Pods or Percent.' }),
      value: t.int32({ description: 'The amount of change the policy allows; greater than zero.' }),
    },
    { required: ['type', 'value', 'periodSeconds'], description: 'A single change a scaling rule allows within a period.' },
  ),
);

export const HPAScalingRules = def(
  P + 'HPAScalingRules',
  t.object(
    {
      policies: t.array(t.ref(HPAScalingPolicy), { listType: 'atomic', description: 'The allowed changes; which one applies depends on selectPolicy.' }),
      selectPolicy: t.string({ description: 'Which policy applies: Max (the default), Min or Disabled.' }),
      stabilizationWindowSeconds: t.int32({ description: 'Seconds of past recommendations considered when scaling (0 to 3600).' }),
    },
    { description: 'How fast the autoscaler may scale in one direction.' },
  ),
);

export const HorizontalPodAutoscalerBehavior = def(
  P + 'HorizontalPodAutoscalerBehavior',
  t.object(
    {
      scaleDown: t.ref(HPAScalingRules, { description: 'Rules for scaling down (default: 300s window, 100% per 15s).' }),
      scaleUp: t.ref(HPAScalingRules, { description: 'Rules for scaling up (default: no window, the larger of 4 pods or 100% per 15s).' }),
    },
    { description: 'Scaling rules for each direction.' },
  ),
);

export const HorizontalPodAutoscalerSpec = def(
  P + 'HorizontalPodAutoscalerSpec',
  t.object(
    {
      behavior: t.ref(HorizontalPodAutoscalerBehavior, { description: 'How fast the target is scaled up and down.' }),
      maxReplicas: t.int32({ description: 'The upper limit of replicas; not below minReplicas.' }),
      metrics: t.array(t.ref(MetricSpec), { listType: 'atomic', description: 'The metrics to scale on; the largest resulting replica count wins (default: 80% cpu).' }),
      minReplicas: t.int32({ description: 'The lower limit of replicas (default 1).' }),
      scaleTargetRef: t.ref(CrossVersionObjectReference, { description: 'The resource to scale.' }),
    },
    { required: ['scaleTargetRef', 'maxReplicas'], description: 'The desired behaviour of a HorizontalPodAutoscaler.' },
  ),
);

export const MetricValueStatus = def(
  P + 'MetricValueStatus',
  t.object(
    {
      averageUtilization: t.int32({ description: 'Current mean utilization across pods, as a percentage of the requested resource.' }),
      averageValue: t.ref(Quantity, { description: 'Current mean value of the metric across pods.' }),
      value: t.ref(Quantity, { description: 'Current value of the metric.' }),
    },
    { description: 'The current value of a metric.' },
  ),
);

export const ResourceMetricStatus = def(
  P + 'ResourceMetricStatus',
  t.object(
    {
      current: t.ref(MetricValueStatus, { description: 'The current value.' }),
      name: t.string({ description: 'Name of the resource.' }),
    },
    { required: ['name', 'current'], description: 'The current value of a resource metric.' },
  ),
);

export const ContainerResourceMetricStatus = def(
  P + 'ContainerResourceMetricStatus',
  t.object(
    {
      container: t.string({ description: 'Name of the container.' }),
      current: t.ref(MetricValueStatus, { description: 'The current value.' }),
      name: t.string({ description: 'Name of the resource.' }),
    },
    { required: ['name', 'current', 'container'], description: 'The current value of a container resource metric.' },
  ),
);

export const PodsMetricStatus = def(
  P + 'PodsMetricStatus',
  t.object(
    {
      current: t.ref(MetricValueStatus, { description: 'The current value.' }),
      metric: t.ref(MetricIdentifier, { description: 'The metric by name and selector.' }),
    },
    { required: ['metric', 'current'], description: 'The current value of a per-pod metric.' },
  ),
);

export const ObjectMetricStatus = def(
  P + 'ObjectMetricStatus',
  t.object(
    {
      current: t.ref(MetricValueStatus, { description: 'The current value.' }),
      describedObject: t.ref(CrossVersionObjectReference, { description: 'The object the metric describes.' }),
      metric: t.ref(MetricIdentifier, { description: 'The metric by name and selector.' }),
    },
    { required: ['metric', 'current', 'describedObject'], description: 'The current value of an object metric.' },
  ),
);

export const ExternalMetricStatus = def(
  P + 'ExternalMetricStatus',
  t.object(
    {
      current: t.ref(MetricValueStatus, { description: 'The current value.' }),
      metric: t.ref(MetricIdentifier, { description: 'The metric by name and selector.' }),
    },
    { required: ['metric', 'current'], description: 'The current value of an external metric.' },
  ),
);

export const MetricStatus = def(
  P + 'MetricStatus',
  t.object(
    {
      containerResource: t.ref(ContainerResourceMetricStatus, { description: 'A container resource metric; with type ContainerResource.' }),
      external: t.ref(ExternalMetricStatus, { description: 'An external metric; with type External.' }),
      object: t.ref(ObjectMetricStatus, { description: 'An object metric; with type Object.' }),
      pods: t.ref(PodsMetricStatus, { description: 'A per-pod metric; with type Pods.' }),
      resource: t.ref(ResourceMetricStatus, { description: 'A pod resource metric; with type Resource.' }),
      type: t.string({ description: 'Which metric source field is set: ContainerResource, External, Object, Pods or Resource.' }),
    },
    { required: ['type'], description: 'The last read state of one metric.' },
  ),
);

export const HorizontalPodAutoscalerCondition = def(
  P + 'HorizontalPodAutoscalerCondition',
  t.object(
    {
      lastTransitionTime: t.ref(Time, { description: 'Last time the condition moved from one status to another.' }),
      message: t.string({ description: 'A human-readable message about the transition.' }),
      reason: t.string({ description: "The reason for the condition's last transition." }),
      status: t.string({ description: 'Status of the condition: True, False or Unknown.' }),
      type: t.string({ description: 'The condition type: AbleToScale, ScalingActive or ScalingLimited.' }),
    },
    { required: ['type', 'status'], description: 'The state of the autoscaler at a point in time.' },
  ),
);

export const HorizontalPodAutoscalerStatus = def(
  P + 'HorizontalPodAutoscalerStatus',
  t.object(
    {
      conditions: t.array(t.ref(HorizontalPodAutoscalerCondition), {
        listType: 'map',
        mapKeys: ['type'],
        mergeKey: 'type',
        patchStrategy: 'merge',
        description: 'Conditions the autoscaler needs to scale, and whether they hold.',
      }),
      currentMetrics: t.array(t.ref(MetricStatus), { listType: 'atomic', description: 'The last read state of the metrics.' }),
      currentReplicas: t.int32({ description: 'Current number of replicas of the pods managed by this autoscaler.' }),
      desiredReplicas: t.int32({ description: 'The replica count the autoscaler last computed.' }),
      lastScaleTime: t.ref(Time, { description: 'When the autoscaler last scaled the target.' }),
      observedGeneration: t.int64({ description: 'The most recent generation observed by this autoscaler.' }),
    },
    { required: ['desiredReplicas'], description: 'The current state of a HorizontalPodAutoscaler.' },
  ),
);

export const HorizontalPodAutoscaler = def(
  P + 'HorizontalPodAutoscaler',
  t.object({
    apiVersion: t.string({ description: 'The versioned schema of this representation of an object.' }),
    kind: t.string({ description: 'The REST resource this object represents, in CamelCase.' }),
    metadata: t.ref(ObjectMeta, { description: "Standard object's metadata." }),
    spec: t.ref(HorizontalPodAutoscalerSpec, { description: 'Desired behaviour of the autoscaler.' }),
    status: t.ref(HorizontalPodAutoscalerStatus, { description: 'Current status of the autoscaler.' }),
  }, { description: 'Scales a resource with a scale subresource on the metrics given.' }),
  { 'x-kubernetes-group-version-kind': [{ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' }] },
);

export type CrossVersionObjectReferenceT = Static<typeof CrossVersionObjectReference>;
export type MetricTargetT = Static<typeof MetricTarget>;
export type MetricIdentifierT = Static<typeof MetricIdentifier>;
export type MetricSpecT = Static<typeof MetricSpec>;
export type HPAScalingPolicyT = Static<typeof HPAScalingPolicy>;
export type HPAScalingRulesT = Static<typeof HPAScalingRules>;
export type HorizontalPodAutoscalerBehaviorT = Static<typeof HorizontalPodAutoscalerBehavior>;
export type HorizontalPodAutoscalerSpecT = Static<typeof HorizontalPodAutoscalerSpec>;
export type MetricValueStatusT = Static<typeof MetricValueStatus>;
export type MetricStatusT = Static<typeof MetricStatus>;
export type HorizontalPodAutoscalerConditionT = Static<typeof HorizontalPodAutoscalerCondition>;
export type HorizontalPodAutoscalerStatusT = Static<typeof HorizontalPodAutoscalerStatus>;
export type HorizontalPodAutoscalerT = Static<typeof HorizontalPodAutoscaler>;

export const autoscalingV2Definitions = [
  CrossVersionObjectReference,
  MetricTarget,
  MetricIdentifier,
  ResourceMetricSource,
  ContainerResourceMetricSource,
  PodsMetricSource,
  ObjectMetricSource,
  ExternalMetricSource,
  MetricSpec,
  HPAScalingPolicy,
  HPAScalingRules,
  HorizontalPodAutoscalerBehavior,
  HorizontalPodAutoscalerSpec,
  MetricValueStatus,
  ResourceMetricStatus,
  ContainerResourceMetricStatus,
  PodsMetricStatus,
  ObjectMetricStatus,
  ExternalMetricStatus,
  MetricStatus,
  HorizontalPodAutoscalerCondition,
  HorizontalPodAutoscalerStatus,
  HorizontalPodAutoscaler,
] as const;
