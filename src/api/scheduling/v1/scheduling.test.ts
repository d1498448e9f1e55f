import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../../machinery/errors/field.js';
import { metaDefinitions } from '../../meta/v1.js';
import { schedulingV1, bootstrapPriorityClasses, defaultPriorityClass, validatePriorityClass, type PriorityClassT } from './index.js';

const pc = (name: string, value: number, over: Partial<PriorityClassT> = {}): PriorityClassT => ({ metadata: { name }, value, preemptionPolicy: 'PreemptLowerPriority', ...over });

describe('scheduling.k8s.io/v1', () => {
  test('every $ref resolves', () => {
    const known = new Set([...schedulingV1.definitions, ...metaDefinitions].map((d) => `#/definitions/${d.name}`));
    for (const [, ref] of JSON.stringify(schedulingV1.definitions.map((d) => d.definition)).matchAll(/"\$ref":"([^"]+)"/g)) assert.ok(known.has(ref!), ref);
  });

  test('defaults preemptionPolicy', () => {
    const p: PriorityClassT = { metadata: { name: 'high' }, value: 1000 };
    defaultPriorityClass(p);
    assert.equal(p.preemptionPolicy, 'PreemptLowerPriority');
  });

  test('bootstrap classes are the two system classes and valid', () => {
    const classes = bootstrapPriorityClasses();
    assert.deepEqual(classes.map((c) => [c.metadata!.name, c.value]), [['system-node-critical', 2000001000], ['system-cluster-critical', 2000000000]]);
    for (const c of classes) assert.deepEqual(validatePriorityClass(c, undefined), []);
  });

  const cases: { name: string; p: PriorityClassT; old?: PriorityClassT; want: string[] }[] = [
    { name: 'valid', p: pc('high', 1000), want: [] },
    { name: 'user value too high', p: pc('huge', 1_000_000_001), want: ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000'] },
    { name: 'reserved prefix', p: pc('system-mine', 10), want: ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"] },
    { name: 'system class wrong value', p: pc('system-node-critical', 5), want: ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000"] },
    { name: 'bad preemption policy', p: pc('x', 1, { preemptionPolicy: 'Always' as never }), want: ['preemptionPolicy: Unsupported value: "Always": supported values: "Never", "PreemptLowerPriority"'] },
    { name: 'value changed', p: pc('x', 2), old: pc('x', 1), want: ['value: Forbidden: may not be changed in an update.'] },
    { name: 'policy changed', p: pc('x', 1, { preemptionPolicy: 'Never' }), old: pc('x', 1), want: ['preemptionPolicy: Invalid value: "Never": field is immutable'] },
  ];
  for (const c of cases) test(`priority class: ${c.name}`, () => assert.deepEqual(validatePriorityClass(c.p, c.old).map(fieldErrorText), c.want));

  test('discovery facts', () => {
    const r = schedulingV1.resources[0]!;
    assert.deepEqual([r.resource, r.namespaced, r.shortNames], ['priorityclasses', false, ['pc']]);
  });
});
