/**
 * autoscaling/v1 validation. Upstream validates HorizontalPodAutoscalers in
 * their internal (v2-shaped) form whatever the request version, so v1
 * objects are converted and checked by the v2 rules, with v2 paths.
 */
import { type FieldError, FieldPath } from '../../../machinery/errors/field.js';
import { validateNonnegative } from '../../apps/v1/field-checks.js';
import {
  validateHorizontalPodAutoscaler,
  validateHorizontalPodAutoscalerStatusUpdate,
  validateHorizontalPodAutoscalerUpdate,
} from '../v2/validation.js';
import { hpaV1ToV2 } from './conversion.js';
import type { HorizontalPodAutoscalerT, ScaleT } from './types.js';

/** Upstream ValidateScale: what every scale subresource update must satisfy. */
export function validateScale(scale: ScaleT): FieldError[] {
  return validateNonnegative(scale.spec?.replicas, new FieldPath('spec').child('replicas'));
}

export function validateHorizontalPodAutoscalerV1(hpa: HorizontalPodAutoscalerT): FieldError[] {
  return validateHorizontalPodAutoscaler(hpaV1ToV2(hpa));
}

export function validateHorizontalPodAutoscalerV1Update(hpa: HorizontalPodAutoscalerT, old: HorizontalPodAutoscalerT): FieldError[] {
  return validateHorizontalPodAutoscalerUpdate(hpaV1ToV2(hpa), hpaV1ToV2(old));
}

export function validateHorizontalPodAutoscalerV1StatusUpdate(hpa: HorizontalPodAutoscalerT, old: HorizontalPodAutoscalerT): FieldError[] {
  return validateHorizontalPodAutoscalerStatusUpdate(hpaV1ToV2(hpa), hpaV1ToV2(old));
}
