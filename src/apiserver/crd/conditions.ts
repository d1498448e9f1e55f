/**
 * CRD status conditions as upstream keeps them: one per type, the transition
 * time moving only when the status flips, in a fixed order so repeated
 * reconciles write nothing new.
 */
import type { CustomResourceDefinitionConditionT, CustomResourceDefinitionT } from '../../api/apiextensions/v1/types.js';

export type ConditionType = 'NamesAccepted' | 'Established' | 'Terminating';

export interface ConditionInput {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export function findCondition(crd: CustomResourceDefinitionT, type: ConditionType): CustomResourceDefinitionConditionT | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

export function isConditionTrue(crd: CustomResourceDefinitionT, type: ConditionType): boolean {
  return findCondition(crd, type)?.status === 'True';
}

/** Sets (or replaces) one condition in place; `now` is an RFC 3339 time. */
export function setCondition(crd: CustomResourceDefinitionT, c: ConditionInput, now: string): void {
  const status = (crd.status ??= {});
  const list = (status.conditions ??= []);
  const i = list.findIndex((x) => x.type === c.type);
  const old = i >= 0 ? list[i] : undefined;
  const next: CustomResourceDefinitionConditionT = {
    type: c.type,
    status: c.status,
    lastTransitionTime: old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now,
    reason: c.reason,
    message: c.message,
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
}
