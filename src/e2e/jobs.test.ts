/**
 * Jobs and CronJobs on simulated nodes, driven by the real kubectl: a Job
 * runs its completions with bounded parallelism, a failing one stops at its
 * backoffLimit, an Indexed one gives each pod its index, a finished Job with
 * a TTL disappears, and a CronJob fires on its own every minute as well as
 * through `kubectl create job --from=cronjob/…`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { applyObjects, ensureNamespace, parseTable, pollUntil } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

function job(name: string, spec: Record<string, unknown>, podAnnotations: Record<string, string> = {}): object {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      ...spec,
      template: {
        metadata: { annotations: { 'sim.k8ts.io/run-seconds': '1', ...podAnnotations } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
      },
    },
  };
}

interface PodView {
  name: string;
  phase: string;
  deleting: boolean;
  index?: string;
  hostname?: string;
}

describe('Jobs and CronJobs through kubectl', { skip }, () => {
  let s: TestServer;

  const pods = async (ns: string, selector: string): Promise<PodView[]> => {
    const out = await s.k(['get', 'pods', '-n', ns, '-l', selector, '-o', 'json']);
    const list = JSON.parse(out) as { items: { metadata: { name: string; deletionTimestamp?: string; annotations?: Record<string, string> }; spec: { hostname?: string }; status?: { phase?: string } }[] };
    return list.items.map((p) => ({
      name: p.metadata.name,
      phase: p.status?.phase ?? 'Pending',
      deleting: !!p.metadata.deletionTimestamp,
      index: p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'],
      hostname: p.spec.hostname,
    }));
  };

  before(async () => {
    s = await TestServer.start({ args: ['--sim-nodes', '3'] });
    // Created first so its first scheduled run (at most a minute away) happens while the other tests run.
    await ensureNamespace(s, 'cron');
    await applyObjects(s, [{
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick' },
      spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } } } },
    }], { namespace: 'cron' });
  });

  after(async () => {
    await s?.stop();
  });

  test('completions 5 with parallelism 2 completes, never running more than 2 pods at once', async () => {
    await ensureNamespace(s, 'par');
    await applyObjects(s, [job('five', { completions: 5, parallelism: 2 })], { namespace: 'par' });
    const waiting = s.kubectl(['wait', '-n', 'par', '--for=condition=complete', 'job/five', '--timeout=45s']);
    let maxActive = 0;
    let done = false;
    void waiting.then(() => (done = true));
    while (!done) {
      const active = (await pods('par', 'batch.kubernetes.io/job-name=five')).filter((p) => !p.deleting && (p.phase === 'Pending' || p.phase === 'Running'));
      maxActive = Math.max(maxActive, active.length);
      await new Promise((r) => setTimeout(r, 150));
    }
    const r = await waiting;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'job.batch/five condition met');
    assert.ok(maxActive >= 1 && maxActive <= 2, `at most 2 active pods, saw ${maxActive}`);
    const [row] = parseTable(await s.k(['get', 'job', 'five', '-n', 'par']));
    assert.equal(row!.STATUS, 'Complete');
    assert.equal(row!.COMPLETIONS, '5/5');
    const all = await pods('par', 'batch.kubernetes.io/job-name=five');
    assert.equal(all.filter((p) => p.phase === 'Succeeded').length, 5);
    const conds = await s.k(['get', 'job', 'five', '-n', 'par', '-o', 'jsonpath={range .status.conditions[*]}{.type}={.status} {end}']);
    assert.equal(conds.trim(), 'SuccessCriteriaMet=True Complete=True');
    const finalizers = await s.k(['get', 'pods', '-n', 'par', '-o', 'jsonpath={.items[*].metadata.finalizers}']);
    assert.doesNotMatch(finalizers, /job-tracking/, 'the tracking finalizer is gone from every counted pod');
    const events = await s.k(['get', 'events', '-n', 'par', '--field-selector', 'involvedObject.kind=Job,reason=Completed', '-o', 'jsonpath={.items[*].message}']);
    assert.equal(events.trim(), 'Job completed');
  });

  test('pods exiting 1 with backoffLimit 1 fail the Job with BackoffLimitExceeded', async () => {
    await ensureNamespace(s, 'fail');
    await applyObjects(s, [job('boom', { backoffLimit: 1 }, { 'sim.k8ts.io/exit-code': '1', 'sim.k8ts.io/run-seconds': '0.2' })], { namespace: 'fail' });
    // One retry after the 10s back-off, then the limit is passed.
    const r = await s.kubectl(['wait', '-n', 'fail', '--for=condition=failed', 'job/boom', '--timeout=40s']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'job.batch/boom condition met');
    const reason = await s.k(['get', 'job', 'boom', '-n', 'fail', '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].reason}:{.status.failed}']);
    assert.equal(reason, 'BackoffLimitExceeded:2');
    const [row] = parseTable(await s.k(['get', 'job', 'boom', '-n', 'fail']));
    assert.equal(row!.STATUS, 'Failed');
    assert.equal(row!.COMPLETIONS, '0/1');
    const events = await s.k(['get', 'events', '-n', 'fail', '--field-selector', 'reason=BackoffLimitExceeded', '-o', 'jsonpath={.items[*].message}']);
    assert.equal(events.trim(), 'Job has reached the specified backoff limit');
  });

  test('an Indexed Job gives each pod its index and hostname, and records completedIndexes', async () => {
    await ensureNamespace(s, 'idx');
    await applyObjects(s, [job('ix', { completions: 3, parallelism: 3, completionMode: 'Indexed' })], { namespace: 'idx' });
    const r = await s.kubectl(['wait', '-n', 'idx', '--for=condition=complete', 'job/ix', '--timeout=30s']);
    assert.equal(r.code, 0, r.stderr);
    const ps = (await pods('idx', 'batch.kubernetes.io/job-name=ix')).sort((a, b) => a.index!.localeCompare(b.index!));
    assert.deepEqual(ps.map((p) => [p.index, p.hostname, p.name.startsWith(`ix-${p.index}-`)]), [['0', 'ix-0', true], ['1', 'ix-1', true], ['2', 'ix-2', true]]);
    const byLabel = await s.k(['get', 'pods', '-n', 'idx', '-l', 'batch.kubernetes.io/job-completion-index=1', '-o', 'name']);
    assert.equal(byLabel.trim().split('\n').length, 1);
    assert.equal(await s.k(['get', 'job', 'ix', '-n', 'idx', '-o', 'jsonpath={.status.completedIndexes}']), '0-2');
  });

  test('a finished Job with ttlSecondsAfterFinished is deleted', async () => {
    await ensureNamespace(s, 'ttl');
    await applyObjects(s, [job('brief', { ttlSecondsAfterFinished: 1 })], { namespace: 'ttl' });
    await pollUntil('job deleted after its TTL', async () => {
      const r = await s.kubectl(['get', 'job', 'brief', '-n', 'ttl']);
      return r.code === 1 && r.stderr.includes('jobs.batch "brief" not found') ? true : undefined;
    }, { timeoutMs: 20_000, intervalMs: 250 });
  });

  test('kubectl create job --from=cronjob runs the template', async () => {
    const out = await s.k(['create', 'job', 'by-hand', '--from=cronjob/tick', '-n', 'cron']);
    assert.equal(out.trim(), 'job.batch/by-hand created');
    const r = await s.kubectl(['wait', '-n', 'cron', '--for=condition=complete', 'job/by-hand', '--timeout=30s']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await s.k(['get', 'job', 'by-hand', '-n', 'cron', '-o', "jsonpath={.metadata.annotations['cronjob\\.kubernetes\\.io/instantiate']}"]), 'manual');
  });

  test('a CronJob every minute fires on its own', async () => {
    const name = await pollUntil('a scheduled job', async () => {
      const out = await s.k(['get', 'jobs', '-n', 'cron', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}']);
      return out.split('\n').find((n) => /^tick-\d+$/.test(n));
    }, { timeoutMs: 75_000, intervalMs: 500 });
    const minutes = Number(name.slice('tick-'.length));
    const stamp = await s.k(['get', 'job', name, '-n', 'cron', '-o', "jsonpath={.metadata.annotations['batch\\.kubernetes\\.io/cronjob-scheduled-timestamp']}"]);
    assert.equal(stamp, new Date(minutes * 60_000).toISOString().replace('.000Z', 'Z'));
    await pollUntil('lastScheduleTime', async () => ((await s.k(['get', 'cronjob', 'tick', '-n', 'cron', '-o', 'jsonpath={.status.lastScheduleTime}'])) === stamp ? true : undefined));
    const events = await s.k(['get', 'events', '-n', 'cron', '--field-selector', 'involvedObject.kind=CronJob,reason=SuccessfulCreate', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, new RegExp(`Created job ${name}`));
  });
});
