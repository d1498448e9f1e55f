import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { node, pod } from '../../../testing/builders.js';
import { SchedulerCache } from '../../cache.js';
import { Snapshot } from '../../framework/snapshot.js';
import { KeptFigures, NodeValues } from './kept-counts.js';

/** A figure counting placed pods, with a log of how it was brought up to date. */
function podCounter(log: string[]) {
  return (snapshot: Snapshot) => ({
    recount: () => {
      log.push('recount');
      return { n: snapshot.list().reduce((a, ni) => a + ni.pods.length, 0) };
    },
    apply: (v: { n: number }, changes: readonly { delta: number }[]) => {
      log.push(`apply ${changes.length}`);
      for (const c of changes) v.n += c.delta;
    },
  });
}

describe('KeptFigures', () => {
  test('kept with the cache feed: changes applied; node label changes start over', () => {
    const cache = new SchedulerCache();
    cache.addNode(node('a').build());
    const log: string[] = [];
    const kept = new KeptFigures<{ n: number }>(4);
    const ops = podCounter(log);
    assert.equal(kept.get(cache.snapshot(), 'k', ops(cache.snapshot())).n, 0);
    cache.addPod(pod('p1').node('a').build());
    cache.addPod(pod('p2').node('a').build());
    assert.equal(kept.get(cache.snapshot(), 'k', ops(cache.snapshot())).n, 2);
    cache.removePod(pod('p1').node('a').build());
    assert.equal(kept.get(cache.snapshot(), 'k', ops(cache.snapshot())).n, 1);
    cache.updateNode(node('a').labels({ x: 'y' }).build());
    assert.equal(kept.get(cache.snapshot(), 'k', ops(cache.snapshot())).n, 1);
    assert.deepEqual(log, ['recount', 'apply 2', 'apply 1', 'recount']);
  });

  test('without a feed every use recounts', () => {
    const log: string[] = [];
    const kept = new KeptFigures<{ n: number }>(4);
    const snap = Snapshot.from([node('a').build()], [pod('p').node('a').build()]);
    kept.get(snap, 'k', podCounter(log)(snap));
    kept.get(snap, 'k', podCounter(log)(snap));
    assert.deepEqual(log, ['recount', 'recount']);
  });

  test('past the limit the least recently used figure is dropped', () => {
    const cache = new SchedulerCache();
    cache.addNode(node('a').build());
    const log: string[] = [];
    const kept = new KeptFigures<{ n: number }>(2);
    const use = (k: string) => kept.get(cache.snapshot(), k, podCounter(log)(cache.snapshot()));
    use('x');
    use('y');
    use('x');
    use('z'); // drops y, used least recently
    log.length = 0;
    use('x');
    use('y');
    assert.deepEqual(log, ['apply 0', 'recount']);
  });
});

describe('NodeValues', () => {
  test('label values by node, rebuilt when the node labels generation changes', () => {
    const cache = new SchedulerCache();
    cache.addNode(node('a').zone('z1').build());
    cache.addNode(node('b').build());
    const values = new NodeValues();
    assert.deepEqual([...values.of(cache.snapshot(), 'topology.kubernetes.io/zone')], [['a', 'z1']]);
    cache.updateNode(node('b').zone('z2').build());
    assert.deepEqual(new Map(values.of(cache.snapshot(), 'topology.kubernetes.io/zone')), new Map([['a', 'z1'], ['b', 'z2']]));
  });
});
