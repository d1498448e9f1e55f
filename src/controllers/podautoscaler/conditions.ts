/**
 * HorizontalPodAutoscaler conditions (AbleToScale, ScalingActive,
 * ScalingLimited) set as upstream does: in place, in first-set order, with
 * lastTransitionTime moving only when the status changes.
 */
import type { HorizontalPodAutoscalerConditionT } from '../../api/autoscaling/v2/types.js';

export type ConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface ConditionUpdate {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
}

export function setCondition(conditions: HorizontalPodAutoscalerConditionT[], c: ConditionUpdate, nowRFC3339: string): void {
  let existing = conditions.find((x) => x.type === c.type);
  if (!existing) {
    existing = { type: c.type, status: '' };
    conditions.push(existing);
  }
  if (existing.status !== c.status) existing.lastTransitionTime = nowRFC3339;
  existing.status = c.status;
  existing.reason = c.reason;
  existing.message = c.message;
}
