import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import { defaultControllerConfig } from '../framework/controller-config.js';
import { type Taint, toleratesTaint } from '../framework/taints.js';
import { NodeLifecycleController } from './controller.js';
import { staticInformer } from './static-informer.js';
import { desiredTaints, needsNoExecuteTaint, noExecuteTaints, observeHealth, unknownConditions } from './health.js';
import { TaintEvictionController, evictionDecision } from './taint-eviction.js';
import type { Lease, Node, TolerantPod } from './types.js';

const informer = staticInformer;

function node(name: string, o: { ready?: string; heartbeat?: string; taints?: Taint[]; unschedulable?: boolean } = {}): Node {
  return {
    metadata: { name, uid: `uid-${name}`, resourceVersion: '1' },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { conditions: [{ type: 'Ready', status: o.ready ?? 'True', reason: 'KubeletReady', lastHeartbeatTime: o.heartbeat ?? '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z' }] },
  };
}

function pod(name: string, nodeName: string, tolerations: TolerantPod['spec'] extends infer S ? S extends { tolerations?: infer T } ? T : never : never = []): TolerantPod {
  return { metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '1' }, spec: { nodeName, tolerations }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
}

describe('tolerations', () => {
  const taint: Taint = { key: 'k', value: 'v', effect: 'NoExecute' };
  const cases: [string, Parameters<typeof toleratesTaint>[0], boolean][] = [
    ['Equal with the same value', { key: 'k', operator: 'Equal', value: 'v' }, true],
    ['default operator is Equal', { key: 'k', value: 'v' }, true],
    ['Equal with another value', { key: 'k', value: 'w' }, false],
    ['Exists on the key', { key: 'k', operator: 'Exists' }, true],
    ['empty key with Exists tolerates all', { operator: 'Exists' }, true],
    ['another effect', { key: 'k', operator: 'Exists', effect: 'NoSchedule' }, false],
    ['another key', { key: 'x', operator: 'Exists' }, false],
  ];
  for (const [name, tol, want] of cases) test(name, () => assert.equal(toleratesTaint(tol, taint), want));

  const decisions: [string, Taint[], TolerantPod, ReturnType<typeof evictionDecision>][] = [
    ['no taints', [], pod('p', 'n'), { kind: 'keep' }],
    ['NoSchedule only', [{ key: 'k', effect: 'NoSchedule' }], pod('p', 'n'), { kind: 'keep' }],
    ['untolerated NoExecute', [taint], pod('p', 'n'), { kind: 'evict-now' }],
    ['tolerated forever', [taint], pod('p', 'n', [{ key: 'k', operator: 'Exists' }]), { kind: 'keep' }],
    ['tolerated for the smallest seconds', [taint, { key: 'j', effect: 'NoExecute' }], pod('p', 'n', [{ key: 'k', operator: 'Exists', tolerationSeconds: 30 }, { key: 'j', operator: 'Exists', tolerationSeconds: 5 }]), { kind: 'evict-after', ms: 5000 }],
    ['one of two untolerated', [taint, { key: 'j', effect: 'NoExecute' }], pod('p', 'n', [{ key: 'k', operator: 'Exists', tolerationSeconds: 30 }]), { kind: 'evict-now' }],
    ['zero seconds', [taint], pod('p', 'n', [{ key: 'k', operator: 'Exists', tolerationSeconds: 0 }]), { kind: 'evict-now' }],
  ];
  for (const [name, taints, p, want] of decisions) test(`decision: ${name}`, () => assert.deepEqual(evictionDecision(p, taints), want));
});

describe('node health', () => {
  test('a changed lease renewTime or heartbeat is a sign of life', () => {
    const n = node('n');
    const lease: Lease = { metadata: { name: 'n' }, spec: { renewTime: 'a' } };
    const r0 = observeHealth(undefined, n, lease, 1000);
    assert.equal(observeHealth(r0, n, lease, 5000).probeTimestamp, 1000);
    assert.equal(observeHealth(r0, n, { ...lease, spec: { renewTime: 'b' } }, 5000).probeTimestamp, 5000);
    assert.equal(observeHealth(r0, node('n', { heartbeat: '2025-01-01T00:00:10Z' }), lease, 6000).probeTimestamp, 6000);
  });

  test('conditions become Unknown with the upstream reason and message', () => {
    const c = unknownConditions(node('n'), 'NOW')!;
    assert.deepEqual(c[0], { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: '2025-01-01T00:00:00Z', lastTransitionTime: 'NOW' });
    assert.equal(c.find((x) => x.type === 'MemoryPressure')?.reason, 'NodeStatusNeverUpdated');
    assert.equal(unknownConditions({ ...node('n'), status: { conditions: c } }, 'LATER'), undefined);
  });

  const taintCases: [string, Node, Taint[]][] = [
    ['ready: none', node('n'), []],
    ['not ready: NoSchedule now, NoExecute left to the rate-limited pass', node('n', { ready: 'False' }), [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]],
    ['unknown: NoSchedule now', node('n', { ready: 'Unknown' }), [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]],
    ['unknown to not ready: the NoExecute taint is swapped at once', node('n', { ready: 'False', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'T0' }] }), [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: 'NOW' }]],
    ['not ready to unknown: swapped the other way', node('n', { ready: 'Unknown', taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: 'T0' }] }), [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'NOW' }]],
    ['recovered: managed taints go, user taints stay', node('n', { taints: [{ key: 'u', effect: 'NoExecute' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'T0' }] }), [{ key: 'u', effect: 'NoExecute' }]],
    ['existing taint keeps timeAdded', node('n', { ready: 'Unknown', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'T0' }] }), [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'T0' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]],
    ['cordoned', node('n', { unschedulable: true }), [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]],
  ];
  for (const [name, n, want] of taintCases) test(`taints: ${name}`, () => assert.deepEqual(desiredTaints(n, 'NOW'), want));
  test('taints: every zone fully disrupted lifts the NoExecute taints whatever the conditions', () => {
    const n = node('n', { ready: 'Unknown', taints: [{ key: 'u', effect: 'NoExecute' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'T0' }] });
    assert.deepEqual(desiredTaints(n, 'NOW', { liftNoExecute: true }), [{ key: 'u', effect: 'NoExecute' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]);
  });

  const noExecuteCases: [string, Node, Taint[] | undefined, boolean][] = [
    ['ready: nothing to do', node('n'), undefined, false],
    ['not ready: not-ready added', node('n', { ready: 'False', taints: [{ key: 'u', effect: 'NoSchedule' }] }), [{ key: 'u', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: 'NOW' }], true],
    ['unknown: unreachable added, not-ready gone', node('n', { ready: 'Unknown', taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: 'T0' }] }), [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'NOW' }], true],
    ['already tainted: unchanged, not queued', node('n', { ready: 'Unknown', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'T0' }] }), [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'T0' }], false],
  ];
  for (const [name, n, want, queued] of noExecuteCases) {
    test(`NoExecute pass: ${name}`, () => {
      assert.deepEqual(noExecuteTaints(n, 'NOW'), want);
      assert.equal(needsNoExecuteTaint(n), queued);
    });
  }
});

describe('NodeLifecycleController', () => {
  test('a silent node goes Unknown after the grace period, gets taints, its pods lose Ready; recovery removes the taints', async () => {
    const clock = new FakeClock(Date.parse('2025-01-01T00:00:00Z'));
    const nodes = informer<Node>(clock, [node('n1'), node('n2')]);
    const leases = informer<Lease>(clock, [
      { metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { renewTime: 'r0' } },
      { metadata: { name: 'n2', namespace: 'kube-node-lease' }, spec: { renewTime: 'r0' } },
    ]);
    const pods = informer<TolerantPod>(clock, [pod('p1', 'n1'), pod('p2', 'n2')]);
    const writes: { what: string; name: string; body: unknown }[] = [];
    const events: string[] = [];
    let rv = 1;
    const c = new NodeLifecycleController({
      nodeInformer: nodes,
      leaseInformer: leases,
      podInformer: pods,
      writer: {
        updateStatus: async (n) => {
          writes.push({ what: 'status', name: n.metadata.name!, body: n.status });
          const out = { ...n, metadata: { ...n.metadata, resourceVersion: String(++rv) } };
          nodes.update(out);
          return out;
        },
        setTaints: async (n, taints) => {
          writes.push({ what: 'taints', name: n.metadata.name!, body: taints });
          const out = { ...n, spec: { ...n.spec, taints }, metadata: { ...n.metadata, resourceVersion: String(++rv) } };
          nodes.update(out);
          return out;
        },
        updatePodStatus: async (p) => void writes.push({ what: 'pod', name: p.metadata.name!, body: p.status }),
        getNode: async (name) => nodes.lister().get('', name),
      },
      recorder: { event: (obj, type, reason, message) => void events.push(`${obj.kind}/${obj.metadata.name} ${type} ${reason} ${message}`) },
      clock,
      logger: silentLogger,
      monitorPeriodMs: 1000,
      gracePeriodMs: 8000,
      eviction: defaultControllerConfig,
    });
    await c.monitorNodeHealth();
    assert.equal(writes.length, 0);
    // n2 keeps renewing, n1 goes quiet.
    for (let i = 1; i <= 9; i++) {
      clock.step(1000);
      leases.update({ metadata: { name: 'n2', namespace: 'kube-node-lease' }, spec: { renewTime: `r${i}` } });
      await c.monitorNodeHealth();
      await c.doNoExecuteTaintingPass();
    }
    // Conditions, NoSchedule taint and pods at once; the NoExecute taint from the zone's queue.
    assert.deepEqual(writes.map((w) => `${w.what} ${w.name}`), ['status n1', 'taints n1', 'pod p1', 'taints n1']);
    assert.equal(nodes.lister().get('', 'n1')!.status!.conditions![0]!.status, 'Unknown');
    assert.deepEqual(nodes.lister().get('', 'n1')!.spec!.taints!.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    assert.deepEqual(events, ['Node/n1 Normal NodeNotReady Node n1 status is now: NodeNotReady', 'Pod/p1 Warning NodeNotReady Node is not ready']);
    // The kubelet comes back and posts Ready: the taints go.
    const back = node('n1', { heartbeat: '2025-01-01T00:00:10Z' });
    nodes.update({ ...back, spec: nodes.lister().get('', 'n1')!.spec });
    writes.length = 0;
    await c.monitorNodeHealth();
    assert.deepEqual(writes, [{ what: 'taints', name: 'n1', body: [] }]);
  });
});

describe('TaintEvictionController', () => {
  test('untolerated pods go at once, tolerated ones after tolerationSeconds, cancelled when the taint goes', async () => {
    const clock = new FakeClock();
    const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
    const nodes = informer<Node>(clock, [node('n1')]);
    const tol = (s: number) => [{ key: unreachable.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: s }];
    const pods = informer<TolerantPod>(clock, [pod('now', 'n1'), pod('five', 'n1', tol(5)), pod('ten', 'n1', tol(10)), pod('elsewhere', 'n2')]);
    const evicted: string[] = [];
    const events: string[] = [];
    const c = new TaintEvictionController({
      nodeInformer: nodes,
      podInformer: pods,
      evicter: { evict: async (p) => void evicted.push(p.metadata.name!) },
      recorder: { event: (_o, _t, reason, message) => void events.push(`${reason} ${message}`) },
      clock,
      logger: silentLogger,
    });
    const drain = async () => {
      while (c.queue.len() > 0) {
        const item = await c.queue.get();
        if (item.shutdown) return;
        await c.sync(item.key);
        c.queue.done(item.key);
      }
    };
    nodes.update({ ...node('n1', { taints: [unreachable] }), metadata: { name: 'n1', resourceVersion: '2' } });
    await drain();
    assert.deepEqual(evicted, ['now']);
    assert.deepEqual(events, ['TaintManagerEviction Marking for deletion Pod ns/now']);
    clock.step(4000);
    await drain();
    assert.deepEqual(evicted, ['now']);
    clock.step(1000);
    await drain();
    assert.deepEqual(evicted, ['now', 'five']);
    // The taint goes before ten seconds: no eviction, a cancellation event.
    nodes.update({ ...node('n1'), metadata: { name: 'n1', resourceVersion: '3' } });
    await drain();
    clock.step(10_000);
    await drain();
    assert.deepEqual(evicted, ['now', 'five']);
    assert.ok(events.includes('TaintManagerEviction Cancelling deletion of Pod ns/ten'));
    c.queue.shutDown();
  });
});
