import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock, realClock } from '../../machinery/clock.js';
import { StatusError } from '../../machinery/errors/index.js';
import { HTTP2Transport } from '../rest/http2-transport.js';
import { ResourceClient } from '../rest/resource-client.js';
import { RESTClient } from '../rest/rest-client.js';
import { startTestAPIServer } from '../../testing/api-server.js';
import { type Lease, type LeaseClient, LeaderElector } from './leader-elector.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tick = () => new Promise((r) => setImmediate(r));

/** An in-memory Lease store whose writes can be made to fail. */
class FakeLeases implements LeaseClient {
  lease?: Lease;
  failWrites = false;
  private rv = 1;
  async get(name: string): Promise<Lease> {
    if (!this.lease) throw new StatusError(404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`);
    return structuredClone(this.lease);
  }
  async create(obj: Lease): Promise<Lease> {
    if (this.failWrites) throw new StatusError(500, 'InternalError', 'down');
    this.lease = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(this.rv++) } };
    return structuredClone(this.lease);
  }
  async update(obj: Lease): Promise<Lease> {
    if (this.failWrites) throw new StatusError(500, 'InternalError', 'down');
    if (obj.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) throw new StatusError(409, 'Conflict', 'conflict');
    return this.create(obj);
  }
}

describe('LeaderElector timing with a fake clock', () => {
  test('renews every retryPeriod and steps down when renewals fail past renewDeadline', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases();
    const events: string[] = [];
    const elector = new LeaderElector({
      leases,
      name: 'ctrl',
      namespace: 'kube-system',
      identity: 'me',
      clock,
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      callbacks: { onStartedLeading: (s) => void events.push(`started ${s.aborted}`), onStoppedLeading: () => void events.push('stopped') },
    });
    const abort = new AbortController();
    const run = elector.run(abort.signal);
    for (let i = 0; i < 20 && !elector.isLeader(); i++) await tick();
    assert.equal(elector.isLeader(), true);
    assert.equal(leases.lease?.spec?.holderIdentity, 'me');
    assert.equal(leases.lease?.spec?.leaseDurationSeconds, 15);
    const firstRenew = leases.lease?.spec?.renewTime;
    clock.step(2_000);
    for (let i = 0; i < 20; i++) await tick();
    assert.notEqual(leases.lease?.spec?.renewTime, firstRenew, 'renewed after retryPeriod');
    leases.failWrites = true;
    for (let t = 0; t < 8_000; t += 2_000) {
      clock.step(2_000);
      for (let i = 0; i < 20; i++) await tick();
    }
    assert.equal(elector.isLeader(), true, 'still within renewDeadline');
    clock.step(2_000);
    await run;
    assert.equal(elector.isLeader(), false);
    assert.deepEqual(events, ['started false', 'stopped']);
  });

  test('a lease held by another is respected until it expires on our clock', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases();
    await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'ctrl' }, spec: { holderIdentity: 'other', leaseDurationSeconds: 15, leaseTransitions: 3 } });
    const elector = new LeaderElector({ leases, name: 'ctrl', namespace: 'ns', identity: 'me', clock, callbacks: { onStartedLeading: () => {}, onStoppedLeading: () => {} } });
    const abort = new AbortController();
    const run = elector.run(abort.signal);
    for (let t = 0; t < 14_000; t += 2_000) {
      for (let i = 0; i < 20; i++) await tick();
      assert.equal(elector.isLeader(), false, `at ${t}ms`);
      clock.step(2_000);
    }
    for (let i = 0; i < 20; i++) await tick();
    clock.step(2_000);
    for (let i = 0; i < 20 && !elector.isLeader(); i++) await tick();
    assert.equal(elector.isLeader(), true);
    assert.equal(leases.lease?.spec?.leaseTransitions, 4);
    abort.abort();
    await run;
    assert.equal(leases.lease?.spec?.holderIdentity, '', 'released on stop');
  });
});

describe('LeaderElector against an in-process API server', () => {
  test('two candidates: exactly one leads; when it stops the other takes over', async () => {
    const srv = await startTestAPIServer();
    const transport = new HTTP2Transport({ server: srv.url, caPEM: srv.credentials.caPEM, certPEM: srv.credentials.certPEM, keyPEM: srv.credentials.keyPEM });
    const leases = new ResourceClient<Lease>(new RESTClient(transport), { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' }, 'kube-system');
    const aborts = { a: new AbortController(), b: new AbortController() };
    const leading = new Set<string>();
    const electors = (['a', 'b'] as const).map((id) => {
      const e = new LeaderElector({
        leases,
        name: 'race',
        namespace: 'kube-system',
        identity: id,
        clock: realClock,
        leaseDurationMs: 2_000,
        renewDeadlineMs: 1_000,
        retryPeriodMs: 100,
        callbacks: { onStartedLeading: () => void leading.add(id), onStoppedLeading: () => void leading.delete(id) },
      });
      return { id, e, run: e.run(aborts[id].signal) };
    });
    try {
      for (let i = 0; i < 50 && leading.size === 0; i++) await wait(20);
      await wait(400);
      assert.equal(leading.size, 1, 'exactly one leader');
      const [first] = [...leading];
      const other = first === 'a' ? 'b' : 'a';
      const lease = await leases.get('race');
      assert.equal(lease.spec?.holderIdentity, first);
      aborts[first as 'a' | 'b'].abort();
      await electors.find((x) => x.id === first)!.run;
      for (let i = 0; i < 100 && !leading.has(other); i++) await wait(20);
      assert.deepEqual([...leading], [other]);
      const after = await leases.get('race');
      assert.equal(after.spec?.holderIdentity, other);
      assert.equal(after.spec?.leaseTransitions, 1);
    } finally {
      aborts.a.abort();
      aborts.b.abort();
      await Promise.all(electors.map((x) => x.run));
      transport.close();
      await srv.stop();
    }
  });
});
