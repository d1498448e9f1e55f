/** ConfigMap and Secret: configuration data handed to pods. */
import { def, t, type Static } from '../../../schema/dsl.js';
import { ObjectMeta } from '../../../meta/v1.js';
import { CORE, bool, gvk, str, strMap } from './fields.js';

export const ConfigMap = def(
  CORE + 'ConfigMap',
  t.object({
    apiVersion: str('Versioned schema of this object.'),
    binaryData: t.map(t.bytes(), { description: 'Binary values, base64-encoded; keys may not repeat those of data.' }),
    data: strMap('UTF-8 values.'),
    immutable: bool('Forbids changes to the data once set.'),
    kind: str('Kind of this object.'),
    metadata: t.ref(ObjectMeta),
  }, { description: 'Non-confidential configuration as key/value pairs.' }),
  gvk('ConfigMap'),
);

export const Secret = def(
  CORE + 'Secret',
  t.object({
    apiVersion: str('Versioned schema of this object.'),
    data: t.map(t.bytes(), { description: 'Secret values, base64-encoded.' }),
    immutable: bool('Forbids changes to the data once set.'),
    kind: str('Kind of this object.'),
    metadata: t.ref(ObjectMeta),
    stringData: strMap('Write-only plain-text values merged into data on write.'),
    type: str('Type used for programmatic handling of the data; defaults to Opaque.'),
  }, { description: 'Confidential data as key/value pairs.' }),
  gvk('Secret'),
);

export type ConfigMapT = Static<typeof ConfigMap>;
export type SecretT = Static<typeof Secret>;
