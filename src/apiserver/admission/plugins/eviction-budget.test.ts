import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../machinery/errors/status-error.js';
import { type PodDisruptionBudget, budgetsFor, canIgnoreBudget, takeDisruption } from './eviction-budget.js';

const NOW = Date.parse('2024-01-01T00:00:00Z');

function pdb(status: PodDisruptionBudget['status'], generation = 1): PodDisruptionBudget {
  return { metadata: { name: 'web', namespace: 'ns', generation }, spec: { selector: { matchLabels: { app: 'web' } } }, status };
}

describe('eviction against a disruption budget', () => {
  test('takes one disruption and remembers the pod', () => {
    const next = takeDisruption(pdb({ disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1, observedGeneration: 1 }), 'p', NOW);
    assert.equal(next.status?.disruptionsAllowed, 1);
    assert.deepEqual(next.status?.disruptedPods, { p: '2024-01-01T00:00:00Z' });
    assert.equal(next.status?.conditions, undefined);
  });

  test('the last disruption turns DisruptionAllowed False', () => {
    const next = takeDisruption(pdb({ disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, observedGeneration: 1, conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' }] }), 'p', NOW);
    assert.deepEqual(next.status?.conditions?.map((c) => [c.status, c.reason]), [['False', 'InsufficientPods']]);
  });

  const refusals: { name: string; budget: PodDisruptionBudget; code: number; cause?: string }[] = [
    { name: 'nothing allowed', budget: pdb({ disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, observedGeneration: 1 }), code: 429, cause: 'The disruption budget web needs 2 healthy pods and has 2 currently' },
    { name: 'status older than the spec', budget: pdb({ disruptionsAllowed: 5, observedGeneration: 1 }, 2), code: 429, cause: 'The disruption budget web is still being processed by the server.' },
    { name: 'negative allowance', budget: pdb({ disruptionsAllowed: -1, observedGeneration: 1 }), code: 403 },
  ];
  for (const c of refusals) {
    test(`refuses: ${c.name}`, () => {
      assert.throws(() => takeDisruption(c.budget, 'p', NOW), (err: unknown) => {
        assert.ok(err instanceof StatusError);
        assert.equal(err.code, c.code);
        if (c.code === 429) {
          assert.equal(err.reason, 'TooManyRequests');
          assert.equal(err.message, "Cannot evict pod as it would violate the pod's disruption budget.");
          assert.deepEqual(err.details?.causes, [{ reason: 'DisruptionBudget', message: c.cause }]);
        }
        return true;
      });
    });
  }

  const ignorable: { name: string; pod: Parameters<typeof canIgnoreBudget>[0]; want: boolean }[] = [
    { name: 'running pod', pod: { metadata: {}, status: { phase: 'Running' } }, want: false },
    { name: 'pending pod', pod: { metadata: {}, status: { phase: 'Pending' } }, want: true },
    { name: 'finished pod', pod: { metadata: {}, status: { phase: 'Failed' } }, want: true },
    { name: 'pod being deleted', pod: { metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' }, status: { phase: 'Running' } }, want: true },
  ];
  for (const c of ignorable) test(`budget ignorable: ${c.name}`, () => assert.equal(canIgnoreBudget(c.pod), c.want));

  test('an empty selector governs nothing', () => {
    const pod = { metadata: { labels: { app: 'web' } } };
    const empty: PodDisruptionBudget = { metadata: { name: 'all' }, spec: { selector: {} } };
    assert.deepEqual(budgetsFor(pod, [empty, pdb({})]).map((b) => b.metadata.name), ['web']);
  });
});
