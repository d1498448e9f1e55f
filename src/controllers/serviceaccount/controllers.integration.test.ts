import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { TestAPIServer } from '../../testing/api-server.js';
import { type ClientEnv, eventually, startControllerEnv } from '../../testing/controller-env.js';
import { defaultControllerConfig } from '../framework/controller-config.js';
import { type ConfigMap, DESCRIPTION_ANNOTATION, ROOT_CA_CONFIG_MAP, rootCACertPublisherDescriptor } from './root-ca-cert-publisher.js';
import { serviceAccountControllerDescriptor } from './serviceaccounts-controller.js';

describe('serviceaccount and root-ca-cert-publisher against an API server', () => {
  let srv: TestAPIServer;
  let env: ClientEnv;
  let rest: RESTClient;

  before(async () => {
    env = await startControllerEnv({
      controllers: [serviceAccountControllerDescriptor, rootCACertPublisherDescriptor],
      config: (s) => ({ ...defaultControllerConfig, rootCAPEM: s.credentials.caPEM }),
      identity: 'test',
    });
    ({ srv, rest } = env);
  });

  after(() => env.stop());

  test('every namespace gets a default ServiceAccount and the root CA, put back when removed or edited', async () => {
    await new ResourceClient(rest, { group: '', version: 'v1', resource: 'namespaces' }).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    const sas = new ResourceClient<KubeObject>(rest, { group: '', version: 'v1', resource: 'serviceaccounts' }, 'team');
    const cms = new ResourceClient<ConfigMap>(rest, { group: '', version: 'v1', resource: 'configmaps' }, 'team');
    for (const ns of ['default', 'kube-system', 'team']) {
      await eventually(`default SA in ${ns}`, () => sas.inNamespace(ns).get('default'));
      await eventually(`root CA in ${ns}`, () => cms.inNamespace(ns).get(ROOT_CA_CONFIG_MAP));
    }
    const cm = await cms.get(ROOT_CA_CONFIG_MAP);
    assert.deepEqual(cm.data, { 'ca.crt': srv.credentials.caPEM });
    assert.ok(cm.metadata.annotations?.[DESCRIPTION_ANNOTATION]);

    const uid = (await sas.get('default')).metadata.uid;
    await sas.delete('default');
    await eventually('a new default SA', async () => ((await sas.get('default')).metadata.uid !== uid ? true : undefined));

    await cms.update({ ...cm, data: { 'ca.crt': 'forged', extra: 'x' } });
    await eventually('the CA restored', async () => (JSON.stringify((await cms.get(ROOT_CA_CONFIG_MAP)).data) === JSON.stringify({ 'ca.crt': srv.credentials.caPEM }) ? true : undefined));
    await cms.delete(ROOT_CA_CONFIG_MAP);
    await eventually('the CA recreated', () => cms.get(ROOT_CA_CONFIG_MAP));
  });
});
