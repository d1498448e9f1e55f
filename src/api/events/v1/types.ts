/** events.k8s.io/v1: Event, the structured form of the events stored with core/v1 ones. */
import { def, t, type Static, type T } from '../../schema/dsl.js';
import { MicroTime, ObjectMeta, Time } from '../../meta/v1.js';
import { EventSource, ObjectReference } from '../../core/v1/types.js';

export const GROUP = 'events.k8s.io';
export const VERSION = 'v1';
const E = 'io.k8s.api.events.v1.';
const str = (description: string): T<string> => t.string({ description });

export const EventSeries = def(
  E + 'EventSeries',
  t.object(
    {
      count: t.int32({ description: 'Occurrences in the series so far.' }),
      lastObservedTime: t.ref(MicroTime, { description: 'When the last occurrence was seen.' }),
    },
    { required: ['count', 'lastObservedTime'], description: 'A run of repeated occurrences of an event, updated periodically.' },
  ),
);

export const Event = def(
  E + 'Event',
  t.object(
    {
      action: str('What was taken or failed on the regarding object, e.g. Binding; at most 128 characters.'),
      apiVersion: str('The versioned schema of this representation of the object.'),
      deprecatedCount: t.int32({ description: 'Deprecated occurrence count, kept for compatibility with core/v1 events.' }),
      deprecatedFirstTimestamp: t.ref(Time, { description: 'Deprecated first-seen time, kept for compatibility with core/v1 events.' }),
      deprecatedLastTimestamp: t.ref(Time, { description: 'Deprecated last-seen time, kept for compatibility with core/v1 events.' }),
      deprecatedSource: t.ref(EventSource, { description: 'Deprecated reporter, kept for compatibility with core/v1 events.' }),
      eventTime: t.ref(MicroTime, { description: 'When the event first happened.' }),
      kind: str('The REST resource this object represents, in CamelCase.'),
      metadata: t.ref(ObjectMeta),
      note: str('A human-readable description of the event; at most 1kB.'),
      reason: str('Why the action was taken, in CamelCase; at most 128 characters.'),
      regarding: t.ref(ObjectReference, { description: 'The object the event is about.' }),
      related: t.ref(ObjectReference, { description: 'A second object involved, if any.' }),
      reportingController: str('The controller that emitted the event, e.g. example.com/my-controller.'),
      reportingInstance: str('The instance of the controller that emitted the event, e.g. kubelet-node-1; at most 128 characters.'),
      series: t.ref(EventSeries, { description: 'Repetitions of the event, when it recurs.' }),
      type: str('Normal or Warning.'),
    },
    { required: ['eventTime'], description: 'A report of something that happened in the cluster.' },
  ),
  { 'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind: 'Event' }] },
);

export const eventsDefinitions = [EventSeries, Event] as const;

export type EventSeriesT = Static<typeof EventSeries>;
export type EventT = Static<typeof Event>;
