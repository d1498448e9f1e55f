import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type ClientEnv, eventually, startControllerEnv } from '../../testing/controller-env.js';
import type { ControllerDescriptor } from '../framework/controller.js';
import { replicaSetControllerDescriptor } from '../replicaset/controller.js';
import { newGarbageCollector } from './controller.js';

const NS = 'default';
const gvr = {
  pods: { group: '', version: 'v1', resource: 'pods' },
  configmaps: { group: '', version: 'v1', resource: 'configmaps' },
  secrets: { group: '', version: 'v1', resource: 'secrets' },
  replicasets: { group: 'apps', version: 'v1', resource: 'replicasets' },
  namespaces: { group: '', version: 'v1', resource: 'namespaces' },
  events: { group: '', version: 'v1', resource: 'events' },
  crds: { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' },
};

const gcFast: ControllerDescriptor = { name: 'garbagecollector', init: (ctx) => newGarbageCollector(ctx, { rediscoveryPeriodMs: 500 }) };

describe('garbage collector against an API server', () => {
  let env: ClientEnv;
  let rest: RESTClient;
  const client = (g: (typeof gvr)[keyof typeof gvr], ns = NS) => new ResourceClient<KubeObject & Record<string, unknown>>(rest, g, ns);
  const exists = async (g: (typeof gvr)[keyof typeof gvr], name: string, ns = NS) => {
    try {
      return await client(g, ns).get(name);
    } catch {
      return undefined;
    }
  };

  before(async () => {
    env = await startControllerEnv({ controllers: [replicaSetControllerDescriptor, gcFast], identity: 'gc-test' });
    ({ rest } = env);
  });

  after(() => env.stop());

  const owner = async (name: string) => client(gvr.configmaps).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
  const ref = (o: KubeObject, extra: { blockOwnerDeletion?: boolean } = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name!, uid: o.metadata.uid!, ...extra });

  test('background: a dependent whose owner is gone is deleted', async () => {
    const o = await owner('bg-owner');
    await client(gvr.secrets).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bg-dep', ownerReferences: [ref(o)] } });
    await client(gvr.configmaps).delete('bg-owner');
    await eventually('bg-dep collected', async () => ((await exists(gvr.secrets, 'bg-dep')) ? undefined : true));
  });

  test('a reference to an owner UID that does not exist is collected', async () => {
    await client(gvr.configmaps).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dangling', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'never', uid: '00000000-0000-0000-0000-000000000001' }] } });
    await eventually('dangling collected', async () => ((await exists(gvr.configmaps, 'dangling')) ? undefined : true));
  });

  test('a re-created owner with the same name is a different owner', async () => {
    const first = await owner('same-name');
    await client(gvr.configmaps).delete('same-name');
    await owner('same-name');
    await client(gvr.secrets).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'stale-ref', ownerReferences: [ref(first)] } });
    await eventually('stale-ref collected', async () => ((await exists(gvr.secrets, 'stale-ref')) ? undefined : true));
    assert.ok(await exists(gvr.configmaps, 'same-name'));
  });

  test('one solid owner keeps a dependent; only the dangling reference is dropped', async () => {
    const a = await owner('two-a');
    const b = await owner('two-b');
    await client(gvr.secrets).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'two-dep', ownerReferences: [ref(a), ref(b)] } });
    await client(gvr.configmaps).delete('two-a');
    const dep = await eventually('reference to two-a dropped', async () => {
      const s = await client(gvr.secrets).get('two-dep');
      return s.metadata.ownerReferences?.length === 1 ? s : undefined;
    });
    assert.equal(dep.metadata.ownerReferences![0]!.uid, b.metadata.uid);
  });

  test('orphan: dependents lose the reference, then the owner goes', async () => {
    const o = await owner('orphan-owner');
    await client(gvr.secrets).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'orphan-dep', ownerReferences: [ref(o)] } });
    await client(gvr.configmaps).delete('orphan-owner', { propagationPolicy: 'Orphan' });
    await eventually('owner gone', async () => ((await exists(gvr.configmaps, 'orphan-owner')) ? undefined : true));
    const dep = await client(gvr.secrets).get('orphan-dep');
    assert.equal(dep.metadata.ownerReferences, undefined);
  });

  test('foreground: a ReplicaSet disappears only after its pods', async () => {
    const rs = await client(gvr.replicasets).create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'fg' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'fg' } }, template: { metadata: { labels: { app: 'fg' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const podsOf = async () => (await client(gvr.pods).list({ labelSelector: 'app=fg' })).items;
    await eventually('2 pods', async () => ((await podsOf()).length === 2 ? true : undefined));
    await client(gvr.replicasets).delete('fg', { propagationPolicy: 'Foreground' });
    const deleting = await client(gvr.replicasets).get('fg');
    assert.ok(deleting.metadata.deletionTimestamp);
    assert.ok(deleting.metadata.finalizers?.includes('foregroundDeletion'));
    // No kubelet here: pods go as soon as they are deleted (no node, no grace to wait for).
    let sawPodsGoneFirst = false;
    await eventually('rs gone', async () => {
      const left = await podsOf();
      const stillRS = await exists(gvr.replicasets, 'fg');
      if (stillRS && left.length === 0) sawPodsGoneFirst = true;
      if (!stillRS) assert.equal(left.length, 0, 'the ReplicaSet went before its pods');
      return stillRS ? undefined : true;
    });
    assert.ok(sawPodsGoneFirst || (await podsOf()).length === 0);
    assert.ok(rs.metadata.uid);
  });

  test('background: deleting a ReplicaSet removes its pods', async () => {
    await client(gvr.replicasets).create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'bgrs' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'bgrs' } }, template: { metadata: { labels: { app: 'bgrs' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const podsOf = async () => (await client(gvr.pods).list({ labelSelector: 'app=bgrs' })).items;
    await eventually('2 pods', async () => ((await podsOf()).length === 2 ? true : undefined));
    await client(gvr.replicasets).delete('bgrs');
    await eventually('pods collected', async () => ((await podsOf()).length === 0 ? true : undefined));
  });

  test('a cluster-scoped dependent of a namespaced kind is kept and reported', async () => {
    const o = await owner('ns-owner');
    await client(gvr.namespaces, '').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bad-ref', ownerReferences: [ref(o)] } });
    const ev = await eventually('OwnerRefInvalidNamespace event', async () => {
      const list = await client(gvr.events, '').list({ fieldSelector: 'reason=OwnerRefInvalidNamespace' });
      return list.items.find((e) => (e as { involvedObject?: { name?: string } }).involvedObject?.name === 'bad-ref');
    });
    assert.equal((ev as { type?: string }).type, 'Warning');
    assert.match(String((ev as { message?: string }).message), /^ownerRef \[v1\/ConfigMap, namespace: , name: ns-owner, uid: .+\] does not exist in namespace ""$/);
    assert.ok(await exists(gvr.namespaces, 'bad-ref', ''));
  });

  test('custom resources defined later are watched after rediscovery', async () => {
    await client(gvr.crds, '').create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    });
    const widgets = new ResourceClient<KubeObject>(rest, { group: 'example.com', version: 'v1', resource: 'widgets' }, NS);
    const w = await eventually('widget created', async () => widgets.create({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' } }));
    await client(gvr.configmaps).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'widget-dep', ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w1', uid: w.metadata.uid! }] } });
    // The owner kind resolves only once discovery has seen the CRD: the dependent must survive until then.
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(await exists(gvr.configmaps, 'widget-dep'));
    await widgets.delete('w1');
    await eventually('widget-dep collected', async () => ((await exists(gvr.configmaps, 'widget-dep')) ? undefined : true));
  });
});
