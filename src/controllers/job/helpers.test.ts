import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { remainingBackoffMs } from './backoff.js';
import { podGenerateNameWithIndex } from './controller.js';
import { IndexSet } from './indexes.js';
import type { JobPod } from './job-pod.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import type { PodFailurePolicyRule } from './types.js';

describe('IndexSet', () => {
  const cases: Array<[string, number[], string]> = [
    ['empty', [], ''],
    ['single', [3], '3'],
    ['neighbours print with a comma', [1, 2], '1,2'],
    ['a run of three is a range', [0, 1, 2], '0-2'],
    ['mixed and unsorted', [7, 1, 3, 4, 5, 9, 10], '1,3-5,7,9,10'],
  ];
  for (const [name, input, want] of cases) test(name, () => assert.equal(IndexSet.of(input).toString(), want));
  const parses: Array<[string, string, number, string, number]> = [
    ['round trip', '1,3-5,7', 10, '1,3-5,7', 5],
    ['drops out of range', '1,3-5,9', 5, '1,3,4', 3],
    ['ignores junk', 'a,2,-,4-x', 10, '2', 1],
  ];
  for (const [name, text, completions, want, total] of parses) {
    test(`parse: ${name}`, () => {
      const s = IndexSet.parse(text, completions);
      assert.equal(s.toString(), want);
      assert.equal(s.total(), total);
    });
  }
});

describe('remainingBackoffMs', () => {
  const now = 1_000_000;
  const cases: Array<[string, number, number, number]> = [
    ['no failures', 0, 0, 0],
    ['first failure just now', 1, 0, 10_000],
    ['first failure 4s ago', 1, 4_000, 6_000],
    ['second failure doubles', 2, 0, 20_000],
    ['fourth failure', 4, 0, 80_000],
    ['capped at ten minutes', 20, 0, 600_000],
    ['elapsed beyond the delay', 1, 11_000, 0],
  ];
  for (const [name, failures, ago, want] of cases) {
    test(name, () => assert.equal(remainingBackoffMs({ failuresAfterLastSuccess: failures, lastFailureTime: now - ago }, now), want));
  }
});

describe('podGenerateNameWithIndex', () => {
  test('short names', () => assert.equal(podGenerateNameWithIndex('pi', 3), 'pi-3-'));
  test('long names keep the index', () => {
    const g = podGenerateNameWithIndex('x'.repeat(70), 12);
    assert.equal(g.length, 58);
    assert.ok(g.endsWith('x-12-'));
  });
});

describe('matchPodFailurePolicy', () => {
  const pod = (exitCode: number, conditions: { type: string; status: string }[] = [], container = 'main'): JobPod => ({
    metadata: { name: 'p', namespace: 'ns' },
    status: { phase: 'Failed', conditions, containerStatuses: [{ name: container, state: { terminated: { exitCode } } }] },
  });
  const rules: PodFailurePolicyRule[] = [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1, 2] } },
  ];
  const cases: Array<[string, JobPod, { action?: string; countFailed: boolean; failJobMessage?: string }]> = [
    ['condition matches Ignore', pod(42, [{ type: 'DisruptionTarget', status: 'True' }]), { action: 'Ignore', countFailed: false }],
    ['condition status False does not match', pod(1, [{ type: 'DisruptionTarget', status: 'False' }]), { countFailed: true }],
    ['exit code In', pod(42), { action: 'FailJob', countFailed: true, failJobMessage: 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1' }],
    ['other container name does not match FailJob', pod(42, [], 'side'), { action: 'Count', countFailed: true }],
    ['exit code NotIn', pod(3), { action: 'Count', countFailed: true }],
    ['no rule matches', pod(1), { countFailed: true }],
    ['exit code 0 never matches', pod(0), { countFailed: true }],
  ];
  for (const [name, p, want] of cases) test(name, () => assert.deepEqual(matchPodFailurePolicy({ rules }, p), want));
});
