import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaintT } from '../../api/core/v1/types.js';
import type { Pod } from '../framework/pods.js';
import { type DaemonPodSpec, type Node, nodeShouldRunDaemonPod, targetNodeName, withDaemonTolerations, withNodeNameAffinity } from './eligibility.js';
import { planNodes } from './node-pods.js';
import { rollingUpdateStep, updateBudget } from './rolling-update.js';
import { calculateStatus } from './status.js';

const node = (name: string, extra: { labels?: Record<string, string>; taints?: { key: string; value?: string; effect: string }[] } = {}): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: extra.labels ?? {} },
  spec: { taints: extra.taints as TaintT[] | undefined },
});

describe('nodeShouldRunDaemonPod', () => {
  const cases: { name: string; node: Node; spec?: DaemonPodSpec; want: [boolean, boolean] }[] = [
    { name: 'plain node', node: node('a'), want: [true, true] },
    { name: 'nodeSelector matches', node: node('a', { labels: { disk: 'ssd' } }), spec: { nodeSelector: { disk: 'ssd' } }, want: [true, true] },
    { name: 'nodeSelector misses', node: node('a', { labels: { disk: 'hdd' } }), spec: { nodeSelector: { disk: 'ssd' } }, want: [false, false] },
    {
      name: 'required affinity NotIn',
      node: node('a', { labels: { zone: 'z1' } }),
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1'] }] }] } } } },
      want: [false, false],
    },
    { name: 'untolerated NoSchedule: no new pod, existing stays', node: node('a', { taints: [{ key: 'k', effect: 'NoSchedule' }] }), want: [false, true] },
    { name: 'untolerated NoExecute: evicted', node: node('a', { taints: [{ key: 'k', effect: 'NoExecute' }] }), want: [false, false] },
    { name: 'PreferNoSchedule is ignored', node: node('a', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }), want: [true, true] },
    { name: 'tolerated by Equal', node: node('a', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }), spec: { tolerations: [{ key: 'k', operator: 'Equal', value: 'v' }] }, want: [true, true] },
    { name: 'Equal with another value does not tolerate', node: node('a', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }), spec: { tolerations: [{ key: 'k', value: 'w' }] }, want: [false, true] },
    { name: 'automatic: unschedulable', node: node('a', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }), want: [true, true] },
    { name: 'automatic: not-ready NoExecute', node: node('a', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }), want: [true, true] },
    { name: 'network-unavailable only for hostNetwork', node: node('a', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }), want: [false, true] },
    { name: 'network-unavailable with hostNetwork', node: node('a', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }), spec: { hostNetwork: true }, want: [true, true] },
    { name: 'template nodeName elsewhere', node: node('a'), spec: { nodeName: 'b' }, want: [false, false] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const fit = nodeShouldRunDaemonPod(c.node, c.spec);
      assert.deepEqual([fit.shouldRun, fit.shouldContinueRunning], c.want);
    });
  }
  test('automatic tolerations are not duplicated', () => {
    const twice = withDaemonTolerations(withDaemonTolerations({}));
    assert.equal(twice.tolerations!.length, 6);
  });
  test('pinning replaces required terms with the node name', () => {
    const spec = withNodeNameAffinity({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }] } } } }, 'n1');
    assert.deepEqual(spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] });
    assert.equal(targetNodeName({ metadata: {}, spec: spec as Pod['spec'] }), 'n1');
  });
});

let seq = 0;
function pod(nodeName: string, opts: { hash?: string; ready?: boolean; phase?: string; created?: string; deleting?: boolean; bound?: boolean } = {}): Pod {
  const name = `p${seq++}`;
  return {
    metadata: {
      name,
      namespace: 'ns',
      creationTimestamp: opts.created ?? `2025-01-01T00:00:${String(seq).padStart(2, '0')}Z`,
      labels: { 'controller-revision-hash': opts.hash ?? 'new' },
      deletionTimestamp: opts.deleting ? '2025-01-01T00:00:00Z' : undefined,
    },
    spec: opts.bound === false ? withNodeNameAffinity({}, nodeName) as Pod['spec'] : { nodeName },
    status: { phase: opts.phase ?? 'Running', conditions: opts.ready === false ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }] },
  };
}
const names = (ps: Pod[]) => ps.map((p) => p.metadata.name).sort();

describe('planNodes', () => {
  const runAll = () => ({ shouldRun: true, shouldContinueRunning: true });
  test('creates on nodes without a pod, keeps one pod', () => {
    const a = pod('a');
    const plan = planNodes(['a', 'b'], new Map([['a', [a]]]), { fit: runAll, allowsSurge: false, hash: 'new' });
    assert.deepEqual(plan.createOn, ['b']);
    assert.deepEqual(plan.delete, []);
  });
  test('surplus pods go, the oldest stays', () => {
    const old = pod('a', { created: '2024-01-01T00:00:00Z' });
    const young = pod('a');
    const plan = planNodes(['a'], new Map([['a', [young, old]]]), { fit: runAll, allowsSurge: false, hash: 'new' });
    assert.deepEqual(names(plan.delete), names([young]));
  });
  test('with surge one old and one new may share a node', () => {
    const old = pod('a', { hash: 'old' });
    const fresh = pod('a');
    const extra = pod('a');
    const plan = planNodes(['a'], new Map([['a', [old, fresh, extra]]]), { fit: runAll, allowsSurge: true, hash: 'new' });
    assert.deepEqual(names(plan.delete), names([extra]));
  });
  test('failed pods are deleted and reported unless backing off', () => {
    const failed = pod('a', { phase: 'Failed' });
    const plan = planNodes(['a'], new Map([['a', [failed]]]), { fit: runAll, allowsSurge: false, hash: 'new' });
    assert.deepEqual(names(plan.delete), names([failed]));
    assert.equal(plan.failed.length, 1);
    const later = planNodes(['a'], new Map([['a', [failed]]]), { fit: runAll, allowsSurge: false, hash: 'new', inFailedBackoff: () => true });
    assert.deepEqual(later.delete, []);
  });
  test('pods on nodes that must not run them, and on vanished nodes, go', () => {
    const evicted = pod('a');
    const ghost = pod('gone');
    const plan = planNodes(['a'], new Map([['a', [evicted]], ['gone', [ghost]]]), { fit: () => ({ shouldRun: false, shouldContinueRunning: false }), allowsSurge: false, hash: 'new' });
    assert.deepEqual(names(plan.delete), names([evicted, ghost]));
  });
  test('a NoSchedule node keeps its pod but gets none', () => {
    const stays = pod('a');
    const plan = planNodes(['a', 'b'], new Map([['a', [stays]]]), { fit: () => ({ shouldRun: false, shouldContinueRunning: true }), allowsSurge: false, hash: 'new' });
    assert.deepEqual(plan, { createOn: [], delete: [], failed: [] });
  });
});

describe('rollingUpdateStep', () => {
  const base = { minReadySeconds: 0, now: Date.parse('2025-01-02T00:00:00Z'), shouldRun: () => true, hash: 'new' };
  const cases: { name: string; nodes: Record<string, Pod[]>; maxUnavailable: number; maxSurge: number; wantDelete: number; wantCreate: string[] }[] = [
    { name: 'maxUnavailable 1: one old pod at a time', nodes: { a: [pod('a', { hash: 'old' })], b: [pod('b', { hash: 'old' })], c: [pod('c', { hash: 'old' })] }, maxUnavailable: 1, maxSurge: 0, wantDelete: 1, wantCreate: [] },
    { name: 'maxUnavailable 2', nodes: { a: [pod('a', { hash: 'old' })], b: [pod('b', { hash: 'old' })], c: [pod('c', { hash: 'old' })] }, maxUnavailable: 2, maxSurge: 0, wantDelete: 2, wantCreate: [] },
    { name: 'an unavailable new pod uses the budget', nodes: { a: [pod('a', { ready: false })], b: [pod('b', { hash: 'old' })] }, maxUnavailable: 1, maxSurge: 0, wantDelete: 0, wantCreate: [] },
    { name: 'unavailable old pods are replaced regardless', nodes: { a: [pod('a', { hash: 'old', ready: false })], b: [pod('b', { hash: 'old', ready: false })], c: [pod('c', { hash: 'old' })] }, maxUnavailable: 1, maxSurge: 0, wantDelete: 2, wantCreate: [] },
    { name: 'all updated: nothing to do', nodes: { a: [pod('a')], b: [pod('b')] }, maxUnavailable: 1, maxSurge: 0, wantDelete: 0, wantCreate: [] },
    { name: 'surge 1: a new pod beside an old one', nodes: { a: [pod('a', { hash: 'old' })], b: [pod('b', { hash: 'old' })] }, maxUnavailable: 0, maxSurge: 1, wantDelete: 0, wantCreate: ['a'] },
    { name: 'surge: old pod goes once the new one is available', nodes: { a: [pod('a', { hash: 'old' }), pod('a')], b: [pod('b', { hash: 'old' })] }, maxUnavailable: 0, maxSurge: 1, wantDelete: 1, wantCreate: ['b'] },
    { name: 'surge: a new pod still starting holds the budget', nodes: { a: [pod('a', { hash: 'old' }), pod('a', { ready: false })], b: [pod('b', { hash: 'old' })] }, maxUnavailable: 0, maxSurge: 1, wantDelete: 0, wantCreate: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const step = rollingUpdateStep({ ...base, nodeToPods: new Map(Object.entries(c.nodes)), maxUnavailable: c.maxUnavailable, maxSurge: c.maxSurge, desiredNumberScheduled: Object.keys(c.nodes).length });
      assert.equal(step.delete.length, c.wantDelete);
      assert.ok(step.delete.every((p) => p.metadata.labels?.['controller-revision-hash'] === 'old'));
      assert.deepEqual(step.createOn, c.wantCreate);
    });
  }
  const budgets: { name: string; ru?: { maxSurge?: number | string; maxUnavailable?: number | string }; desired: number; want: { maxSurge: number; maxUnavailable: number } }[] = [
    { name: 'defaults', desired: 10, want: { maxSurge: 0, maxUnavailable: 1 } },
    { name: 'percent rounds up', ru: { maxUnavailable: '25%' }, desired: 10, want: { maxSurge: 0, maxUnavailable: 3 } },
    { name: 'surge percent', ru: { maxSurge: '10%', maxUnavailable: 0 }, desired: 5, want: { maxSurge: 1, maxUnavailable: 0 } },
    { name: 'both zero becomes one unavailable', ru: { maxSurge: 0, maxUnavailable: 0 }, desired: 5, want: { maxSurge: 0, maxUnavailable: 1 } },
  ];
  for (const b of budgets) test(`budget: ${b.name}`, () => assert.deepEqual(updateBudget(b.ru, b.desired), b.want));
});

describe('calculateStatus', () => {
  test('counts per node, the oldest pod speaking for its node', () => {
    const ds = { metadata: { name: 'd', generation: 4 }, spec: { minReadySeconds: 0 } };
    const nodeToPods = new Map<string, Pod[]>([
      ['a', [pod('a')]],
      ['b', [pod('b', { hash: 'old', ready: false })]],
      ['c', [pod('c')]],
      ['x', [pod('x', { bound: false })]],
    ]);
    const fit = (n: string) => ({ shouldRun: n !== 'c', shouldContinueRunning: true });
    const status = calculateStatus({ ds, nodes: ['a', 'b', 'c', 'd', 'x'], nodeToPods, fit, hash: 'new', now: Date.parse('2025-01-02T00:00:00Z') });
    assert.deepEqual(status, {
      currentNumberScheduled: 3,
      numberMisscheduled: 1,
      desiredNumberScheduled: 4,
      numberReady: 2,
      observedGeneration: 4,
      updatedNumberScheduled: 2,
      numberAvailable: 2,
      numberUnavailable: 2,
    });
  });
});
