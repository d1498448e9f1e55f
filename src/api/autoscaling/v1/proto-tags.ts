/**
 * Protobuf field numbers of the autoscaling/v1 messages, as upstream's k8s.io/api/autoscaling/v1 generated.proto
 * numbers them; keys are our definition names and JSON field names. See ProtoFieldTag for the notation.
 */
import type { ProtoTagTable } from '../../../machinery/protobuf/tags.js';

export const protoTags: ProtoTagTable = {
  'io.k8s.api.autoscaling.v1.ScaleSpec': { replicas: { tag: 1, omitEmpty: true } },
  'io.k8s.api.autoscaling.v1.ScaleStatus': { replicas: 1, selector: { tag: 2, omitEmpty: true } },
  'io.k8s.api.autoscaling.v1.Scale': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.autoscaling.v1.CrossVersionObjectReference': { apiVersion: { tag: 3, omitEmpty: true }, kind: 1, name: 2 },
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec': { maxReplicas: 3, minReplicas: 2, scaleTargetRef: 1, targetCPUUtilizationPercentage: 4 },
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerStatus': {
    currentCPUUtilizationPercentage: 5,
    currentReplicas: 3,
    desiredReplicas: 4,
    lastScaleTime: 2,
    observedGeneration: 1,
  },
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler': { metadata: 1, spec: 2, status: 3 },
};
