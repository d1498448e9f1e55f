/**
 * autoscaling/v2 horizontalpodautoscalers: the storage version.
 */
import { ALL_VERBS, type ResourceType } from '../../scheme.js';
import { dispatchValidation } from '../../apps/v1/validation-dispatch.js';
import { defaultHorizontalPodAutoscaler } from './defaults.js';
import { HorizontalPodAutoscaler } from './types.js';
import { validateHorizontalPodAutoscaler, validateHorizontalPodAutoscalerStatusUpdate, validateHorizontalPodAutoscalerUpdate } from './validation.js';

export const horizontalPodAutoscalersV2: ResourceType = {
  group: 'autoscaling',
  version: 'v2',
  kind: 'HorizontalPodAutoscaler',
  resource: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: [{ name: 'status', kind: 'HorizontalPodAutoscaler', verbs: ['get', 'patch', 'update'] }],
  hasStatus: true,
  storageVersion: true,
  definition: HorizontalPodAutoscaler,
  defaults: (o) => defaultHorizontalPodAutoscaler(o as never),
  validate: dispatchValidation({
    create: validateHorizontalPodAutoscaler,
    update: validateHorizontalPodAutoscalerUpdate,
    status: validateHorizontalPodAutoscalerStatusUpdate,
  }),
};

export const autoscalingV2Resources: readonly ResourceType[] = [horizontalPodAutoscalersV2];
