/**
 * Protobuf field numbers of the policy/v1 messages, as upstream's k8s.io/api/policy/v1 generated.proto
 * numbers them; keys are our definition names and JSON field names. See ProtoFieldTag for the notation.
 */
import type { ProtoTagTable } from '../../../machinery/protobuf/tags.js';

export const protoTags: ProtoTagTable = {
  'io.k8s.api.policy.v1.PodDisruptionBudgetSpec': { maxUnavailable: 3, minAvailable: 1, selector: 2, unhealthyPodEvictionPolicy: 4 },
  'io.k8s.api.policy.v1.PodDisruptionBudgetStatus': {
    conditions: 7,
    currentHealthy: 4,
    desiredHealthy: 5,
    disruptedPods: 2,
    disruptionsAllowed: 3,
    expectedPods: 6,
    observedGeneration: { tag: 1, omitEmpty: true },
  },
  'io.k8s.api.policy.v1.PodDisruptionBudget': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.policy.v1.Eviction': { deleteOptions: 2, metadata: 1 },
};
