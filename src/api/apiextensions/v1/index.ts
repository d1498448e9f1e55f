import type { GroupVersionModule } from '../../scheme.js';
import { apiextensionsResources } from './resources.js';
import { GROUP, VERSION, apiextensionsDefinitions } from './types.js';

export * from './types.js';
export * from './defaults.js';
export * from './validation.js';
export * from './resources.js';

export const apiextensionsV1: GroupVersionModule = {
  group: GROUP,
  version: VERSION,
  definitions: apiextensionsDefinitions,
  resources: apiextensionsResources,
};
