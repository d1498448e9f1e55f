import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type ClientEnv, eventually, startControllerEnv } from '../../testing/controller-env.js';
import type { EndpointSlice } from '../endpointslice/types.js';
import { endpointSliceControllerDescriptor } from '../endpointslice/controller.js';
import { type Endpoints, endpointsControllerDescriptor } from './controller.js';

const NS = 'default';

describe('endpoint and endpointslice controllers against an API server', () => {
  let env: ClientEnv;
  let rest: RESTClient;

  before(async () => {
    env = await startControllerEnv({ controllers: [endpointsControllerDescriptor, endpointSliceControllerDescriptor] });
    ({ rest } = env);
  });

  after(() => env.stop());

  test('pods behind a service with a named targetPort; readiness; selector-less services left alone', async () => {
    const pods = new ResourceClient(rest, { group: '', version: 'v1', resource: 'pods' }, NS);
    const services = new ResourceClient(rest, { group: '', version: 'v1', resource: 'services' }, NS);
    const endpoints = new ResourceClient<Endpoints>(rest, { group: '', version: 'v1', resource: 'endpoints' }, NS);
    const slices = new ResourceClient<EndpointSlice>(rest, { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' }, NS);
    const svc = await services.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] } } as KubeObject);
    const run = async (name: string, ip: string, ready: boolean) => {
      await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'web', containerPort: 8080 }] }] } } as KubeObject);
      await setStatus(name, ip, ready);
    };
    const setStatus = (name: string, ip: string, ready: boolean) =>
      pods.patch(name, 'merge', { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } }, { subresource: 'status' });
    await run('web-a', '10.42.0.10', true);
    await run('web-b', '10.42.0.11', false);

    const ep = await eventually('endpoints', async () => {
      const e = await endpoints.get('web');
      return e.subsets?.[0]?.addresses?.length === 1 && e.subsets[0].notReadyAddresses?.length === 1 ? e : undefined;
    });
    assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '10.42.0.10', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: NS, name: 'web-a', uid: (await pods.get('web-a')).metadata.uid } }], notReadyAddresses: [{ ip: '10.42.0.11', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: NS, name: 'web-b', uid: (await pods.get('web-b')).metadata.uid } }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }]);
    assert.ok(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);

    const slice = await eventually('slice', async () => {
      const l = await slices.list({ labelSelector: 'kubernetes.io/service-name=web' });
      return l.items.length === 1 && l.items[0]!.endpoints.length === 2 ? l.items[0] : undefined;
    });
    assert.match(slice.metadata.name!, /^web-[a-z0-9]{5}$/);
    assert.equal(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(slice.metadata.ownerReferences?.[0]?.uid, svc.metadata.uid);
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);

    // Ready now: both addresses ready, the same slice updated in place.
    await setStatus('web-b', '10.42.0.11', true);
    await eventually('both ready', async () => ((await endpoints.get('web')).subsets?.[0]?.addresses?.length === 2 ? true : undefined));
    await eventually('slice ready', async () => {
      const l = await slices.list({ labelSelector: 'kubernetes.io/service-name=web' });
      return l.items.length === 1 && l.items[0]!.metadata.name === slice.metadata.name && l.items[0]!.endpoints.every((e) => e.conditions.ready) ? true : undefined;
    });

    // A pod deleted leaves the endpoints.
    await pods.delete('web-a', { gracePeriodSeconds: 0 });
    await eventually('one left', async () => ((await endpoints.get('web')).subsets?.[0]?.addresses?.length === 1 ? true : undefined));

    // A selector-less service's Endpoints are the user's.
    await services.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'external' }, spec: { ports: [{ port: 80 }] } } as KubeObject);
    await endpoints.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'external' }, subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80 }] }] });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await endpoints.get('external')).subsets?.[0]?.addresses?.[0]?.ip, '192.0.2.1');

    // The service deleted: its Endpoints and slices go.
    await services.delete('web');
    await eventually('endpoints gone', async () => {
      try {
        await endpoints.get('web');
        return undefined;
      } catch {
        return true;
      }
    });
    await eventually('slices gone', async () => ((await slices.list({ labelSelector: 'kubernetes.io/service-name=web' })).items.length === 0 ? true : undefined));
  });
});
