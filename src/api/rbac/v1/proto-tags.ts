/**
 * Protobuf field numbers of the rbac/v1 messages, as upstream's k8s.io/api/rbac/v1 generated.proto
 * numbers them; keys are our definition names and JSON field names. See ProtoFieldTag for the notation.
 */
import type { ProtoTagTable } from '../../../machinery/protobuf/tags.js';

export const protoTags: ProtoTagTable = {
  'io.k8s.api.rbac.v1.PolicyRule': { apiGroups: 2, nonResourceURLs: 5, resourceNames: 4, resources: 3, verbs: 1 },
  'io.k8s.api.rbac.v1.Subject': { apiGroup: { tag: 2, omitEmpty: true }, kind: 1, name: 3, namespace: { tag: 4, omitEmpty: true } },
  'io.k8s.api.rbac.v1.RoleRef': { apiGroup: 1, kind: 2, name: 3 },
  'io.k8s.api.rbac.v1.AggregationRule': { clusterRoleSelectors: 1 },
  'io.k8s.api.rbac.v1.Role': { metadata: 1, rules: 2 },
  'io.k8s.api.rbac.v1.ClusterRole': { aggregationRule: 3, metadata: 1, rules: 2 },
  'io.k8s.api.rbac.v1.RoleBinding': { metadata: 1, roleRef: 3, subjects: 2 },
  'io.k8s.api.rbac.v1.ClusterRoleBinding': { metadata: 1, roleRef: 3, subjects: 2 },
};
