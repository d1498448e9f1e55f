import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodT } from '../../../api/core/v1/types.js';
import type { PodDisruptionBudgetT } from '../../../api/policy/v1/types.js';
import { node, pod } from '../../../testing/builders.js';
import { Code } from '../../framework/status.js';
import { frameworkWith, snapshotOf } from '../plugin-test-kit.js';
import { filterPodsWithPDBViolation, pickOneNodeForPreemption, type Candidate } from './default-preemption.js';

const fw = () => frameworkWith(['NodeResourcesFit', 'TaintToleration', 'DefaultPreemption']);
const victimNames = (ps: PodT[] | undefined) => (ps ?? []).map((p) => p.metadata!.name).sort();

const pdb = (name: string, app: string, allowed: number): PodDisruptionBudgetT => ({
  metadata: { name, namespace: 'default' },
  spec: { selector: { matchLabels: { app } } },
  status: { disruptionsAllowed: allowed, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 },
});

describe('DefaultPreemption', () => {
  test('evicts only as many lower-priority pods as needed, keeping the more important ones', () => {
    const nodes = [node('a').capacity({ cpu: '3' }).build()];
    const pods = [
      pod('p1').req({ cpu: '1' }).priority(1).node('a').build(),
      pod('p5').req({ cpu: '1' }).priority(5).node('a').build(),
      pod('p9').req({ cpu: '1' }).priority(9).node('a').build(),
    ];
    const res = fw().scheduleOne(pod('hi').req({ cpu: '1' }).priority(10).build(), snapshotOf(nodes, pods));
    assert.equal(res.kind, 'unschedulable');
    if (res.kind !== 'unschedulable') return;
    assert.equal(res.postFilter?.nominatedNodeName, 'a');
    assert.deepEqual(victimNames(res.postFilter?.victims), ['p1']);
  });

  test('pods protected by a PDB are reprieved first', () => {
    const nodes = [node('a').capacity({ cpu: '2' }).build()];
    const pods = [
      pod('guarded').labels({ app: 'db' }).req({ cpu: '1' }).priority(1).node('a').build(),
      pod('free').labels({ app: 'web' }).req({ cpu: '1' }).priority(2).node('a').build(),
    ];
    const res = fw().scheduleOne(pod('hi').req({ cpu: '1' }).priority(10).build(), snapshotOf(nodes, pods, { pdbs: [pdb('db', 'db', 0)] }));
    assert.equal(res.kind, 'unschedulable');
    if (res.kind !== 'unschedulable') return;
    assert.deepEqual(victimNames(res.postFilter?.victims), ['free']);
  });

  test('nodes where preemption cannot help are reported, with the preemption FitError', () => {
    const nodes = [node('a').capacity({ cpu: '4' }).taint('x', 'y', 'NoSchedule').build(), node('b').capacity({ cpu: '3' }).build()];
    const pods = [pod('lo').req({ cpu: '1' }).priority(1).node('b').build(), pod('mid').req({ cpu: '2' }).priority(50).node('b').build()];
    const res = fw().scheduleOne(pod('hi').req({ cpu: '2' }).priority(10).build(), snapshotOf(nodes, pods));
    assert.equal(res.kind, 'unschedulable');
    if (res.kind !== 'unschedulable') return;
    assert.equal(res.postFilter, undefined);
    assert.equal(res.fitError.message, '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {x: y}. preemption: 0/2 nodes are available: 1 Insufficient cpu, 1 Preemption is not helpful for scheduling.');
  });

  test('a terminating lower-priority pod on the nominated node makes the pod wait', () => {
    const nodes = [node('a').capacity({ cpu: '1' }).build()];
    const pods = [pod('dying').req({ cpu: '1' }).priority(1).terminating().node('a').build()];
    const p = pod('hi').req({ cpu: '1' }).priority(10).build();
    p.status!.nominatedNodeName = 'a';
    const res = fw().scheduleOne(p, snapshotOf(nodes, pods));
    assert.equal(res.kind, 'unschedulable');
    if (res.kind !== 'unschedulable') return;
    assert.match(res.fitError.message, /preemption: not eligible due to a terminating pod on the nominated node\.$/);
    assert.equal(res.fitError.diagnosis.unschedulablePlugins.has('NodeResourcesFit'), true);
    assert.equal(Code.Unschedulable, 2);
  });
});

describe('pickOneNodeForPreemption', () => {
  const v = (name: string, priority: number, start = '2025-01-01T00:00:00Z') => pod(name).priority(priority).startTime(start).build();
  const cases: { name: string; candidates: Candidate[]; want: string }[] = [
    { name: 'fewest PDB violations', candidates: [{ nodeName: 'a', victims: [v('x', 1)], numPDBViolations: 1 }, { nodeName: 'b', victims: [v('y', 5)], numPDBViolations: 0 }], want: 'b' },
    { name: 'lowest highest-priority victim', candidates: [{ nodeName: 'a', victims: [v('x', 5)], numPDBViolations: 0 }, { nodeName: 'b', victims: [v('y', 1), v('z', 1)], numPDBViolations: 0 }], want: 'b' },
    { name: 'lowest priority sum', candidates: [{ nodeName: 'a', victims: [v('x', 3), v('w', 3)], numPDBViolations: 0 }, { nodeName: 'b', victims: [v('y', 3), v('z', 1)], numPDBViolations: 0 }], want: 'b' },
    { name: 'fewest victims', candidates: [{ nodeName: 'a', victims: [v('x', 0), v('w', 0)], numPDBViolations: 0 }, { nodeName: 'b', victims: [v('y', 0)], numPDBViolations: 0 }], want: 'b' },
    {
      name: 'latest start time of the top victims',
      candidates: [{ nodeName: 'a', victims: [v('x', 3, '2025-01-01T00:00:00Z')], numPDBViolations: 0 }, { nodeName: 'b', victims: [v('y', 3, '2025-06-01T00:00:00Z')], numPDBViolations: 0 }],
      want: 'b',
    },
    { name: 'first on a full tie', candidates: [{ nodeName: 'a', victims: [v('x', 3)], numPDBViolations: 0 }, { nodeName: 'b', victims: [v('y', 3)], numPDBViolations: 0 }], want: 'a' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(pickOneNodeForPreemption(c.candidates)?.nodeName, c.want));
});

test('filterPodsWithPDBViolation counts down disruptionsAllowed in order', () => {
  const pods = ['a', 'b', 'c'].map((n) => pod(n).labels({ app: 'db' }).build());
  const { violating, nonViolating } = filterPodsWithPDBViolation(pods, [pdb('db', 'db', 2)]);
  assert.deepEqual(victimNames(nonViolating), ['a', 'b']);
  assert.deepEqual(victimNames(violating), ['c']);
});
