import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type NodeSelectionSpec, type NodeSelectorTarget, matchesNodeSelectorAndAffinity, nodeSelectorMatches, nodeSelectorRequirementMatches } from './node-selector.js';
import type { NodeSelectorRequirementT, NodeSelectorT } from './types.js';

const node: NodeSelectorTarget = { metadata: { name: 'n1', labels: { zone: 'a', cores: '8' } } };

describe('nodeSelectorRequirementMatches', () => {
  const labels = { zone: 'a', cores: '8', empty: '' };
  const cases: { name: string; r: NodeSelectorRequirementT; want: boolean }[] = [
    { name: 'In hit', r: { key: 'zone', operator: 'In', values: ['a', 'b'] }, want: true },
    { name: 'In on a missing key', r: { key: 'rack', operator: 'In', values: [''] }, want: false },
    { name: 'In with an empty value', r: { key: 'empty', operator: 'In', values: [''] }, want: true },
    { name: 'NotIn on a missing key', r: { key: 'rack', operator: 'NotIn', values: ['x'] }, want: true },
    { name: 'NotIn hit', r: { key: 'zone', operator: 'NotIn', values: ['a'] }, want: false },
    { name: 'Exists', r: { key: 'zone', operator: 'Exists' }, want: true },
    { name: 'DoesNotExist', r: { key: 'zone', operator: 'DoesNotExist' }, want: false },
    { name: 'Gt', r: { key: 'cores', operator: 'Gt', values: ['4'] }, want: true },
    { name: 'Lt', r: { key: 'cores', operator: 'Lt', values: ['4'] }, want: false },
    { name: 'Gt on a non-integer label', r: { key: 'zone', operator: 'Gt', values: ['1'] }, want: false },
    { name: 'Gt with two values', r: { key: 'cores', operator: 'Gt', values: ['1', '2'] }, want: false },
    { name: 'unknown operator', r: { key: 'zone', operator: 'Near', values: ['a'] } as unknown as NodeSelectorRequirementT, want: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(nodeSelectorRequirementMatches(c.r, labels), c.want));
});

describe('nodeSelectorMatches', () => {
  const cases: { name: string; sel: NodeSelectorT | undefined; want: boolean }[] = [
    { name: 'no selector', sel: undefined, want: true },
    { name: 'no terms', sel: { nodeSelectorTerms: [] }, want: false },
    { name: 'an empty term matches nothing', sel: { nodeSelectorTerms: [{}] }, want: false },
    { name: 'terms are ORed', sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] }, want: true },
    { name: 'expressions and fields are ANDed', sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }] }, want: false },
    { name: 'matchFields knows only metadata.name', sel: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.uid', operator: 'DoesNotExist' }] }] }, want: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(nodeSelectorMatches(c.sel, node), c.want));
});

describe('matchesNodeSelectorAndAffinity', () => {
  const cases: { name: string; spec: NodeSelectionSpec | undefined; want: boolean }[] = [
    { name: 'no constraints', spec: undefined, want: true },
    { name: 'nodeSelector hit', spec: { nodeSelector: { zone: 'a' } }, want: true },
    { name: 'nodeSelector miss', spec: { nodeSelector: { zone: 'b' } }, want: false },
    { name: 'both must hold', spec: { nodeSelector: { zone: 'a' }, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['2'] }] }] } } } }, want: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(matchesNodeSelectorAndAffinity(c.spec, node), c.want));
});
