import { test } from 'node:test';
import assert from 'node:assert/strict';
import { node, pod } from '../../../testing/builders.js';
import { filterAll, frameworkWith, snapshotOf } from '../plugin-test-kit.js';

const cases = [
  { name: 'schedulable node', cordoned: false, p: pod('p'), ok: true },
  { name: 'cordoned node rejects', cordoned: true, p: pod('p'), ok: false },
  { name: 'cordoned node admits a pod tolerating the unschedulable taint', cordoned: true, p: pod('p').toleration({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }), ok: true },
];
for (const c of cases) {
  test(`NodeUnschedulable: ${c.name}`, () => {
    const n = c.cordoned ? node('a').unschedulable().build() : node('a').build();
    const st = filterAll(frameworkWith(['NodeUnschedulable']), c.p.build(), snapshotOf([n])).get('a')!;
    assert.equal(st.isSuccess(), c.ok);
    if (!c.ok) assert.deepEqual(st.reasons, ['node(s) were unschedulable']);
  });
}
