/** References from one object to another, in the shapes upstream publishes. */
import { def, t, type Static } from '../../../schema/dsl.js';
import { CORE, str } from './fields.js';

export const ObjectReference = def(
  CORE + 'ObjectReference',
  t.object(
    {
      apiVersion: str('API version of the referent.'),
      fieldPath: str('A path to a piece of the referent rather than the whole object, e.g. spec.containers{name}.'),
      kind: str('Kind of the referent.'),
      name: str('Name of the referent.'),
      namespace: str('Namespace of the referent.'),
      resourceVersion: str('The resourceVersion of the referent this reference was made to.'),
      uid: str('UID of the referent.'),
    },
    { structType: 'atomic', description: 'A reference to any object, with enough detail to find it.' },
  ),
);

export const LocalObjectReference = def(
  CORE + 'LocalObjectReference',
  t.object(
    { name: t.string({ default: '', description: 'Name of the referent in the same namespace.' }) },
    { structType: 'atomic', description: 'A reference to an object in the same namespace.' },
  ),
);

export const TypedLocalObjectReference = def(
  CORE + 'TypedLocalObjectReference',
  t.object(
    {
      apiGroup: str('API group of the referent; empty means the core group.'),
      kind: str('Kind of the referent.'),
      name: str('Name of the referent.'),
    },
    { required: ['kind', 'name'], structType: 'atomic', description: 'A reference to an object of a given kind in the same namespace.' },
  ),
);

export const TypedObjectReference = def(
  CORE + 'TypedObjectReference',
  t.object(
    {
      apiGroup: str('API group of the referent; empty means the core group.'),
      kind: str('Kind of the referent.'),
      name: str('Name of the referent.'),
      namespace: str('Namespace of the referent, when it may differ from the referrer.'),
    },
    { required: ['kind', 'name'], description: 'A reference to an object of a given kind, possibly in another namespace.' },
  ),
);

export const SecretReference = def(
  CORE + 'SecretReference',
  t.object(
    { name: str('Name of the secret.'), namespace: str('Namespace of the secret.') },
    { structType: 'atomic', description: 'A reference to a secret in any namespace.' },
  ),
);

export type ObjectReferenceT = Static<typeof ObjectReference>;
export type LocalObjectReferenceT = Static<typeof LocalObjectReference>;
export type TypedLocalObjectReferenceT = Static<typeof TypedLocalObjectReference>;
export type TypedObjectReferenceT = Static<typeof TypedObjectReference>;
export type SecretReferenceT = Static<typeof SecretReference>;
