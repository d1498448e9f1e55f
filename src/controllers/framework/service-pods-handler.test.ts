import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type EndpointPod, type Service, servicesOfPodHandler } from './service-pods.js';

const svc = (name: string, selector?: Record<string, string>): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns' }, spec: { selector } }) as Service;
const pod = (labels: Record<string, string>, rv = '1'): EndpointPod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels, resourceVersion: rv } }) as EndpointPod;

describe('servicesOfPodHandler', () => {
  const services = { listInNamespace: (ns: string) => (ns === 'ns' ? [svc('web', { app: 'web' }), svc('db', { app: 'db' }), svc('manual')] : []) };
  const run = (f: (h: ReturnType<typeof servicesOfPodHandler>) => void) => {
    const keys: string[] = [];
    f(servicesOfPodHandler(services, (k) => keys.push(k)));
    return keys;
  };
  test('a pod enqueues the services selecting it; selector-less services never', () => assert.deepEqual(run((h) => h.onAdd!(pod({ app: 'web' }), false)), ['ns/web']));
  test('a label change enqueues the services of both the old and the new labels', () => assert.deepEqual(run((h) => h.onUpdate!(pod({ app: 'web' }, '1'), pod({ app: 'db' }, '2'))), ['ns/db', 'ns/web']));
  test('a resync with the same resourceVersion enqueues nothing', () => assert.deepEqual(run((h) => h.onUpdate!(pod({ app: 'web' }), pod({ app: 'web' }))), []));
  test('a deleted pod, even as a tombstone, enqueues its services', () => assert.deepEqual(run((h) => h.onDelete!({ kind: 'DeletedFinalStateUnknown', key: 'ns/p', obj: pod({ app: 'db' }) })), ['ns/db']));
});
