import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformer } from '../../client/informers/shared-informer.js';
import type { ListerWatcher } from '../../client/informers/lister-watcher.js';
import { FakeClock } from '../../machinery/clock.js';
import { StatusError } from '../../machinery/errors/status-error.js';
import { silentLogger } from '../../machinery/log.js';
import { CIDRSet } from './cidr-set.js';
import { type IPAMNode, NodeIPAMController } from './controller.js';

function set(cluster: string, mask = 24): CIDRSet {
  const r = CIDRSet.create(cluster, mask);
  if (!r.ok) throw new Error(r.message);
  return r.set;
}

describe('CIDRSet', () => {
  const cases: { name: string; cluster: string; mask?: number; occupy?: string[]; release?: string[]; take: number; want: (string | undefined)[] }[] = [
    { name: 'first subnets in order', cluster: '10.244.0.0/16', take: 3, want: ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24'] },
    { name: 'skips occupied subnets', cluster: '10.244.0.0/16', occupy: ['10.244.0.0/24', '10.244.2.0/24'], take: 2, want: ['10.244.1.0/24', '10.244.3.0/24'] },
    { name: 'a wider occupied range covers several subnets', cluster: '10.244.0.0/16', occupy: ['10.244.0.0/23'], take: 1, want: ['10.244.2.0/24'] },
    { name: 'a CIDR outside the range is ignored', cluster: '10.244.0.0/16', occupy: ['192.168.0.0/24'], take: 1, want: ['10.244.0.0/24'] },
    { name: 'exhaustion answers undefined', cluster: '10.0.0.0/23', take: 3, want: ['10.0.0.0/24', '10.0.1.0/24', undefined] },
    { name: 'a released subnet is reused once the others are taken', cluster: '10.0.0.0/23', occupy: ['10.0.0.0/24', '10.0.1.0/24'], release: ['10.0.0.0/24'], take: 2, want: ['10.0.0.0/24', undefined] },
    { name: 'mask 26 of a /24', cluster: '192.168.5.0/24', mask: 26, take: 2, want: ['192.168.5.0/26', '192.168.5.64/26'] },
    { name: 'an unmasked base is masked', cluster: '10.244.3.7/16', take: 1, want: ['10.244.0.0/24'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const s = set(c.cluster, c.mask);
      for (const o of c.occupy ?? []) s.occupy(o);
      for (const r of c.release ?? []) s.release(r);
      assert.deepEqual(Array.from({ length: c.take }, () => s.allocateNext()), c.want);
    });
  }

  const bad: { name: string; cluster: string; mask: number; want: RegExp }[] = [
    { name: 'IPv6 is refused', cluster: 'fd00::/48', mask: 64, want: /only IPv4/ },
    { name: 'mask shorter than the cluster prefix', cluster: '10.244.0.0/16', mask: 8, want: /between/ },
    { name: 'more than 16 bits of subnets', cluster: '10.0.0.0/8', mask: 30, want: /max size/ },
    { name: 'garbage', cluster: 'nope', mask: 24, want: /invalid cluster CIDR/ },
  ];
  for (const c of bad) {
    test(`refuses: ${c.name}`, () => {
      const r = CIDRSet.create(c.cluster, c.mask);
      assert.equal(r.ok, false);
      assert.match((r as { message: string }).message, c.want);
    });
  }
});

const idle: ListerWatcher<never> = {
  list: async () => ({ metadata: {}, items: [] }),
  // eslint-disable-next-line require-yield
  watch: async function* () {
    return;
  },
};

function node(name: string, podCIDR?: string): IPAMNode {
  return { metadata: { name, uid: `u-${name}`, resourceVersion: '1' }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} };
}

function harness(opts: { cluster?: string; fail?: (name: string) => unknown } = {}) {
  const clock = new FakeClock();
  const inf = new SharedInformer<IPAMNode>({ listerWatcher: idle, clock, freeze: true });
  const writes: string[] = [];
  const events: string[] = [];
  const c = new NodeIPAMController({
    nodeInformer: inf,
    client: {
      setPodCIDR: async (n, cidr) => {
        const err = opts.fail?.(n.metadata.name!);
        if (err) throw err;
        writes.push(`${n.metadata.name} ${cidr}`);
      },
    },
    events: { event: (n, type, reason, message) => events.push(`${n.metadata.name} ${type} ${reason}: ${message}`) },
    clusterCIDR: opts.cluster ?? '10.244.0.0/16',
    nodeCIDRMaskSize: 24,
    clock,
    logger: silentLogger,
  });
  return { c, inf, writes, events };
}

describe('NodeIPAMController', () => {
  test('an unusable cluster CIDR disables the controller instead of failing the manager', async () => {
    const clock = new FakeClock();
    const inf = new SharedInformer<IPAMNode>({ listerWatcher: idle, clock });
    const c = new NodeIPAMController({ nodeInformer: inf, client: { setPodCIDR: async () => assert.fail('no writes') }, events: { event: () => undefined }, clusterCIDR: 'fd00::/48', nodeCIDRMaskSize: 64, clock, logger: silentLogger });
    inf.replace([node('a')], '1');
    await c.sync('a');
    await c.run(new AbortController().signal, 1);
    assert.equal(c.cidrs, undefined);
  });

  test('existing podCIDRs are respected after a restart; new nodes get the next free subnet', async () => {
    const h = harness();
    h.inf.replace([node('a', '10.244.0.0/24'), node('sim-1', '10.244.1.0/24'), node('b')], '1');
    await h.c.sync('b');
    await h.c.sync('a');
    await h.c.sync('sim-1');
    assert.deepEqual(h.writes, ['b 10.244.2.0/24']);
  });

  test('a deleted node frees its subnet unless another node still holds it', async () => {
    const h = harness({ cluster: '10.0.0.0/23' });
    h.inf.replace([node('a', '10.0.0.0/24'), node('twin', '10.0.0.0/24'), node('b', '10.0.1.0/24')], '1');
    h.inf.replace([node('twin', '10.0.0.0/24'), node('b', '10.0.1.0/24')], '2');
    assert.ok(h.c.cidrs!.isTaken('10.0.0.0/24'), 'twin still holds it');
    h.inf.replace([node('b', '10.0.1.0/24'), node('new')], '3');
    await h.c.sync('new');
    assert.deepEqual(h.writes, ['new 10.0.0.0/24']);
  });

  test('exhaustion records CIDRNotAvailable and retries later', async () => {
    const h = harness({ cluster: '10.0.0.0/24' });
    h.inf.replace([node('a', '10.0.0.0/24'), node('b')], '1');
    await assert.rejects(h.c.sync('b'), /no remaining CIDRs/);
    assert.deepEqual(h.events, ['b Normal CIDRNotAvailable: Node b status is now: CIDRNotAvailable']);
    assert.deepEqual(h.writes, []);
  });

  test('a conflict keeps the picked subnet for the retry; a vanished node releases it', async () => {
    let conflicts = 1;
    const h = harness({
      fail: (name) => {
        if (name === 'gone') return new StatusError(404, 'NotFound', 'nodes "gone" not found');
        if (conflicts-- > 0) return new StatusError(409, 'Conflict', 'the object has been modified');
        return undefined;
      },
    });
    h.inf.replace([node('x'), node('gone')], '1');
    await assert.rejects(h.c.sync('x'), /modified/);
    await h.c.sync('x');
    assert.deepEqual(h.writes, ['x 10.244.0.0/24']);
    await h.c.sync('gone');
    assert.equal(h.c.cidrs!.isTaken('10.244.1.0/24'), false);
  });
});
