/** scheduling.k8s.io/v1: PriorityClass. */
import { def, t, type Static } from '../../schema/dsl.js';
import { ObjectMeta } from '../../meta/v1.js';

export const GROUP = 'scheduling.k8s.io';
export const VERSION = 'v1';

export const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'] as const;

export const PriorityClass = def(
  'io.k8s.api.scheduling.v1.PriorityClass',
  t.object(
    {
      apiVersion: t.string({ description: 'The versioned schema of this representation of the object.' }),
      description: t.string({ description: 'When to use this priority class, for humans.' }),
      globalDefault: t.bool({ description: 'Whether pods without a priorityClassName get this class; at most one class may be the default.' }),
      kind: t.string({ description: 'The REST resource this object represents, in CamelCase.' }),
      metadata: t.ref(ObjectMeta),
      preemptionPolicy: t.enum(PREEMPTION_POLICIES, { description: 'Whether pods of this class may preempt lower-priority pods: PreemptLowerPriority (default) or Never.' }),
      value: t.int32({ description: 'The priority pods of this class get; higher runs first. User classes are limited to 1000000000.' }),
    },
    { required: ['value'], description: 'A named pod priority.' },
  ),
  { 'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind: 'PriorityClass' }] },
);

export const schedulingDefinitions = [PriorityClass] as const;

export type PriorityClassT = Static<typeof PriorityClass>;
