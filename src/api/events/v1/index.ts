import type { GroupVersionModule } from '../../scheme.js';
import { eventsResources } from './resources.js';
import { GROUP, VERSION, eventsDefinitions } from './types.js';

export * from './types.js';
export * from './convert.js';
export * from './validation.js';
export * from './resources.js';

export const eventsV1: GroupVersionModule = {
  group: GROUP,
  version: VERSION,
  definitions: eventsDefinitions,
  resources: eventsResources,
};
