import { test } from 'node:test';
import assert from 'node:assert/strict';
import { node, pod } from '../testing/builders.js';
import { defaultProfile } from './config.js';
import { newFramework } from './framework/framework.js';
import { Snapshot } from './framework/snapshot.js';
import { inTreeRegistry } from './plugins/registry.js';

// A sanity run at scale: it must finish and place every pod; no timing is asserted.
test('5,000 nodes x 100 pods schedule in a loop', () => {
  const nodes = Array.from({ length: 5000 }, (_, i) => node(`n${i}`).zone(`z${i % 3}`).capacity({ cpu: '4', memory: '16Gi' }).build());
  const res = newFramework(defaultProfile(), { registry: inTreeRegistry });
  assert.ok(res.ok);
  if (!res.ok) return;
  const fw = res.framework;
  const placed = [];
  let snapshot = Snapshot.from(nodes, []);
  for (let i = 0; i < 100; i++) {
    const p = pod(`p${i}`).labels({ app: 'web' }).req({ cpu: '500m', memory: '1Gi' }).build();
    const out = fw.scheduleOne(p, snapshot);
    assert.equal(out.kind, 'scheduled');
    if (out.kind !== 'scheduled') return;
    // Adaptive sampling evaluates a fraction of 5,000 nodes, as upstream.
    assert.equal(out.feasibleNodes, 500);
    p.spec!.nodeName = out.nodeName;
    snapshot.get(out.nodeName)!.addPod(p);
    placed.push(p);
    if (i % 25 === 24) snapshot = Snapshot.from(nodes, placed);
  }
  assert.equal(placed.length, 100);
});
