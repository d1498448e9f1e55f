import { test } from 'node:test';
import assert from 'node:assert/strict';
import { node, pod } from '../../../testing/builders.js';
import { filterAll, frameworkWith, snapshotOf } from '../plugin-test-kit.js';
import { ERR_REASON } from './node-name.js';

const cases = [
  { name: 'no nodeName fits anywhere', nodeName: undefined, want: { a: '', b: '' } },
  { name: 'nodeName fits only that node', nodeName: 'b', want: { a: ERR_REASON, b: '' } },
];
for (const c of cases) {
  test(`NodeName: ${c.name}`, () => {
    const p = pod('p').build();
    if (c.nodeName) p.spec!.nodeName = c.nodeName;
    const got = filterAll(frameworkWith(['NodeName']), p, snapshotOf([node('a').build(), node('b').build()]));
    assert.deepEqual(Object.fromEntries([...got].map(([n, s]) => [n, s.message()])), c.want);
    if (c.nodeName) assert.equal(got.get('a')!.code, 3);
  });
}
