import type { GroupVersionModule } from '../../scheme.js';
import { appsV1Resources } from './resources.js';
import { appsV1Definitions } from './types.js';

export const appsV1: GroupVersionModule = { group: 'apps', version: 'v1', definitions: appsV1Definitions, resources: appsV1Resources };

export * from './types.js';
export * from './defaults.js';
export * from './validation.js';
export * from './resources.js';
export { selectorMatches, isEmptySelector, validateLabelSelector } from './label-selector.js';
