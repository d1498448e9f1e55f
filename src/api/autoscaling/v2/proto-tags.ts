/**
 * Protobuf field numbers of the autoscaling/v2 messages, as upstream's k8s.io/api/autoscaling/v2 generated.proto
 * numbers them; keys are our definition names and JSON field names. See ProtoFieldTag for the notation.
 */
import type { ProtoTagTable } from '../../../machinery/protobuf/tags.js';

export const protoTags: ProtoTagTable = {
  'io.k8s.api.autoscaling.v2.CrossVersionObjectReference': { apiVersion: { tag: 3, omitEmpty: true }, kind: 1, name: 2 },
  'io.k8s.api.autoscaling.v2.MetricTarget': { averageUtilization: 4, averageValue: 3, type: 1, value: 2 },
  'io.k8s.api.autoscaling.v2.MetricIdentifier': { name: 1, selector: 2 },
  'io.k8s.api.autoscaling.v2.ResourceMetricSource': { name: 1, target: 2 },
  'io.k8s.api.autoscaling.v2.ContainerResourceMetricSource': { container: 3, name: 1, target: 2 },
  'io.k8s.api.autoscaling.v2.PodsMetricSource': { metric: 1, target: 2 },
  'io.k8s.api.autoscaling.v2.ObjectMetricSource': { describedObject: 1, metric: 3, target: 2 },
  'io.k8s.api.autoscaling.v2.ExternalMetricSource': { metric: 1, target: 2 },
  'io.k8s.api.autoscaling.v2.MetricSpec': { containerResource: 7, external: 5, object: 2, pods: 3, resource: 4, type: 1 },
  'io.k8s.api.autoscaling.v2.HPAScalingPolicy': { periodSeconds: 3, type: 1, value: 2 },
  'io.k8s.api.autoscaling.v2.HPAScalingRules': { policies: 2, selectPolicy: 1, stabilizationWindowSeconds: 3 },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior': { scaleDown: 2, scaleUp: 1 },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec': { behavior: 5, maxReplicas: 3, metrics: 4, minReplicas: 2, scaleTargetRef: 1 },
  'io.k8s.api.autoscaling.v2.MetricValueStatus': { averageUtilization: 3, averageValue: 2, value: 1 },
  'io.k8s.api.autoscaling.v2.ResourceMetricStatus': { current: 2, name: 1 },
  'io.k8s.api.autoscaling.v2.ContainerResourceMetricStatus': { container: 3, current: 2, name: 1 },
  'io.k8s.api.autoscaling.v2.PodsMetricStatus': { current: 2, metric: 1 },
  'io.k8s.api.autoscaling.v2.ObjectMetricStatus': { current: 2, describedObject: 3, metric: 1 },
  'io.k8s.api.autoscaling.v2.ExternalMetricStatus': { current: 2, metric: 1 },
  'io.k8s.api.autoscaling.v2.MetricStatus': { containerResource: 7, external: 5, object: 2, pods: 3, resource: 4, type: 1 },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerCondition': { lastTransitionTime: 3, message: 5, reason: 4, status: 2, type: 1 },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus': {
    conditions: 6,
    currentMetrics: 5,
    currentReplicas: { tag: 3, omitEmpty: true },
    desiredReplicas: 4,
    lastScaleTime: 2,
    observedGeneration: 1,
  },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler': { metadata: 1, spec: 2, status: 3 },
};
