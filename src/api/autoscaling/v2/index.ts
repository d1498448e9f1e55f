import type { GroupVersionModule } from '../../scheme.js';
import { autoscalingV2Resources } from './resources.js';
import { autoscalingV2Definitions } from './types.js';

export const autoscalingV2: GroupVersionModule = { group: 'autoscaling', version: 'v2', definitions: autoscalingV2Definitions, resources: autoscalingV2Resources };

export * from './types.js';
export * from './defaults.js';
export * from './validation.js';
export * from './resources.js';
