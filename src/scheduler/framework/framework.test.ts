import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { node, pod } from '../../testing/builders.js';
import { defaultProfile } from '../config.js';
import { inTreeRegistry } from '../plugins/registry.js';
import { frameworkWith } from '../plugins/plugin-test-kit.js';
import { newFramework, numFeasibleNodesToFind, type Framework } from './framework.js';
import { Snapshot } from './snapshot.js';
import { Code, Status } from './status.js';

function defaultFramework(): Framework {
  const res = newFramework(defaultProfile(), { registry: inTreeRegistry, randomInt: () => 1 });
  if (!res.ok) throw new Error(res.errors.join('; '));
  return res.framework;
}

const CP_TAINT = 'node-role.kubernetes.io/control-plane';

describe('Framework.scheduleOne: FitError messages as upstream prints them', () => {
  const cases = [
    {
      name: 'resources exceeding allocatable and untolerated taints: preemption cannot help anywhere',
      nodes: [
        node('a').capacity({ cpu: '1' }).build(),
        node('b').capacity({ cpu: '1' }).build(),
        node('c').capacity({ cpu: '8' }).taint(CP_TAINT, undefined, 'NoSchedule').build(),
        node('d').capacity({ cpu: '8' }).taint(CP_TAINT, undefined, 'NoSchedule').build(),
        node('e').capacity({ cpu: '8' }).taint(CP_TAINT, undefined, 'NoSchedule').build(),
      ],
      pods: [],
      want: `0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint {${CP_TAINT}: }. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.`,
    },
    {
      name: 'full nodes without lower-priority pods: no victims',
      nodes: ['a', 'b', 'c'].map((n) => node(n).capacity({ cpu: '2' }).build()),
      pods: ['a', 'b', 'c'].map((n) => pod(`busy-${n}`).req({ cpu: '2' }).node(n).build()),
      want: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    },
    {
      name: 'counts sort as strings, as upstream sort.Strings does',
      nodes: [
        ...Array.from({ length: 10 }, (_, i) => node(`t${i}`).capacity({ cpu: '8' }).taint('dedicated', 'gpu', 'NoSchedule').build()),
        node('u1').capacity({ cpu: '8' }).unschedulable().build(),
        node('u2').capacity({ cpu: '8' }).unschedulable().build(),
      ],
      pods: [],
      want: '0/12 nodes are available: 10 node(s) had untolerated taint {dedicated: gpu}, 2 node(s) were unschedulable. preemption: 0/12 nodes are available: 12 Preemption is not helpful for scheduling.',
    },
    {
      name: 'preemptionPolicy Never',
      nodes: [node('a').capacity({ cpu: '1' }).build()],
      pods: [pod('low').req({ cpu: '1' }).priority(0).node('a').build()],
      podOpts: { priority: 100, never: true },
      want: '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const fw = defaultFramework();
      let b = pod('p').req({ cpu: '2' });
      if (c.podOpts?.priority) b = b.priority(c.podOpts.priority);
      if (c.podOpts?.never) b = b.preemptionPolicy('Never');
      const res = fw.scheduleOne(b.build(), Snapshot.from(c.nodes, c.pods));
      assert.equal(res.kind, 'unschedulable');
      if (res.kind !== 'unschedulable') return;
      assert.equal(res.fitError.message, c.want);
    });
  }

  test('a PreFilter rejection is reported once, not per node', () => {
    const fw = defaultFramework();
    const p = pod('p').pvc('missing').build();
    const snap = Snapshot.from([node('a').capacity({ cpu: '1' }).build(), node('b').capacity({ cpu: '1' }).build()], [], {
      volumes: { pvc: () => undefined, pv: () => undefined },
    });
    const res = fw.scheduleOne(p, snap);
    assert.equal(res.kind, 'unschedulable');
    if (res.kind !== 'unschedulable') return;
    assert.equal(res.fitError.message, '0/2 nodes are available: persistentvolumeclaim "missing" not found. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.');
    assert.deepEqual([...res.fitError.diagnosis.unschedulablePlugins], ['VolumeBinding']);
  });
});

describe('Framework.scheduleOne: filter and score combination', () => {
  test('keeps a per-node diagnosis: rejecting plugin per node, per-plugin scores for feasible nodes', () => {
    const fw = defaultFramework();
    const nodes = [
      node('small').capacity({ cpu: '1', memory: '1Gi' }).build(),
      node('tainted').capacity({ cpu: '8', memory: '8Gi' }).taint('x', 'y', 'NoExecute').build(),
      node('busy').capacity({ cpu: '4', memory: '8Gi' }).build(),
      node('empty').capacity({ cpu: '4', memory: '8Gi' }).build(),
    ];
    const pods = [pod('existing').req({ cpu: '2', memory: '4Gi' }).node('busy').build()];
    const res = fw.scheduleOne(pod('p').req({ cpu: '2', memory: '1Gi' }).build(), Snapshot.from(nodes, pods), { breakdown: true });
    assert.equal(res.kind, 'scheduled');
    if (res.kind !== 'scheduled') return;
    assert.equal(res.nodeName, 'empty');
    assert.equal(res.feasibleNodes, 2);
    assert.equal(res.diagnosis.nodeToStatus.get('small')?.plugin, 'NodeResourcesFit');
    assert.deepEqual(res.diagnosis.nodeToStatus.get('small')?.reasons, ['Insufficient cpu']);
    assert.equal(res.diagnosis.nodeToStatus.get('tainted')?.plugin, 'TaintToleration');
    const empty = res.scores.find((s) => s.name === 'empty')!;
    const busy = res.scores.find((s) => s.name === 'busy')!;
    assert.ok(empty.totalScore > busy.totalScore);
    const fit = (s: typeof empty) => s.scores.find((x) => x.plugin === 'NodeResourcesFit')!.score;
    // LeastAllocated: cpu (4-2)/4 = 50, memory (8-1)/8 = 87 -> 68; busy: cpu 0, memory (8-5)/8 = 37 -> 18.
    assert.equal(fit(empty), 68);
    assert.equal(fit(busy), 18);
    // TaintToleration weight 3 with no PreferNoSchedule taints: 100 * 3 on both.
    assert.equal(empty.scores.find((x) => x.plugin === 'TaintToleration')!.score, 300);
  });

  test('score weights multiply normalized scores', () => {
    const nodes = [node('a').labels({ disk: 'ssd' }).build(), node('b').build()];
    const p = pod('p').preferredNodeAffinity(10, [{ key: 'disk', operator: 'In', values: ['ssd'] }]).build();
    for (const weight of [1, 5]) {
      const fw = frameworkWith([{ name: 'NodeAffinity', weight }]);
      const res = fw.scheduleOne(p, Snapshot.from(nodes, []));
      assert.equal(res.kind, 'scheduled');
      if (res.kind !== 'scheduled') return;
      assert.equal(res.nodeName, 'a');
      assert.equal(res.scores.find((s) => s.name === 'a')!.totalScore, 100 * weight);
      assert.equal(res.scores.find((s) => s.name === 'b')!.totalScore, 0);
    }
  });

  test('ties are broken by the injected random source', () => {
    const nodes = ['a', 'b', 'c'].map((n) => node(n).capacity({ cpu: '1' }).build());
    const picks = new Set<string>();
    for (const r of [0, 1]) {
      const res = newFramework(defaultProfile(), { registry: inTreeRegistry, randomInt: () => r });
      assert.ok(res.ok);
      if (!res.ok) return;
      const out = res.framework.scheduleOne(pod('p').build(), Snapshot.from(nodes, []));
      assert.equal(out.kind, 'scheduled');
      if (out.kind === 'scheduled') picks.add(out.nodeName);
    }
    assert.deepEqual([...picks].sort(), ['a', 'c']);
  });

  test('preemption nominates a node and the fewest victims', () => {
    const fw = defaultFramework();
    const nodes = [node('a').capacity({ cpu: '4' }).build(), node('b').capacity({ cpu: '4' }).build()];
    const pods = [
      pod('a-low1').req({ cpu: '2' }).priority(1).node('a').build(),
      pod('a-low2').req({ cpu: '2' }).priority(1).node('a').build(),
      pod('b-low').req({ cpu: '1' }).priority(1).node('b').build(),
      pod('b-mid').req({ cpu: '3' }).priority(50).node('b').build(),
    ];
    const res = fw.scheduleOne(pod('p').req({ cpu: '2' }).priority(100).build(), Snapshot.from(nodes, pods));
    assert.equal(res.kind, 'unschedulable');
    if (res.kind !== 'unschedulable') return;
    // a needs one priority-1 victim; b would need the priority-50 one.
    assert.equal(res.postFilter?.nominatedNodeName, 'a');
    assert.equal(res.postFilter?.victims.length, 1);
    assert.equal(res.postFilter?.victims[0]?.spec?.priority, 1);
  });

  test('an unknown plugin and a missing queue sort are configuration errors, not exceptions', () => {
    const res = newFramework({ schedulerName: 'x', plugins: { filter: { enabled: [{ name: 'Nope' }] } } }, { registry: inTreeRegistry });
    assert.equal(res.ok, false);
    if (res.ok) return;
    assert.deepEqual(res.errors, ['plugin "Nope" does not exist']);
  });

  test('multiPoint expansion honours per-point disables and explicit weights', () => {
    const profile = defaultProfile();
    profile.plugins.score = { enabled: [{ name: 'ImageLocality', weight: 7 }], disabled: [{ name: 'NodeResourcesBalancedAllocation' }] };
    const res = newFramework(profile, { registry: inTreeRegistry });
    assert.ok(res.ok);
    if (!res.ok) return;
    const fw = res.framework;
    assert.deepEqual(fw.pluginsAt('score'), ['ImageLocality', 'TaintToleration', 'NodeAffinity', 'NodeResourcesFit', 'PodTopologySpread', 'InterPodAffinity']);
    assert.equal(fw.scoreWeight('ImageLocality'), 7);
    assert.equal(fw.scoreWeight('TaintToleration'), 3);
    assert.deepEqual(fw.pluginsAt('filter'), ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'VolumeBinding', 'PodTopologySpread', 'InterPodAffinity']);
    assert.deepEqual(fw.pluginsAt('postFilter'), ['DefaultPreemption']);
    assert.deepEqual(fw.pluginsAt('preEnqueue'), ['SchedulingGates']);
  });

  test('Status codes', () => {
    const fw = frameworkWith(['NodeName']);
    const st = fw.runFilterOnNode(pod('p').build(), Snapshot.from([node('a').build()], []), 'a');
    assert.equal(st.code, Code.Success);
  });
});

describe('numFeasibleNodesToFind', () => {
  const cases = [
    { name: 'small clusters: all nodes', nodes: 50, pct: 0, want: 50 },
    { name: 'adaptive at 5000 nodes: 10%', nodes: 5000, pct: 0, want: 500 },
    { name: 'adaptive floor of 5%', nodes: 100_000, pct: 0, want: 5000 },
    { name: 'explicit percentage with a floor of 100', nodes: 1000, pct: 1, want: 100 },
    { name: '100% means all', nodes: 1000, pct: 100, want: 1000 },
  ];
  for (const c of cases) test(c.name, () => assert.equal(numFeasibleNodesToFind(c.nodes, c.pct), c.want));
});

describe('nominated pods', () => {
  test('resources of higher-priority pods nominated to a node count as taken', () => {
    const nodes = [node('a').capacity({ cpu: '2' }).build(), node('b').capacity({ cpu: '1' }).build()];
    const nominated = pod('nominee').req({ cpu: '2' }).priority(100).build();
    const res = newFramework(defaultProfile(), {
      registry: inTreeRegistry,
      nominator: { nominatedPodsForNode: (n) => (n === 'a' ? [nominated] : []) },
    });
    assert.ok(res.ok);
    if (!res.ok) return;
    const low = res.framework.scheduleOne(pod('low').req({ cpu: '1' }).priority(1).build(), Snapshot.from(nodes, []));
    assert.equal(low.kind, 'scheduled');
    if (low.kind === 'scheduled') assert.equal(low.nodeName, 'b');
    const high = res.framework.scheduleOne(pod('high').req({ cpu: '2' }).priority(200).build(), Snapshot.from(nodes, []));
    assert.equal(high.kind, 'scheduled');
    if (high.kind === 'scheduled') assert.equal(high.nodeName, 'a');
  });
});

describe('Framework.findNodesThatFit: filter order within a cycle', () => {
  const taint = 'dedicated';
  // "a" is turned away by NodeResourcesFit alone, which then runs first; b..e fail it too, but upstream
  // (TaintToleration is configured before NodeResourcesFit) reports their taint.
  const nodes = [
    node('a').capacity({ cpu: '1' }).build(),
    ...['b', 'c', 'd', 'e'].map((n) => node(n).capacity({ cpu: '1' }).taint(taint, 'x', 'NoSchedule').build()),
  ];

  test('a pod that fits nowhere is diagnosed in configured order', () => {
    const fw = defaultFramework();
    const res = fw.scheduleOne(pod('p').req({ cpu: '2' }).build(), Snapshot.from(nodes, []));
    assert.equal(res.kind, 'unschedulable');
    if (res.kind !== 'unschedulable') return;
    assert.match(res.fitError.message, /^0\/5 nodes are available: 1 Insufficient cpu, 4 node\(s\) had untolerated taint \{dedicated: x\}\./);
    assert.equal(res.fitError.diagnosis.nodeToStatus.get('c')?.plugin, 'TaintToleration');
    assert.equal(res.fitError.diagnosis.nodeToStatus.get('a')?.plugin, 'NodeResourcesFit');
    assert.deepEqual([...res.fitError.diagnosis.unschedulablePlugins].sort(), ['NodeResourcesFit', 'TaintToleration']);
  });

  test('the nodes that pass are the same whatever order the plugins ran in', () => {
    const fw = defaultFramework();
    const big = node('f').capacity({ cpu: '8' }).build();
    const res = fw.scheduleOne(pod('p').req({ cpu: '2' }).build(), Snapshot.from([...nodes, big], []));
    assert.equal(res.kind, 'scheduled');
    if (res.kind !== 'scheduled') return;
    assert.equal(res.nodeName, 'f');
    assert.deepEqual([res.evaluatedNodes, res.feasibleNodes], [6, 1]);
    // The rejections of a scheduled pod stay readable (explain-schedule, tests), built on first read.
    assert.equal(res.diagnosis.nodeToStatus.size, 5);
    assert.ok(res.diagnosis.unschedulablePlugins.has('NodeResourcesFit'));
  });

  test('a plugin error counts only where every plugin configured before it passes', () => {
    // NodeResourcesFit turns "a" away (and so runs first from then on), errs on "b" and "c", passes "f".
    const fw = (errOn: string) => {
      const res = newFramework(defaultProfile(), {
        registry: {
          ...inTreeRegistry,
          NodeResourcesFit: () => ({ ok: true, plugin: { name: 'NodeResourcesFit', filter: (_s: unknown, _p: unknown, ni: { name: string }) => (ni.name === 'f' ? Status.success() : ni.name === errOn ? Status.error('boom') : Status.unschedulable('Insufficient cpu')) } as never }),
        },
      });
      if (!res.ok) throw new Error(res.errors.join('; '));
      return res.framework;
    };
    const snapshot = () => Snapshot.from([nodes[0]!, nodes[1]!, node('f').capacity({ cpu: '8' }).build()], []);
    // "b" is tainted: upstream never asks NodeResourcesFit about it, so its error does not count.
    const tainted = fw('b').scheduleOne(pod('p').build(), snapshot());
    assert.equal(tainted.kind, 'scheduled');
    // "a" is not: there the error is what upstream would meet too.
    const plain = fw('a').scheduleOne(pod('p').build(), snapshot());
    assert.equal(plain.kind, 'error');
    if (plain.kind === 'error') assert.match(plain.status.message(), /running "NodeResourcesFit" filter plugin: boom/);
  });
});
