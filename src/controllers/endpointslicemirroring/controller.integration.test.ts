import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type ClientEnv, eventually, startControllerEnv } from '../../testing/controller-env.js';
import type { Endpoints } from '../endpoints/controller.js';
import { endpointsControllerDescriptor } from '../endpoints/controller.js';
import type { EndpointSlice } from '../endpointslice/types.js';
import { endpointSliceMirroringControllerDescriptor } from './controller.js';

const gvr = {
  services: { group: '', version: 'v1', resource: 'services' },
  endpoints: { group: '', version: 'v1', resource: 'endpoints' },
  slices: { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' },
};

describe('endpointslicemirroring against an API server', () => {
  let env: ClientEnv;
  let rest: RESTClient;
  before(async () => {
    env = await startControllerEnv({ controllers: [endpointSliceMirroringControllerDescriptor, endpointsControllerDescriptor] });
    ({ rest } = env);
  });
  after(async () => {
    await env.stop();
  });

  const mirrored = async (ns: string, svc: string) =>
    (await new ResourceClient<EndpointSlice>(rest, gvr.slices, ns).list({ labelSelector: `kubernetes.io/service-name=${svc},endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io` })).items;

  test('manual Endpoints of a selector-less Service are mirrored, follow changes, and go with the Service', async () => {
    const services = new ResourceClient<KubeObject>(rest, gvr.services, 'default');
    const eps = new ResourceClient<Endpoints>(rest, gvr.endpoints, 'default');
    await services.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { ports: [{ name: 'pg', port: 5432 }] } } as KubeObject);
    const created = await eps.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db', labels: { tier: 'data' } }, subsets: [{ addresses: [{ ip: '192.0.2.10' }], notReadyAddresses: [{ ip: '192.0.2.11' }], ports: [{ name: 'pg', port: 5432 }] }] });
    const slice = await eventually('mirrored slice', async () => (await mirrored('default', 'db'))[0]);
    assert.match(slice.metadata.name!, /^db-/);
    assert.equal(slice.metadata.labels?.tier, 'data');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.ports, [{ name: 'pg', port: 5432, protocol: 'TCP' }]);
    assert.deepEqual(slice.endpoints.map((e) => [e.addresses[0], e.conditions.ready]), [['192.0.2.10', true], ['192.0.2.11', false]]);
    assert.deepEqual(slice.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [['Endpoints', 'db', created.metadata.uid, true]]);

    await eps.patch('db', 'merge', { subsets: [{ addresses: [{ ip: '192.0.2.20' }], ports: [{ name: 'pg', port: 5432 }] }] });
    const moved = await eventually('slice updated', async () => {
      const s = (await mirrored('default', 'db'))[0];
      return s?.endpoints[0]?.addresses[0] === '192.0.2.20' ? s : undefined;
    });
    assert.equal(moved.metadata.name, slice.metadata.name, 'updated in place');

    await services.delete('db');
    await eventually('slices deleted', async () => ((await mirrored('default', 'db')).length === 0 ? true : undefined));
  });

  test('the Endpoints the endpoint controller writes for a selector, and `kubernetes`, are not mirrored', async () => {
    const services = new ResourceClient<KubeObject>(rest, gvr.services, 'default');
    const eps = new ResourceClient<Endpoints>(rest, gvr.endpoints, 'default');
    await services.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } as KubeObject);
    await eventually('endpoints of web', async () => eps.get('web'));
    // A selector-less service created after, as a marker that the controller has caught up.
    await services.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'marker' }, spec: { ports: [{ port: 80 }] } } as KubeObject);
    await eps.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'marker' }, subsets: [{ addresses: [{ ip: '192.0.2.30' }], ports: [{ port: 80 }] }] });
    await eventually('marker mirrored', async () => (await mirrored('default', 'marker'))[0]);
    assert.deepEqual(await mirrored('default', 'web'), []);
    assert.deepEqual(await mirrored('default', 'kubernetes'), []);
  });
});
