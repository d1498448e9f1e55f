import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TopologySpreadConstraintT } from '../../../api/core/v1/types.js';
import { node, pod } from '../../../testing/builders.js';
import { SchedulerCache } from '../../cache.js';
import { feasible, filterAll, frameworkWith, scores, snapshotOf } from '../plugin-test-kit.js';
import { ERR_REASON_CONSTRAINTS_NOT_MATCH, ERR_REASON_NODE_LABEL_NOT_MATCH } from './pod-topology-spread.js';

const ZONE = 'topology.kubernetes.io/zone';
const zoneSpread = (extra: Partial<TopologySpreadConstraintT> = {}): TopologySpreadConstraintT => ({
  maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...extra,
});
const nodes = () => [node('a1').zone('a').build(), node('a2').zone('a').build(), node('b1').zone('b').build(), node('c1').zone('c').labels({ gpu: 'true' }).build()];
const web = (name: string, at: string) => pod(name).labels({ app: 'web' }).node(at).build();

describe('PodTopologySpread filter', () => {
  const cases = [
    { name: 'empty cluster: every zone', c: zoneSpread(), existing: [], want: ['a1', 'a2', 'b1', 'c1'] },
    { name: 'skew would exceed 1 in the fuller zone', c: zoneSpread(), existing: [web('w1', 'a1')], want: ['b1', 'c1'] },
    { name: 'maxSkew 2 allows it', c: zoneSpread({ maxSkew: 2 }), existing: [web('w1', 'a1')], want: ['a1', 'a2', 'b1', 'c1'] },
    { name: 'minDomains above the domain count treats the minimum as 0', c: zoneSpread({ minDomains: 5 }), existing: [web('w1', 'b1'), web('w2', 'c1'), web('w3', 'a1')], want: [] },
    { name: 'nodeAffinityPolicy Honor drops domains the pod cannot use', c: zoneSpread(), existing: [web('w1', 'a1'), web('w2', 'b1')], selector: { gpu: 'true' }, want: ['a1', 'a2', 'b1', 'c1'] },
    { name: 'nodeAffinityPolicy Ignore counts them', c: zoneSpread({ nodeAffinityPolicy: 'Ignore' }), existing: [web('w1', 'a1'), web('w2', 'b1')], selector: { gpu: 'true' }, want: ['c1'] },
    { name: 'nodeTaintsPolicy Honor ignores tainted domains', c: zoneSpread({ nodeTaintsPolicy: 'Honor' }), existing: [web('w1', 'a1'), web('w2', 'b1')], taintC: true, want: ['a1', 'a2', 'b1', 'c1'] },
    { name: 'nodeTaintsPolicy Ignore (default) counts tainted domains', c: zoneSpread(), existing: [web('w1', 'a1'), web('w2', 'b1')], taintC: true, want: ['c1'] },
    { name: 'matchLabelKeys narrows to the same revision', c: zoneSpread({ matchLabelKeys: ['rev'] }), existing: [pod('old').labels({ app: 'web', rev: '1' }).node('a1').build()], rev: '2', want: ['a1', 'a2', 'b1', 'c1'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      let b = pod('p').labels({ app: 'web' }).spread(c.c);
      if (c.rev) b = b.labels({ rev: c.rev });
      const ns = nodes();
      if (c.taintC) ns[3] = node('c1').zone('c').taint('dedicated', 'x', 'NoSchedule').build();
      const p = b.build();
      // Only the spread filter runs, so nodes other plugins would reject can still pass here.
      const fw = frameworkWith(['PodTopologySpread']);
      const snap = snapshotOf(ns, c.existing);
      if (c.selector) p.spec!.nodeSelector = c.selector;
      assert.deepEqual(feasible(fw, p, snap), c.want);
      // The scheduler cache's snapshot (indexes kept across cycles) gives the same answer.
      const cache = new SchedulerCache();
      for (const n of ns) cache.addNode(n);
      for (const e of c.existing) cache.addPod(e);
      assert.deepEqual(feasible(fw, p, cache.snapshot()), c.want);
    });
  }

  test('counts kept across cycles follow relabelled nodes, new pods and namespaces', () => {
    const fw = frameworkWith(['PodTopologySpread']);
    const cache = new SchedulerCache();
    for (const n of nodes()) cache.addNode(n);
    const p = pod('p').labels({ app: 'web' }).spread(zoneSpread()).build();
    cache.addPod(web('w1', 'a1'));
    assert.deepEqual(feasible(fw, p, cache.snapshot()), ['b1', 'c1']);
    // The same labels in another namespace do not count.
    const other = web('w2', 'b1');
    other.metadata!.namespace = 'elsewhere';
    cache.addPod(other);
    assert.deepEqual(feasible(fw, p, cache.snapshot()), ['b1', 'c1']);
    // b1 moves to zone a: zones a (2 pods' worth of nodes, 1 pod) and c remain.
    cache.updateNode(node('b1').zone('a').build());
    assert.deepEqual(feasible(fw, p, cache.snapshot()), ['c1']);
    cache.assumePod(pod('w3').labels({ app: 'web' }).build(), 'c1');
    assert.deepEqual(feasible(fw, p, cache.snapshot()), ['a1', 'a2', 'b1', 'c1']);
    // A pod being deleted stops counting; a deleted one is gone: zone a empties, c keeps one.
    const leaving = web('w1', 'a1');
    leaving.metadata!.deletionTimestamp = '2026-01-01T00:00:00Z';
    cache.updatePod(leaving);
    assert.deepEqual(feasible(fw, p, cache.snapshot()), ['a1', 'a2', 'b1']);
    cache.removePod(leaving);
    assert.deepEqual(feasible(fw, p, cache.snapshot()), ['a1', 'a2', 'b1']);
  });

  test('a node without the topology key is unresolvable', () => {
    const got = filterAll(frameworkWith(['PodTopologySpread']), pod('p').labels({ app: 'web' }).spread(zoneSpread()).build(), snapshotOf([node('a1').zone('a').build(), node('bare').build()]));
    assert.deepEqual(got.get('bare')!.reasons, [ERR_REASON_NODE_LABEL_NOT_MATCH]);
    assert.equal(got.get('bare')!.code, 3);
  });

  test('skew violations are Unschedulable (preemption may help)', () => {
    const got = filterAll(frameworkWith(['PodTopologySpread']), pod('p').labels({ app: 'web' }).spread(zoneSpread()).build(), snapshotOf(nodes(), [web('w1', 'a1')]));
    assert.deepEqual(got.get('a1')!.reasons, [ERR_REASON_CONSTRAINTS_NOT_MATCH]);
    assert.equal(got.get('a1')!.code, 2);
  });
});

describe('PodTopologySpread score', () => {
  test('ScheduleAnyway prefers emptier domains', () => {
    const p = pod('p').labels({ app: 'web' }).spread(zoneSpread({ whenUnsatisfiable: 'ScheduleAnyway' })).build();
    const got = scores(frameworkWith(['PodTopologySpread']), p, snapshotOf(nodes(), [web('w1', 'a1'), web('w2', 'a2'), web('w3', 'b1')]));
    assert.ok(got.c1! > got.b1!);
    assert.ok(got.b1! > got.a1!);
    assert.equal(got.c1, 100);
  });

  test('system default constraints apply through the workload selector', () => {
    const p = pod('p').labels({ app: 'web' }).build();
    const snap = snapshotOf(nodes(), [web('w1', 'a1'), web('w2', 'a1')], { defaultSelectorFor: () => ({ matchLabels: { app: 'web' } }) });
    const got = scores(frameworkWith(['PodTopologySpread']), p, snap);
    assert.ok(got.b1! > got.a1!);
    const none = scores(frameworkWith(['PodTopologySpread']), p, snapshotOf(nodes(), [web('w1', 'a1')]));
    assert.deepEqual(none, { a1: 0, a2: 0, b1: 0, c1: 0 });
  });

  test('List defaulting with DoNotSchedule default constraints filters', () => {
    const fw = frameworkWith(['PodTopologySpread'], { PodTopologySpread: { defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule' }] } });
    const snap = snapshotOf(nodes(), [web('w1', 'a1')], { defaultSelectorFor: () => ({ matchLabels: { app: 'web' } }) });
    assert.deepEqual(feasible(fw, pod('p').labels({ app: 'web' }).build(), snap), ['b1', 'c1']);
  });

  test('invalid args are rejected', () => {
    assert.throws(() => frameworkWith(['PodTopologySpread'], { PodTopologySpread: { defaultingType: 'List', defaultConstraints: [{ maxSkew: 0, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule' }] } }), /maxSkew: Invalid value: 0/);
  });
});
