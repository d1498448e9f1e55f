import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../../machinery/errors/field.js';
import { metaDefinitions } from '../../meta/v1.js';
import { authorizationV1, validateLocalSubjectAccessReview, validateSelfSubjectAccessReview, validateSubjectAccessReview, type SubjectAccessReviewT } from './index.js';

describe('authorization.k8s.io/v1', () => {
  test('every $ref resolves', () => {
    const known = new Set([...authorizationV1.definitions, ...metaDefinitions].map((d) => `#/definitions/${d.name}`));
    for (const [, ref] of JSON.stringify(authorizationV1.definitions.map((d) => d.definition)).matchAll(/"\$ref":"([^"]+)"/g)) assert.ok(known.has(ref!), ref);
  });

  test('reviews are create-only; only the local one is namespaced', () => {
    assert.deepEqual(
      authorizationV1.resources.map((r) => [r.resource, r.namespaced, r.verbs]),
      [
        ['localsubjectaccessreviews', true, ['create']],
        ['selfsubjectaccessreviews', false, ['create']],
        ['selfsubjectrulesreviews', false, ['create']],
        ['subjectaccessreviews', false, ['create']],
      ],
    );
  });

  const sar = (spec: SubjectAccessReviewT['spec'], namespace?: string): SubjectAccessReviewT => ({ metadata: namespace ? { namespace } : {}, spec });
  const cases: { name: string; run: () => ReturnType<typeof validateSubjectAccessReview>; want: string[] }[] = [
    { name: 'valid SAR', run: () => validateSubjectAccessReview(sar({ user: 'alice', resourceAttributes: { verb: 'get', resource: 'pods' } })), want: [] },
    { name: 'SAR without user or group', run: () => validateSubjectAccessReview(sar({ resourceAttributes: { verb: 'get' } })), want: ['spec.user: Invalid value: "": at least one of user or group must be specified'] },
    {
      name: 'SAR with no attributes',
      run: () => validateSubjectAccessReview(sar({ groups: ['devs'] })),
      want: ['spec.resourceAttributes: Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified'],
    },
    {
      name: 'SSAR with both attributes',
      run: () => validateSelfSubjectAccessReview({ metadata: {}, spec: { resourceAttributes: { verb: 'get' }, nonResourceAttributes: { path: '/healthz', verb: 'get' } } }),
      want: ['spec.nonResourceAttributes: Invalid value: {"path":"/healthz","verb":"get"}: cannot be specified in combination with resourceAttributes'],
    },
    { name: 'valid SSAR', run: () => validateSelfSubjectAccessReview({ metadata: {}, spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } } }), want: [] },
    {
      name: 'LSAR namespace mismatch',
      run: () => validateLocalSubjectAccessReview(sar({ user: 'bob', resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'other' } }, 'team')),
      want: ['spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace'],
    },
    { name: 'valid LSAR', run: () => validateLocalSubjectAccessReview(sar({ user: 'bob', resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'team' } }, 'team')), want: [] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(c.run().map(fieldErrorText), c.want));
});
