import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaimT, PersistentVolumeT } from '../../../api/core/v1/types.js';
import { node, pod } from '../../../testing/builders.js';
import type { VolumeLister } from '../../framework/snapshot.js';
import { filterAll, frameworkWith, snapshotOf } from '../plugin-test-kit.js';
import { ERR_REASON_NODE_CONFLICT, ERR_REASON_UNBOUND_IMMEDIATE } from './volume-binding.js';

const pvcs: Record<string, PersistentVolumeClaimT> = {
  bound: { metadata: { name: 'bound', namespace: 'default' }, spec: { volumeName: 'pv-a' } },
  unbound: { metadata: { name: 'unbound', namespace: 'default' }, spec: { storageClassName: 'fast' } },
  late: { metadata: { name: 'late', namespace: 'default' }, spec: { storageClassName: 'wffc' } },
};
const pvs: Record<string, PersistentVolumeT> = {
  'pv-a': { metadata: { name: 'pv-a' }, spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }] }] } } } },
};
const volumes: VolumeLister = {
  pvc: (_ns, name) => pvcs[name],
  pv: (name) => pvs[name],
  bindingMode: (sc) => (sc === 'wffc' ? 'WaitForFirstConsumer' : 'Immediate'),
};

const cases = [
  { name: 'bound volume pins the pod to its node', claim: 'bound', want: { a: '', b: ERR_REASON_NODE_CONFLICT } },
  { name: 'unbound immediate claim', claim: 'unbound', want: { a: ERR_REASON_UNBOUND_IMMEDIATE, b: ERR_REASON_UNBOUND_IMMEDIATE } },
  { name: 'unbound WaitForFirstConsumer claim is left to binding', claim: 'late', want: { a: '', b: '' } },
  { name: 'missing claim', claim: 'nope', want: { a: 'persistentvolumeclaim "nope" not found', b: 'persistentvolumeclaim "nope" not found' } },
];
for (const c of cases) {
  test(`VolumeBinding: ${c.name}`, () => {
    const got = filterAll(frameworkWith(['VolumeBinding']), pod('p').pvc(c.claim).build(), snapshotOf([node('a').build(), node('b').build()], [], { volumes }));
    assert.deepEqual(Object.fromEntries([...got].map(([n, s]) => [n, s.message()])), c.want);
  });
}
