import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import { defaultControllerConfig } from '../framework/controller-config.js';
import type { Taint } from '../framework/taints.js';
import { NodeLifecycleController } from './controller.js';
import { staticInformer } from './static-informer.js';
import type { Lease, Node, TolerantPod } from './types.js';

const informer = staticInformer;

/** A cluster of nodes named `<zone>-<i>`, each labelled with its zone, driven by a fake clock. */
function cluster(zones: Record<string, number>) {
  const clock = new FakeClock(Date.parse('2025-01-01T00:00:00Z'));
  const all: Node[] = [];
  for (const [zone, size] of Object.entries(zones)) {
    for (let i = 0; i < size; i++) {
      all.push({
        metadata: { name: `${zone}-${i}`, uid: `uid-${zone}-${i}`, resourceVersion: '1', labels: { 'topology.kubernetes.io/zone': zone } },
        spec: {},
        status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2025-01-01T00:00:00Z' }] },
      });
    }
  }
  const nodes = informer<Node>(clock, all);
  let rv = 1;
  const write = (n: Node, patch: Partial<Node>) => {
    const current = nodes.lister().get('', n.metadata.name!)!;
    if (current.metadata.resourceVersion !== n.metadata.resourceVersion) throw Object.assign(new Error('conflict'), { code: 409, reason: 'Conflict', status: 'Failure' });
    const out = { ...structuredClone(current), ...patch, metadata: { ...current.metadata, resourceVersion: String(++rv) } } as Node;
    nodes.update(out);
    return out;
  };
  const c = new NodeLifecycleController({
    nodeInformer: nodes,
    leaseInformer: informer<Lease>(clock, []),
    podInformer: informer<TolerantPod>(clock, []),
    writer: {
      updateStatus: async (n) => write(n, { status: n.status }),
      setTaints: async (n, taints) => write(n, { spec: { ...n.spec, taints } }),
      updatePodStatus: async () => undefined,
      getNode: async (name) => nodes.lister().get('', name),
    },
    recorder: { event: () => undefined },
    clock,
    logger: silentLogger,
    monitorPeriodMs: 5000,
    // Readiness is driven through the Ready condition here, never by silence.
    gracePeriodMs: 3_600_000,
    eviction: defaultControllerConfig,
  });
  /** What the kubelet would post: Ready True or False. */
  const setReady = (names: string[], status: 'True' | 'False') => {
    for (const name of names) {
      const cur = nodes.lister().get('', name)!;
      nodes.update({ ...structuredClone(cur), status: { conditions: [{ type: 'Ready', status, lastHeartbeatTime: clock.nowRFC3339() }] }, metadata: { ...cur.metadata, resourceVersion: String(++rv) } });
    }
  };
  const pass = async () => {
    await c.monitorNodeHealth();
    await c.doNoExecuteTaintingPass();
  };
  const noExecute = () =>
    nodes
      .lister()
      .list()
      .filter((n) => (n.spec?.taints ?? []).some((t: Taint) => t.effect === 'NoExecute'))
      .map((n) => n.metadata.name!)
      .sort();
  return { clock, c, nodes, setReady, pass, noExecute };
}

describe('NodeLifecycleController: zone-aware NoExecute tainting', () => {
  test('a healthy zone taints one node at once, the next after 1/node-eviction-rate seconds; recovery lifts it at once', async () => {
    const w = cluster({ a: 10 });
    await w.pass();
    w.setReady(['a-0', 'a-1'], 'False');
    await w.pass();
    assert.deepEqual(w.noExecute(), ['a-0']);
    // NoSchedule is not paced.
    assert.ok(w.nodes.lister().get('', 'a-1')!.spec!.taints!.some((t) => t.key === 'node.kubernetes.io/not-ready' && t.effect === 'NoSchedule'));
    w.clock.step(9_900);
    await w.pass();
    assert.deepEqual(w.noExecute(), ['a-0']);
    w.clock.step(100);
    await w.c.doNoExecuteTaintingPass();
    assert.deepEqual(w.noExecute(), ['a-0', 'a-1']);
    w.setReady(['a-0'], 'True');
    await w.pass();
    assert.deepEqual(w.noExecute(), ['a-1']);
  });

  test('a small zone in partial disruption is not tainted while another zone still is', async () => {
    const w = cluster({ a: 4, b: 3 });
    await w.pass();
    w.setReady(['a-0', 'a-1', 'a-2', 'b-0'], 'False');
    await w.pass();
    assert.equal(w.c.zones.state(':\x00:a'), 'PartialDisruption');
    assert.equal(w.c.zones.state(':\x00:b'), 'Normal');
    w.clock.step(600_000);
    await w.pass();
    assert.deepEqual(w.noExecute(), ['b-0']);
    // Back under the threshold: the zone's queue drains at the normal rate.
    w.setReady(['a-2'], 'True');
    await w.pass();
    assert.equal(w.c.zones.state(':\x00:a'), 'Normal');
    // Coming from a stopped limiter, the first token is a full period away.
    assert.equal(w.noExecute().filter((n) => n.startsWith('a-')).length, 0);
    w.clock.step(10_000);
    await w.pass();
    assert.equal(w.noExecute().filter((n) => n.startsWith('a-')).length, 1);
  });

  test('every zone down: no NoExecute taints at all, existing ones lifted; a node back resumes tainting at the normal rate', async () => {
    const w = cluster({ a: 2, b: 1 });
    await w.pass();
    w.setReady(['a-0'], 'False');
    await w.pass();
    assert.deepEqual(w.noExecute(), ['a-0']);
    w.setReady(['a-1', 'b-0'], 'False');
    await w.pass();
    assert.deepEqual(w.noExecute(), []);
    assert.equal(w.c.zones.allFullyDisrupted(), true);
    w.clock.step(600_000);
    await w.pass();
    assert.deepEqual(w.noExecute(), []);
    w.setReady(['b-0'], 'True');
    await w.pass();
    assert.equal(w.c.zones.state(':\x00:a'), 'FullDisruption');
    // The stopped limiter had no token left, so the first taint waits a full period.
    assert.deepEqual(w.noExecute(), []);
    w.clock.step(10_000);
    await w.pass();
    assert.deepEqual(w.noExecute(), ['a-0']);
    w.clock.step(10_000);
    await w.pass();
    assert.deepEqual(w.noExecute(), ['a-0', 'a-1']);
  });

  test('a node excluded from disruption checks does not count towards its zone', async () => {
    const w = cluster({ a: 3 });
    const n = w.nodes.lister().get('', 'a-2')!;
    w.nodes.update({ ...structuredClone(n), metadata: { ...n.metadata, resourceVersion: '50', labels: { ...n.metadata.labels, 'node.kubernetes.io/exclude-disruption': 'true' } } });
    await w.pass();
    w.setReady(['a-0', 'a-1'], 'False');
    await w.pass();
    // The two counted nodes are all down: the whole cluster looks cut off.
    assert.equal(w.c.zones.allFullyDisrupted(), true);
    assert.deepEqual(w.noExecute(), []);
  });
});
