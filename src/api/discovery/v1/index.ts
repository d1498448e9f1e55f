import type { GroupVersionModule } from '../../scheme.js';
import { discoveryResources } from './resources.js';
import { GROUP, VERSION, discoveryDefinitions } from './types.js';

export * from './types.js';
export * from './defaults.js';
export * from './validation.js';
export * from './resources.js';

export const discoveryV1: GroupVersionModule = {
  group: GROUP,
  version: VERSION,
  definitions: discoveryDefinitions,
  resources: discoveryResources,
};
