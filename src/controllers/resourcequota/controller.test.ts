import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeQuotaStatus } from './controller.js';
import { type ResourceQuota, evaluatorFor } from '../../api/quota/evaluator.js';

const NOW = Date.parse('2024-01-01T00:00:00Z');

const pod = (cpu: string, phase = 'Running', activeDeadlineSeconds?: number) => ({
  metadata: {},
  spec: { ...(activeDeadlineSeconds ? { activeDeadlineSeconds } : {}), containers: [{ name: 'a', resources: { requests: { cpu }, limits: { cpu } } }] },
  status: { phase },
});

function quota(hard: Record<string, string>, extra: Partial<NonNullable<ResourceQuota['spec']>> = {}, used?: Record<string, string>): ResourceQuota {
  return { metadata: { name: 'q', namespace: 'ns' }, spec: { hard, ...extra }, ...(used ? { status: { hard, used } } : {}) };
}

describe('quota status from the objects in the namespace', () => {
  const pods = [pod('100m'), pod('250m'), pod('1', 'Succeeded'), pod('500m', 'Running', 30)];
  const cases: { name: string; quota: ResourceQuota; objects: Record<string, unknown[] | undefined>; want: Record<string, string> }[] = [
    {
      name: 'pods and compute, finished pods excluded',
      quota: quota({ pods: '10', 'requests.cpu': '4', 'limits.cpu': '4', 'count/pods': '20' }),
      objects: { pods },
      want: { 'count/pods': '4', 'limits.cpu': '850m', pods: '3', 'requests.cpu': '850m' },
    },
    { name: 'a Terminating scope counts only pods with a deadline', quota: quota({ pods: '10' }, { scopes: ['Terminating'] }), objects: { pods }, want: { pods: '1' } },
    { name: 'nothing to count is zero', quota: quota({ pods: '10', configmaps: '5' }), objects: { pods: [], configmaps: [] }, want: { configmaps: '0', pods: '0' } },
    {
      name: 'an unknown kind keeps the earlier observation',
      quota: quota({ 'count/widgets.example.com': '3' }, {}, { 'count/widgets.example.com': '2' }),
      objects: { widgets: undefined },
      want: { 'count/widgets.example.com': '2' },
    },
  ];
  const groups: Record<string, string> = { widgets: 'example.com' };
  for (const c of cases) {
    test(c.name, () => {
      const evaluators = Object.entries(c.objects).map(([resource, objects]) => ({ evaluator: evaluatorFor(groups[resource] ?? '', resource), objects }));
      const status = computeQuotaStatus(c.quota, evaluators, NOW);
      assert.deepEqual(status.used, c.want);
      assert.deepEqual(status.hard, c.quota.spec?.hard);
    });
  }
});
