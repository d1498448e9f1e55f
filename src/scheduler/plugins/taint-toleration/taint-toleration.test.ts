import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { node, pod } from '../../../testing/builders.js';
import { filterAll, frameworkWith, scores, snapshotOf } from '../plugin-test-kit.js';

describe('TaintToleration filter', () => {
  const cases = [
    { name: 'untolerated NoSchedule', p: pod('p'), want: 'node(s) had untolerated taint {dedicated: db}' },
    { name: 'Equal toleration', p: pod('p').toleration({ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }), want: '' },
    { name: 'Equal with another value', p: pod('p').toleration({ key: 'dedicated', value: 'web' }), want: 'node(s) had untolerated taint {dedicated: db}' },
    { name: 'Exists with empty key tolerates everything', p: pod('p').toleration({ operator: 'Exists' }), want: '' },
    { name: 'effect must match', p: pod('p').toleration({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }), want: 'node(s) had untolerated taint {dedicated: db}' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const n = node('a').taint('dedicated', 'db', 'NoSchedule').taint('soft', 'x', 'PreferNoSchedule').build();
      const st = filterAll(frameworkWith(['TaintToleration']), c.p.build(), snapshotOf([n])).get('a')!;
      assert.equal(st.message(), c.want);
      if (c.want) assert.equal(st.code, 3);
    });
  }
});

test('TaintToleration score: fewer intolerable PreferNoSchedule taints is better', () => {
  const nodes = [
    node('clean').build(),
    node('one').taint('a', '1', 'PreferNoSchedule').build(),
    node('two').taint('a', '1', 'PreferNoSchedule').taint('b', '2', 'PreferNoSchedule').build(),
    node('tolerated').taint('c', '3', 'PreferNoSchedule').build(),
  ];
  const p = pod('p').toleration({ key: 'c', operator: 'Exists', effect: 'PreferNoSchedule' }).build();
  assert.deepEqual(scores(frameworkWith(['TaintToleration']), p, snapshotOf(nodes)), { clean: 100, one: 50, two: 0, tolerated: 100 });
});
