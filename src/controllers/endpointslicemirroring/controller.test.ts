import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListerWatcher } from '../../client/informers/lister-watcher.js';
import { SharedInformer } from '../../client/informers/shared-informer.js';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { Endpoints } from '../endpoints/controller.js';
import type { EndpointSlice } from '../endpointslice/types.js';
import type { Service } from '../framework/service-pods.js';
import { EndpointSliceMirroringController } from './controller.js';

const idle: ListerWatcher<never> = {
  list: async () => ({ metadata: {}, items: [] }),
  // eslint-disable-next-line require-yield
  watch: async function* () {
    return;
  },
};

const service = (selector?: Record<string, string>): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'ns', uid: 'svc-uid' }, spec: { ports: [{ port: 80 }], ...(selector ? { selector } : {}) } });
const endpoints = (o: { labels?: Record<string, string>; annotations?: Record<string, string>; ips?: string[]; deleting?: boolean } = {}): Endpoints => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: 'ext', namespace: 'ns', uid: 'ep-uid', resourceVersion: '5', ...(o.labels ? { labels: o.labels } : {}), ...(o.annotations ? { annotations: o.annotations } : {}), ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
  subsets: [{ addresses: (o.ips ?? ['10.1.0.1']).map((ip) => ({ ip })), ports: [{ port: 80, protocol: 'TCP' }] }],
});

function setup(init: { services?: Service[]; endpoints?: Endpoints[]; slices?: EndpointSlice[] }, opts: { maxEndpointsPerSubset?: number } = {}) {
  const clock = new FakeClock();
  const serviceInformer = new SharedInformer<Service>({ listerWatcher: idle, clock, freeze: true });
  const endpointsInformer = new SharedInformer<Endpoints>({ listerWatcher: idle, clock, freeze: true });
  const sliceInformer = new SharedInformer<EndpointSlice>({ listerWatcher: idle, clock, freeze: true });
  serviceInformer.replace(init.services ?? [], '1');
  endpointsInformer.replace(init.endpoints ?? [], '1');
  sliceInformer.replace(init.slices ?? [], '1');
  const writes: string[] = [];
  const events: string[] = [];
  let rv = 10;
  let n = 0;
  const controller = new EndpointSliceMirroringController({
    serviceInformer,
    endpointsInformer,
    sliceInformer,
    writer: {
      // The informer sees each write at once, as a watch would deliver it.
      create: async (_ns, s) => {
        const out = { ...s, metadata: { ...s.metadata, name: `${s.metadata.generateName}${n++}`, resourceVersion: String(++rv) } };
        delete out.metadata.generateName;
        writes.push(`create ${out.metadata.name}`);
        sliceInformer.add(out);
        return out;
      },
      update: async (_ns, s) => {
        const out = { ...s, metadata: { ...s.metadata, resourceVersion: String(++rv) } };
        writes.push(`update ${out.metadata.name}`);
        sliceInformer.update(out);
        return out;
      },
      delete: async (ns, name) => {
        writes.push(`delete ${name}`);
        const s = sliceInformer.lister().get(ns, name);
        if (s) sliceInformer.delete(s);
        return {};
      },
    },
    recorder: { event: (_o: KubeObject, type, reason, message) => void events.push(`${type} ${reason}: ${message}`) },
    clock,
    logger: silentLogger,
    maxEndpointsPerSubset: opts.maxEndpointsPerSubset,
  });
  return { controller, writes, events, serviceInformer, endpointsInformer, sliceInformer };
}

describe('EndpointSliceMirroringController.sync', () => {
  const cases: { name: string; services: Service[]; endpoints: Endpoints[]; writes: string[] }[] = [
    { name: 'selector-less service with endpoints: mirrored', services: [service()], endpoints: [endpoints()], writes: ['create ext-0'] },
    { name: 'service with a selector: not mirrored', services: [service({ app: 'x' })], endpoints: [endpoints()], writes: [] },
    { name: 'skip-mirror=true: not mirrored', services: [service()], endpoints: [endpoints({ labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } })], writes: [] },
    { name: 'leader-election lock: not mirrored', services: [service()], endpoints: [endpoints({ annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } })], writes: [] },
    { name: 'no service: not mirrored', services: [], endpoints: [endpoints()], writes: [] },
    { name: 'endpoints being deleted: no new slice', services: [service()], endpoints: [endpoints({ deleting: true })], writes: [] },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const f = setup({ services: c.services, endpoints: c.endpoints });
      await f.controller.sync('ns/ext');
      assert.deepEqual(f.writes, c.writes);
      await f.controller.sync('ns/ext');
      assert.deepEqual(f.writes, c.writes, 'a second sync changes nothing');
    });
  }

  test('slices go when the endpoints, then when the service goes or gains a selector', async () => {
    for (const change of ['endpoints', 'service', 'selector'] as const) {
      const f = setup({ services: [service()], endpoints: [endpoints()] });
      await f.controller.sync('ns/ext');
      assert.equal(f.sliceInformer.lister().list().length, 1);
      if (change === 'endpoints') f.endpointsInformer.delete(f.endpointsInformer.lister().get('ns', 'ext')!);
      if (change === 'service') f.serviceInformer.delete(f.serviceInformer.lister().get('ns', 'ext')!);
      if (change === 'selector') f.serviceInformer.update(service({ app: 'x' }));
      await f.controller.sync('ns/ext');
      assert.deepEqual(f.writes, ['create ext-0', 'delete ext-0'], change);
    }
  });

  test('skip-mirror added later removes the mirrored slices', async () => {
    const f = setup({ services: [service()], endpoints: [endpoints()] });
    await f.controller.sync('ns/ext');
    f.endpointsInformer.update(endpoints({ labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }));
    await f.controller.sync('ns/ext');
    assert.deepEqual(f.writes, ['create ext-0', 'delete ext-0']);
  });

  test('events for invalid and too many addresses', async () => {
    const f = setup({ services: [service()], endpoints: [endpoints({ ips: ['10.1.0.1', 'nope', '10.1.0.2', '10.1.0.3'] })] }, { maxEndpointsPerSubset: 2 });
    await f.controller.sync('ns/ext');
    assert.deepEqual(f.events, [
      'Warning InvalidIPAddress: Skipped 1 invalid IP addresses when mirroring to EndpointSlices',
      'Warning TooManyAddressesToMirror: A max of 2 addresses can be mirrored to EndpointSlices per Endpoints subset. 2 addresses were skipped',
    ]);
    assert.deepEqual(f.sliceInformer.lister().list()[0]!.endpoints.map((e) => e.addresses[0]), ['10.1.0.1', '10.1.0.2']);
  });

  test('queue: events of unrelated objects enqueue nothing', async () => {
    const f = setup({});
    f.serviceInformer.add({ ...service({ app: 'x' }), metadata: { name: 'other', namespace: 'ns' } });
    f.endpointsInformer.add({ ...endpoints({ labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }), metadata: { name: 'other', namespace: 'ns', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } } });
    assert.equal(f.controller.queue.len(), 0);
    f.endpointsInformer.add(endpoints());
    assert.equal(f.controller.queue.len(), 1);
  });
});
