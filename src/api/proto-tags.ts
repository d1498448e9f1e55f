/**
 * Protobuf field numbers of every built-in type, merged from the per-group
 * tables, and the lookup the protobuf codec needs over a scheme.
 */
import type { ProtoSchemaLookup } from '../machinery/protobuf/codec.js';
import type { ProtoMessageTags, ProtoTagTable } from '../machinery/protobuf/tags.js';
import type { Scheme } from './scheme.js';
import { protoTags as meta } from './meta/proto-tags.js';
import { protoTags as coreV1 } from './core/v1/proto-tags.js';
import { protoTags as appsV1 } from './apps/v1/proto-tags.js';
import { protoTags as batchV1 } from './batch/v1/proto-tags.js';
import { protoTags as autoscalingV1 } from './autoscaling/v1/proto-tags.js';
import { protoTags as autoscalingV2 } from './autoscaling/v2/proto-tags.js';
import { protoTags as policyV1 } from './policy/v1/proto-tags.js';
import { protoTags as networkingV1 } from './networking/v1/proto-tags.js';
import { protoTags as rbacV1 } from './rbac/v1/proto-tags.js';
import { protoTags as storageV1 } from './storage/v1/proto-tags.js';
import { protoTags as coordinationV1 } from './coordination/v1/proto-tags.js';
import { protoTags as discoveryV1 } from './discovery/v1/proto-tags.js';
import { protoTags as eventsV1 } from './events/v1/proto-tags.js';
import { protoTags as schedulingV1 } from './scheduling/v1/proto-tags.js';
import { protoTags as apiextensionsV1 } from './apiextensions/v1/proto-tags.js';
import { protoTags as authenticationV1 } from './authentication/v1/proto-tags.js';
import { protoTags as authorizationV1 } from './authorization/v1/proto-tags.js';

export const builtinProtoTags: ProtoTagTable = {
  ...meta,
  ...coreV1,
  ...appsV1,
  ...batchV1,
  ...autoscalingV1,
  ...autoscalingV2,
  ...policyV1,
  ...networkingV1,
  ...rbacV1,
  ...storageV1,
  ...coordinationV1,
  ...discoveryV1,
  ...eventsV1,
  ...schedulingV1,
  ...apiextensionsV1,
  ...authenticationV1,
  ...authorizationV1,
};

/**
 * Kinds upstream registers in every group version (a DeleteOptions body
 * carries the apiVersion of the resource it deletes); they are meta types.
 */
const META_KINDS: Readonly<Record<string, string>> = {
  DeleteOptions: 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  Status: 'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  WatchEvent: 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
};

/**
 * The codec's view of a scheme. Keep one per scheme: the codec caches message
 * layouts per lookup object.
 */
export function protoSchemaLookup(scheme: Scheme, tags: ProtoTagTable = builtinProtoTags): ProtoSchemaLookup {
  return {
    resolver: scheme,
    tags: (name: string): ProtoMessageTags | undefined => (Object.prototype.hasOwnProperty.call(tags, name) ? tags[name] : undefined),
    definitionForKind: (group, version, kind) => scheme.definitionForKind(group, version, kind) ?? (Object.prototype.hasOwnProperty.call(META_KINDS, kind) ? META_KINDS[kind] : undefined),
  };
}
