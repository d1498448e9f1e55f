import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../machinery/clock.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { HTTP2Transport } from '../rest/http2-transport.js';
import { ResourceClient } from '../rest/resource-client.js';
import { RESTClient } from '../rest/rest-client.js';
import { startTestAPIServer } from '../../testing/api-server.js';
import { type CoreEvent, EventRecorder } from './event-recorder.js';

describe('EventRecorder against an in-process API server', () => {
  test('creates Events and aggregates repeats within ten minutes', async () => {
    const srv = await startTestAPIServer();
    const transport = new HTTP2Transport({ server: srv.url, caPEM: srv.credentials.caPEM, certPEM: srv.credentials.certPEM, keyPEM: srv.credentials.keyPEM });
    try {
      const rest = new RESTClient(transport);
      const events = new ResourceClient<CoreEvent>(rest, { group: '', version: 'v1', resource: 'events' });
      const configMaps = new ResourceClient(rest, { group: '', version: 'v1', resource: 'configmaps' }, 'default');
      const obj: KubeObject = await configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'subject' } });
      const clock = new FakeClock(Date.UTC(2025, 0, 1, 12));
      const errors: unknown[] = [];
      const rec = new EventRecorder({ events, component: 'test-controller', host: 'node1', clock, onError: (e) => errors.push(e) });

      await rec.event(obj, 'Normal', 'Synced', 'all good');
      clock.step(60_000);
      await rec.event(obj, 'Normal', 'Synced', 'all good');
      await rec.event(obj, 'Warning', 'Failed', 'bad thing');
      clock.step(11 * 60_000);
      await rec.event(obj, 'Normal', 'Synced', 'all good');
      assert.deepEqual(errors, []);

      const list = (await events.inNamespace('default').list()).items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
      const summary = list.map((e) => `${e.type} ${e.reason} count=${e.count} first=${e.firstTimestamp} last=${e.lastTimestamp}`);
      assert.deepEqual(summary, [
        'Normal Synced count=2 first=2025-01-01T12:00:00Z last=2025-01-01T12:01:00Z',
        'Warning Failed count=1 first=2025-01-01T12:01:00Z last=2025-01-01T12:01:00Z',
        'Normal Synced count=1 first=2025-01-01T12:12:00Z last=2025-01-01T12:12:00Z',
      ]);
      const e = list[0]!;
      assert.equal(e.involvedObject.name, 'subject');
      assert.equal(e.involvedObject.uid, obj.metadata.uid);
      assert.equal(e.involvedObject.kind, 'ConfigMap');
      assert.deepEqual(e.source, { component: 'test-controller', host: 'node1' });
      assert.equal(e.reportingComponent, 'test-controller');
    } finally {
      transport.close();
      await srv.stop();
    }
  });
});
