import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaimT, PersistentVolumeT } from '../../../api/core/v1/types.js';
import { node, pod } from '../../../testing/builders.js';
import type { VolumeLister } from '../../framework/snapshot.js';
import { filterAll, frameworkWith, snapshotOf } from '../plugin-test-kit.js';
import { ANN_BIND_COMPLETED, type ClaimAPI, ERR_REASON_NODE_CONFLICT, ERR_REASON_UNBOUND_IMMEDIATE, VolumeBinding } from './volume-binding.js';
import { FakeClock } from '../../../machinery/clock.js';
import { CycleState } from '../../framework/cycle-state.js';

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

describe('VolumeBinding PreBind', () => {
  function run(store: Map<string, PersistentVolumeClaimT>, opts: { bindAfterPolls?: number; timeoutMs?: number; vanished?: boolean } = {}) {
    const clock = new FakeClock();
    const selected: string[] = [];
    let polls = 0;
    const claims: ClaimAPI = {
      get: async (_ns, name) => {
        polls++;
        const c = opts.vanished ? undefined : store.get(name);
        if (c && opts.bindAfterPolls !== undefined && polls > opts.bindAfterPolls) return { ...c, spec: { ...c.spec, volumeName: 'pv' }, metadata: { ...c.metadata, annotations: { [ANN_BIND_COMPLETED]: 'yes' } } };
        return c;
      },
      selectNode: async (_ns, name, node) => void selected.push(`${name}@${node}`),
    };
    const plugin = new VolumeBinding({ claims, clock, bindTimeoutMs: opts.timeoutMs ?? 1000, pollIntervalMs: 100 });
    const state = new CycleState();
    const p = pod('p').pvc('late').build();
    const pre = plugin.preFilter(state, p, snapshotOf([node('a').build()], [], { volumes: { pvc: (_ns, n) => store.get(n), pv: () => undefined, bindingMode: () => 'WaitForFirstConsumer' } }));
    assert.ok(pre.status.isSuccess());
    const done = plugin.preBind(state, p, 'a');
    // Let the fake clock move while PreBind polls.
    const ticker = setInterval(() => clock.step(100), 1);
    return done.finally(() => clearInterval(ticker)).then((status) => ({ status, selected }));
  }
  test('selects the node and waits until the claim is bound', async () => {
    const { status, selected } = await run(new Map([['late', pvcs.late!]]), { bindAfterPolls: 3 });
    assert.equal(status.isSuccess(), true, status.message());
    assert.deepEqual(selected, ['late@a']);
  });
  test('gives up after the bind timeout', async () => {
    const { status } = await run(new Map([['late', pvcs.late!]]), { timeoutMs: 500 });
    assert.equal(status.message(), 'binding volumes: context deadline exceeded');
  });
  test('a claim deleted meanwhile is an error', async () => {
    const { status } = await run(new Map([['late', pvcs.late!]]), { vanished: true });
    assert.equal(status.message(), 'persistentvolumeclaim "late" not found');
  });
});
