import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pod } from '../../../testing/builders.js';
import { SchedulingGates } from './scheduling-gates.js';

const cases = [
  { name: 'no gates', gates: [] as string[], want: '' },
  { name: 'gates listed as upstream prints them', gates: ['a', 'b'], want: 'waiting for scheduling gates: [a b]' },
];
for (const c of cases) {
  test(`SchedulingGates: ${c.name}`, () => {
    const st = new SchedulingGates().preEnqueue(pod('p').schedulingGates(...c.gates).build());
    assert.equal(st.message(), c.want);
    assert.equal(st.isSuccess(), c.gates.length === 0);
  });
}
