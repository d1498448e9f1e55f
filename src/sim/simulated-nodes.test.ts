import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceClient } from '../client/rest/resource-client.js';
import type { RESTClient } from '../client/rest/rest-client.js';
import { FakeClock, realClock, rfc3339Micro } from '../machinery/clock.js';
import { silentLogger } from '../machinery/log.js';
import type { KubeObject } from '../machinery/meta/types.js';
import { type ClientEnv, eventually, startClientEnv } from '../testing/controller-env.js';
import { SimulatedNodes } from './simulated-nodes.js';

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

describe('SimulatedNodes', () => {
  let env: ClientEnv;
  let rest: RESTClient;
  let nodes: ResourceClient<Obj>;
  let pods: ResourceClient<Obj>;
  let leases: ResourceClient<Obj>;
  const stop = new AbortController();
  let running: Promise<void>;

  before(async () => {
    env = await startClientEnv();
    ({ rest } = env);
    nodes = new ResourceClient<Obj>(rest, { group: '', version: 'v1', resource: 'nodes' });
    pods = new ResourceClient<Obj>(rest, { group: '', version: 'v1', resource: 'pods' }, 'default');
    leases = new ResourceClient<Obj>(rest, { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' }, 'kube-node-lease');
    const sim = new SimulatedNodes({ rest, clock: realClock, logger: silentLogger, count: 3, capacity: { cpu: '8' }, labels: { zone: 'a' } });
    running = sim.run(stop.signal);
  });

  after(async () => {
    stop.abort();
    await running;
    await env.stop();
  });

  const makePod = (name: string, opts: { annotations?: Record<string, string>; restartPolicy?: string } = {}): Obj => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations: { 'sim.k8ts.io/start-delay-ms': '10', ...opts.annotations } },
    spec: { nodeName: 'sim-node-1', restartPolicy: opts.restartPolicy ?? 'Always', containers: [{ name: 'main', image: 'busybox' }] },
  });

  test('registers Ready nodes with capacity, labels, podCIDRs and leases', async () => {
    const list = await eventually('three nodes', async () => {
      const l = await nodes.list({ labelSelector: 'k8ts.io/simulated=true' });
      return l.items.length === 3 ? l.items : undefined;
    });
    const byName = new Map(list.map((n) => [n.metadata.name, n]));
    for (const [i, name] of ['sim-node-0', 'sim-node-1', 'sim-node-2'].entries()) {
      const n = byName.get(name);
      assert.ok(n, name);
      assert.equal(n.metadata.labels?.['kubernetes.io/hostname'], name);
      assert.equal(n.metadata.labels?.zone, 'a');
      assert.equal(n.spec?.podCIDR, `10.244.${i}.0/24`);
      assert.deepEqual(n.spec?.podCIDRs, [`10.244.${i}.0/24`]);
      const status = n.status as { capacity: Record<string, string>; allocatable: Record<string, string>; conditions: { type: string; status: string }[]; nodeInfo: Record<string, string> };
      assert.equal(status.capacity.cpu, '8');
      assert.equal(status.capacity.memory, '256Gi');
      assert.equal(status.allocatable.pods, '110');
      assert.equal(status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
      assert.equal(status.conditions.find((c) => c.type === 'MemoryPressure')?.status, 'False');
      assert.equal(status.nodeInfo.kubeletVersion, 'v1.32.0-k8ts');
      assert.equal(status.nodeInfo.containerRuntimeVersion, 'sim://1');
      const lease = await eventually('lease', () => leases.get(name));
      assert.equal((lease.spec as { holderIdentity?: string }).holderIdentity, name);
    }
  });

  test('a bound pod becomes Running and Ready with an IP from its node /24', async () => {
    await pods.create(makePod('web'));
    const p = await eventually('web running', async () => {
      const got = await pods.get('web');
      return (got.status as { phase?: string }).phase === 'Running' ? got : undefined;
    });
    const status = p.status as { podIP: string; hostIP: string; conditions: { type: string; status: string }[]; containerStatuses: { ready: boolean; state: Record<string, unknown> }[]; startTime?: string };
    assert.match(status.podIP, /^10\.244\.1\.\d+$/);
    assert.ok(status.startTime);
    for (const t of ['Initialized', 'ContainersReady', 'Ready', 'PodScheduled']) assert.equal(status.conditions.find((c) => c.type === t)?.status, 'True', t);
    assert.equal(status.containerStatuses[0]?.ready, true);
    assert.ok(status.containerStatuses[0]?.state.running);
  });

  test('readiness follows the sim.k8ts.io/ready annotation', async () => {
    await pods.create(makePod('shy', { annotations: { 'sim.k8ts.io/ready': 'false' } }));
    const ready = async (want: string) => {
      const got = await pods.get('shy');
      const s = got.status as { phase?: string; conditions?: { type: string; status: string }[] };
      return s.phase === 'Running' && s.conditions?.find((c) => c.type === 'Ready')?.status === want ? true : undefined;
    };
    await eventually('shy running unready', () => ready('False'));
    await pods.patch('shy', 'merge', { metadata: { annotations: { 'sim.k8ts.io/ready': 'true' } } });
    await eventually('shy ready', () => ready('True'));
  });

  const jobs: { name: string; exitCode?: string; phase: string; reason: string }[] = [
    { name: 'job-ok', phase: 'Succeeded', reason: 'Completed' },
    { name: 'job-fail', exitCode: '3', phase: 'Failed', reason: 'Error' },
  ];
  for (const j of jobs) {
    test(`a run-to-completion pod ends ${j.phase}`, async () => {
      const annotations: Record<string, string> = { 'sim.k8ts.io/run-seconds': '0.1' };
      if (j.exitCode) annotations['sim.k8ts.io/exit-code'] = j.exitCode;
      await pods.create(makePod(j.name, { annotations, restartPolicy: 'Never' }));
      const p = await eventually(`${j.name} done`, async () => {
        const got = await pods.get(j.name);
        return (got.status as { phase?: string }).phase === j.phase ? got : undefined;
      });
      const cs = (p.status as { containerStatuses: { state: { terminated?: { exitCode: number; reason: string } } }[] }).containerStatuses[0];
      assert.equal(cs?.state.terminated?.exitCode, Number(j.exitCode ?? 0));
      assert.equal(cs?.state.terminated?.reason, j.reason);
    });
  }

  test('deleting a running pod removes it after the (capped) grace period', async () => {
    await pods.create(makePod('doomed'));
    await eventually('doomed running', async () => ((await pods.get('doomed')).status as { phase?: string }).phase === 'Running' || undefined);
    const res = await pods.delete('doomed');
    assert.ok((res as Obj).metadata?.deletionTimestamp, 'graceful deletion first marks the pod');
    await eventually('doomed gone', async () => {
      try {
        await pods.get('doomed');
        return undefined;
      } catch (err) {
        return (err as { reason?: string }).reason === 'NotFound' ? true : undefined;
      }
    });
  });
});

describe('SimulatedNodes heartbeats', () => {
  test('a node annotated down stops renewing its lease while others go on', async () => {
    const env = await startClientEnv();
    const { rest } = env;
    const clock = new FakeClock();
    const stop = new AbortController();
    const sim = new SimulatedNodes({ rest, clock, logger: silentLogger, count: 2, prefix: 'hb-', startIndex: 5 });
    const running = sim.run(stop.signal);
    try {
      const nodes = new ResourceClient<Obj>(rest, { group: '', version: 'v1', resource: 'nodes' });
      const leases = new ResourceClient<Obj>(rest, { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' }, 'kube-node-lease');
      const renewTime = async (name: string) => ((await leases.get(name)).spec as { renewTime?: string }).renewTime;
      const start = rfc3339Micro(clock.now());
      assert.equal(await eventually('hb-5 lease', () => renewTime('hb-5')), start);
      await eventually('hb-6 lease', () => renewTime('hb-6'));
      assert.equal((await nodes.get('hb-6')).spec?.podCIDR, '10.244.6.0/24');

      clock.step(40_000);
      // The heartbeat wheel renews hb-5 on its own tick within each 10 s period: the last one is within the last 10 s.
      const t1 = await eventually('hb-5 renewed', async () => {
        const r = await renewTime('hb-5');
        return r !== undefined && r > rfc3339Micro(clock.now() - 10_000) ? r : undefined;
      });

      await nodes.patch('hb-5', 'merge', { metadata: { annotations: { 'sim.k8ts.io/down': 'true' } } });
      await eventually('sim sees hb-5 down', async () => sim.nodeDown('hb-5') || undefined);
      clock.step(80_000);
      const t2 = rfc3339Micro(clock.now());
      await eventually('hb-6 renewed', async () => {
        const r = await renewTime('hb-6');
        return r !== undefined && r > t1 ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await renewTime('hb-5'), t1, 'a down node does not renew');

      await nodes.patch('hb-5', 'merge', { metadata: { annotations: { 'sim.k8ts.io/down': null } } });
      await eventually('hb-5 renews again when up', async () => ((await renewTime('hb-5')) === t2 ? true : undefined));

      // Unchanged status is posted on the slow report period, keeping the other conditions intact.
      type Cond = { type: string; status: string; reason: string; lastHeartbeatTime: string };
      const ready = async () => ((await nodes.get('hb-6')).status as { conditions: Cond[] }).conditions.find((c) => c.type === 'Ready')!;
      const before = await ready();
      clock.step(300_000);
      const after = await eventually('hb-6 status heartbeat', async () => {
        const c = await ready();
        return c.lastHeartbeatTime !== before.lastHeartbeatTime ? c : undefined;
      });
      assert.equal(after.status, 'True');
      assert.equal(after.reason, 'KubeletReady');
      assert.equal(((await nodes.get('hb-6')).status as { conditions: Cond[] }).conditions.length, 4);
    } finally {
      stop.abort();
      await running;
      await env.stop();
    }
  });
});

test('registering many nodes at once raises no listener-leak warning', async () => {
  const env = await startClientEnv();
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    if (w.name === 'MaxListenersExceededWarning') warnings.push(w.message);
  };
  process.on('warning', onWarning);
  const stop = new AbortController();
  const sim = new SimulatedNodes({ rest: env.rest, clock: realClock, logger: silentLogger, count: 40, prefix: 'many-', registerConcurrency: 16 });
  const running = sim.run(stop.signal);
  try {
    const nodes = new ResourceClient<Obj>(env.rest, { group: '', version: 'v1', resource: 'nodes' });
    await eventually('forty nodes', async () => ((await nodes.list({ labelSelector: 'k8ts.io/simulated=true' })).items.length === 40 ? true : undefined));
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', onWarning);
    stop.abort();
    await running;
    await env.stop();
  }
});
