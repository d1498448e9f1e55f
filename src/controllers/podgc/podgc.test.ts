import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformer } from '../../client/informers/shared-informer.js';
import type { ListerWatcher } from '../../client/informers/lister-watcher.js';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { Pod } from '../framework/pods.js';
import { ORPHAN_QUARANTINE_MS, PodGCController } from './controller.js';
import { type GCNode, planPodGC } from './plan.js';

function pod(name: string, o: { node?: string; phase?: string; created?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: { name, namespace: 'ns', uid: `u-${name}`, creationTimestamp: o.created ?? '2025-01-01T00:00:00Z', ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:01:00Z' } : {}) },
    spec: o.node ? { nodeName: o.node } : {},
    status: { phase: o.phase ?? 'Running' },
  };
}

const nodes = new Map<string, GCNode>([
  ['ok', { metadata: { name: 'ok' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }],
  ['oos', { metadata: { name: 'oos' }, spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }],
]);

describe('planPodGC', () => {
  const cases: { name: string; pods: Pod[]; threshold: number; want: string[] }[] = [
    { name: 'pods on a missing node are orphans', pods: [pod('a', { node: 'gone' }), pod('b', { node: 'ok' })], threshold: 0, want: ['a orphaned'] },
    { name: 'terminating unscheduled pods', pods: [pod('a', { deleting: true }), pod('b')], threshold: 0, want: ['a unscheduled-terminating'] },
    { name: 'terminating pods on an out-of-service node', pods: [pod('a', { node: 'oos', deleting: true }), pod('b', { node: 'oos' }), pod('c', { node: 'ok', deleting: true })], threshold: 0, want: ['a out-of-service'] },
    {
      name: 'terminated pods above the threshold, oldest first',
      pods: [pod('new', { node: 'ok', phase: 'Failed', created: '2025-01-03T00:00:00Z' }), pod('old', { node: 'ok', phase: 'Succeeded', created: '2025-01-01T00:00:00Z' }), pod('mid', { node: 'ok', phase: 'Succeeded', created: '2025-01-02T00:00:00Z' }), pod('run', { node: 'ok' })],
      threshold: 1,
      want: ['old terminated', 'mid terminated'],
    },
    { name: 'threshold 0 disables terminated GC', pods: [pod('a', { node: 'ok', phase: 'Failed' })], threshold: 0, want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(planPodGC(c.pods, nodes, { terminatedThreshold: c.threshold }).map((v) => `${v.pod.metadata.name} ${v.reason}`), c.want));
  }
});

const idle: ListerWatcher<never> = {
  list: async () => ({ metadata: {}, items: [] }),
  // eslint-disable-next-line require-yield
  watch: async function* () {
    return;
  },
};

describe('PodGCController', () => {
  test('an orphan is deleted only after the quarantine and once the API confirms the node is gone; it is marked Failed first', async () => {
    const clock = new FakeClock();
    const podInf = new SharedInformer<Pod>({ listerWatcher: idle, clock, freeze: true });
    const nodeInf = new SharedInformer<GCNode & Pod>({ listerWatcher: idle, clock, freeze: true });
    podInf.replace([pod('a', { node: 'gone' }), pod('b', { node: 'racing' })], '1');
    nodeInf.replace([], '1');
    const calls: string[] = [];
    const c = new PodGCController({
      podInformer: podInf,
      nodeInformer: nodeInf,
      client: {
        nodeGone: async (n) => n === 'gone',
        markFailed: async (p, message) => void calls.push(`fail ${p.metadata.name} ${message}`),
        deletePod: async (p, o) => void calls.push(`delete ${p.metadata.name} force=${o.force}`),
      },
      clock,
      logger: silentLogger,
      terminatedPodThreshold: 10,
    });
    assert.deepEqual(await c.gc(), [], 'a node just gone may be re-registering');
    clock.step(ORPHAN_QUARANTINE_MS - 1);
    assert.deepEqual(await c.gc(), []);
    clock.step(1);
    assert.deepEqual(await c.gc(), ['ns/a']);
    assert.deepEqual(calls, ['fail a PodGC: node no longer exists', 'delete a force=true']);
  });
});
