import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { node, pod } from '../../../testing/builders.js';
import { podRequests } from '../../framework/resource.js';
import { filterAll, frameworkWith, scores, snapshotOf } from '../plugin-test-kit.js';

describe('effective pod requests', () => {
  const cases = [
    { name: 'containers add up', p: pod('p').req({ cpu: '100m', memory: '1Mi' }).container({ requests: { cpu: '200m' } }), want: { cpu: 300, memory: 1048576 } },
    { name: 'an init container larger than the containers wins', p: pod('p').req({ cpu: '100m' }).initContainer({ cpu: '1' }), want: { cpu: 1000 } },
    { name: 'sidecars run alongside containers and later init containers', p: pod('p').req({ cpu: '100m' }).initContainer({ cpu: '200m' }, { sidecar: true }).initContainer({ cpu: '250m' }), want: { cpu: 450 } },
    { name: 'sidecar plus containers beat a smaller init', p: pod('p').req({ cpu: '500m' }).initContainer({ cpu: '300m' }, { sidecar: true }).initContainer({ cpu: '100m' }), want: { cpu: 800 } },
    { name: 'overhead is added', p: pod('p').req({ cpu: '100m' }).overhead({ cpu: '50m' }), want: { cpu: 150 } },
    { name: 'extended resources', p: pod('p').req({ 'nvidia.com/gpu': '2' }), want: { 'nvidia.com/gpu': 2 } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = Object.fromEntries(podRequests(c.p.build()));
      assert.deepEqual(got, c.want);
    });
  }
  test('non-zero defaults fill unset cpu and memory for scoring', () => {
    const got = podRequests(pod('p').build(), { nonZero: true });
    assert.equal(got.get('cpu'), 100);
    assert.equal(got.get('memory'), 200 * 1024 * 1024);
  });
});

describe('NodeResourcesFit filter', () => {
  const n = () => node('n').capacity({ cpu: '2', memory: '4Gi', 'example.com/foo': '1', pods: '2' });
  const cases = [
    { name: 'fits', p: pod('p').req({ cpu: '1', memory: '1Gi' }), existing: [], want: [] as string[], code: 0 },
    { name: 'insufficient cpu (preemption could help)', p: pod('p').req({ cpu: '1500m' }), existing: [pod('e').req({ cpu: '1' })], want: ['Insufficient cpu'], code: 2 },
    { name: 'more than allocatable is unresolvable', p: pod('p').req({ cpu: '3' }), existing: [], want: ['Insufficient cpu'], code: 3 },
    { name: 'several reasons at once', p: pod('p').req({ cpu: '1500m', memory: '3Gi' }), existing: [pod('e').req({ cpu: '1', memory: '2Gi' })], want: ['Insufficient cpu', 'Insufficient memory'], code: 2 },
    { name: 'extended resource', p: pod('p').req({ 'example.com/foo': '2' }), existing: [], want: ['Insufficient example.com/foo'], code: 3 },
    { name: 'too many pods', p: pod('p'), existing: [pod('e1'), pod('e2')], want: ['Too many pods'], code: 2 },
    { name: 'init container peak counts', p: pod('p').req({ cpu: '100m' }).initContainer({ cpu: '1500m' }), existing: [pod('e').req({ cpu: '1' })], want: ['Insufficient cpu'], code: 2 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const fw = frameworkWith(['NodeResourcesFit']);
      const st = filterAll(fw, c.p.build(), snapshotOf([n().build()], c.existing.map((e) => e.node('n').build()))).get('n')!;
      assert.deepEqual(st.reasons, c.want);
      assert.equal(st.code, c.code);
    });
  }
  test('ignoredResources skips a resource', () => {
    const fw = frameworkWith(['NodeResourcesFit'], { NodeResourcesFit: { ignoredResources: ['example.com/foo'] } });
    const st = filterAll(fw, pod('p').req({ 'example.com/foo': '5' }).build(), snapshotOf([n().build()])).get('n')!;
    assert.ok(st.isSuccess());
  });
});

describe('NodeResourcesFit scoring strategies', () => {
  const nodes = () => [node('a').capacity({ cpu: '4', memory: '10Gi' }).build(), node('b').capacity({ cpu: '8', memory: '10Gi' }).build()];
  const existing = [pod('e').req({ cpu: '2', memory: '5Gi' }).node('a').build()];
  const p = pod('p').req({ cpu: '1', memory: '1Gi' }).build();
  const cases = [
    // a: cpu used 3/4, mem 6/10; b: cpu 1/8, mem 1/10
    { name: 'LeastAllocated', args: {}, want: { a: 32, b: 88 } },
    { name: 'MostAllocated', args: { scoringStrategy: { type: 'MostAllocated', resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] } }, want: { a: 67, b: 11 } },
    {
      name: 'RequestedToCapacityRatio (bin packing shape)',
      args: { scoringStrategy: { type: 'RequestedToCapacityRatio', resources: [{ name: 'cpu', weight: 1 }], requestedToCapacityRatio: { shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] } } },
      want: { a: 75, b: 12 },
    },
    { name: 'LeastAllocated with weights', args: { scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'cpu', weight: 3 }, { name: 'memory', weight: 1 }] } }, want: { a: 28, b: 87 } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const fw = frameworkWith(['NodeResourcesFit'], { NodeResourcesFit: c.args });
      assert.deepEqual(scores(fw, p, snapshotOf(nodes(), existing)), c.want);
    });
  }
  test('invalid strategy args are rejected at construction', () => {
    assert.throws(() => frameworkWith(['NodeResourcesFit'], { NodeResourcesFit: { scoringStrategy: { type: 'Bogus', resources: [] } } }), /Unsupported value: "Bogus"/);
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  test('favours the node whose cpu and memory fractions stay closest', () => {
    const nodes = [node('a').capacity({ cpu: '4', memory: '4Gi' }).build(), node('b').capacity({ cpu: '4', memory: '16Gi' }).build()];
    const fw = frameworkWith(['NodeResourcesBalancedAllocation']);
    // a: cpu 0.5 mem 0.5 -> 100; b: cpu 0.5 mem 0.125 -> 1 - 0.1875 = 81
    assert.deepEqual(scores(fw, pod('p').req({ cpu: '2', memory: '2Gi' }).build(), snapshotOf(nodes)), { a: 100, b: 81 });
  });
  test('a best-effort pod skips scoring', () => {
    const fw = frameworkWith(['NodeResourcesBalancedAllocation']);
    assert.deepEqual(scores(fw, pod('p').build(), snapshotOf([node('a').capacity({ cpu: '1', memory: '1Gi' }).build()])), { a: 0 });
  });
});
