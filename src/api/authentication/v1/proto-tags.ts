/**
 * Protobuf field numbers of the authentication/v1 messages, as upstream's k8s.io/api/authentication/v1 generated.proto
 * numbers them; keys are our definition names and JSON field names. See ProtoFieldTag for the notation.
 */
import type { ProtoTagTable } from '../../../machinery/protobuf/tags.js';

export const protoTags: ProtoTagTable = {
  'io.k8s.api.authentication.v1.UserInfo': {
    extra: { tag: 4, mapValueWrapper: 1 },
    groups: 3,
    uid: { tag: 2, omitEmpty: true },
    username: { tag: 1, omitEmpty: true },
  },
  'io.k8s.api.authentication.v1.TokenReviewSpec': { audiences: 2, token: { tag: 1, omitEmpty: true } },
  'io.k8s.api.authentication.v1.TokenReviewStatus': { audiences: 4, authenticated: { tag: 1, omitEmpty: true }, error: { tag: 3, omitEmpty: true }, user: 2 },
  'io.k8s.api.authentication.v1.TokenReview': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.authentication.v1.SelfSubjectReviewStatus': { userInfo: 1 },
  'io.k8s.api.authentication.v1.SelfSubjectReview': { metadata: 1, status: 2 },
  'io.k8s.api.authentication.v1.BoundObjectReference': {
    apiVersion: { tag: 2, omitEmpty: true },
    kind: { tag: 1, omitEmpty: true },
    name: { tag: 3, omitEmpty: true },
    uid: { tag: 4, omitEmpty: true },
  },
  'io.k8s.api.authentication.v1.TokenRequestSpec': { audiences: 1, boundObjectRef: 3, expirationSeconds: 4 },
  'io.k8s.api.authentication.v1.TokenRequestStatus': { expirationTimestamp: 2, token: 1 },
  'io.k8s.api.authentication.v1.TokenRequest': { metadata: 1, spec: 2, status: 3 },
};
