import type { GroupVersionModule } from '../../scheme.js';
import { networkingResources } from './resources.js';
import { GROUP, VERSION, networkingDefinitions } from './types.js';

export * from './types.js';
export * from './defaults.js';
export * from './validation.js';
export * from './resources.js';

export const networkingV1: GroupVersionModule = {
  group: GROUP,
  version: VERSION,
  definitions: networkingDefinitions,
  resources: networkingResources,
};
