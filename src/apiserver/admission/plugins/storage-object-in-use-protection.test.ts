import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../machinery/meta/types.js';
import type { AdmissionAttributes } from '../types.js';
import { StorageObjectInUseProtection } from './storage-object-in-use-protection.js';

function attrs(o: { resource: string; group?: string; subresource?: string; finalizers?: string[] }): AdmissionAttributes {
  const object: KubeObject = { apiVersion: 'v1', kind: 'X', metadata: { name: 'x', ...(o.finalizers ? { finalizers: o.finalizers } : {}) } };
  return { operation: 'CREATE', group: o.group ?? '', version: 'v1', resource: o.resource, subresource: o.subresource ?? '', kind: 'X', namespace: 'ns', name: 'x', object, dryRun: false };
}

describe('StorageObjectInUseProtection', () => {
  const plugin = new StorageObjectInUseProtection();
  test('admits creates only', () => {
    assert.equal(plugin.handles('CREATE'), true);
    assert.equal(plugin.handles('UPDATE'), false);
    assert.equal(plugin.handles('DELETE'), false);
  });

  const cases: { name: string; in: Parameters<typeof attrs>[0]; want: string[] | undefined }[] = [
    { name: 'a claim gets pvc-protection', in: { resource: 'persistentvolumeclaims' }, want: ['kubernetes.io/pvc-protection'] },
    { name: 'a volume gets pv-protection', in: { resource: 'persistentvolumes' }, want: ['kubernetes.io/pv-protection'] },
    { name: 'other finalizers are kept, ours appended', in: { resource: 'persistentvolumeclaims', finalizers: ['example.com/x'] }, want: ['example.com/x', 'kubernetes.io/pvc-protection'] },
    { name: 'present already: not repeated', in: { resource: 'persistentvolumes', finalizers: ['kubernetes.io/pv-protection'] }, want: ['kubernetes.io/pv-protection'] },
    { name: 'a subresource is left alone', in: { resource: 'persistentvolumeclaims', subresource: 'status' }, want: undefined },
    { name: 'other resources are left alone', in: { resource: 'pods' }, want: undefined },
    { name: 'a same-named resource of another group is left alone', in: { resource: 'persistentvolumes', group: 'example.com' }, want: undefined },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const a = attrs(c.in);
      await plugin.admit(a);
      assert.deepEqual(a.object!.metadata.finalizers, c.want);
    });
  }
});
