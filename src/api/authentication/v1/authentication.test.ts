import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../../machinery/errors/field.js';
import { metaDefinitions } from '../../meta/v1.js';
import { authenticationV1, defaultTokenRequest, validateTokenRequest, type TokenRequestT } from './index.js';

describe('authentication.k8s.io/v1', () => {
  test('every $ref resolves', () => {
    const known = new Set([...authenticationV1.definitions, ...metaDefinitions].map((d) => `#/definitions/${d.name}`));
    for (const [, ref] of JSON.stringify(authenticationV1.definitions.map((d) => d.definition)).matchAll(/"\$ref":"([^"]+)"/g)) assert.ok(known.has(ref!), ref);
  });

  test('reviews are create-only and cluster-scoped', () => {
    assert.deepEqual(authenticationV1.resources.map((r) => [r.resource, r.verbs, r.namespaced]), [
      ['selfsubjectreviews', ['create'], false],
      ['tokenreviews', ['create'], false],
    ]);
  });

  test('token request defaults to one hour', () => {
    const tr: TokenRequestT = { metadata: {}, spec: { audiences: ['api'] } };
    defaultTokenRequest(tr);
    assert.equal(tr.spec!.expirationSeconds, 3600);
    assert.deepEqual(validateTokenRequest(tr), []);
  });

  const cases: { name: string; secs: number; want: string[] }[] = [
    { name: 'too short', secs: 599, want: ['spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes'] },
    { name: 'too long', secs: 2 ** 32 + 1, want: ['spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds'] },
    { name: 'minimum', secs: 600, want: [] },
  ];
  for (const c of cases) {
    test(`token request: ${c.name}`, () => assert.deepEqual(validateTokenRequest({ metadata: {}, spec: { audiences: [], expirationSeconds: c.secs } }).map(fieldErrorText), c.want));
  }
});
