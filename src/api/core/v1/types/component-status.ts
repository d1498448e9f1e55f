/** ComponentStatus: the health of control plane components (deprecated, read-only). */
import { def, t, type Static } from '../../../schema/dsl.js';
import { ObjectMeta } from '../../../meta/v1.js';
import { CORE, gvk, str } from './fields.js';

export const ComponentCondition = def(
  CORE + 'ComponentCondition',
  t.object(
    { error: str('Error code of the component, if unhealthy.'), message: str('Message of the component.'), status: str('True, False or Unknown.'), type: str('Type of the condition; only Healthy.') },
    { required: ['type', 'status'], description: 'A health condition of a component.' },
  ),
);

export const ComponentStatus = def(
  CORE + 'ComponentStatus',
  t.object({
    apiVersion: str('Versioned schema of this object.'),
    conditions: t.array(t.ref(ComponentCondition), { listType: 'map', mapKeys: ['type'], mergeKey: 'type', patchStrategy: 'merge', description: 'Health conditions.' }),
    kind: str('Kind of this object.'),
    metadata: t.ref(ObjectMeta),
  }, { description: 'The health of a control plane component.' }),
  gvk('ComponentStatus'),
);

export type ComponentStatusT = Static<typeof ComponentStatus>;
