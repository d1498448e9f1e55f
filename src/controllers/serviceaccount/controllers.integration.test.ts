import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKubeconfig } from '../../client/rest/kubeconfig.js';
import { HTTP2Transport } from '../../client/rest/http2-transport.js';
import { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { realClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type TestAPIServer, startTestAPIServer } from '../../testing/api-server.js';
import { defaultControllerConfig } from '../framework/controller-config.js';
import { ControllerManager } from '../manager.js';
import { type ConfigMap, DESCRIPTION_ANNOTATION, ROOT_CA_CONFIG_MAP, rootCACertPublisherDescriptor } from './root-ca-cert-publisher.js';
import { serviceAccountControllerDescriptor } from './serviceaccounts-controller.js';

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('serviceaccount and root-ca-cert-publisher against an API server', () => {
  let srv: TestAPIServer;
  let transport: HTTP2Transport;
  let rest: RESTClient;
  const stop = new AbortController();
  let running: Promise<void>;

  before(async () => {
    srv = await startTestAPIServer();
    const loaded = parseKubeconfig(srv.kubeconfig);
    assert.equal(loaded.kind, 'ok');
    transport = new HTTP2Transport(loaded.kind === 'ok' ? loaded.config : { server: '' });
    rest = new RESTClient(transport);
    const config = { ...defaultControllerConfig, rootCAPEM: srv.credentials.caPEM };
    const manager = new ControllerManager({ rest, clock: realClock, logger: silentLogger, identity: 'test', config, controllers: [serviceAccountControllerDescriptor, rootCACertPublisherDescriptor], leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 });
    running = manager.run(stop.signal);
  });

  after(async () => {
    stop.abort();
    await running;
    transport.close();
    await srv.stop();
  });

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
