import type { GroupVersionModule } from '../../scheme.js';
import { autoscalingV1Resources } from './resources.js';
import { autoscalingV1Definitions } from './types.js';

export const autoscalingV1: GroupVersionModule = { group: 'autoscaling', version: 'v1', definitions: autoscalingV1Definitions, resources: autoscalingV1Resources };

export * from './types.js';
export * from './defaults.js';
export * from './validation.js';
export * from './conversion.js';
export * from './resources.js';
