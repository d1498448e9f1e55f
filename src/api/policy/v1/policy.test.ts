import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText, type FieldError } from '../../../machinery/errors/field.js';
import { policyV1 } from './index.js';
import type { PodDisruptionBudgetT } from './types.js';
import { validatePodDisruptionBudget, validatePodDisruptionBudgetStatusUpdate } from './validation.js';

const texts = (errs: FieldError[]) => errs.map(fieldErrorText);

function pdb(spec: PodDisruptionBudgetT['spec']): PodDisruptionBudgetT {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec };
}

describe('PodDisruptionBudget validation', () => {
  const valid: [string, PodDisruptionBudgetT['spec']][] = [
    ['minAvailable count', { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }],
    ['maxUnavailable percent', { maxUnavailable: '25%', selector: { matchLabels: { app: 'web' } } }],
    ['neither (upstream allows it)', { selector: {} }],
    ['eviction policy', { minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' }],
  ];
  for (const [name, spec] of valid) test(`valid: ${name}`, () => assert.deepEqual(texts(validatePodDisruptionBudget(pdb(spec))), []));

  const invalid: [string, PodDisruptionBudgetT['spec'], string][] = [
    ['both set', { minAvailable: 1, maxUnavailable: 1 }, 'spec: Invalid value: {"minAvailable":1,"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set'],
    ['negative minAvailable', { minAvailable: -1 }, 'spec.minAvailable: Invalid value: -1: must be greater than or equal to 0'],
    ['percent above 100', { maxUnavailable: '150%' }, 'spec.maxUnavailable: Invalid value: "150%": must not be greater than 100%'],
    [
      'malformed percent',
      { minAvailable: 'half' },
      "spec.minAvailable: Invalid value: \"half\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ],
    ['bad selector operator', { minAvailable: 1, selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } }, 'spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator'],
    [
      'unknown eviction policy',
      { minAvailable: 1, unhealthyPodEvictionPolicy: 'Never' as never },
      'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
    ],
  ];
  for (const [name, spec, want] of invalid) {
    test(`invalid: ${name}`, () => {
      const got = texts(validatePodDisruptionBudget(pdb(spec)));
      assert.ok(got.includes(want), `want ${want}\n got ${JSON.stringify(got, null, 1)}`);
    });
  }

  test('status counters are non-negative', () => {
    const p = pdb({ minAvailable: 1 });
    p.status = { disruptionsAllowed: -1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    assert.deepEqual(texts(validatePodDisruptionBudgetStatusUpdate(p, p)), ['status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0']);
  });
});

describe('policy/v1 module', () => {
  test('serves poddisruptionbudgets with short name pdb and defines Eviction', () => {
    assert.deepEqual(policyV1.resources.map((r) => [r.resource, r.shortNames]), [['poddisruptionbudgets', ['pdb']]]);
    const eviction = policyV1.definitions.find((d) => d.name === 'io.k8s.api.policy.v1.Eviction')!;
    assert.deepEqual(eviction.definition['x-kubernetes-group-version-kind'], [{ group: 'policy', version: 'v1', kind: 'Eviction' }]);
    const spec = policyV1.definitions.find((d) => d.name === 'io.k8s.api.policy.v1.PodDisruptionBudgetSpec')!;
    assert.equal(spec.definition.properties!.selector!['x-kubernetes-patch-strategy'], 'replace');
  });
});
