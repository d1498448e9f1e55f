import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type QuotaPod,
  evaluatorFor,
  exceededResources,
  parseCountName,
  parseResourceList,
  podConstraintViolation,
  podMatchesScope,
  podUsage,
  prettyPrint,
  subtractNonNegative,
  toWire,
} from './evaluator.js';

const NOW = Date.parse('2024-01-01T00:00:00Z');

function pod(containers: { name: string; requests?: Record<string, string>; limits?: Record<string, string> }[], extra: Partial<QuotaPod['spec']> & { phase?: string } = {}): QuotaPod {
  const { phase, ...spec } = extra;
  return {
    metadata: {},
    spec: { ...spec, containers: containers.map((c) => ({ name: c.name, resources: { requests: c.requests, limits: c.limits } })) },
    status: phase ? { phase } : {},
  };
}

describe('pod usage', () => {
  const cases: { name: string; pod: QuotaPod; want: Record<string, string> }[] = [
    { name: 'best effort pod counts itself only', pod: pod([{ name: 'a' }]), want: { 'count/pods': '1', pods: '1' } },
    {
      name: 'containers sum requests and limits',
      pod: pod([
        { name: 'a', requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m' } },
        { name: 'b', requests: { cpu: '300m' }, limits: { cpu: '1', memory: '1Gi' } },
      ]),
      want: { 'count/pods': '1', cpu: '400m', 'limits.cpu': '1200m', 'limits.memory': '1Gi', memory: '64Mi', pods: '1', 'requests.cpu': '400m', 'requests.memory': '64Mi' },
    },
    {
      name: 'an init container bigger than the sum wins',
      pod: { ...pod([{ name: 'a', requests: { cpu: '100m' } }]), spec: { containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }], initContainers: [{ name: 'i', resources: { requests: { cpu: '500m' } } }] } },
      want: { 'count/pods': '1', cpu: '500m', pods: '1', 'requests.cpu': '500m' },
    },
    { name: 'a finished pod keeps only its object count', pod: pod([{ name: 'a', requests: { cpu: '1' } }], { phase: 'Succeeded' }), want: { 'count/pods': '1' } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(toWire(podUsage(c.pod, NOW)), c.want));
});

describe('pod constraints under a quota', () => {
  const cases: { name: string; tracked: string[]; pod: QuotaPod; want?: string }[] = [
    { name: 'pods count needs nothing declared', tracked: ['pods'], pod: pod([{ name: 'a' }]) },
    { name: 'limits.cpu missing', tracked: ['limits.cpu'], pod: pod([{ name: 'app' }]), want: 'must specify limits.cpu for: app' },
    {
      name: 'several resources and containers, sorted',
      tracked: ['requests.memory', 'limits.cpu'],
      pod: pod([{ name: 'b' }, { name: 'a', limits: { cpu: '1' } }]),
      want: 'must specify limits.cpu for: b; must specify requests.memory for: a,b',
    },
    { name: 'cpu shorthand satisfied by a request', tracked: ['cpu'], pod: pod([{ name: 'a', requests: { cpu: '1' } }]) },
  ];
  for (const c of cases) test(c.name, () => assert.equal(podConstraintViolation(c.tracked, c.pod), c.want));
});

describe('quota scopes', () => {
  const cases: { name: string; scope: { scopeName: string; operator: string; values?: string[] }; pod: QuotaPod; want: boolean }[] = [
    { name: 'Terminating with a deadline', scope: { scopeName: 'Terminating', operator: 'Exists' }, pod: pod([{ name: 'a' }], { activeDeadlineSeconds: 10 }), want: true },
    { name: 'NotTerminating without one', scope: { scopeName: 'NotTerminating', operator: 'Exists' }, pod: pod([{ name: 'a' }]), want: true },
    { name: 'BestEffort without resources', scope: { scopeName: 'BestEffort', operator: 'Exists' }, pod: pod([{ name: 'a' }]), want: true },
    { name: 'NotBestEffort with a request', scope: { scopeName: 'NotBestEffort', operator: 'Exists' }, pod: pod([{ name: 'a', requests: { memory: '1Mi' } }]), want: true },
    { name: 'PriorityClass In matches', scope: { scopeName: 'PriorityClass', operator: 'In', values: ['high'] }, pod: pod([{ name: 'a' }], { priorityClassName: 'high' }), want: true },
    { name: 'PriorityClass In without a class', scope: { scopeName: 'PriorityClass', operator: 'In', values: ['high'] }, pod: pod([{ name: 'a' }]), want: false },
    { name: 'PriorityClass DoesNotExist without a class', scope: { scopeName: 'PriorityClass', operator: 'DoesNotExist' }, pod: pod([{ name: 'a' }]), want: true },
  ];
  for (const c of cases) test(c.name, () => assert.equal(podMatchesScope(c.pod, c.scope), c.want));
});

describe('ResourceList helpers and other evaluators', () => {
  test('prettyPrint sorts keys', () => assert.equal(prettyPrint(parseResourceList({ 'requests.cpu': '500m', pods: '1' })), 'pods=1,requests.cpu=500m'));
  test('exceededResources ignores unbounded names', () => assert.deepEqual(exceededResources(parseResourceList({ pods: '3', cpu: '9' }), parseResourceList({ pods: '2' })), ['pods']));
  test('subtractNonNegative floors at zero', () => assert.deepEqual(toWire(subtractNonNegative(parseResourceList({ a: '1', b: '5' }), parseResourceList({ a: '2', b: '3' }))), { a: '0', b: '2' }));
  test('count names parse', () => {
    assert.deepEqual(parseCountName('count/deployments.apps'), { group: 'apps', resource: 'deployments' });
    assert.deepEqual(parseCountName('count/secrets'), { group: '', resource: 'secrets' });
    assert.equal(parseCountName('pods'), undefined);
  });
  test('a NodePort service uses one node port per port', () => {
    const usage = toWire(evaluatorFor('', 'services').usage({ spec: { type: 'NodePort', ports: [{}, {}] } }, NOW));
    assert.equal(usage['services.nodeports'], '2');
    assert.equal(usage['services.loadbalancers'], '0');
  });
  test('a claim charges storage overall and per class', () => {
    const usage = toWire(evaluatorFor('', 'persistentvolumeclaims').usage({ spec: { storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } } }, NOW));
    assert.deepEqual(usage, {
      'count/persistentvolumeclaims': '1',
      'fast.storageclass.storage.k8s.io/persistentvolumeclaims': '1',
      'fast.storageclass.storage.k8s.io/requests.storage': '5Gi',
      persistentvolumeclaims: '1',
      'requests.storage': '5Gi',
    });
  });
  test('configmaps count under both names; scoped quotas do not apply', () => {
    const ev = evaluatorFor('', 'configmaps');
    assert.deepEqual(ev.matchingResources(['configmaps', 'count/configmaps', 'pods']), ['configmaps', 'count/configmaps']);
    assert.equal(ev.matchesScopes([{ scopeName: 'BestEffort', operator: 'Exists' }], {}), false);
  });
});
