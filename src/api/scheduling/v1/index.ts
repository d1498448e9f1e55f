import type { GroupVersionModule } from '../../scheme.js';
import { schedulingResources } from './resources.js';
import { GROUP, VERSION, schedulingDefinitions } from './types.js';

export * from './types.js';
export * from './defaults.js';
export * from './validation.js';
export * from './resources.js';

export const schedulingV1: GroupVersionModule = {
  group: GROUP,
  version: VERSION,
  definitions: schedulingDefinitions,
  resources: schedulingResources,
};
