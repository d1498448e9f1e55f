import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { node, pod } from '../../testing/builders.js';
import { CycleState } from '../framework/cycle-state.js';
import { EXTENSION_POINTS, implementsPoint, isEnqueueExtensions, type Handle } from '../framework/interface.js';
import { Snapshot } from '../framework/snapshot.js';
import { Status } from '../framework/status.js';
import { DEFAULT_MULTI_POINT } from '../config.js';
import { inTreeRegistry } from './registry.js';

const handle: Handle = { runFilterOnNode: () => Status.success(), runFilterPlugins: () => Status.success() };

// One suite over every registered plugin: the shared contract, not each plugin's logic.
describe('in-tree registry conformance', () => {
  for (const [name, factory] of Object.entries(inTreeRegistry)) {
    test(name, () => {
      const res = factory(undefined, handle);
      assert.ok(res.ok, `${name} must build with default args`);
      if (!res.ok) return;
      const p = res.plugin;
      assert.equal(p.name, name, 'plugin name matches its registry key');
      const points = EXTENSION_POINTS.filter((e) => implementsPoint(p, e));
      assert.ok(points.length > 0, 'implements at least one extension point');
      if (points.includes('filter') || points.includes('preEnqueue')) assert.ok(isEnqueueExtensions(p), 'plugins that reject pods register requeue events');
      // Filter and Score never throw on a plain pod and node, and return Status values.
      const snap = Snapshot.from([node('n').capacity({ cpu: '1', memory: '1Gi' }).build()], []);
      const state = new CycleState();
      const pl = p as unknown as Record<string, (...a: unknown[]) => unknown>;
      if (points.includes('preFilter')) assert.ok((pl.preFilter!(state, pod('p').build(), snap) as { status: Status }).status instanceof Status);
      if (points.includes('filter') && !state.skipFilterPlugins.has(name)) assert.ok(pl.filter!(state, pod('p').build(), snap.get('n')) instanceof Status);
    });
  }

  test('every default multiPoint plugin is registered', () => {
    for (const r of DEFAULT_MULTI_POINT) assert.ok(inTreeRegistry[r.name], r.name);
  });
});
