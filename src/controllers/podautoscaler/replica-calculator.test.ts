import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Pod } from '../framework/pods.js';
import { type PodMetricsInfo, calculatePodRequests, defaultReplicaCalculatorOptions, rawResourceReplicas, resourceReplicas } from './replica-calculator.js';

const NOW = Date.parse('2025-01-01T01:00:00Z');
const LONG_AGO = '2025-01-01T00:00:00Z';

interface PodCase {
  /** Usage in millicores; undefined = no metrics. */
  usage?: number;
  request?: string;
  phase?: string;
  ready?: 'True' | 'False';
  deleting?: boolean;
  /** Start and readiness transition (default: an hour ago, past the cpu initialization period). */
  startedAt?: string;
  readySince?: string;
}

function build(cases: PodCase[]): { pods: Pod[]; metrics: PodMetricsInfo } {
  const metrics: PodMetricsInfo = new Map();
  const pods = cases.map((c, i): Pod => {
    const name = `p${i}`;
    if (c.usage !== undefined) metrics.set(name, { value: c.usage, timestamp: NOW - 5000, windowMs: 10_000 });
    return {
      metadata: { name, namespace: 'ns', labels: { app: 'a' }, deletionTimestamp: c.deleting ? LONG_AGO : undefined },
      spec: { containers: [{ name: 'c', resources: c.request === '' ? {} : { requests: { cpu: c.request ?? '1', memory: '1Gi' } } }] },
      status: {
        phase: c.phase ?? 'Running',
        startTime: c.startedAt ?? LONG_AGO,
        conditions: [{ type: 'Ready', status: c.ready ?? 'True', lastTransitionTime: c.readySince ?? c.startedAt ?? LONG_AGO }],
      },
    };
  });
  return { pods, metrics };
}

const opts = defaultReplicaCalculatorOptions;

describe('resourceReplicas (Utilization targets)', () => {
  const cases: { name: string; current: number; target: number; pods: PodCase[]; resource?: string; want: { replicas: number; utilization: number } | { error: string } }[] = [
    { name: 'scale up', current: 3, target: 30, pods: [{ usage: 300 }, { usage: 500 }, { usage: 700 }], want: { replicas: 5, utilization: 50 } },
    { name: 'scale down', current: 5, target: 50, pods: [{ usage: 100 }, { usage: 300 }, { usage: 500 }, { usage: 250 }, { usage: 250 }], want: { replicas: 3, utilization: 28 } },
    { name: 'within tolerance keeps the current count', current: 3, target: 100, pods: [{ usage: 1010 }, { usage: 1030 }, { usage: 1020 }], want: { replicas: 3, utilization: 102 } },
    { name: 'unready pods count as 0 on a scale up', current: 3, target: 30, pods: [{ usage: 300, ready: 'False', startedAt: '2025-01-01T00:58:00Z' }, { usage: 500 }, { usage: 700 }], want: { replicas: 4, utilization: 60 } },
    { name: 'pending pods count as unready', current: 3, target: 30, pods: [{ phase: 'Pending' }, { usage: 500 }, { usage: 700 }], want: { replicas: 4, utilization: 60 } },
    { name: 'a sample from before readiness plus one window is unready', current: 3, target: 30, pods: [{ usage: 300, startedAt: '2025-01-01T00:59:40Z', readySince: '2025-01-01T00:59:55Z' }, { usage: 500 }, { usage: 700 }], want: { replicas: 4, utilization: 60 } },
    { name: 'missing pods count as 0 on a scale up', current: 4, target: 50, pods: [{ usage: 1000 }, { usage: 1000 }, { usage: 1000 }, {}], want: { replicas: 6, utilization: 100 } },
    { name: 'missing pods count as their request on a scale down', current: 4, target: 50, pods: [{ usage: 100 }, { usage: 100 }, { usage: 100 }, {}], want: { replicas: 3, utilization: 10 } },
    { name: 'unready pods that would reverse the direction keep the count', current: 2, target: 50, pods: [{ usage: 600 }, { usage: 100, ready: 'False', startedAt: '2025-01-01T00:59:00Z' }], want: { replicas: 2, utilization: 60 } },
    { name: 'deleted and failed pods are ignored', current: 3, target: 50, pods: [{ usage: 1000 }, { usage: 5000, deleting: true }, { usage: 5000, phase: 'Failed' }], want: { replicas: 2, utilization: 100 } },
    { name: 'no pods', current: 1, target: 50, pods: [], want: { error: 'no pods returned by selector while calculating replica count' } },
    { name: 'every pod unready', current: 2, target: 50, pods: [{ phase: 'Pending' }, { usage: 100, ready: 'False', startedAt: '2025-01-01T00:59:00Z' }], want: { error: 'did not receive metrics for targeted pods (pods might be unready)' } },
    { name: 'a container without a request', current: 1, target: 50, pods: [{ usage: 100, request: '' }], want: { error: 'missing request for cpu in container c of Pod p0' } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const { pods, metrics } = build(c.pods);
      const got = resourceReplicas({ currentReplicas: c.current, resource: c.resource ?? 'cpu', pods, metrics, timestamp: NOW, now: NOW, opts, targetUtilization: c.target });
      if ('error' in c.want) {
        assert.deepEqual(got, { ok: false, message: c.want.error });
        return;
      }
      assert.equal(got.ok, true, JSON.stringify(got));
      if (!got.ok) return;
      assert.equal(got.replicas, c.want.replicas);
      assert.equal(got.utilization, c.want.utilization);
    });
  }

  test('memory samples of unready pods still count', () => {
    const { pods } = build([{ ready: 'False', startedAt: '2025-01-01T00:59:00Z' }, {}]);
    const gi = 1024 ** 3 * 1000;
    const metrics: PodMetricsInfo = new Map([
      ['p0', { value: gi, timestamp: NOW, windowMs: 10_000 }],
      ['p1', { value: gi, timestamp: NOW, windowMs: 10_000 }],
    ]);
    const got = resourceReplicas({ currentReplicas: 2, resource: 'memory', pods, metrics, timestamp: NOW, now: NOW, opts, targetUtilization: 50 });
    assert.deepEqual(got.ok && [got.replicas, got.utilization], [4, 100]);
  });

  test('the input metrics are left untouched', () => {
    const { pods, metrics } = build([{ usage: 1000 }, {}]);
    resourceReplicas({ currentReplicas: 2, resource: 'cpu', pods, metrics, timestamp: NOW, now: NOW, opts, targetUtilization: 50 });
    assert.deepEqual([...metrics.keys()], ['p0']);
  });
});

describe('rawResourceReplicas (AverageValue targets)', () => {
  const cases: { name: string; current: number; target: number; pods: PodCase[]; want: { replicas: number; usage: number } }[] = [
    { name: 'scale up', current: 3, target: 100, pods: [{ usage: 100 }, { usage: 200 }, { usage: 300 }], want: { replicas: 6, usage: 200 } },
    { name: 'scale down', current: 4, target: 400, pods: [{ usage: 100 }, { usage: 100 }, { usage: 100 }, { usage: 100 }], want: { replicas: 1, usage: 100 } },
    { name: 'tolerance', current: 2, target: 100, pods: [{ usage: 105 }, { usage: 105 }], want: { replicas: 2, usage: 105 } },
    { name: 'missing pods use the target on a scale down', current: 3, target: 400, pods: [{ usage: 100 }, { usage: 100 }, {}], want: { replicas: 2, usage: 100 } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const { pods, metrics } = build(c.pods);
      const got = rawResourceReplicas({ currentReplicas: c.current, resource: 'cpu', pods, metrics, timestamp: NOW, now: NOW, opts, targetUsage: c.target });
      assert.deepEqual(got.ok && [got.replicas, got.rawUsage], [c.want.replicas, c.want.usage]);
    });
  }
});

describe('calculatePodRequests', () => {
  test('sums containers and sidecar init containers, or one named container', () => {
    const pod: Pod = {
      metadata: { name: 'p' },
      spec: {
        containers: [
          { name: 'a', resources: { requests: { cpu: '100m' } } },
          { name: 'b', resources: { requests: { cpu: '250m' } } },
        ],
        initContainers: [
          { name: 'sidecar', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } },
          { name: 'once', resources: {} },
        ],
      },
    };
    assert.deepEqual(calculatePodRequests([pod], 'cpu'), { ok: true, requests: new Map([['p', 400]]) });
    assert.deepEqual(calculatePodRequests([pod], 'cpu', 'b'), { ok: true, requests: new Map([['p', 250]]) });
  });
});
