import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_VERBS } from '../../scheme.js';
import { coreV1 } from './index.js';

/** Upstream 1.32 discovery for the core group: resource, kind, namespaced, short names, categories. */
const DISCOVERY: [string, string, boolean, string[], string[]][] = [
  ['bindings', 'Binding', true, [], []],
  ['componentstatuses', 'ComponentStatus', false, ['cs'], []],
  ['configmaps', 'ConfigMap', true, ['cm'], []],
  ['endpoints', 'Endpoints', true, ['ep'], []],
  ['events', 'Event', true, ['ev'], []],
  ['limitranges', 'LimitRange', true, ['limits'], []],
  ['namespaces', 'Namespace', false, ['ns'], []],
  ['nodes', 'Node', false, ['no'], []],
  ['persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], []],
  ['persistentvolumes', 'PersistentVolume', false, ['pv'], []],
  ['pods', 'Pod', true, ['po'], ['all']],
  ['podtemplates', 'PodTemplate', true, [], []],
  ['replicationcontrollers', 'ReplicationController', true, ['rc'], ['all']],
  ['resourcequotas', 'ResourceQuota', true, ['quota'], []],
  ['secrets', 'Secret', true, [], []],
  ['serviceaccounts', 'ServiceAccount', true, ['sa'], []],
  ['services', 'Service', true, ['svc'], ['all']],
];

describe('core/v1 resources', () => {
  test('the served set matches upstream', () => {
    assert.deepEqual(coreV1.resources.map((r) => r.resource).sort(), DISCOVERY.map((d) => d[0]).sort());
  });
  for (const [resource, kind, namespaced, shortNames, categories] of DISCOVERY) {
    test(`discovery facts: ${resource}`, () => {
      const rt = coreV1.resources.find((r) => r.resource === resource)!;
      assert.equal(rt.group, '');
      assert.equal(rt.version, 'v1');
      assert.equal(rt.kind, kind);
      assert.equal(rt.namespaced, namespaced);
      assert.deepEqual(rt.shortNames ?? [], shortNames);
      assert.deepEqual(rt.categories ?? [], categories);
      assert.equal(rt.storageVersion, true);
    });
  }

  const verbCases: [string, string[]][] = [
    ['bindings', ['create']],
    ['componentstatuses', ['get', 'list']],
    ['namespaces', ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']],
    ['pods', ALL_VERBS],
  ];
  for (const [resource, verbs] of verbCases) {
    test(`verbs: ${resource}`, () => assert.deepEqual(coreV1.resources.find((r) => r.resource === resource)!.verbs, verbs));
  }

  test('subresources as upstream', () => {
    const subs = (res: string) => (coreV1.resources.find((r) => r.resource === res)!.subresources ?? []).map((s) => s.name).sort();
    assert.deepEqual(subs('pods'), ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'proxy', 'status']);
    assert.deepEqual(subs('services'), ['proxy', 'status']);
    assert.deepEqual(subs('nodes'), ['proxy', 'status']);
    assert.deepEqual(subs('namespaces'), ['finalize', 'status']);
    assert.deepEqual(subs('serviceaccounts'), ['token']);
    assert.deepEqual(subs('replicationcontrollers'), ['scale', 'status']);
    const rc = coreV1.resources.find((r) => r.resource === 'replicationcontrollers')!;
    assert.deepEqual(rc.subresources!.find((s) => s.name === 'scale'), { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
    assert.equal(rc.scale?.specReplicasPath, '.spec.replicas');
    for (const rt of coreV1.resources) assert.equal(!!rt.hasStatus, !!rt.subresources?.some((s) => s.name === 'status'), rt.resource);
  });

  test('name validators: namespaces DNS label, services DNS-1035', () => {
    const ns = coreV1.resources.find((r) => r.resource === 'namespaces')!;
    const svc = coreV1.resources.find((r) => r.resource === 'services')!;
    assert.deepEqual(ns.nameValidator!('a.b', false).length > 0, true);
    assert.deepEqual(svc.nameValidator!('1abc', false).length > 0, true);
    assert.deepEqual(svc.nameValidator!('abc', false), []);
  });
});
