import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { node, pod } from '../../../testing/builders.js';
import { feasible, filterAll, frameworkWith, scores, snapshotOf } from '../plugin-test-kit.js';
import { ERR_REASON_ENFORCED, ERR_REASON_POD } from './node-affinity.js';

const nodes = () => [
  node('ssd-1').labels({ disk: 'ssd', gen: '5' }).build(),
  node('hdd-1').labels({ disk: 'hdd', gen: '3' }).build(),
  node('bare').build(),
];

describe('NodeAffinity filter', () => {
  const cases = [
    { name: 'nodeSelector', p: pod('p').nodeSelector({ disk: 'ssd' }), want: ['ssd-1'] },
    { name: 'In', p: pod('p').requiredNodeAffinity([{ key: 'disk', operator: 'In', values: ['ssd', 'hdd'] }]), want: ['ssd-1', 'hdd-1'] },
    { name: 'NotIn matches nodes without the label', p: pod('p').requiredNodeAffinity([{ key: 'disk', operator: 'NotIn', values: ['ssd'] }]), want: ['hdd-1', 'bare'] },
    { name: 'Exists', p: pod('p').requiredNodeAffinity([{ key: 'disk', operator: 'Exists' }]), want: ['ssd-1', 'hdd-1'] },
    { name: 'DoesNotExist', p: pod('p').requiredNodeAffinity([{ key: 'disk', operator: 'DoesNotExist' }]), want: ['bare'] },
    { name: 'Gt', p: pod('p').requiredNodeAffinity([{ key: 'gen', operator: 'Gt', values: ['4'] }]), want: ['ssd-1'] },
    { name: 'Lt', p: pod('p').requiredNodeAffinity([{ key: 'gen', operator: 'Lt', values: ['4'] }]), want: ['hdd-1'] },
    { name: 'terms are ORed', p: pod('p').requiredNodeAffinity([{ key: 'disk', operator: 'In', values: ['ssd'] }], [{ key: 'disk', operator: 'DoesNotExist' }]), want: ['ssd-1', 'bare'] },
    { name: 'selector and affinity both apply', p: pod('p').nodeSelector({ disk: 'hdd' }).requiredNodeAffinity([{ key: 'disk', operator: 'In', values: ['ssd'] }]), want: [] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(feasible(frameworkWith(['NodeAffinity']), c.p.build(), snapshotOf(nodes())), c.want));

  test('rejections are unresolvable with upstream reason', () => {
    const st = filterAll(frameworkWith(['NodeAffinity']), pod('p').nodeSelector({ disk: 'nvme' }).build(), snapshotOf(nodes())).get('bare')!;
    assert.equal(st.code, 3);
    assert.deepEqual(st.reasons, [ERR_REASON_POD]);
  });

  test('addedAffinity from args is enforced on every pod', () => {
    const fw = frameworkWith(['NodeAffinity'], { NodeAffinity: { addedAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }] } } } });
    const got = filterAll(fw, pod('p').build(), snapshotOf(nodes()));
    assert.deepEqual(got.get('bare')!.reasons, [ERR_REASON_ENFORCED]);
    assert.ok(got.get('ssd-1')!.isSuccess());
  });

  test('matchFields metadata.name narrows candidates in PreFilter', () => {
    const p = pod('p').build();
    p.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['hdd-1'] }] }] } } };
    const fw = frameworkWith(['NodeAffinity']);
    const res = fw.scheduleOne(p, snapshotOf(nodes()));
    assert.equal(res.kind, 'scheduled');
    if (res.kind === 'scheduled') assert.equal(res.nodeName, 'hdd-1');
  });
});

test('NodeAffinity score: preferred weights, normalized to the best node', () => {
  const p = pod('p').preferredNodeAffinity(20, [{ key: 'disk', operator: 'In', values: ['ssd'] }]).preferredNodeAffinity(60, [{ key: 'gen', operator: 'Exists' }]).build();
  assert.deepEqual(scores(frameworkWith(['NodeAffinity']), p, snapshotOf(nodes())), { 'ssd-1': 100, 'hdd-1': 75, bare: 0 });
});
