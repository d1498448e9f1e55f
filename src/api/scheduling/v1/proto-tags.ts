/**
 * Protobuf field numbers of the scheduling/v1 messages, as upstream's k8s.io/api/scheduling/v1 generated.proto
 * numbers them; keys are our definition names and JSON field names. See ProtoFieldTag for the notation.
 */
import type { ProtoTagTable } from '../../../machinery/protobuf/tags.js';

export const protoTags: ProtoTagTable = {
  'io.k8s.api.scheduling.v1.PriorityClass': {
    description: { tag: 4, omitEmpty: true },
    globalDefault: { tag: 3, omitEmpty: true },
    metadata: 1,
    preemptionPolicy: 5,
    value: 2,
  },
};
