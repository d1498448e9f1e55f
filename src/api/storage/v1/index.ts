import type { GroupVersionModule } from '../../scheme.js';
import { storageResources } from './resources.js';
import { GROUP, VERSION, storageDefinitions } from './types.js';

export * from './types.js';
export * from './defaults.js';
export * from './validation.js';
export * from './resources.js';

export const storageV1: GroupVersionModule = {
  group: GROUP,
  version: VERSION,
  definitions: storageDefinitions,
  resources: storageResources,
};
