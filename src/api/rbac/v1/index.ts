import type { GroupVersionModule } from '../../scheme.js';
import { rbacResources } from './resources.js';
import { GROUP, VERSION, rbacDefinitions } from './types.js';

export * from './types.js';
export * from './defaults.js';
export * from './validation.js';
export * from './resources.js';
export * from './bootstrap-policy.js';

export const rbacV1: GroupVersionModule = {
  group: GROUP,
  version: VERSION,
  definitions: rbacDefinitions,
  resources: rbacResources,
};
