import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText, type FieldError } from '../../../machinery/errors/field.js';
import { defaultCronJob, defaultJob, generateJobSelector } from './defaults.js';
import type { CronJobT, JobT } from './types.js';
import { parseIndexes, validateCronJob, validateCronJobUpdate, validateJob, validateJobStatusUpdate, validateJobUpdate } from './validation.js';

const texts = (errs: FieldError[]) => errs.map(fieldErrorText);
const UID = '0f7c6b1e-1111-4a2b-9c3d-000000000001';

/** A Job as the server would hold it after defaulting and selector generation on create. */
function job(mut?: (j: JobT) => void, opts: { generate?: boolean } = {}): JobT {
  const j: JobT = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: UID },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } },
  };
  mut?.(j);
  defaultJob(j);
  if (opts.generate !== false) generateJobSelector(j);
  return j;
}

function cronJob(mut?: (c: CronJobT) => void): CronJobT {
  const c: CronJobT = {
    metadata: { name: 'hello' },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } },
  };
  mut?.(c);
  defaultCronJob(c);
  return c;
}

describe('batch/v1 defaults', () => {
  test('Job gets completions/parallelism 1, backoffLimit 6, NonIndexed, suspend false, TerminatingOrFailed', () => {
    const s = job().spec!;
    assert.equal(s.completions, 1);
    assert.equal(s.parallelism, 1);
    assert.equal(s.backoffLimit, 6);
    assert.equal(s.completionMode, 'NonIndexed');
    assert.equal(s.suspend, false);
    assert.equal(s.podReplacementPolicy, 'TerminatingOrFailed');
    assert.equal(s.manualSelector, undefined);
    assert.equal(s.template!.spec!.containers[0]!.imagePullPolicy, 'Always');
  });

  test('Job with parallelism only keeps completions unset', () => {
    const s = job((j) => (j.spec!.parallelism = 3)).spec!;
    assert.equal(s.completions, undefined);
    assert.equal(s.parallelism, 3);
  });

  test('Job with podFailurePolicy defaults to Failed replacement and True condition status', () => {
    const s = job((j) => (j.spec!.podFailurePolicy = { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' } as never] }] })).spec!;
    assert.equal(s.podReplacementPolicy, 'Failed');
    assert.equal(s.podFailurePolicy!.rules[0]!.onPodConditions![0]!.status, 'True');
  });

  test('Job with backoffLimitPerIndex defaults backoffLimit to MaxInt32', () => {
    assert.equal(job((j) => Object.assign(j.spec!, { completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 1 })).spec!.backoffLimit, 2147483647);
  });

  test('Job takes its template labels when it has none', () => {
    const j = job((x) => (x.spec!.template!.metadata = { labels: { app: 'pi' } }), { generate: false });
    assert.deepEqual(j.metadata!.labels, { app: 'pi' });
  });

  test('generateJobSelector labels the template and selects on the uid', () => {
    const j = job();
    assert.deepEqual(j.spec!.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': UID } });
    assert.deepEqual(j.spec!.template!.metadata!.labels, {
      'job-name': 'pi',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': UID,
      'batch.kubernetes.io/controller-uid': UID,
    });
  });

  test('generateJobSelector leaves manual selectors alone', () => {
    const j = job((x) => Object.assign(x.spec!, { manualSelector: true, selector: { matchLabels: { a: 'b' } } }));
    assert.deepEqual(j.spec!.selector, { matchLabels: { a: 'b' } });
    assert.equal(j.spec!.template!.metadata, undefined);
  });

  test('CronJob gets Allow, suspend false, history 3/1 and job template defaults', () => {
    const s = cronJob().spec!;
    assert.equal(s.concurrencyPolicy, 'Allow');
    assert.equal(s.suspend, false);
    assert.equal(s.successfulJobsHistoryLimit, 3);
    assert.equal(s.failedJobsHistoryLimit, 1);
    assert.equal(s.jobTemplate.spec!.backoffLimit, 6);
  });
});

describe('batch/v1 validation: valid objects pass', () => {
  const cases: [string, () => FieldError[]][] = [
    ['Job', () => validateJob(job())],
    ['Indexed Job', () => validateJob(job((j) => Object.assign(j.spec!, { completionMode: 'Indexed', completions: 5, parallelism: 2 })))],
    ['Job with manual selector', () => validateJob(job((j) => Object.assign(j.spec!, { manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: { ...j.spec!.template, metadata: { labels: { a: 'b' } } } })))],
    ['Job with podFailurePolicy', () => validateJob(job((j) => (j.spec!.podFailurePolicy = { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [1, 2] } }] })))],
    ['CronJob', () => validateCronJob(cronJob())],
    ['CronJob with timeZone', () => validateCronJob(cronJob((c) => (c.spec!.timeZone = 'Europe/Berlin')))],
  ];
  for (const [name, run] of cases) test(name, () => assert.deepEqual(texts(run()), []));
});

describe('batch/v1 validation: invalid objects', () => {
  const cases: [string, () => FieldError[], string][] = [
    [
      'restartPolicy Always',
      () => validateJob(job((j) => (j.spec!.template!.spec!.restartPolicy = 'Always'))),
      'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ],
    [
      'restartPolicy OnFailure with podFailurePolicy',
      () =>
        validateJob(
          job((j) => {
            j.spec!.podFailurePolicy = { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } }] };
            j.spec!.template!.spec!.restartPolicy = 'OnFailure';
          }),
        ),
      'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
    ],
    ['negative parallelism', () => validateJob(job((j) => (j.spec!.parallelism = -1))), 'spec.parallelism: Invalid value: -1: must be greater than or equal to 0'],
    ['negative backoffLimit', () => validateJob(job((j) => (j.spec!.backoffLimit = -1))), 'spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0'],
    ['Indexed without completions', () => validateJob(job((j) => Object.assign(j.spec!, { completionMode: 'Indexed', parallelism: 2 }))), 'spec.completions: Required value: when completion mode is Indexed'],
    [
      'unknown completionMode',
      () => validateJob(job((j) => (j.spec!.completionMode = 'Sometimes' as never))),
      'spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"',
    ],
    ['backoffLimitPerIndex on NonIndexed', () => validateJob(job((j) => (j.spec!.backoffLimitPerIndex = 1))), 'spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode'],
    [
      'maxFailedIndexes without backoffLimitPerIndex',
      () => validateJob(job((j) => Object.assign(j.spec!, { completionMode: 'Indexed', completions: 3, maxFailedIndexes: 1 }))),
      'spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified',
    ],
    [
      'podReplacementPolicy TerminatingOrFailed with podFailurePolicy',
      () => validateJob(job((j) => Object.assign(j.spec!, { podReplacementPolicy: 'TerminatingOrFailed', podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } }] } }))),
      'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"',
    ],
    [
      'podFailurePolicy exit code 0 with In',
      () => validateJob(job((j) => (j.spec!.podFailurePolicy = { rules: [{ action: 'Count', onExitCodes: { operator: 'In', values: [0] } }] }))),
      'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
    ],
    [
      'podFailurePolicy rule without requirement',
      () => validateJob(job((j) => (j.spec!.podFailurePolicy = { rules: [{ action: 'Count' }] }))),
      'spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required',
    ],
    [
      'podFailurePolicy unknown container',
      () => validateJob(job((j) => (j.spec!.podFailurePolicy = { rules: [{ action: 'Count', onExitCodes: { containerName: 'nope', operator: 'NotIn', values: [0] } }] }))),
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "nope": must be one of the container or initContainer names in the pod template',
    ],
    [
      'successPolicy on NonIndexed',
      () => validateJob(job((j) => (j.spec!.successPolicy = { rules: [{ succeededCount: 1 }] }))),
      'spec.successPolicy: Invalid value: {"rules":[{"succeededCount":1}]}: requires indexed completion mode',
    ],
    [
      'successPolicy count above completions',
      () => validateJob(job((j) => Object.assign(j.spec!, { completionMode: 'Indexed', completions: 3, successPolicy: { rules: [{ succeededCount: 4 }] } }))),
      'spec.successPolicy.rules[0].succeededCount: Invalid value: 4: must be less than or equal to 3 (the number of specified completions)',
    ],
    [
      'generated label tampered with',
      () => {
        const j = job();
        j.spec!.template!.metadata!.labels!['controller-uid'] = 'other';
        return validateJob(j);
      },
      "spec.template.metadata.labels[controller-uid]: Invalid value: {\"job-name\":\"pi\",\"batch.kubernetes.io/job-name\":\"pi\",\"controller-uid\":\"other\",\"batch.kubernetes.io/controller-uid\":\"" + UID + "\"}: must be '" + UID + "'",
    ],
    [
      'selector not generated',
      () => {
        const j = job();
        j.spec!.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'x' } };
        return validateJob(j);
      },
      'spec.selector: Invalid value: {"matchLabels":{"batch.kubernetes.io/controller-uid":"x"}}: `selector` not auto-generated',
    ],
    ['missing selector', () => validateJob(job(undefined, { generate: false })), 'spec.selector: Required value'],
    [
      'indexed pod hostname too long',
      () =>
        validateJob(
          job((j) => {
            Object.assign(j.spec!, { completionMode: 'Indexed', completions: 100 });
            j.metadata!.name = 'x'.repeat(62);
          }),
        ),
      `metadata.name: Invalid value: "${'x'.repeat(62)}": will not able to create pod with invalid DNS label: ${'x'.repeat(62)}-99`,
    ],
    ['cronjob empty schedule', () => validateCronJob(cronJob((c) => (c.spec!.schedule = ''))), 'spec.schedule: Required value'],
    ['cronjob bad schedule', () => validateCronJob(cronJob((c) => (c.spec!.schedule = '61 * * * *'))), 'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'],
    [
      'cronjob TZ in schedule',
      () => validateCronJob(cronJob((c) => (c.spec!.schedule = 'TZ=UTC 0 0 * * *'))),
      'spec.schedule: Invalid value: "TZ=UTC 0 0 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ],
    ['cronjob unknown timeZone', () => validateCronJob(cronJob((c) => (c.spec!.timeZone = 'Mars/Olympus'))), 'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'],
    [
      'cronjob Local timeZone',
      () => validateCronJob(cronJob((c) => (c.spec!.timeZone = 'Local'))),
      'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
    ],
    ['cronjob empty timeZone', () => validateCronJob(cronJob((c) => (c.spec!.timeZone = ''))), 'spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string'],
    [
      'cronjob bad concurrencyPolicy',
      () => validateCronJob(cronJob((c) => (c.spec!.concurrencyPolicy = 'Sometimes' as never))),
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    ],
    [
      'cronjob restartPolicy Always',
      () => validateCronJob(cronJob((c) => (c.spec!.jobTemplate.spec!.template!.spec!.restartPolicy = 'Always'))),
      'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ],
    [
      'cronjob with a job selector',
      () => validateCronJob(cronJob((c) => (c.spec!.jobTemplate.spec!.selector = { matchLabels: { a: 'b' } }))),
      'spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: `selector` will be auto-generated',
    ],
    ['cronjob name too long', () => validateCronJob(cronJob((c) => (c.metadata!.name = 'c'.repeat(53)))), `metadata.name: Invalid value: "${'c'.repeat(53)}": must be no more than 52 characters`],
    ['cronjob negative history', () => validateCronJob(cronJob((c) => (c.spec!.failedJobsHistoryLimit = -1))), 'spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0'],
  ];
  for (const [name, run, want] of cases) {
    test(name, () => assert.ok(texts(run()).includes(want), `want ${want}\n got ${JSON.stringify(texts(run()), null, 1)}`));
  }
});

describe('batch/v1 update validation', () => {
  const jobUpdates: [string, (j: JobT) => void, string | undefined][] = [
    ['parallelism may change', (j) => (j.spec!.parallelism = 4), undefined],
    ['activeDeadlineSeconds may change', (j) => (j.spec!.activeDeadlineSeconds = 60), undefined],
    ['suspend may change', (j) => (j.spec!.suspend = true), undefined],
    ['completions are immutable', (j) => (j.spec!.completions = 3), 'spec.completions: Invalid value: 3: field is immutable'],
    ['completionMode is immutable', (j) => Object.assign(j.spec!, { completionMode: 'Indexed' }), 'spec.completionMode: Invalid value: "Indexed": field is immutable'],
    ['template is immutable', (j) => (j.spec!.template!.spec!.containers[0]!.image = 'perl:2'), 'spec.template: Invalid value'],
  ];
  for (const [name, mut, want] of jobUpdates) {
    test(name, () => {
      const old = job();
      const next = structuredClone(old);
      mut(next);
      const got = texts(validateJobUpdate(next, old));
      if (want === undefined) assert.deepEqual(got, []);
      else assert.ok(got.some((t) => t.startsWith(want)), JSON.stringify(got));
    });
  }

  test('indexed completions change in tandem with parallelism', () => {
    const old = job((j) => Object.assign(j.spec!, { completionMode: 'Indexed', completions: 3, parallelism: 3 }));
    const ok = structuredClone(old);
    Object.assign(ok.spec!, { completions: 5, parallelism: 5 });
    assert.deepEqual(texts(validateJobUpdate(ok, old)), []);
    const bad = structuredClone(old);
    bad.spec!.completions = 5;
    assert.ok(texts(validateJobUpdate(bad, old)).includes('spec.completions: Invalid value: 5: can only be modified in tandem with spec.parallelism'));
  });

  test('a suspended job that never started may change scheduling directives only', () => {
    const old = job((j) => (j.spec!.suspend = true));
    const next = structuredClone(old);
    next.spec!.template!.spec!.nodeSelector = { zone: 'a' };
    next.spec!.template!.metadata!.labels!.extra = 'x';
    assert.deepEqual(texts(validateJobUpdate(next, old)), []);
    next.spec!.template!.spec!.containers[0]!.image = 'other';
    assert.ok(texts(validateJobUpdate(next, old)).some((t) => t.startsWith('spec.template: Invalid value')));
  });

  test('status counters may not decrease and terminal conditions stay', () => {
    const old = job((j) => (j.status = { succeeded: 2, conditions: [{ type: 'Complete', status: 'True' }] }));
    const next = structuredClone(old);
    next.status = { succeeded: 1 };
    const got = texts(validateJobStatusUpdate(next, old));
    assert.ok(got.includes('status.succeeded: Invalid value: 1: cannot decrease the succeeded counter'), JSON.stringify(got));
    assert.ok(got.includes('status.conditions: Invalid value: cannot disable the terminal Complete=True condition'), JSON.stringify(got));
  });

  test('cronjob may keep a legacy TZ schedule on update but not add a timeZone too', () => {
    const old = cronJob();
    old.spec!.schedule = 'TZ=UTC 0 0 * * *';
    const same = structuredClone(old);
    same.spec!.suspend = true;
    assert.deepEqual(texts(validateCronJobUpdate(same, old)), []);
    const both = structuredClone(old);
    both.spec!.timeZone = 'UTC';
    assert.ok(texts(validateCronJobUpdate(both, old)).includes('spec.schedule: Invalid value: "TZ=UTC 0 0 * * *": cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  });
});

describe('parseIndexes', () => {
  const cases: [string, number, number | string][] = [
    ['', 5, 0],
    ['0,2-4', 5, 4],
    ['1-1', 5, 'non-increasing order, previous: 1, current: 1'],
    ['3,1', 5, 'non-increasing order, previous: 3, current: 1'],
    ['7', 5, 'too large index: "7"'],
    ['a', 5, 'cannot convert string to integer for index: "a"'],
  ];
  for (const [text, completions, want] of cases) {
    test(JSON.stringify(text), () => {
      const r = parseIndexes(text, completions);
      assert.equal(r.ok ? r.total : r.error, want);
    });
  }
});
