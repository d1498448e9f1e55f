import { test } from 'node:test';
import assert from 'node:assert/strict';
import { node, pod } from '../../../testing/builders.js';
import { filterAll, frameworkWith, snapshotOf } from '../plugin-test-kit.js';
import { ERR_REASON } from './node-ports.js';

const cases = [
  { name: 'free port', existing: pod('e').hostPort(80), incoming: pod('p').hostPort(8080), ok: true },
  { name: 'same port, wildcard IPs', existing: pod('e').hostPort(80), incoming: pod('p').hostPort(80), ok: false },
  { name: 'same port, other protocol', existing: pod('e').hostPort(53, { protocol: 'UDP' }), incoming: pod('p').hostPort(53), ok: true },
  { name: 'same port, different specific IPs', existing: pod('e').hostPort(80, { ip: '10.0.0.1' }), incoming: pod('p').hostPort(80, { ip: '10.0.0.2' }), ok: true },
  { name: 'specific IP against wildcard', existing: pod('e').hostPort(80, { ip: '10.0.0.1' }), incoming: pod('p').hostPort(80), ok: false },
];
for (const c of cases) {
  test(`NodePorts: ${c.name}`, () => {
    const st = filterAll(frameworkWith(['NodePorts']), c.incoming.build(), snapshotOf([node('a').build()], [c.existing.node('a').build()])).get('a')!;
    assert.equal(st.isSuccess(), c.ok);
    if (!c.ok) assert.deepEqual(st.reasons, [ERR_REASON]);
  });
}
