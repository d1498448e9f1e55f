/**
 * Deployment conditions with upstream's update rules: setting a condition
 * with the same status and reason is a no-op; a changed reason with the same
 * status keeps lastTransitionTime.
 */
import type { DeploymentCondition, DeploymentStatus } from './types.js';

export function newCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string, nowRFC3339: string): DeploymentCondition {
  return { type, status, lastUpdateTime: nowRFC3339, lastTransitionTime: nowRFC3339, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (!status.conditions.length) delete status.conditions;
}
