import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CachedObject, decodeStored, metadataSlice, servedJSONOfStored } from './cached-object.js';

const bytes = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

describe('servedJSONOfStored', () => {
  const cases: [string, unknown][] = [
    ['apiVersion, kind, metadata', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'd' }, data: { k: 'v' } }],
    ['kind first', { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', metadata: { name: 'n' }, spec: { renewTime: '2026-01-01T00:00:00.000000Z' } }],
    ['empty metadata', { apiVersion: 'v1', kind: 'Namespace', metadata: {} }],
    ['metadata alone', { metadata: { name: 'x' } }],
    ['escaped resourceVersion text in an annotation', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { last: '{"metadata":{"resourceVersion":"9"}}' } } }],
  ];
  for (const [what, obj] of cases) {
    test(`adds the resourceVersion as decoding would: ${what}`, () => {
      const text = JSON.stringify(obj);
      const served = servedJSONOfStored(text, 42);
      assert.ok(served !== undefined);
      assert.deepEqual(JSON.parse(served), decodeStored(bytes(obj), 42));
    });
  }

  test('declines text in any other shape', () => {
    // Metadata after spec: the splice point is not at the front.
    assert.equal(servedJSONOfStored(JSON.stringify({ spec: {}, metadata: { name: 'a' } }), 1), undefined);
    // A resourceVersion field somewhere (an object reference): decoding decides.
    assert.equal(servedJSONOfStored(JSON.stringify({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { resourceVersion: '3' } }), 1), undefined);
    // A stored resourceVersion must never be shadowed by a second one.
    assert.equal(servedJSONOfStored(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', resourceVersion: '3' } }), 1), undefined);
    // An apiVersion value with an escaped quote is not matched by the quick pattern.
    assert.equal(servedJSONOfStored(JSON.stringify({ apiVersion: 'a"b', metadata: {} }), 1), undefined);
  });
});

describe('CachedObject', () => {
  test('serves stored bytes without decoding them, and copies from them after', () => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } };
    const c = CachedObject.fromKV({ key: '/r/a', value: bytes(obj), createRevision: 5, modRevision: 7, lease: 0 });
    const line = c.eventLine('MODIFIED').toString();
    assert.deepEqual(JSON.parse(line), { type: 'MODIFIED', object: { ...obj, metadata: { name: 'a', resourceVersion: '7' } } });
    assert.ok(line.endsWith('}\n'));
    const copy = c.clone();
    copy.metadata.name = 'changed';
    assert.equal(c.object.metadata.name, 'a', 'a copy is private');
    assert.deepEqual(JSON.parse(c.json()), c.object);
  });

  test('an object in another shape is served by encoding it', () => {
    const obj = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', resourceVersion: '3' } };
    const c = CachedObject.fromKV({ key: '/r/e', value: bytes(obj), createRevision: 1, modRevision: 2, lease: 0 });
    assert.deepEqual(JSON.parse(c.json()), { ...obj, metadata: { name: 'e', resourceVersion: '2' } });
  });
});

describe('metadataSlice', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['plain', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'd' }, data: { k: 'v' } }],
    ['braces, quotes and backslashes inside strings', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { a: '}{"x":"\\\\"}', b: 'ends with a backslash \\' } }, spec: {} }],
    ['nested managedFields', { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', metadata: { name: 'n', managedFields: [{ manager: 'm', fieldsV1: { 'f:spec': { 'f:renewTime': {} } } }] }, spec: { holderIdentity: 'n' } }],
    ['empty metadata', { apiVersion: 'v1', kind: 'Namespace', metadata: {} }],
  ];
  for (const [what, obj] of cases) {
    test(`cuts out exactly the metadata: ${what}`, () => {
      const text = JSON.stringify(obj);
      assert.equal(metadataSlice(text), JSON.stringify(obj.metadata));
      assert.equal(new CachedObject('k', obj as never, 7).metadataJSON(), JSON.stringify(obj.metadata));
    });
  }

  test('declines text in another shape; the cached object then encodes its metadata', () => {
    const obj = { spec: { x: 1 }, metadata: { name: 'a' } };
    assert.equal(metadataSlice(JSON.stringify(obj)), undefined);
    assert.equal(new CachedObject('k', obj as never, 7).metadataJSON(), '{"name":"a"}');
  });

  test('served from stored bytes, the metadata carries the resourceVersion', () => {
    const c = CachedObject.fromKV({ key: 'k', value: bytes({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }), createRevision: 3, modRevision: 9, lease: 0 });
    assert.deepEqual(JSON.parse(c.metadataJSON()), { resourceVersion: '9', name: 'a' });
  });
});
