/**
 * io.k8s.apimachinery.pkg.* definitions shared by every group: object and
 * list metadata, label selectors, time, quantities, int-or-string, conditions.
 */
import { def, t, type Static } from '../schema/dsl.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

export const Time = def(META + 'Time', t.string({ format: 'date-time', description: 'RFC 3339 date and time at second precision.' }));
export const MicroTime = def(META + 'MicroTime', t.string({ format: 'date-time', description: 'RFC 3339 date and time at microsecond precision.' }));
export const Duration = def(META + 'Duration', t.string({ description: 'A Go duration string such as "1h2m3s".' }));

export const Quantity = def(
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  t.raw<string | number>({ type: 'string', 'x-kubernetes-int-or-string': true, description: 'A fixed-point number with a suffix: 100m, 2, 1.5Gi, 1e3.' }),
);

export const IntOrString = def(
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  t.raw<string | number>({ type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true, description: 'An integer or a string.' }),
);

export const FieldsV1 = def(META + 'FieldsV1', t.object({}, { description: 'The set of fields a manager owns, in the fieldsV1 trie format.', preserveUnknownFields: true }));

export const ManagedFieldsEntry = def(
  META + 'ManagedFieldsEntry',
  t.object({
    apiVersion: t.string({ description: 'The version of this resource that the fieldset applies to.' }),
    fieldsType: t.string({ description: 'The format of the fields field; only "FieldsV1" is defined.' }),
    fieldsV1: t.ref(FieldsV1),
    manager: t.string({ description: 'The workflow managing these fields.' }),
    operation: t.string({ description: 'The kind of operation that produced this entry: Apply or Update.' }),
    subresource: t.string({ description: 'The subresource used to update the object, if any.' }),
    time: t.ref(Time),
  }),
);

export const OwnerReference = def(
  META + 'OwnerReference',
  t.object(
    {
      apiVersion: t.string({ description: 'API version of the referent.' }),
      blockOwnerDeletion: t.bool({ description: 'If true and the owner has the foregroundDeletion finalizer, the owner cannot be deleted from storage until this reference is removed.' }),
      controller: t.bool({ description: 'If true, this reference points to the managing controller.' }),
      kind: t.string({ description: 'Kind of the referent.' }),
      name: t.string({ description: 'Name of the referent.' }),
      uid: t.string({ description: 'UID of the referent.' }),
    },
    { required: ['apiVersion', 'kind', 'name', 'uid'], structType: 'atomic' },
  ),
);

export const ObjectMeta = def(
  META + 'ObjectMeta',
  t.object({
    annotations: t.map(t.string(), { description: 'Unstructured key/value data stored with the object.' }),
    creationTimestamp: t.ref(Time, { description: 'When the object was created; set by the server.' }),
    deletionGracePeriodSeconds: t.int64({ description: 'Seconds allowed for graceful termination before the object is removed.' }),
    deletionTimestamp: t.ref(Time, { description: 'When the object will be deleted; set by the server when deletion is requested.' }),
    finalizers: t.array(t.string(), { listType: 'set', patchStrategy: 'merge', description: 'Must be empty before the object is deleted from storage.' }),
    generateName: t.string({ description: 'Prefix the server uses to generate a unique name when name is empty.' }),
    generation: t.int64({ description: 'A sequence number for the desired state; incremented by the server on spec changes.' }),
    labels: t.map(t.string(), { description: 'Key/value pairs used to organize and select objects.' }),
    managedFields: t.array(t.ref(ManagedFieldsEntry), { listType: 'atomic', description: 'Which managers own which fields; maintained by the server.' }),
    name: t.string({ description: 'Unique name within a namespace.' }),
    namespace: t.string({ description: 'The namespace the object lives in; empty for cluster-scoped objects.' }),
    ownerReferences: t.array(t.ref(OwnerReference), { listType: 'map', mapKeys: ['uid'], mergeKey: 'uid', patchStrategy: 'merge', description: 'Objects this object depends on.' }),
    resourceVersion: t.string({ description: 'An opaque value identifying this version of the object, used for optimistic concurrency and watches.' }),
    selfLink: t.string({ description: 'Deprecated; not set.' }),
    uid: t.string({ description: 'Unique in time and space; set by the server.' }),
  }, { description: 'Standard object metadata.' }),
);

export const ListMeta = def(
  META + 'ListMeta',
  t.object({
    continue: t.string({ description: 'Set when more results are available; pass it back to get the next page.' }),
    remainingItemCount: t.int64({ description: 'Number of items left after this page.' }),
    resourceVersion: t.string({ description: 'The resource version the list was read at.' }),
    selfLink: t.string({ description: 'Deprecated; not set.' }),
  }),
);

export const LabelSelectorRequirement = def(
  META + 'LabelSelectorRequirement',
  t.object(
    {
      key: t.string({ description: 'The label key the selector applies to.' }),
      operator: t.string({ description: 'In, NotIn, Exists or DoesNotExist.' }),
      values: t.array(t.string(), { listType: 'atomic', description: 'Values for In and NotIn; empty for Exists and DoesNotExist.' }),
    },
    { required: ['key', 'operator'] },
  ),
);

export const LabelSelector = def(
  META + 'LabelSelector',
  t.object(
    {
      matchExpressions: t.array(t.ref(LabelSelectorRequirement), { listType: 'atomic', description: 'Requirements, all of which must hold.' }),
      matchLabels: t.map(t.string(), { description: 'Exact label matches, ANDed with matchExpressions.' }),
    },
    { structType: 'atomic', description: 'A label query over a set of objects.' },
  ),
);

export const Condition = def(
  META + 'Condition',
  t.object(
    {
      lastTransitionTime: t.ref(Time),
      message: t.string({ maxLength: 32768 }),
      observedGeneration: t.int64({ minimum: 0 }),
      reason: t.string({ maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' }),
      status: t.enum(['True', 'False', 'Unknown']),
      type: t.string({ maxLength: 316, pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$' }),
    },
    { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
  ),
);

export const StatusCause = def(META + 'StatusCause', t.object({ field: t.string(), message: t.string(), reason: t.string() }));
export const StatusDetails = def(
  META + 'StatusDetails',
  t.object({ causes: t.array(t.ref(StatusCause), { listType: 'atomic' }), group: t.string(), kind: t.string(), name: t.string(), retryAfterSeconds: t.int32(), uid: t.string() }),
);
export const Status = def(
  META + 'Status',
  t.object({
    apiVersion: t.string(),
    code: t.int32(),
    details: t.ref(StatusDetails),
    kind: t.string(),
    message: t.string(),
    metadata: t.ref(ListMeta),
    reason: t.string(),
    status: t.string(),
  }),
);

export const Preconditions = def(META + 'Preconditions', t.object({ resourceVersion: t.string(), uid: t.string() }));
export const DeleteOptions = def(
  META + 'DeleteOptions',
  t.object({
    apiVersion: t.string(),
    dryRun: t.array(t.string(), { listType: 'atomic' }),
    gracePeriodSeconds: t.int64(),
    ignoreStoreReadErrorWithClusterBreakingPotential: t.bool(),
    kind: t.string(),
    orphanDependents: t.bool(),
    preconditions: t.ref(Preconditions),
    propagationPolicy: t.string(),
  }),
);

export const WatchEvent = def(META + 'WatchEvent', t.object({ object: t.embedded(), type: t.string() }, { required: ['type', 'object'] }));

export const metaDefinitions = [
  Time,
  MicroTime,
  Duration,
  Quantity,
  IntOrString,
  FieldsV1,
  ManagedFieldsEntry,
  OwnerReference,
  ObjectMeta,
  ListMeta,
  LabelSelectorRequirement,
  LabelSelector,
  Condition,
  StatusCause,
  StatusDetails,
  Status,
  Preconditions,
  DeleteOptions,
  WatchEvent,
] as const;

export type ObjectMetaT = Static<typeof ObjectMeta>;
export type LabelSelectorT = Static<typeof LabelSelector>;
export type ConditionT = Static<typeof Condition>;
