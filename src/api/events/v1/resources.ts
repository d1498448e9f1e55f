/**
 * events.k8s.io/v1 events: served from the same storage as core/v1 events,
 * which is the storage version; this version converts on the way in and out.
 */
import type { KubeObject } from '../../../machinery/meta/types.js';
import { ALL_VERBS, type ResourceType } from '../../scheme.js';
import { convertEvent } from './convert.js';
import { GROUP, VERSION, Event, type EventT } from './types.js';
import { validateEvent } from './validation.js';

export const events: ResourceType<EventT & KubeObject> = {
  group: GROUP,
  version: VERSION,
  kind: 'Event',
  resource: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  verbs: ALL_VERBS,
  storageVersion: false,
  definition: Event,
  validate: (obj, old) => validateEvent(obj, old),
  convert: convertEvent,
};

export const eventsResources = [events] as const;
