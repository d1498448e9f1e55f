/**
 * Protobuf field numbers of the events/v1 messages, as upstream's k8s.io/api/events/v1 generated.proto
 * numbers them; keys are our definition names and JSON field names. See ProtoFieldTag for the notation.
 */
import type { ProtoTagTable } from '../../../machinery/protobuf/tags.js';

export const protoTags: ProtoTagTable = {
  'io.k8s.api.events.v1.EventSeries': { count: 1, lastObservedTime: 2 },
  'io.k8s.api.events.v1.Event': {
    action: { tag: 6, omitEmpty: true },
    deprecatedCount: { tag: 15, omitEmpty: true },
    deprecatedFirstTimestamp: 13,
    deprecatedLastTimestamp: 14,
    deprecatedSource: 12,
    eventTime: 2,
    metadata: 1,
    note: { tag: 10, omitEmpty: true },
    reason: { tag: 7, omitEmpty: true },
    regarding: 8,
    related: 9,
    reportingController: { tag: 4, omitEmpty: true },
    reportingInstance: { tag: 5, omitEmpty: true },
    series: 3,
    type: { tag: 11, omitEmpty: true },
  },
};
