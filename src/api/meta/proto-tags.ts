/**
 * Protobuf field numbers of the meta/v1 messages, as upstream's k8s.io/apimachinery/pkg/apis/meta/v1 generated.proto
 * numbers them; keys are our definition names and JSON field names. See ProtoFieldTag for the notation.
 */
import type { ProtoTagTable } from '../../machinery/protobuf/tags.js';

export const protoTags: ProtoTagTable = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry': {
    apiVersion: { tag: 3, omitEmpty: true },
    fieldsType: { tag: 6, omitEmpty: true },
    fieldsV1: 7,
    manager: { tag: 1, omitEmpty: true },
    operation: { tag: 2, omitEmpty: true },
    subresource: { tag: 8, omitEmpty: true },
    time: 4,
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference': { apiVersion: 5, blockOwnerDeletion: 7, controller: 6, kind: 1, name: 3, uid: 4 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
    annotations: 12,
    creationTimestamp: 8,
    deletionGracePeriodSeconds: 10,
    deletionTimestamp: 9,
    finalizers: 14,
    generateName: { tag: 2, omitEmpty: true },
    generation: { tag: 7, omitEmpty: true },
    labels: 11,
    managedFields: 17,
    name: { tag: 1, omitEmpty: true },
    namespace: { tag: 3, omitEmpty: true },
    ownerReferences: 13,
    resourceVersion: { tag: 6, omitEmpty: true },
    selfLink: { tag: 4, omitEmpty: true },
    uid: { tag: 5, omitEmpty: true },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta': {
    continue: { tag: 3, omitEmpty: true },
    remainingItemCount: 4,
    resourceVersion: { tag: 2, omitEmpty: true },
    selfLink: { tag: 1, omitEmpty: true },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement': { key: 1, operator: 2, values: 3 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': { matchExpressions: 2, matchLabels: 1 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition': {
    lastTransitionTime: 4,
    message: 6,
    observedGeneration: { tag: 3, omitEmpty: true },
    reason: 5,
    status: 2,
    type: 1,
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause': {
    field: { tag: 3, omitEmpty: true },
    message: { tag: 2, omitEmpty: true },
    reason: { tag: 1, omitEmpty: true },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails': {
    causes: 4,
    group: { tag: 2, omitEmpty: true },
    kind: { tag: 3, omitEmpty: true },
    name: { tag: 1, omitEmpty: true },
    retryAfterSeconds: { tag: 5, omitEmpty: true },
    uid: { tag: 6, omitEmpty: true },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status': {
    code: { tag: 6, omitEmpty: true },
    details: 5,
    message: { tag: 3, omitEmpty: true },
    metadata: 1,
    reason: { tag: 4, omitEmpty: true },
    status: { tag: 2, omitEmpty: true },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions': { resourceVersion: 2, uid: 1 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions': {
    dryRun: 5,
    gracePeriodSeconds: 1,
    ignoreStoreReadErrorWithClusterBreakingPotential: 6,
    orphanDependents: 3,
    preconditions: 2,
    propagationPolicy: 4,
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent': { object: 2, type: 1 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement': { key: 1, operator: 2, values: 3 },
};
