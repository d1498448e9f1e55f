import type { GroupVersionModule } from '../../scheme.js';
import { policyV1Resources } from './resources.js';
import { policyV1Definitions } from './types.js';

export const policyV1: GroupVersionModule = { group: 'policy', version: 'v1', definitions: policyV1Definitions, resources: policyV1Resources };

export * from './types.js';
export * from './validation.js';
export * from './resources.js';
