import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Schema, MapResolver, refTo } from './types.js';
import { OBJECT_META_DEFINITION, pruneUnknownFields, unknownFieldMessage } from './prune.js';

const defs = new Map<string, Schema>([
  [OBJECT_META_DEFINITION, { type: 'object', properties: { name: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } } } }],
  ['Container', { type: 'object', properties: { name: { type: 'string' }, image: { type: 'string' } } }],
  [
    'Root',
    {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: refTo(OBJECT_META_DEFINITION),
        spec: {
          type: 'object',
          properties: {
            replicas: { type: 'integer' },
            containers: { type: 'array', items: refTo('Container') },
            wrapped: { allOf: [refTo('Container')], description: 'a ref with a sibling' },
            free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } },
            map: { type: 'object', additionalProperties: refTo('Container') },
            anyMap: { type: 'object', additionalProperties: true },
            closed: { type: 'object' },
            embedded: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } } },
          },
        },
      },
    },
  ],
]);
const resolver = new MapResolver(defs);

const cases: { name: string; value: Record<string, unknown>; opts?: { preserveMetadata?: boolean }; pruned: string[]; after: Record<string, unknown> }[] = [
  { name: 'nothing unknown', value: { apiVersion: 'v1', kind: 'X', spec: { replicas: 1 } }, pruned: [], after: { apiVersion: 'v1', kind: 'X', spec: { replicas: 1 } } },
  { name: 'top-level and nested unknown fields', value: { apiVersion: 'v1', kind: 'X', status: {}, spec: { foo: 1, replicas: 2 } }, pruned: ['status', 'spec.foo'], after: { apiVersion: 'v1', kind: 'X', spec: { replicas: 2 } } },
  { name: 'unknown inside list items', value: { spec: { containers: [{ name: 'a' }, { name: 'b', foo: true }] } }, pruned: ['spec.containers[1].foo'], after: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } } },
  { name: 'through an allOf-wrapped ref', value: { spec: { wrapped: { image: 'x', bar: 1 } } }, pruned: ['spec.wrapped.bar'], after: { spec: { wrapped: { image: 'x' } } } },
  { name: 'preserve-unknown keeps unknown but prunes known', value: { spec: { free: { anything: 1, known: { a: 'x', b: 'y' } } } }, pruned: ['spec.free.known.b'], after: { spec: { free: { anything: 1, known: { a: 'x' } } } } },
  { name: 'map values are pruned with dotted keys', value: { spec: { map: { k: { name: 'n', zz: 1 } } } }, pruned: ['spec.map.k.zz'], after: { spec: { map: { k: { name: 'n' } } } } },
  { name: 'additionalProperties true keeps everything', value: { spec: { anyMap: { a: { b: 1 } } } }, pruned: [], after: { spec: { anyMap: { a: { b: 1 } } } } },
  { name: 'object without properties drops all fields', value: { spec: { closed: { a: 1 } } }, pruned: ['spec.closed.a'], after: { spec: { closed: {} } } },
  { name: 'metadata pruned against ObjectMeta', value: { metadata: { name: 'a', bogus: 1, labels: { x: 'y' } } }, pruned: ['metadata.bogus'], after: { metadata: { name: 'a', labels: { x: 'y' } } } },
  { name: 'preserveMetadata keeps metadata', value: { metadata: { name: 'a', bogus: 1 } }, opts: { preserveMetadata: true }, pruned: [], after: { metadata: { name: 'a', bogus: 1 } } },
  { name: 'embedded resource keeps apiVersion/kind/metadata', value: { spec: { embedded: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', junk: 1 }, spec: { x: 'a', y: 'b' }, other: 1 } } }, pruned: ['spec.embedded.metadata.junk', 'spec.embedded.spec.y', 'spec.embedded.other'], after: { spec: { embedded: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'a' } } } } },
];

describe('pruneUnknownFields', () => {
  for (const c of cases) {
    test(c.name, () => {
      const v = structuredClone(c.value);
      assert.deepEqual(pruneUnknownFields(v, refTo('Root'), { resolver, ...c.opts }), c.pruned);
      assert.deepEqual(v, c.after);
    });
  }
  test('message text', () => {
    assert.equal(unknownFieldMessage('spec.template.spec.containers[0].foo'), 'unknown field "spec.template.spec.containers[0].foo"');
  });
  test('a CRD root metadata schema restricting only name still prunes as ObjectMeta', () => {
    const crd: Schema = { type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 5 } } } } };
    const v = { metadata: { name: 'a', labels: { a: 'b' }, nope: 1 } };
    assert.deepEqual(pruneUnknownFields(v, crd, { resolver }), ['metadata.nope']);
  });
});
