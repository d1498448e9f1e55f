/** Namespace: a scope for names. */
import { def, t, type Static } from '../../../schema/dsl.js';
import { ObjectMeta, Time } from '../../../meta/v1.js';
import { CORE, gvk, str, strList } from './fields.js';

export const NamespaceSpec = def(
  CORE + 'NamespaceSpec',
  t.object({ finalizers: strList('Finalizers that must be removed before the namespace is deleted from storage.') }, { description: 'The desired state of a namespace.' }),
);

export const NamespaceCondition = def(
  CORE + 'NamespaceCondition',
  t.object(
    {
      lastTransitionTime: t.ref(Time, { description: 'When the condition last changed status.' }),
      message: str('Human-readable detail.'),
      reason: str('Machine-readable reason for the last transition.'),
      status: str('True, False or Unknown.'),
      type: str('Type of the condition.'),
    },
    { required: ['type', 'status'], description: 'A condition of a namespace.' },
  ),
);

export const NamespaceStatus = def(
  CORE + 'NamespaceStatus',
  t.object({
    conditions: t.array(t.ref(NamespaceCondition), { listType: 'map', mapKeys: ['type'], mergeKey: 'type', patchStrategy: 'merge', description: 'Current conditions of the namespace.' }),
    phase: t.enum(['Active', 'Terminating'], { description: 'Whether the namespace is in use or being deleted.' }),
  }, { description: 'The observed state of a namespace.' }),
);

export const Namespace = def(
  CORE + 'Namespace',
  t.object({
    apiVersion: str('Versioned schema of this object.'),
    kind: str('Kind of this object.'),
    metadata: t.ref(ObjectMeta),
    spec: t.ref(NamespaceSpec, { description: 'Desired state of the namespace.' }),
    status: t.ref(NamespaceStatus, { description: 'Observed state of the namespace.' }),
  }, { description: 'A scope for the names of namespaced objects.' }),
  gvk('Namespace'),
);

export type NamespaceSpecT = Static<typeof NamespaceSpec>;
export type NamespaceStatusT = Static<typeof NamespaceStatus>;
export type NamespaceT = Static<typeof Namespace>;
