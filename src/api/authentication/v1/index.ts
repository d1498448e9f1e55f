import type { GroupVersionModule } from '../../scheme.js';
import { authenticationResources } from './resources.js';
import { GROUP, VERSION, authenticationDefinitions } from './types.js';

export * from './types.js';
export * from './defaults.js';
export * from './validation.js';
export * from './resources.js';

export const authenticationV1: GroupVersionModule = {
  group: GROUP,
  version: VERSION,
  definitions: authenticationDefinitions,
  resources: authenticationResources,
};
