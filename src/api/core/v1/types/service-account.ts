/** ServiceAccount: an identity for processes running in pods. */
import { def, t, type Static } from '../../../schema/dsl.js';
import { ObjectMeta } from '../../../meta/v1.js';
import { LocalObjectReference, ObjectReference } from './references.js';
import { CORE, bool, gvk, str } from './fields.js';

export const ServiceAccount = def(
  CORE + 'ServiceAccount',
  t.object({
    apiVersion: str('Versioned schema of this object.'),
    automountServiceAccountToken: bool('Whether pods using the account get a token mounted automatically.'),
    imagePullSecrets: t.array(t.ref(LocalObjectReference), { listType: 'atomic', description: 'Secrets added to the image pull secrets of pods using the account.' }),
    kind: str('Kind of this object.'),
    metadata: t.ref(ObjectMeta),
    secrets: t.array(t.ref(ObjectReference), { mergeKey: 'name', patchStrategy: 'merge', description: 'Secrets pods using the account may use; legacy.' }),
  }, { description: 'An identity for processes running in pods.' }),
  gvk('ServiceAccount'),
);

export type ServiceAccountT = Static<typeof ServiceAccount>;
