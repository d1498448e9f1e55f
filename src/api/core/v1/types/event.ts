/** The core/v1 Event: a report of something that happened to an object. */
import { def, t, type Static } from '../../../schema/dsl.js';
import { MicroTime, ObjectMeta, Time } from '../../../meta/v1.js';
import { ObjectReference } from './references.js';
import { CORE, gvk, i32, str } from './fields.js';

export const EventSource = def(
  CORE + 'EventSource',
  t.object({ component: str('Component that reported the event.'), host: str('Node the event was reported from.') }, { description: 'Who reported an event.' }),
);

export const EventSeries = def(
  CORE + 'EventSeries',
  t.object({ count: i32('Occurrences so far.'), lastObservedTime: t.ref(MicroTime, { description: 'When the last occurrence was seen.' }) }, { description: 'A series of repeated occurrences.' }),
);

export const Event = def(
  CORE + 'Event',
  t.object(
    {
      action: str('What was done or failed, e.g. Binding.'),
      apiVersion: str('Versioned schema of this object.'),
      count: i32('Number of times the event occurred.'),
      eventTime: t.ref(MicroTime, { description: 'When the event first happened, at microsecond precision.' }),
      firstTimestamp: t.ref(Time, { description: 'When the event was first recorded.' }),
      involvedObject: t.ref(ObjectReference, { description: 'The object the event is about.' }),
      kind: str('Kind of this object.'),
      lastTimestamp: t.ref(Time, { description: 'When the event was last recorded.' }),
      message: str('Human-readable description.'),
      metadata: t.ref(ObjectMeta),
      reason: str('Short machine-readable reason, e.g. Scheduled.'),
      related: t.ref(ObjectReference, { description: 'A second object involved, if any.' }),
      reportingComponent: t.string({ default: '', description: 'Controller that emitted the event, e.g. kubernetes.io/kubelet.' }),
      reportingInstance: t.string({ default: '', description: 'Instance of the controller that emitted the event.' }),
      series: t.ref(EventSeries, { description: 'Repetitions of the event.' }),
      source: t.ref(EventSource, { description: 'Who reported the event.' }),
      type: str('Normal or Warning.'),
    },
    { required: ['metadata', 'involvedObject'], description: 'A report of something that happened to an object.' },
  ),
  gvk('Event'),
);

export type EventSourceT = Static<typeof EventSource>;
export type EventSeriesT = Static<typeof EventSeries>;
export type EventT = Static<typeof Event>;
