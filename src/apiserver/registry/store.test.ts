/**
 * The generic store on its own: create/update/delete flows with a strategy,
 * graceful deletion, finalizers, and objects that expire (events).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { builtinScheme } from '../../api/index.js';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { MemoryBackend } from '../../storage/memory/memory-backend.js';
import { WatchCache } from '../cacher/watch-cache.js';
import { systemContext } from '../context.js';
import { buildRegistry } from './build.js';

async function setup(opts: { eventTTLSeconds?: number } = {}) {
  const clock = new FakeClock();
  const backend = new MemoryBackend({ clock });
  const cache = new WatchCache({ backend, logger: silentLogger, clock, freeze: true });
  await cache.start();
  const scheme = builtinScheme();
  const registry = buildRegistry({ scheme, backend, cache, clock, serviceCIDR: '10.96.0.0/12', nodePortRange: '30000-32767', freeze: true, eventTTLSeconds: opts.eventTTLSeconds });
  // Store.create takes decoded objects: apply the defaults the decoder would.
  const defaulted = (resource: string, o: KubeObject): KubeObject => {
    scheme.byResource('', 'v1', resource)!.defaults?.(o);
    return o;
  };
  return { clock, backend, cache, registry, defaulted, ctx: systemContext(clock, { namespace: 'default' }) };
}

const event = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, namespace: 'default' },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'p' },
  reason: 'Test',
  message: 'm',
  type: 'Normal',
});

describe('Store', () => {
  test('events expire after their TTL; other objects do not', async () => {
    const { clock, registry, ctx, cache } = await setup({ eventTTLSeconds: 10 });
    const events = registry.storeFor('', 'events')!;
    const cms = registry.storeFor('', 'configmaps')!;
    await events.create(ctx, event('e1'));
    await cms.create(ctx, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
    clock.step(5_000);
    assert.ok(await events.get('default', 'e1'));
    // The lease lives TTL + the one-minute reuse window.
    clock.step(70_000);
    await assert.rejects(events.get('default', 'e1'), /not found/);
    assert.ok(await cms.get('default', 'c'));
    cache.dispose();
  });

  test('a pod bound to a node is deleted gracefully; an unbound one at once', async () => {
    const { registry, ctx, cache, defaulted } = await setup();
    const pods = registry.storeFor('', 'pods')!;
    const pod = (name: string, nodeName?: string): KubeObject => defaulted('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'busybox' }], ...(nodeName ? { nodeName } : {}), terminationGracePeriodSeconds: 30 },
    });
    await pods.create(ctx, pod('unbound'));
    await pods.create(ctx, pod('bound', 'node-1'));
    assert.equal((await pods.delete(ctx, 'default', 'unbound', {})).deleted, true);
    const r = await pods.delete(ctx, 'default', 'bound', {});
    assert.equal(r.deleted, false);
    assert.equal(r.object.metadata.deletionGracePeriodSeconds, 30);
    assert.ok(r.object.metadata.deletionTimestamp);
    assert.equal((await pods.delete(ctx, 'default', 'bound', { gracePeriodSeconds: 0 })).deleted, true);
    cache.dispose();
  });

  test('orphan propagation adds the orphan finalizer; removing it finishes the delete', async () => {
    const { registry, ctx, cache } = await setup();
    const cms = registry.storeFor('', 'configmaps')!;
    await cms.create(ctx, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
    const r = await cms.delete(ctx, 'default', 'c', { propagationPolicy: 'Orphan' });
    assert.equal(r.deleted, false);
    assert.deepEqual(r.object.metadata.finalizers, ['orphan']);
    await cms.guaranteedUpdate(ctx, 'default', 'c', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: [] } }));
    await assert.rejects(cms.get('default', 'c'), /not found/);
    cache.dispose();
  });
});
