import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../machinery/meta/types.js';
import type { Store } from '../../registry/store.js';
import type { AdmissionAttributes } from '../types.js';
import { DefaultStorageClass, IS_DEFAULT_CLASS_ANNOTATION, defaultStorageClass } from './default-storage-class.js';

const sc = (name: string, isDefault: boolean, created = '2026-01-01T00:00:00Z'): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name, creationTimestamp: created, annotations: isDefault ? { [IS_DEFAULT_CLASS_ANNOTATION]: 'true' } : {} },
});

const storeOf = (classes: KubeObject[]) => ({ list: async () => ({ items: classes.map((object) => ({ object })) }) }) as unknown as Store;

const claim = (spec: Record<string, unknown>): AdmissionAttributes =>
  ({ operation: 'CREATE', group: '', version: 'v1', resource: 'persistentvolumeclaims', subresource: '', namespace: 'ns', name: 'c', object: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'ns' }, spec } }) as unknown as AdmissionAttributes;

describe('DefaultStorageClass', () => {
  test('the newest default wins when several are marked', () => {
    assert.equal(defaultStorageClass([sc('old', true, '2025-01-01T00:00:00Z'), sc('new', true, '2026-02-01T00:00:00Z'), sc('plain', false)])?.metadata.name, 'new');
    assert.equal(defaultStorageClass([sc('plain', false)]), undefined);
  });

  const cases: Array<{ name: string; spec: Record<string, unknown>; classes: KubeObject[]; want: unknown }> = [
    { name: 'an unset class gets the default', spec: {}, classes: [sc('local-path', true)], want: 'local-path' },
    { name: 'an explicit class is kept', spec: { storageClassName: 'fast' }, classes: [sc('local-path', true)], want: 'fast' },
    { name: 'an explicit empty class means none and is kept', spec: { storageClassName: '' }, classes: [sc('local-path', true)], want: '' },
    { name: 'without a default nothing changes', spec: {}, classes: [sc('plain', false)], want: undefined },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const a = claim(c.spec);
      await new DefaultStorageClass(() => storeOf(c.classes)).admit(a);
      assert.equal((a.object!.spec as { storageClassName?: string }).storageClassName, c.want);
    });
  }
});
