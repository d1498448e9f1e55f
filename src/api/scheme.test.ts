import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refTo } from '../machinery/schema/types.js';
import { Scheme } from './scheme.js';

test('resolveRef follows definitions as they are added, replaced and removed', () => {
  const scheme = new Scheme();
  const ref = refTo('io.example.v1.Widget').$ref!;
  assert.equal(scheme.resolveRef(ref), undefined);
  const first = { type: 'object' as const, properties: { a: { type: 'string' as const } } };
  scheme.addDefinitions([['io.example.v1.Widget', first]]);
  assert.equal(scheme.resolveRef(ref), first);
  assert.equal(scheme.resolveRef(ref), first);
  const second = { type: 'object' as const, properties: { b: { type: 'integer' as const } } };
  scheme.addDefinitions([['io.example.v1.Widget', second]]);
  assert.equal(scheme.resolveRef(ref), second);
  scheme.removeDefinitions(['io.example.v1.Widget']);
  assert.equal(scheme.resolveRef(ref), undefined);
  // A bare name resolves like a full reference.
  scheme.addDefinitions([['io.example.v1.Widget', first]]);
  assert.equal(scheme.resolveRef('io.example.v1.Widget'), first);
});
