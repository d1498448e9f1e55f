import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type PodDisruptionBudgetCondition, withDisruptionAllowed } from './disruption-allowed.js';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';
const other: PodDisruptionBudgetCondition = { type: 'Other', status: 'True' };

describe('withDisruptionAllowed', () => {
  const cases: { name: string; conds?: PodDisruptionBudgetCondition[]; allowed: number; failure?: string; want: [string, string, string, string] }[] = [
    { name: 'added when absent', conds: [other], allowed: 1, want: ['True', 'SufficientPods', '', T1] },
    { name: 'none allowed', allowed: 0, want: ['False', 'InsufficientPods', '', T1] },
    { name: 'a failed sync allows nothing', allowed: 3, failure: 'found no controllers', want: ['False', 'SyncFailed', 'found no controllers', T1] },
    { name: 'same status keeps its transition time', conds: [{ type: 'DisruptionAllowed', status: 'True', lastTransitionTime: T0 }], allowed: 2, want: ['True', 'SufficientPods', '', T0] },
    { name: 'a flip moves the transition time', conds: [{ type: 'DisruptionAllowed', status: 'True', lastTransitionTime: T0 }], allowed: 0, want: ['False', 'InsufficientPods', '', T1] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const out = withDisruptionAllowed(c.conds, { disruptionsAllowed: c.allowed, observedGeneration: 4 }, T1, c.failure);
      const got = out.find((x) => x.type === 'DisruptionAllowed')!;
      assert.deepEqual([got.status, got.reason, got.message, got.lastTransitionTime], c.want);
      assert.equal(got.observedGeneration, 4);
      assert.equal(out.length, (c.conds ?? []).filter((x) => x.type !== 'DisruptionAllowed').length + 1);
    });
  }
});
