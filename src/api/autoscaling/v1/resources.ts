/**
 * autoscaling/v1 horizontalpodautoscalers: served, converted to and from
 * the autoscaling/v2 storage version.
 */
import type { KubeObject } from '../../../machinery/meta/types.js';
import { ALL_VERBS, type ResourceType } from '../../scheme.js';
import { dispatchValidation } from '../../apps/v1/validation-dispatch.js';
import type { HorizontalPodAutoscalerT as V2 } from '../v2/types.js';
import { hpaV1ToV2, hpaV2ToV1 } from './conversion.js';
import { defaultHorizontalPodAutoscalerV1 } from './defaults.js';
import { HorizontalPodAutoscaler, type HorizontalPodAutoscalerT } from './types.js';
import {
  validateHorizontalPodAutoscalerV1,
  validateHorizontalPodAutoscalerV1StatusUpdate,
  validateHorizontalPodAutoscalerV1Update,
} from './validation.js';

export const horizontalPodAutoscalersV1: ResourceType = {
  group: 'autoscaling',
  version: 'v1',
  kind: 'HorizontalPodAutoscaler',
  resource: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: [{ name: 'status', kind: 'HorizontalPodAutoscaler', verbs: ['get', 'patch', 'update'] }],
  hasStatus: true,
  storageVersion: false,
  definition: HorizontalPodAutoscaler,
  defaults: (o) => defaultHorizontalPodAutoscalerV1(o as never),
  validate: dispatchValidation({
    create: validateHorizontalPodAutoscalerV1,
    update: validateHorizontalPodAutoscalerV1Update,
    status: validateHorizontalPodAutoscalerV1StatusUpdate,
  }),
  convert: (obj, direction) =>
    (direction === 'toStorage' ? hpaV1ToV2(obj as unknown as HorizontalPodAutoscalerT) : hpaV2ToV1(obj as unknown as V2)) as unknown as KubeObject,
};

export const autoscalingV1Resources: readonly ResourceType[] = [horizontalPodAutoscalersV1];
