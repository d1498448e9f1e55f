import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NamespaceT } from '../../../api/core/v1/types.js';
import { node, pod } from '../../../testing/builders.js';
import { SchedulerCache } from '../../cache.js';
import { feasible, filterAll, frameworkWith, scores, snapshotOf } from '../plugin-test-kit.js';
import { ERR_REASON_AFFINITY, ERR_REASON_ANTI_AFFINITY, ERR_REASON_EXISTING_ANTI_AFFINITY } from './inter-pod-affinity.js';

const ZONE = 'topology.kubernetes.io/zone';
const nodes = () => [node('a1').zone('a').build(), node('a2').zone('a').build(), node('b1').zone('b').build(), node('nozone').build()];
const web = { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: ZONE };

describe('InterPodAffinity filter', () => {
  const cases = [
    { name: 'required affinity: only the zone with a matching pod', p: pod('p').podAffinity('affinity', web), existing: [pod('w').labels({ app: 'web' }).node('a1')], want: ['a1', 'a2'] },
    { name: 'required affinity: first pod of its own group may go anywhere with the key', p: pod('p').labels({ app: 'web' }).podAffinity('affinity', web), existing: [], want: ['a1', 'a2', 'b1'] },
    { name: 'required affinity: no match and not self-matching fits nowhere', p: pod('p').podAffinity('affinity', web), existing: [], want: [] },
    { name: 'required anti-affinity: avoid the zone with a matching pod', p: pod('p').podAffinity('antiAffinity', web), existing: [pod('w').labels({ app: 'web' }).node('b1')], want: ['a1', 'a2', 'nozone'] },
    { name: 'existing pods anti-affinity is honoured', p: pod('p').labels({ app: 'web' }), existing: [pod('db').podAffinity('antiAffinity', web).node('a2')], want: ['b1', 'nozone'] },
    { name: 'other namespaces do not match by default', p: pod('p').podAffinity('antiAffinity', web), existing: [pod('w', 'other').labels({ app: 'web' }).node('b1')], want: ['a1', 'a2', 'b1', 'nozone'] },
    {
      name: 'namespaces list widens the term',
      p: pod('p').podAffinity('antiAffinity', { ...web, namespaces: ['other'] }),
      existing: [pod('w', 'other').labels({ app: 'web' }).node('b1')],
      want: ['a1', 'a2', 'nozone'],
    },
    {
      name: 'namespaceSelector selects namespaces by label',
      p: pod('p').podAffinity('antiAffinity', { ...web, namespaceSelector: { matchLabels: { team: 'x' } } }),
      existing: [pod('w', 'team-x').labels({ app: 'web' }).node('a1')],
      want: ['b1', 'nozone'],
    },
  ];
  const namespaces: NamespaceT[] = [{ metadata: { name: 'team-x', labels: { team: 'x' } } }, { metadata: { name: 'other', labels: {} } }];
  for (const c of cases) {
    test(c.name, () => {
      const got = feasible(frameworkWith(['InterPodAffinity']), c.p.build(), snapshotOf(nodes(), c.existing.map((e) => e.build()), { namespaces }));
      assert.deepEqual(got, c.want);
      // The scheduler cache's snapshot (figures kept across cycles) gives the same answer.
      const cache = new SchedulerCache();
      for (const n of nodes()) cache.addNode(n);
      for (const e of c.existing) cache.addPod(e.build());
      assert.deepEqual(feasible(frameworkWith(['InterPodAffinity']), c.p.build(), cache.snapshot({ namespaces })), c.want);
    });
  }

  test('anti-affinity figures kept across cycles follow placed, assumed, relabelled and deleted pods', () => {
    const fw = frameworkWith(['InterPodAffinity']);
    const cache = new SchedulerCache();
    for (const n of nodes()) cache.addNode(n);
    const incoming = pod('p').labels({ app: 'web' }).podAffinity('antiAffinity', web).build();
    const snap = () => cache.snapshot();
    assert.deepEqual(feasible(fw, incoming, snap()), ['a1', 'a2', 'b1', 'nozone']);
    // A placed web pod in zone a keeps the incoming pod out of a (its own term)...
    const w1 = pod('w1').labels({ app: 'web' }).node('a1').build();
    cache.addPod(w1);
    assert.deepEqual(feasible(fw, incoming, snap()), ['b1', 'nozone']);
    // ...and an assumed pod with anti-affinity against web keeps it out of b (the existing pod's term).
    const db = cache.assumePod(pod('db').podAffinity('antiAffinity', web).build(), 'b1');
    assert.deepEqual(feasible(fw, incoming, snap()), ['nozone']);
    // The web pod changes its labels: it no longer counts.
    cache.updatePod(pod('w1').labels({ app: 'api' }).node('a1').build());
    assert.deepEqual(feasible(fw, incoming, snap()), ['a1', 'a2', 'nozone']);
    cache.forgetPod(db);
    assert.deepEqual(feasible(fw, incoming, snap()), ['a1', 'a2', 'b1', 'nozone']);
    // b1 joins zone a, where a new web pod sits.
    cache.addPod(pod('w2').labels({ app: 'web' }).node('a2').build());
    cache.updateNode(node('b1').zone('a').build());
    assert.deepEqual(feasible(fw, incoming, snap()), ['nozone']);
  });

  test('reasons and codes', () => {
    const fw = frameworkWith(['InterPodAffinity']);
    const aff = filterAll(fw, pod('p').podAffinity('affinity', web).build(), snapshotOf(nodes(), [pod('w').labels({ app: 'web' }).node('a1').build()]));
    assert.deepEqual(aff.get('b1')!.reasons, [ERR_REASON_AFFINITY]);
    assert.equal(aff.get('b1')!.code, 3);
    const anti = filterAll(fw, pod('p').podAffinity('antiAffinity', web).build(), snapshotOf(nodes(), [pod('w').labels({ app: 'web' }).node('a1').build()]));
    assert.deepEqual(anti.get('a2')!.reasons, [ERR_REASON_ANTI_AFFINITY]);
    assert.equal(anti.get('a2')!.code, 2);
    const existing = filterAll(fw, pod('p').labels({ app: 'web' }).build(), snapshotOf(nodes(), [pod('db').podAffinity('antiAffinity', web).node('a1').build()]));
    assert.deepEqual(existing.get('a2')!.reasons, [ERR_REASON_EXISTING_ANTI_AFFINITY]);
  });
});

describe('InterPodAffinity score', () => {
  test('preferred affinity and anti-affinity, min-max normalized', () => {
    const p = pod('p').podAffinity('affinity', web, 80).podAffinity('antiAffinity', { labelSelector: { matchLabels: { app: 'batch' } }, topologyKey: ZONE }, 20).build();
    const existing = [pod('w').labels({ app: 'web' }).node('a1').build(), pod('b').labels({ app: 'batch' }).node('b1').build()];
    // zone a: +80, zone b: -20, nozone: 0 -> (80,80,-20,0) -> 100,100,0,20
    assert.deepEqual(scores(frameworkWith(['InterPodAffinity']), p, snapshotOf(nodes(), existing)), { a1: 100, a2: 100, b1: 0, nozone: 20 });
  });
  test("existing pods' preferred terms that match the incoming pod count too", () => {
    const existing = [pod('e').podAffinity('affinity', web, 50).node('b1').build()];
    assert.deepEqual(scores(frameworkWith(['InterPodAffinity']), pod('p').labels({ app: 'web' }).build(), snapshotOf(nodes(), existing)), { a1: 0, a2: 0, b1: 100, nozone: 0 });
  });
});
