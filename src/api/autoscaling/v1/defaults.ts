/**
 * autoscaling/v1 SetDefaults_HorizontalPodAutoscaler: minReplicas 1. The
 * 80% cpu target is not a v1 default; conversion to v2 supplies it.
 */
import type { HorizontalPodAutoscalerT } from './types.js';

export function defaultHorizontalPodAutoscalerV1(hpa: HorizontalPodAutoscalerT): void {
  if (hpa.spec) hpa.spec.minReplicas ??= 1;
}
