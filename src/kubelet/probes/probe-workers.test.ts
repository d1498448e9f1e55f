import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerT, PodT, ProbeT } from '../../api/core/v1/types.js';
import { FakeClock } from '../../machinery/clock.js';
import { type PodProbeStatus, type ProbeEvent, ProbeWorkers } from './probe-workers.js';
import type { ProbeKind, ProbeOutcome, ProbeResult } from './types.js';

const OK: ProbeOutcome = { result: 'Success', message: '' };
const FAIL: ProbeOutcome = { result: 'Failure', message: 'HTTP probe failed with statuscode: 500' };
const ERR: ProbeOutcome = { result: 'Unknown', message: 'invalid port number: 0' };

function harness(probes: Partial<Record<'startupProbe' | 'livenessProbe' | 'readinessProbe', ProbeT>>, opts: { restartPolicy?: 'Never' } = {}) {
  const clock = new FakeClock();
  const container: ContainerT = { name: 'app', image: 'busybox', ...probes };
  const pod: PodT = { metadata: { name: 'web', namespace: 'default', uid: 'uid-1' }, spec: { containers: [container], restartPolicy: opts.restartPolicy } };
  const script: ProbeOutcome[] = [];
  const calls: ProbeKind[] = [];
  const results: { kind: ProbeKind; result: ProbeResult; containerID: string; grace?: number }[] = [];
  const events: ProbeEvent[] = [];
  const status: PodProbeStatus = { podIP: '10.0.0.5', containers: { app: { containerID: 'c1', running: true, startedAt: clock.now(), started: !probes.startupProbe, terminated: false } } };
  const workers = new ProbeWorkers({
    clock,
    prober: {
      probe: async (_p, _c, spec) => {
        calls.push(spec === probes.startupProbe ? 'startup' : spec === probes.livenessProbe ? 'liveness' : 'readiness');
        return script.shift() ?? OK;
      },
    },
    status: () => status,
    exec: async () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false }),
    onResult: (_uid, name, kind, result, info) => {
      assert.equal(name, 'app');
      results.push({ kind, result, containerID: info.containerID, grace: info.terminationGracePeriodSeconds });
    },
    onEvent: (_p, _c, e) => events.push(e),
  });
  const step = async (ms: number) => {
    clock.step(ms);
    await workers.idle();
  };
  return { clock, pod, workers, script, calls, results, events, status, step };
}

describe('ProbeWorkers', () => {
  test('readiness: initial Failure, then Success, Failure only after failureThreshold', async () => {
    const h = harness({ readinessProbe: { httpGet: { port: 80 }, periodSeconds: 10, failureThreshold: 3 } });
    h.script.push(OK, FAIL, FAIL, FAIL);
    h.workers.addPod(h.pod);
    await h.step(0);
    assert.deepEqual(h.results.map((r) => r.result), ['Failure', 'Success']);
    await h.step(10_000);
    await h.step(10_000);
    assert.deepEqual(h.results.map((r) => r.result), ['Failure', 'Success'], 'two failures stay below the threshold');
    await h.step(10_000);
    assert.deepEqual(h.results.map((r) => r.result), ['Failure', 'Success', 'Failure']);
    assert.equal(h.workers.result('uid-1', 'app', 'readiness'), 'Failure');
    assert.deepEqual(h.events, Array(3).fill({ type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 500' }));
    assert.equal(h.calls.length, 4);
    h.workers.dispose();
  });

  test('successThreshold needs consecutive successes', async () => {
    const h = harness({ readinessProbe: { exec: { command: ['true'] }, periodSeconds: 5, successThreshold: 2 } });
    h.script.push(OK, FAIL, OK, OK);
    h.workers.addPod(h.pod);
    for (let i = 0; i < 4; i++) await h.step(i === 0 ? 0 : 5_000);
    assert.deepEqual(h.results.map((r) => r.result), ['Failure', 'Success']);
    assert.equal(h.calls.length, 4);
    h.workers.dispose();
  });

  test('nothing is probed before initialDelaySeconds', async () => {
    const h = harness({ readinessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 15, periodSeconds: 10 } });
    h.workers.addPod(h.pod);
    await h.step(0);
    await h.step(10_000);
    assert.equal(h.calls.length, 0);
    await h.step(10_000);
    assert.equal(h.calls.length, 1);
    h.workers.dispose();
  });

  test('liveness failure holds the worker until a new container, with the probe grace period', async () => {
    const h = harness({ livenessProbe: { httpGet: { port: 80 }, periodSeconds: 10, failureThreshold: 2, terminationGracePeriodSeconds: 7 } });
    h.script.push(FAIL, FAIL);
    h.workers.addPod(h.pod);
    await h.step(0);
    await h.step(10_000);
    assert.deepEqual(h.results, [{ kind: 'liveness', result: 'Success', containerID: 'c1', grace: 7 }, { kind: 'liveness', result: 'Failure', containerID: 'c1', grace: 7 }]);
    await h.step(10_000);
    await h.step(10_000);
    assert.equal(h.calls.length, 2, 'on hold while the old container is restarted');
    h.status.containers.app = { containerID: 'c2', running: true, startedAt: h.clock.now(), started: true, terminated: false };
    await h.step(10_000);
    assert.equal(h.calls.length, 3);
    assert.deepEqual(h.results.at(-1), { kind: 'liveness', result: 'Success', containerID: 'c2', grace: 7 });
    assert.deepEqual(h.events.map((e) => e.message), ['Liveness probe failed: HTTP probe failed with statuscode: 500', 'Liveness probe failed: HTTP probe failed with statuscode: 500']);
    h.workers.dispose();
  });

  test('startup gates liveness and readiness and stops once started', async () => {
    const h = harness({ startupProbe: { exec: { command: ['x'] }, periodSeconds: 1, failureThreshold: 30 }, livenessProbe: { exec: { command: ['y'] }, periodSeconds: 1 }, readinessProbe: { exec: { command: ['z'] }, periodSeconds: 1 } });
    h.script.push(FAIL, OK);
    h.workers.addPod(h.pod);
    await h.step(0);
    assert.deepEqual(h.calls, ['startup']);
    await h.step(1_000);
    assert.deepEqual(h.calls, ['startup', 'startup']);
    assert.deepEqual(h.results.filter((r) => r.kind === 'startup').map((r) => r.result), ['Unknown', 'Success']);
    // The agent marks the container started once startup succeeded.
    h.status.containers.app!.started = true;
    h.calls.length = 0;
    await h.step(1_000);
    assert.deepEqual([...h.calls].sort(), ['liveness', 'readiness']);
    h.workers.dispose();
  });

  test('a probe that cannot run is discarded with an errored event', async () => {
    const h = harness({ readinessProbe: { httpGet: { port: 0 }, periodSeconds: 10, failureThreshold: 1 } });
    h.script.push(ERR, ERR);
    h.workers.addPod(h.pod);
    await h.step(0);
    await h.step(10_000);
    assert.deepEqual(h.results.map((r) => r.result), ['Failure'], 'only the initial value');
    assert.deepEqual(h.events, [{ type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe errored: invalid port number: 0' }, { type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe errored: invalid port number: 0' }]);
    h.workers.dispose();
  });

  test('a redirect warning counts as success and is reported', async () => {
    const h = harness({ readinessProbe: { httpGet: { port: 80 } } });
    h.script.push({ result: 'Success', warning: true, message: 'Probe terminated redirects, Response body: ' });
    h.workers.addPod(h.pod);
    await h.step(0);
    assert.equal(h.workers.result('uid-1', 'app', 'readiness'), 'Success');
    assert.deepEqual(h.events, [{ type: 'Warning', reason: 'ProbeWarning', message: 'Readiness probe warning: Probe terminated redirects, Response body: ' }]);
    h.workers.dispose();
  });

  test('a stopped container reads as failed; a finished pod stops its workers', async () => {
    const h = harness({ readinessProbe: { httpGet: { port: 80 }, periodSeconds: 10 } });
    h.workers.addPod(h.pod);
    await h.step(0);
    h.status.containers.app = { containerID: 'c1', running: false, started: true, terminated: true };
    await h.step(10_000);
    assert.equal(h.workers.result('uid-1', 'app', 'readiness'), 'Failure');
    h.status.phase = 'Succeeded';
    await h.step(10_000);
    assert.equal(h.workers.result('uid-1', 'app', 'readiness'), undefined, 'worker gone');
    assert.equal(h.clock.hasWaiters(), false);
  });

  test('deleting pods stop liveness with Success; removePod cancels timers', async () => {
    const h = harness({ livenessProbe: { httpGet: { port: 80 }, periodSeconds: 10 }, readinessProbe: { httpGet: { port: 80 }, periodSeconds: 10 } });
    h.script.push(OK, OK);
    h.workers.addPod(h.pod);
    await h.step(0);
    h.workers.updatePod({ ...h.pod, metadata: { ...h.pod.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } });
    h.calls.length = 0;
    await h.step(10_000);
    assert.deepEqual(h.calls, ['readiness']);
    assert.equal(h.workers.result('uid-1', 'app', 'liveness'), undefined);
    h.workers.removePod('uid-1');
    assert.equal(h.clock.hasWaiters(), false);
  });

  test('sidecar init containers are probed, plain init containers are not', async () => {
    const h = harness({});
    const pod: PodT = {
      ...h.pod,
      spec: {
        containers: [{ name: 'app', image: 'x' }],
        initContainers: [{ name: 'init', image: 'x', readinessProbe: { exec: { command: ['a'] } } }, { name: 'side', image: 'x', restartPolicy: 'Always', readinessProbe: { exec: { command: ['b'] } } }],
      },
    };
    h.status.containers.side = { containerID: 's1', running: true, startedAt: h.clock.now(), started: true, terminated: false };
    const seen: string[] = [];
    const workers = new ProbeWorkers({
      clock: h.clock,
      prober: { probe: async (_p, c) => (seen.push(c.name), OK) },
      status: () => h.status,
      exec: async () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false }),
      onResult: () => undefined,
    });
    workers.addPod(pod);
    h.clock.step(0);
    await workers.idle();
    assert.deepEqual(seen, ['side']);
    workers.dispose();
  });
});
