import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResourceClient } from '../client/rest/resource-client.js';
import type { KubeObject } from '../machinery/meta/types.js';
import { startClientEnv } from './controller-env.js';

test('the test API server freezes its cached objects, so a handler that changes one throws', async () => {
  const env = await startClientEnv();
  try {
    const cms = new ResourceClient<KubeObject>(env.rest, { group: '', version: 'v1', resource: 'configmaps' }, 'default');
    await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'frozen' }, data: { a: '1' } } as KubeObject);
    // The registry prefix the watch cache holds configmaps under.
    const cached = env.srv.server.cache.register('/registry/configmaps/').get('/registry/configmaps/default/frozen');
    assert.ok(cached, 'the configmap is cached');
    const obj = cached.object as KubeObject & { data: Record<string, string> };
    assert.ok(Object.isFrozen(obj) && Object.isFrozen(obj.metadata) && Object.isFrozen(obj.data));
    assert.throws(() => {
      obj.data.a = '2';
    }, TypeError);
  } finally {
    await env.stop();
  }
});
