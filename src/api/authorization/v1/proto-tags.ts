/**
 * Protobuf field numbers of the authorization/v1 messages, as upstream's k8s.io/api/authorization/v1 generated.proto
 * numbers them; keys are our definition names and JSON field names. See ProtoFieldTag for the notation.
 */
import type { ProtoTagTable } from '../../../machinery/protobuf/tags.js';

export const protoTags: ProtoTagTable = {
  'io.k8s.api.authorization.v1.FieldSelectorAttributes': { rawSelector: { tag: 1, omitEmpty: true }, requirements: 2 },
  'io.k8s.api.authorization.v1.LabelSelectorAttributes': { rawSelector: { tag: 1, omitEmpty: true }, requirements: 2 },
  'io.k8s.api.authorization.v1.ResourceAttributes': {
    fieldSelector: 8,
    group: { tag: 3, omitEmpty: true },
    labelSelector: 9,
    name: { tag: 7, omitEmpty: true },
    namespace: { tag: 1, omitEmpty: true },
    resource: { tag: 5, omitEmpty: true },
    subresource: { tag: 6, omitEmpty: true },
    verb: { tag: 2, omitEmpty: true },
    version: { tag: 4, omitEmpty: true },
  },
  'io.k8s.api.authorization.v1.NonResourceAttributes': { path: { tag: 1, omitEmpty: true }, verb: { tag: 2, omitEmpty: true } },
  'io.k8s.api.authorization.v1.SubjectAccessReviewSpec': {
    extra: { tag: 5, mapValueWrapper: 1 },
    groups: 4,
    nonResourceAttributes: 2,
    resourceAttributes: 1,
    uid: { tag: 6, omitEmpty: true },
    user: { tag: 3, omitEmpty: true },
  },
  'io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec': { nonResourceAttributes: 2, resourceAttributes: 1 },
  'io.k8s.api.authorization.v1.SubjectAccessReviewStatus': {
    allowed: 1,
    denied: { tag: 4, omitEmpty: true },
    evaluationError: { tag: 3, omitEmpty: true },
    reason: { tag: 2, omitEmpty: true },
  },
  'io.k8s.api.authorization.v1.SubjectAccessReview': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.authorization.v1.SelfSubjectAccessReview': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.authorization.v1.LocalSubjectAccessReview': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec': { namespace: { tag: 1, omitEmpty: true } },
  'io.k8s.api.authorization.v1.ResourceRule': { apiGroups: 2, resourceNames: 4, resources: 3, verbs: 1 },
  'io.k8s.api.authorization.v1.NonResourceRule': { nonResourceURLs: 2, verbs: 1 },
  'io.k8s.api.authorization.v1.SubjectRulesReviewStatus': {
    evaluationError: { tag: 4, omitEmpty: true },
    incomplete: 3,
    nonResourceRules: 2,
    resourceRules: 1,
  },
  'io.k8s.api.authorization.v1.SelfSubjectRulesReview': { metadata: 1, spec: 2, status: 3 },
};
