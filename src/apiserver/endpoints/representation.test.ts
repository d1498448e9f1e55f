import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../machinery/meta/types.js';
import { CachedObject } from '../cacher/cached-object.js';
import { podPrinter } from '../printers/pod.js';
import type { Endpoint } from '../registry/endpoint.js';
import { type IncludeObject, type ShapeContext, listBody, partialMetadata, table } from './representation.js';

const pods: KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'a', namespace: 'd', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: 'x' }, annotations: { note: '} "quoted" {' } },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
    status: { phase: 'Running', podIP: '10.0.0.1', containerStatuses: [{ name: 'c', ready: true, restartCount: 2, state: { running: {} } }] },
  },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'd', resourceVersion: '6', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, status: { phase: 'Pending' } },
];

const ep = { rt: { group: '', version: 'v1', kind: 'Pod' }, converts: false } as unknown as Endpoint;
const cached = () => pods.map((p) => new CachedObject(`/pods/d/${p.metadata.name}`, p, Number(p.metadata.resourceVersion)));
const meta = { resourceVersion: '6', continue: 'tok' };

for (const includeObject of ['None', 'Metadata', 'Object'] as IncludeObject[]) {
  test(`a Table list written from cached text is the Table encoded whole (includeObject=${includeObject})`, () => {
    const sc: ShapeContext = { ep, printer: podPrinter, now: Date.UTC(2026, 0, 2), includeObject };
    const text = listBody(sc, { kind: 'table', version: 'v1' }, cached(), meta) as string;
    assert.equal(text, JSON.stringify(table(sc, pods, meta, 'v1')));
  });
}

test('a PartialObjectMetadataList written from cached text is the list encoded whole', () => {
  const sc: ShapeContext = { ep, printer: podPrinter, now: 0, includeObject: 'Metadata' };
  const text = listBody(sc, { kind: 'partial', version: 'v1beta1' }, cached(), meta) as string;
  assert.equal(text, JSON.stringify({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1beta1', metadata: meta, items: pods.map((p) => partialMetadata(p, 'v1beta1')) }));
});

test('rows of objects still in their stored bytes carry the same content', () => {
  const sc: ShapeContext = { ep, printer: podPrinter, now: Date.UTC(2026, 0, 2), includeObject: 'Metadata' };
  const stored = pods.map((p) => {
    const { resourceVersion, ...rest } = p.metadata;
    const value = new TextEncoder().encode(JSON.stringify({ ...p, metadata: rest }));
    return CachedObject.fromKV({ key: `/pods/d/${p.metadata.name}`, value, createRevision: 1, modRevision: Number(resourceVersion), lease: 0 });
  });
  const text = listBody(sc, { kind: 'table', version: 'v1' }, stored, meta) as string;
  assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(table(sc, pods, meta, 'v1'))));
});
