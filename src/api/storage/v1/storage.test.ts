import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText, type FieldError } from '../../../machinery/errors/field.js';
import { metaDefinitions } from '../../meta/v1.js';
import { coreV1 } from '../../core/v1/index.js';
import {
  storageV1,
  defaultCSIDriver,
  defaultStorageClass,
  validateCSIDriver,
  validateCSINode,
  validateStorageClass,
  validateVolumeAttachment,
  type CSIDriverT,
  type StorageClassT,
  type VolumeAttachmentT,
} from './index.js';

function refsOf(s: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(s)) for (const x of s) refsOf(x, out);
  else if (s && typeof s === 'object') {
    for (const [k, v] of Object.entries(s)) {
      if (k === '$ref' && typeof v === 'string') out.add(v.replace('#/definitions/', ''));
      else refsOf(v, out);
    }
  }
  return out;
}
const texts = (errs: FieldError[]) => errs.map(fieldErrorText);

describe('storage.k8s.io/v1', () => {
  test('every $ref resolves', () => {
    const known = new Set([...storageV1.definitions, ...metaDefinitions, ...coreV1.definitions].map((d) => d.name));
    for (const r of refsOf(storageV1.definitions.map((d) => d.definition), new Set())) assert.ok(known.has(r), `unresolved ${r}`);
  });

  test('storage class defaults and validation', () => {
    const sc: StorageClassT = { metadata: { name: 'fast' }, provisioner: 'rancher.io/local-path' };
    defaultStorageClass(sc);
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.volumeBindingMode, 'Immediate');
    assert.deepEqual(validateStorageClass(sc, undefined), []);
  });

  const scCases: { name: string; sc: Partial<StorageClassT>; old?: Partial<StorageClassT>; want: string[] }[] = [
    { name: 'missing provisioner', sc: { provisioner: '' }, want: ['provisioner: Required value'] },
    { name: 'bad reclaim policy', sc: { reclaimPolicy: 'Recycle' }, want: ['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"'] },
    { name: 'bad binding mode', sc: { volumeBindingMode: 'Later' as never }, want: ['volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"'] },
    { name: 'parameters changed', sc: { parameters: { a: '2' } }, old: { parameters: { a: '1' } }, want: ['parameters: Forbidden: updates to parameters are forbidden.'] },
    { name: 'provisioner changed', sc: {}, old: { provisioner: 'other.io/x' }, want: ['provisioner: Forbidden: updates to provisioner are forbidden.'] },
    { name: 'binding mode changed', sc: {}, old: { volumeBindingMode: 'WaitForFirstConsumer' }, want: ['volumeBindingMode: Invalid value: "Immediate": field is immutable'] },
    { name: 'topology without values', sc: { allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: [] }] }] }, want: ['allowedTopologies[0].matchLabelExpressions[0].values: Required value'] },
  ];
  const base: StorageClassT = { metadata: { name: 'x' }, provisioner: 'example.com/p', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' };
  for (const c of scCases) {
    test(`storage class: ${c.name}`, () => {
      const old = c.old ? { ...base, ...c.old } : undefined;
      assert.deepEqual(texts(validateStorageClass({ ...base, ...c.sc }, old)), c.want);
    });
  }

  test('CSI driver defaults and validation', () => {
    const d: CSIDriverT = { metadata: { name: 'csi.example.com' }, spec: {} };
    defaultCSIDriver(d);
    assert.deepEqual(d.spec, {
      attachRequired: true,
      podInfoOnMount: false,
      storageCapacity: false,
      fsGroupPolicy: 'ReadWriteOnceWithFSType',
      requiresRepublish: false,
      seLinuxMount: false,
      volumeLifecycleModes: ['Persistent'],
    });
    assert.deepEqual(validateCSIDriver(d, undefined), []);
    const bad: CSIDriverT = { metadata: {}, spec: { ...d.spec, volumeLifecycleModes: ['Forever'], tokenRequests: [{ audience: 'a', expirationSeconds: 60 }] } };
    assert.deepEqual(texts(validateCSIDriver(bad, undefined)), [
      'spec.volumeLifecycleModes: Unsupported value: "Forever": supported values: "Persistent", "Ephemeral"',
      'spec.tokenRequests[0].expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    ]);
    assert.deepEqual(storageV1.resources.find((r) => r.resource === 'csidrivers')!.nameValidator!('a'.repeat(64), false), ['must be no more than 63 characters']);
  });

  test('CSI node drivers need unique names and node IDs', () => {
    const errs = validateCSINode({ metadata: { name: 'n1' }, spec: { drivers: [{ name: 'd.io', nodeID: 'n1' }, { name: 'd.io', nodeID: '' }] } });
    assert.deepEqual(texts(errs), ['spec.drivers[1].name: Duplicate value: "d.io"', 'spec.drivers[1].nodeID: Required value']);
  });

  test('volume attachment: exactly one source, spec immutable', () => {
    const va: VolumeAttachmentT = { metadata: { name: 'va' }, spec: { attacher: 'csi.example.com', nodeName: 'node-1', source: { persistentVolumeName: 'pv1' } } };
    assert.deepEqual(validateVolumeAttachment(va, undefined), []);
    assert.deepEqual(texts(validateVolumeAttachment({ ...va, spec: { ...va.spec!, source: {} } }, undefined)), ['spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName']);
    const moved = { ...va, spec: { ...va.spec!, nodeName: 'node-2' } };
    assert.equal(texts(validateVolumeAttachment(moved, va))[0]!.startsWith('spec: Invalid value: '), true);
    assert.deepEqual(validateVolumeAttachment({ ...moved, status: { attached: true } }, va, { subresource: 'status' }), []);
  });

  test('discovery facts', () => {
    const sc = storageV1.resources.find((r) => r.resource === 'storageclasses')!;
    assert.deepEqual(sc.shortNames, ['sc']);
    assert.equal(storageV1.resources.find((r) => r.resource === 'csistoragecapacities')!.namespaced, true);
    assert.equal(storageV1.resources.find((r) => r.resource === 'volumeattachments')!.hasStatus, true);
  });
});
