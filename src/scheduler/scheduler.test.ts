import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodT } from '../api/core/v1/types.js';
import type { CoreEvent } from '../client/events/event-recorder.js';
import { HTTP2Transport } from '../client/rest/http2-transport.js';
import { ResourceClient } from '../client/rest/resource-client.js';
import { RESTClient } from '../client/rest/rest-client.js';
import { realClock } from '../machinery/clock.js';
import { silentLogger } from '../machinery/log.js';
import type { KubeObject } from '../machinery/meta/types.js';
import { node, pod } from '../testing/builders.js';
import { startTestAPIServer, type TestAPIServer } from '../testing/api-server.js';
import { explainSchedule } from './explain-schedule.js';
import { GVR, LEASE_NAME, LEASE_NAMESPACE, Scheduler, type SchedulerOptions } from './scheduler.js';

type Obj = KubeObject;

function readyNode(name: string, cpu: string, extra: (b: ReturnType<typeof node>) => void = () => undefined): Obj {
  const b = node(name).capacity({ cpu, memory: '8Gi', pods: '110' });
  extra(b);
  const n = b.build();
  n.status!.conditions = [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }];
  return n as unknown as Obj;
}

function apiPod(name: string, cpu: string, edit: (p: PodT) => void = () => undefined): Obj {
  const p = pod(name).req({ cpu, memory: '100Mi' }).build();
  delete p.metadata!.uid;
  edit(p);
  return p as unknown as Obj;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Scheduler against an API server', () => {
  let srv: TestAPIServer;
  let transport: HTTP2Transport;
  let rest: RESTClient;
  let nodes: ResourceClient;
  let pods: ResourceClient;
  let events: ResourceClient<CoreEvent>;
  let counter = 0;
  /** Whether the test server installs pods/binding (the special subresource handlers). */
  let bindingServed = false;
  const needsBinding = (t: { skip(msg: string): void }): boolean => {
    if (bindingServed) return false;
    t.skip('the test API server does not serve pods/binding');
    return true;
  };

  before(async () => {
    srv = await startTestAPIServer();
    transport = new HTTP2Transport({ server: srv.url, caPEM: srv.credentials.caPEM, certPEM: srv.credentials.certPEM, keyPEM: srv.credentials.keyPEM });
    rest = new RESTClient(transport);
    nodes = new ResourceClient(rest, GVR.nodes);
    events = new ResourceClient<CoreEvent>(rest, GVR.events, 'default');
    bindingServed = await new ResourceClient(rest, GVR.pods, 'default')
      .createSubresource('probe-absent', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'probe-absent' }, target: { kind: 'Node', name: 'x' } })
      .then(() => true, (err: Error) => /pods "probe-absent" not found/.test(err.message));
  });

  after(async () => {
    transport.close();
    await srv.stop();
  });

  /** A fresh namespace and node set per test, so tests do not see each other's pods. */
  async function setup(nodeCPUs: string[]): Promise<{ ns: string; nodeNames: string[] }> {
    const id = ++counter;
    const ns = `t${id}`;
    await new ResourceClient(rest, GVR.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    pods = new ResourceClient(rest, GVR.pods, ns);
    events = new ResourceClient<CoreEvent>(rest, GVR.events, ns);
    const nodeNames: string[] = [];
    for (const [i, cpu] of nodeCPUs.entries()) {
      const name = `t${id}-n${i}`;
      nodeNames.push(name);
      await createNode(readyNode(name, cpu));
    }
    return { ns, nodeNames };
  }

  /** The server keeps only spec on create (as for most resources); status comes by the status subresource, as a kubelet's. */
  async function createNode(n: Obj): Promise<void> {
    await nodes.create({ ...n, status: undefined });
    await nodes.patch(n.metadata.name!, 'merge', { status: n.status }, { subresource: 'status' });
  }

  async function teardown(nodeNames: string[]): Promise<void> {
    for (const n of nodeNames) await nodes.delete(n).catch(() => undefined);
  }

  function start(opts: Partial<SchedulerOptions> = {}): { stop: () => Promise<void>; scheduler: Scheduler } {
    const scheduler = new Scheduler({ rest, clock: realClock, logger: silentLogger, identity: 'sched-a', leaderElect: false, ...opts });
    const ctl = new AbortController();
    const running = scheduler.run(ctl.signal);
    return { scheduler, stop: async () => { ctl.abort(); await running; } };
  }

  const create = (p: Obj) => pods.inNamespace(p.metadata.namespace!).create(p);
  const nodeOf = async (ns: string, name: string) => ((await pods.inNamespace(ns).get(name)) as unknown as PodT).spec?.nodeName || undefined;
  const eventsFor = async (name: string, reason: string) => (await events.list()).items.filter((e) => e.involvedObject.name === name && e.reason === reason);

  test('binds pods through pods/binding, spreads them, and records Scheduled', async (t) => {
    if (needsBinding(t)) return;
    const { ns, nodeNames } = await setup(['4', '4', '4']);
    for (let i = 0; i < 6; i++) await create(apiPod(`p${i}`, '1', (p) => (p.metadata!.namespace = ns)));
    const s = start();
    try {
      const placed = await Promise.all(Array.from({ length: 6 }, (_, i) => waitFor(`p${i} bound`, () => nodeOf(ns, `p${i}`))));
      const perNode = new Map<string, number>();
      for (const n of placed) perNode.set(n, (perNode.get(n) ?? 0) + 1);
      assert.deepEqual([...perNode.keys()].sort(), [...nodeNames].sort());
      assert.deepEqual([...perNode.values()], [2, 2, 2]);
      const ev = await waitFor('Scheduled event', async () => (await eventsFor('p0', 'Scheduled'))[0]);
      assert.equal(ev.message, `Successfully assigned ${ns}/p0 to ${placed[0]}`);
      assert.equal(ev.type, 'Normal');
      assert.equal(ev.source.component, 'default-scheduler');
    } finally {
      await s.stop();
      await teardown(nodeNames);
    }
  });

  test('never places two pods on capacity only one of them fits', async (t) => {
    if (needsBinding(t)) return;
    const { ns, nodeNames } = await setup(['2', '2']);
    // All three are pending before the scheduler starts, so they are placed back to back, before any binding is observed.
    for (let i = 0; i < 3; i++) await create(apiPod(`big${i}`, '1500m', (p) => (p.metadata!.namespace = ns)));
    const s = start();
    try {
      await waitFor('two FailedScheduling or bound', async () => {
        const bound = (await Promise.all([0, 1, 2].map((i) => nodeOf(ns, `big${i}`)))).filter(Boolean);
        const failed = (await Promise.all([0, 1, 2].map((i) => eventsFor(`big${i}`, 'FailedScheduling')))).flat();
        return bound.length === 2 && failed.length >= 1 ? true : undefined;
      });
      const bound = (await Promise.all([0, 1, 2].map((i) => nodeOf(ns, `big${i}`)))).filter(Boolean);
      assert.equal(new Set(bound).size, 2, 'each node holds one pod');
    } finally {
      await s.stop();
      await teardown(nodeNames);
    }
  });

  test('a pod that fits nowhere gets FailedScheduling and PodScheduled=False, then schedules when a node is added', async (t) => {
    if (needsBinding(t)) return;
    const { ns, nodeNames } = await setup(['2', '2', '2']);
    const s = start();
    const bigNode = `${ns}-big`;
    try {
      await create(apiPod('huge', '8', (p) => (p.metadata!.namespace = ns)));
      const ev = await waitFor('FailedScheduling', async () => (await eventsFor('huge', 'FailedScheduling'))[0]);
      assert.equal(ev.type, 'Warning');
      assert.match(ev.message, /^0\/3 nodes are available: 3 Insufficient cpu\. preemption: /);
      const cond = await waitFor('PodScheduled condition', async () => {
        const p = (await pods.get('huge')) as unknown as PodT;
        return p.status?.conditions?.find((c) => c.type === 'PodScheduled');
      });
      assert.equal(cond.status, 'False');
      assert.equal(cond.reason, 'Unschedulable');
      assert.equal(cond.message, ev.message);
      await createNode(readyNode(bigNode, '16'));
      assert.equal(await waitFor('huge bound', () => nodeOf(ns, 'huge')), bigNode);
    } finally {
      await s.stop();
      await teardown([...nodeNames, bigNode]);
    }
  });

  test('labelling a node schedules a pod waiting on its nodeSelector', async (t) => {
    if (needsBinding(t)) return;
    const { ns, nodeNames } = await setup(['2', '2', '2']);
    const s = start();
    try {
      await create(apiPod('picky', '100m', (p) => { p.metadata!.namespace = ns; p.spec!.nodeSelector = { disk: 'ssd' }; }));
      const ev = await waitFor('FailedScheduling', async () => (await eventsFor('picky', 'FailedScheduling'))[0]);
      assert.match(ev.message, /^0\/3 nodes are available: 3 node\(s\) didn't match Pod's node affinity\/selector\./);
      await nodes.patch(nodeNames[1]!, 'merge', { metadata: { labels: { disk: 'ssd' } } });
      assert.equal(await waitFor('picky bound', () => nodeOf(ns, 'picky')), nodeNames[1]);
    } finally {
      await s.stop();
      await teardown(nodeNames);
    }
  });

  test('preemption nominates the node and deletes the lower-priority victim', async (t) => {
    if (needsBinding(t)) return;
    const { ns, nodeNames } = await setup(['2']);
    const s = start();
    try {
      await create(apiPod('low', '1500m', (p) => { p.metadata!.namespace = ns; p.spec!.priority = 0; }));
      await waitFor('low bound', () => nodeOf(ns, 'low'));
      await create(apiPod('high', '1500m', (p) => { p.metadata!.namespace = ns; p.spec!.priority = 1000; }));
      const nominated = await waitFor('nominatedNodeName', async () => ((await pods.get('high')) as unknown as PodT).status?.nominatedNodeName || undefined);
      assert.equal(nominated, nodeNames[0]);
      // Without a kubelet the graceful delete leaves the victim terminating: its grace period is honoured.
      const victim = await waitFor('victim terminating', async () => {
        const v = (await pods.get('low')) as unknown as PodT;
        return v.metadata?.deletionTimestamp ? v : undefined;
      });
      assert.equal(victim.metadata?.deletionGracePeriodSeconds, 30);
      assert.equal((await eventsFor('low', 'Preempted')).length, 1);
    } finally {
      await s.stop();
      await teardown(nodeNames);
    }
  });

  test('pods for another scheduler are left alone', async (t) => {
    if (needsBinding(t)) return;
    const { ns, nodeNames } = await setup(['2']);
    const s = start();
    try {
      await create(apiPod('theirs', '100m', (p) => { p.metadata!.namespace = ns; p.spec!.schedulerName = 'other'; }));
      await create(apiPod('ours', '100m', (p) => (p.metadata!.namespace = ns)));
      await waitFor('ours bound', () => nodeOf(ns, 'ours'));
      // Both were queued in creation order; give the loop a moment past the bound pod.
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await nodeOf(ns, 'theirs'), undefined);
      assert.deepEqual(await eventsFor('theirs', 'FailedScheduling'), []);
    } finally {
      await s.stop();
      await teardown(nodeNames);
    }
  });

  test('with two schedulers only the Lease holder binds', async (t) => {
    if (needsBinding(t)) return;
    const { ns, nodeNames } = await setup(['4', '4', '4']);
    const le = { leaderElect: true, leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 };
    const a = start({ ...le, identity: 'sched-a' });
    const b = start({ ...le, identity: 'sched-b' });
    try {
      for (let i = 0; i < 6; i++) await create(apiPod(`le${i}`, '500m', (p) => (p.metadata!.namespace = ns)));
      await Promise.all(Array.from({ length: 6 }, (_, i) => waitFor(`le${i} bound`, () => nodeOf(ns, `le${i}`))));
      const lease = (await new ResourceClient(rest, GVR.leases, LEASE_NAMESPACE).get(LEASE_NAME)) as { spec?: { holderIdentity?: string } } & Obj;
      const holder = lease.spec?.holderIdentity;
      assert.ok(holder === 'sched-a' || holder === 'sched-b');
      const scheduled = await waitFor('six Scheduled events', async () => {
        const evs = (await events.list()).items.filter((e) => e.reason === 'Scheduled');
        return evs.length === 6 ? evs : undefined;
      });
      assert.deepEqual([...new Set(scheduled.map((e) => e.reportingInstance))], [holder]);
      assert.equal((holder === 'sched-a' ? a : b).scheduler.isLeader(), true);
      assert.equal((holder === 'sched-a' ? b : a).scheduler.isLeader(), false);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await teardown(nodeNames);
    }
  });

  test('explainSchedule reports the rejecting plugin or the scores per node, best first', async () => {
    const { ns, nodeNames } = await setup(['1', '4', '8']);
    try {
      await nodes.patch(nodeNames[2]!, 'merge', { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } });
      await create(apiPod('why', '2', (p) => (p.metadata!.namespace = ns)));
      const out = await explainSchedule(rest, ns, 'why');
      const lines = out.trimEnd().split('\n');
      const own = lines.filter((l) => nodeNames.some((n) => l.startsWith(n + ' ')));
      assert.match(lines[0]!, new RegExp(`^Pod ${ns}/why \\(scheduler default-scheduler\\): 1/\\d+ nodes feasible$`));
      assert.equal(own.length, 3);
      assert.match(own[0]!, new RegExp(`^${nodeNames[1]} +score \\d+: .*NodeResourcesFit=\\d+.*NodeResourcesBalancedAllocation=\\d+`));
      assert.ok(own.includes(`${nodeNames[0]}  rejected by NodeResourcesFit: Insufficient cpu`), out);
      assert.ok(own.some((l) => l.startsWith(`${nodeNames[2]}  rejected by TaintToleration: node(s) had untolerated taint {dedicated: db}`)), out);
      const other = await explainSchedule(rest, ns, 'why', { config: { ...(await import('./config.js')).defaultConfiguration(), profiles: [] } });
      assert.match(other, /no profile for scheduler "default-scheduler"/);
    } finally {
      await teardown(nodeNames);
    }
  });
});
