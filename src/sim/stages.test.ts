import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultStages, matchStage, parseStages, stageDelayMs, type StagePod } from './stages.js';
import { addressIn, podCIDRFor } from './cidr.js';
import { usage } from './usage.js';
import { completedStatus, runningStatus } from './pod-status.js';

const pod = (over: { phase?: string; deleting?: boolean; grace?: number; restartPolicy?: string; ready?: boolean; annotations?: Record<string, string> } = {}): StagePod => ({
  metadata: {
    annotations: over.annotations,
    deletionTimestamp: over.deleting ? '2025-01-01T00:00:00Z' : undefined,
    deletionGracePeriodSeconds: over.grace,
  },
  spec: { restartPolicy: over.restartPolicy },
  status: { phase: over.phase, conditions: over.ready === undefined ? [] : [{ type: 'Ready', status: over.ready ? 'True' : 'False' }] },
});

describe('default stages', () => {
  const cases: { name: string; pod: StagePod; stage: string | undefined; delay?: number }[] = [
    { name: 'new pod starts after the default delay', pod: pod(), stage: 'pod-ready', delay: 100 },
    { name: 'start delay from annotation', pod: pod({ annotations: { 'sim.k8ts.io/start-delay-ms': '2500' } }), stage: 'pod-ready', delay: 2500 },
    { name: 'malformed start delay falls back', pod: pod({ annotations: { 'sim.k8ts.io/start-delay-ms': 'soon' } }), stage: 'pod-ready', delay: 100 },
    { name: 'running Always pod that is ready stays', pod: pod({ phase: 'Running', ready: true }), stage: undefined },
    { name: 'running Never pod completes after 1s', pod: pod({ phase: 'Running', restartPolicy: 'Never', ready: true }), stage: 'pod-complete', delay: 1000 },
    { name: 'run-seconds in seconds', pod: pod({ phase: 'Running', restartPolicy: 'OnFailure', annotations: { 'sim.k8ts.io/run-seconds': '3' } }), stage: 'pod-complete', delay: 3000 },
    { name: 'ready pod scripted unready', pod: pod({ phase: 'Running', ready: true, annotations: { 'sim.k8ts.io/ready': 'false' } }), stage: 'pod-unready', delay: 0 },
    { name: 'unready pod without script becomes ready', pod: pod({ phase: 'Running', ready: false }), stage: 'pod-reready', delay: 0 },
    { name: 'unready pod scripted unready stays', pod: pod({ phase: 'Running', ready: false, annotations: { 'sim.k8ts.io/ready': 'false' } }), stage: undefined },
    { name: 'deleting pod waits its grace period', pod: pod({ phase: 'Running', deleting: true, grace: 0 }), stage: 'pod-delete', delay: 0 },
    { name: 'deleting pod grace is capped', pod: pod({ phase: 'Running', deleting: true, grace: 30 }), stage: 'pod-delete', delay: 1000 },
    { name: 'succeeded pod stays', pod: pod({ phase: 'Succeeded' }), stage: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const s = matchStage(defaultStages, c.pod);
      assert.equal(s?.name, c.stage);
      if (s && c.delay !== undefined) assert.equal(stageDelayMs(s, c.pod), c.delay);
    });
  }
});

describe('parseStages', () => {
  test('accepts a document with stages and applies them in order', () => {
    const r = parseStages({
      stages: [
        { name: 'stuck', selector: { annotations: { fault: 'stuck' }, phases: ['Pending'] }, delay: { ms: 0 }, action: 'readiness' },
        { name: 'boot', selector: { phases: ['Pending'] }, delay: { ms: 5, annotation: 'x', unit: 's', maxMs: 10 }, action: 'running' },
      ],
    });
    assert.ok(r.ok);
    assert.equal(r.stages.length, 2);
    assert.equal(matchStage(r.stages, pod({ annotations: { fault: 'stuck' } }))?.name, 'stuck');
    assert.equal(matchStage(r.stages, pod())?.name, 'boot');
    assert.equal(stageDelayMs(r.stages[1]!, pod({ annotations: { x: '4' } })), 10);
  });
  test('round-trips the default stages', () => {
    const r = parseStages(JSON.parse(JSON.stringify(defaultStages)));
    assert.ok(r.ok);
    assert.deepEqual(r.stages, defaultStages);
  });
  const bad: { name: string; doc: unknown; error: string }[] = [
    { name: 'not a list', doc: { stages: 3 }, error: 'stages: expected a list' },
    { name: 'unknown field', doc: [{ name: 'a', action: 'delete', delay: { ms: 0 }, selctor: {} }], error: 'stages[0]: unknown field "selctor"' },
    { name: 'unknown action', doc: [{ name: 'a', action: 'explode', delay: { ms: 0 } }], error: 'stages[0].action: must be one of running, completed, readiness, delete' },
    { name: 'duplicate name', doc: [{ name: 'a', action: 'delete', delay: { ms: 0 } }, { name: 'a', action: 'delete', delay: { ms: 0 } }], error: 'stages[1].name: duplicate stage "a"' },
    { name: 'bad phase', doc: [{ name: 'a', action: 'delete', delay: { ms: 0 }, selector: { phases: ['Done'] } }], error: 'stages[0].selector.phases: expected a list of Pending, Running, Succeeded, Failed, Unknown' },
    { name: 'negative delay', doc: [{ name: 'a', action: 'delete', delay: { ms: -1 } }], error: 'stages[0].delay.ms: required, a number >= 0' },
    { name: 'bad unit', doc: [{ name: 'a', action: 'delete', delay: { ms: 1, unit: 'h' } }], error: 'stages[0].delay.unit: must be "ms" or "s"' },
  ];
  for (const c of bad) {
    test(`refuses ${c.name}`, () => {
      const r = parseStages(c.doc);
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.errors.includes(c.error), r.errors.join('; '));
    });
  }
});

describe('cidr', () => {
  const cases: { name: string; got: string | undefined; want: string | undefined }[] = [
    { name: 'first /24', got: podCIDRFor('10.244.0.0/16', 0), want: '10.244.0.0/24' },
    { name: 'index 300 of a /12', got: podCIDRFor('10.240.0.0/12', 300), want: '10.241.44.0/24' },
    { name: 'past the range', got: podCIDRFor('10.244.0.0/16', 256), want: undefined },
    { name: 'too small a range', got: podCIDRFor('10.0.0.0/25', 0), want: undefined },
    { name: 'malformed', got: podCIDRFor('10.0.0/16', 0), want: undefined },
    { name: 'host bits ignored', got: podCIDRFor('10.244.3.7/16', 1), want: '10.244.1.0/24' },
    { name: 'address in /24', got: addressIn('10.244.5.0/24', 2), want: '10.244.5.2' },
    { name: 'address past /24', got: addressIn('10.244.5.0/24', 256), want: undefined },
  ];
  for (const c of cases) test(c.name, () => assert.equal(c.got, c.want));
});

describe('usage', () => {
  const cases: { name: string; ann: Record<string, string> | undefined; want: { cpuMilli: number; memoryBytes: number } }[] = [
    { name: 'none', ann: undefined, want: { cpuMilli: 0, memoryBytes: 0 } },
    { name: 'millicores and Mi', ann: { 'sim.k8ts.io/cpu-usage': '250m', 'sim.k8ts.io/memory-usage': '64Mi' }, want: { cpuMilli: 250, memoryBytes: 64 * 1024 * 1024 } },
    { name: 'whole cores', ann: { 'sim.k8ts.io/cpu-usage': '2' }, want: { cpuMilli: 2000, memoryBytes: 0 } },
    { name: 'malformed is zero', ann: { 'sim.k8ts.io/cpu-usage': 'lots' }, want: { cpuMilli: 0, memoryBytes: 0 } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(usage({ metadata: { annotations: c.ann } }), c.want));
});

describe('pod statuses', () => {
  const base = { metadata: { name: 'p', uid: 'u1', annotations: {} as Record<string, string> }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
  test('running is ready unless scripted', () => {
    const s = runningStatus(base, { podIP: '10.244.0.2', hostIP: '172.18.0.2', now: 'T' });
    assert.equal(s.phase, 'Running');
    assert.equal(s.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.deepEqual(s.containerStatuses?.[0]?.state, { running: { startedAt: 'T' } });
    const u = runningStatus({ ...base, metadata: { ...base.metadata, annotations: { 'sim.k8ts.io/ready': 'false' } } }, { podIP: 'x', hostIP: 'y', now: 'T' });
    assert.equal(u.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  });
  test('completed phase follows the exit code', () => {
    assert.equal(completedStatus(base, { now: 'T' }).phase, 'Succeeded');
    const f = completedStatus({ ...base, metadata: { ...base.metadata, annotations: { 'sim.k8ts.io/exit-code': '3' } } }, { now: 'T' });
    assert.equal(f.phase, 'Failed');
    assert.equal(f.containerStatuses?.[0]?.state.terminated?.exitCode, 3);
    assert.equal(f.containerStatuses?.[0]?.state.terminated?.reason, 'Error');
  });
});
