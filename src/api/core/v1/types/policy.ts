/** ResourceQuota and LimitRange: per-namespace bounds on resource use. */
import { def, t, type Static } from '../../../schema/dsl.js';
import { ObjectMeta } from '../../../meta/v1.js';
import { CORE, gvk, resourceList, str, strList } from './fields.js';

export const QUOTA_SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'] as const;

export const ScopedResourceSelectorRequirement = def(
  CORE + 'ScopedResourceSelectorRequirement',
  t.object(
    {
      operator: t.enum(['DoesNotExist', 'Exists', 'In', 'NotIn'], { description: 'How the scope relates to the values.' }),
      scopeName: t.enum(QUOTA_SCOPES, { description: 'The scope the requirement applies to.' }),
      values: strList('Values for In and NotIn.'),
    },
    { required: ['scopeName', 'operator'], description: 'A requirement on a quota scope.' },
  ),
);

export const ScopeSelector = def(
  CORE + 'ScopeSelector',
  t.object(
    { matchExpressions: t.array(t.ref(ScopedResourceSelectorRequirement), { listType: 'atomic', description: 'Requirements ANDed together.' }) },
    { structType: 'atomic', description: 'Selects the objects a quota tracks by scope.' },
  ),
);

export const ResourceQuotaSpec = def(
  CORE + 'ResourceQuotaSpec',
  t.object({
    hard: resourceList('Hard limit per named resource.'),
    scopeSelector: t.ref(ScopeSelector, { description: 'Scope requirements objects must meet to be counted.' }),
    scopes: t.array(t.enum(QUOTA_SCOPES), { listType: 'atomic', description: 'Scopes objects must match to be counted.' }),
  }, { description: 'The desired quota.' }),
);

export const ResourceQuotaStatus = def(
  CORE + 'ResourceQuotaStatus',
  t.object({ hard: resourceList('Enforced hard limits.'), used: resourceList('Current usage.') }, { description: 'The enforced quota and current usage.' }),
);

export const ResourceQuota = def(
  CORE + 'ResourceQuota',
  t.object({
    apiVersion: str('Versioned schema of this object.'),
    kind: str('Kind of this object.'),
    metadata: t.ref(ObjectMeta),
    spec: t.ref(ResourceQuotaSpec, { description: 'Desired quota.' }),
    status: t.ref(ResourceQuotaStatus, { description: 'Enforced quota and usage.' }),
  }, { description: 'Aggregate resource limits for a namespace.' }),
  gvk('ResourceQuota'),
);

export const LimitRangeItem = def(
  CORE + 'LimitRangeItem',
  t.object(
    {
      default: resourceList('Limits applied to containers that set none.'),
      defaultRequest: resourceList('Requests applied to containers that set none.'),
      max: resourceList('Maximum per resource.'),
      maxLimitRequestRatio: resourceList('Maximum ratio of limit to request per resource.'),
      min: resourceList('Minimum per resource.'),
      type: str('Kind of object the limits apply to: Container, Pod or PersistentVolumeClaim.'),
    },
    { required: ['type'], description: 'Limits for one kind of object.' },
  ),
);

export const LimitRangeSpec = def(
  CORE + 'LimitRangeSpec',
  t.object({ limits: t.array(t.ref(LimitRangeItem), { listType: 'atomic', description: 'The limits.' }) }, { required: ['limits'], description: 'Limits enforced in a namespace.' }),
);

export const LimitRange = def(
  CORE + 'LimitRange',
  t.object({
    apiVersion: str('Versioned schema of this object.'),
    kind: str('Kind of this object.'),
    metadata: t.ref(ObjectMeta),
    spec: t.ref(LimitRangeSpec, { description: 'The limits.' }),
  }, { description: 'Per-object resource bounds and defaults in a namespace.' }),
  gvk('LimitRange'),
);

export type ResourceQuotaSpecT = Static<typeof ResourceQuotaSpec>;
export type ResourceQuotaT = Static<typeof ResourceQuota>;
export type LimitRangeItemT = Static<typeof LimitRangeItem>;
export type LimitRangeSpecT = Static<typeof LimitRangeSpec>;
export type LimitRangeT = Static<typeof LimitRange>;
