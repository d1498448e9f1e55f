import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../machinery/errors/status-error.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import type { AdmissionAttributes } from '../types.js';
import { type LimitRange, LIMIT_RANGER_ANNOTATION, LimitRanger, aggregateMessage, applyPodDefaults, claimViolations, podViolations } from './limit-ranger.js';

const range = (limits: NonNullable<LimitRange['spec']>['limits']): LimitRange => ({ metadata: { name: 'lr' }, spec: { limits } });

function podWith(containers: { name: string; requests?: Record<string, string>; limits?: Record<string, string> }[]): KubeObject {
  return { metadata: { name: 'p', namespace: 'ns' }, spec: { containers: containers.map((c) => ({ name: c.name, resources: { ...(c.requests ? { requests: c.requests } : {}), ...(c.limits ? { limits: c.limits } : {}) } })) } } as KubeObject;
}

describe('LimitRanger defaults', () => {
  test('fills unset requests and limits and records what it set', () => {
    const pod = podWith([{ name: 'app', requests: { cpu: '300m' } }]);
    applyPodDefaults(pod, [range([{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }])]);
    const c = (pod.spec as { containers: { resources: object }[] }).containers[0]!;
    assert.deepEqual(c.resources, { requests: { cpu: '300m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    assert.equal(pod.metadata.annotations?.[LIMIT_RANGER_ANNOTATION], 'LimitRanger plugin set: memory request for container app; cpu, memory limit for container app');
  });
  test('Pod and claim items give no container defaults', () => {
    const pod = podWith([{ name: 'app' }]);
    applyPodDefaults(pod, [range([{ type: 'Pod', max: { cpu: '1' } }])]);
    assert.equal(pod.metadata.annotations, undefined);
  });
});

describe('LimitRanger bounds', () => {
  const cases: { name: string; lr: LimitRange; pod: KubeObject; want: string[] }[] = [
    {
      name: 'min and max per container',
      lr: range([{ type: 'Container', min: { cpu: '100m' }, max: { memory: '1Gi' } }]),
      pod: podWith([{ name: 'a', requests: { cpu: '50m', memory: '1Gi' }, limits: { cpu: '50m', memory: '2Gi' } }]),
      want: ['minimum cpu usage per Container is 100m, but request is 50m', 'maximum memory usage per Container is 1Gi, but limit is 2Gi'],
    },
    {
      name: 'missing request and limit',
      lr: range([{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1' } }]),
      pod: podWith([{ name: 'a' }]),
      want: ['minimum cpu usage per Container is 100m.  No request is specified', 'maximum cpu usage per Container is 1.  No limit is specified'],
    },
    {
      name: 'limit to request ratio',
      lr: range([{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }]),
      pod: podWith([{ name: 'a', requests: { cpu: '100m' }, limits: { cpu: '500m' } }]),
      want: ['cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000'],
    },
    {
      name: 'pod totals',
      lr: range([{ type: 'Pod', max: { cpu: '1' } }]),
      pod: podWith([{ name: 'a', requests: { cpu: '600m' }, limits: { cpu: '600m' } }, { name: 'b', requests: { cpu: '600m' }, limits: { cpu: '600m' } }]),
      want: ['maximum cpu usage per Pod is 1, but limit is 1200m'],
    },
    {
      name: 'within bounds',
      lr: range([{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1' } }]),
      pod: podWith([{ name: 'a', requests: { cpu: '200m' }, limits: { cpu: '1' } }]),
      want: [],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(podViolations(c.pod, [c.lr]), c.want));

  test('claims are bounded by their storage request', () => {
    const lr = range([{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } }]);
    const claim = (storage: string) => ({ metadata: { name: 'c' }, spec: { resources: { requests: { storage } } } }) as KubeObject;
    assert.deepEqual(claimViolations(claim('20Gi'), [lr]), ['maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi']);
    assert.deepEqual(claimViolations(claim('500Mi'), [lr]), ['minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi']);
    assert.deepEqual(claimViolations(claim('5Gi'), [lr]), []);
  });

  test('aggregate message brackets several errors only', () => {
    assert.equal(aggregateMessage(['a']), 'a');
    assert.equal(aggregateMessage(['a', 'b']), '[a, b]');
  });

  test('the plugin refuses with 403 and the pod name', async () => {
    const plugin = new LimitRanger(async () => [range([{ type: 'Container', min: { cpu: '100m' }, max: { memory: '1Gi' } }])]);
    const object = podWith([{ name: 'a', requests: { cpu: '50m' }, limits: { memory: '2Gi' } }]);
    const attrs: AdmissionAttributes = { operation: 'CREATE', group: '', version: 'v1', resource: 'pods', subresource: '', kind: 'Pod', namespace: 'ns', name: 'p', object, dryRun: false };
    await plugin.admit(attrs);
    await assert.rejects(plugin.validate(attrs), (err: unknown) => {
      assert.ok(err instanceof StatusError);
      assert.equal(err.code, 403);
      assert.equal(err.message, 'pods "p" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum memory usage per Container is 1Gi, but limit is 2Gi]');
      return true;
    });
  });
});
