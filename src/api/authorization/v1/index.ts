import type { GroupVersionModule } from '../../scheme.js';
import { authorizationResources } from './resources.js';
import { GROUP, VERSION, authorizationDefinitions } from './types.js';

export * from './types.js';
export * from './validation.js';
export * from './resources.js';

export const authorizationV1: GroupVersionModule = {
  group: GROUP,
  version: VERSION,
  definitions: authorizationDefinitions,
  resources: authorizationResources,
};
