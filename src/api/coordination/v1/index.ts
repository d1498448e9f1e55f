import type { GroupVersionModule } from '../../scheme.js';
import { coordinationResources } from './resources.js';
import { GROUP, VERSION, coordinationDefinitions } from './types.js';

export * from './types.js';
export * from './validation.js';
export * from './resources.js';

export const coordinationV1: GroupVersionModule = {
  group: GROUP,
  version: VERSION,
  definitions: coordinationDefinitions,
  resources: coordinationResources,
};
