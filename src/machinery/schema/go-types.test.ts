import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goZeroOfNull, schemaAtPath } from './go-types.js';
import { MapResolver, type Schema, refTo } from './types.js';

const resolver = new MapResolver(
  new Map<string, Schema>([
    ['Pod', { type: 'object', properties: { spec: refTo('PodSpec') } }],
    ['PodSpec', { type: 'object', properties: { containers: { type: 'array', items: refTo('Container') }, labels: { type: 'object', additionalProperties: { type: 'string' } } } }],
    ['Container', { type: 'object', properties: { name: { type: 'string' }, args: { type: 'array', items: { type: 'string' } }, port: { type: 'integer' }, on: { type: 'boolean' }, cpu: refTo('io.k8s.apimachinery.pkg.api.resource.Quantity'), target: refTo('io.k8s.apimachinery.pkg.util.intstr.IntOrString'), data: { type: 'string', format: 'byte' }, when: { type: 'string', format: 'date-time' }, env: { type: 'object', additionalProperties: { type: 'string' } } } }],
    ['io.k8s.apimachinery.pkg.api.resource.Quantity', { type: 'string' }],
    ['io.k8s.apimachinery.pkg.util.intstr.IntOrString', { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true }],
  ]),
);

test('schemaAtPath follows fields, list items, map values and refs', () => {
  const pod = refTo('Pod');
  assert.equal(schemaAtPath(pod, ['spec', 'containers', 0, 'name'], resolver)?.type, 'string');
  assert.equal(schemaAtPath(pod, ['spec', 'labels', 'app'], resolver)?.type, 'string');
  assert.equal(schemaAtPath(pod, ['spec', 'nope', 'x'], resolver), undefined);
});

test('goZeroOfNull gives what Go decodes a null list item into', () => {
  const field = (name: string): Schema | undefined => schemaAtPath(refTo('Container'), [name], resolver);
  assert.deepEqual(goZeroOfNull(refTo('Container'), resolver), {});
  assert.equal(goZeroOfNull(field('name'), resolver), '');
  assert.equal(goZeroOfNull(field('port'), resolver), 0);
  assert.equal(goZeroOfNull(field('on'), resolver), false);
  assert.equal(goZeroOfNull(field('cpu'), resolver), '0');
  assert.equal(goZeroOfNull(field('target'), resolver), 0);
  // Nil slices, maps, byte strings and times stay null; so does anything untyped.
  assert.equal(goZeroOfNull(field('args'), resolver), undefined);
  assert.equal(goZeroOfNull(field('env'), resolver), undefined);
  assert.equal(goZeroOfNull(field('data'), resolver), undefined);
  assert.equal(goZeroOfNull(field('when'), resolver), undefined);
  assert.equal(goZeroOfNull(undefined, resolver), undefined);
});
