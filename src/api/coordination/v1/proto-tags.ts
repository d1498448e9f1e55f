/**
 * Protobuf field numbers of the coordination/v1 messages, as upstream's k8s.io/api/coordination/v1 generated.proto
 * numbers them; keys are our definition names and JSON field names. See ProtoFieldTag for the notation.
 */
import type { ProtoTagTable } from '../../../machinery/protobuf/tags.js';

export const protoTags: ProtoTagTable = {
  'io.k8s.api.coordination.v1.LeaseSpec': {
    acquireTime: 3,
    holderIdentity: 1,
    leaseDurationSeconds: 2,
    leaseTransitions: 5,
    preferredHolder: 7,
    renewTime: 4,
    strategy: 6,
  },
  'io.k8s.api.coordination.v1.Lease': { metadata: 1, spec: 2 },
};
