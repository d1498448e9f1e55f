import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../../machinery/errors/field.js';
import { metaDefinitions } from '../../meta/v1.js';
import { coordinationV1, validateLease, type LeaseT } from './index.js';

describe('coordination.k8s.io/v1', () => {
  test('every $ref resolves', () => {
    const known = new Set([...coordinationV1.definitions, ...metaDefinitions].map((d) => `#/definitions/${d.name}`));
    const text = JSON.stringify(coordinationV1.definitions.map((d) => d.definition));
    for (const [, ref] of text.matchAll(/"\$ref":"([^"]+)"/g)) assert.ok(known.has(ref!), ref);
  });

  const cases: { name: string; spec: LeaseT['spec']; want: string[] }[] = [
    { name: 'valid', spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2024-01-01T00:00:00.000000Z' }, want: [] },
    { name: 'zero duration', spec: { leaseDurationSeconds: 0 }, want: ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'] },
    { name: 'negative transitions', spec: { leaseTransitions: -1 }, want: ['spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0'] },
    { name: 'preferred holder without strategy', spec: { preferredHolder: 'b' }, want: ['spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined'] },
    { name: 'known strategy', spec: { strategy: 'OldestEmulationVersion', preferredHolder: 'b' }, want: [] },
    { name: 'unprefixed strategy', spec: { strategy: 'Newest' }, want: ['spec.strategy: Unsupported value: "Newest": supported values: "OldestEmulationVersion"'] },
  ];
  for (const c of cases) test(`lease: ${c.name}`, () => assert.deepEqual(validateLease({ metadata: { name: 'l' }, spec: c.spec }).map(fieldErrorText), c.want));

  test('MicroTime fields reference the meta definition', () => {
    const spec = coordinationV1.definitions.find((d) => d.name.endsWith('LeaseSpec'))!.definition;
    assert.equal(JSON.stringify(spec.properties!.renewTime).includes('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime'), true);
  });
});
