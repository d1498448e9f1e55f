import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContainerT, PodT } from '../../api/core/v1/types.js';
import { parseKubeconfig } from '../../client/rest/kubeconfig.js';
import { HTTP2Transport } from '../../client/rest/http2-transport.js';
import { RESTClient } from '../../client/rest/rest-client.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type TestAPIServer, startTestAPIServer } from '../../testing/api-server.js';
import { SimRuntime } from '../runtime/sim/sim-runtime.js';
import type { ProberFactory, ProbeSink } from './interfaces.js';
import { PodAgent } from './pod-agent.js';

type Pod = PodT & KubeObject;
const NODE = 'agent-node';
const NS = 'default';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PodAgent against an API server with the sim runtime', () => {
  let srv: TestAPIServer;
  let transport: HTTP2Transport;
  let rest: RESTClient;
  let pods: ResourceClient<Pod>;
  let events: ResourceClient<KubeObject>;
  let clock: FakeClock;
  let runtime: SimRuntime;
  let rootDir: string;
  let agent: PodAgent;
  let stopAgent: AbortController;
  let running: Promise<void>;
  /** Sinks of the test prober, by container id. */
  const probeSinks = new Map<string, ProbeSink>();
  const prober: ProberFactory = {
    start(target, sink) {
      probeSinks.set(target.containerId, sink);
      if (target.container.readinessProbe && target.pod.metadata?.annotations?.['test/ready'] !== 'false') sink.result('readiness', 'Success');
      return { dispose: () => void probeSinks.delete(target.containerId) };
    },
  };

  function startAgent(): void {
    stopAgent = new AbortController();
    agent = new PodAgent({ rest, nodeName: NODE, runtime, clock, logger: silentLogger, rootDir, nodeIP: '192.0.2.10', prober, clusterDNS: ['10.96.0.10'] });
    running = agent.run(stopAgent.signal);
  }

  async function restartAgent(between?: () => Promise<void>): Promise<void> {
    stopAgent.abort();
    await running;
    await between?.();
    startAgent();
  }

  before(async () => {
    srv = await startTestAPIServer();
    const loaded = parseKubeconfig(srv.kubeconfig);
    assert.equal(loaded.kind, 'ok');
    transport = new HTTP2Transport(loaded.kind === 'ok' ? loaded.config : { server: '' });
    rest = new RESTClient(transport);
    pods = new ResourceClient<Pod>(rest, { group: '', version: 'v1', resource: 'pods' }, NS);
    events = new ResourceClient<KubeObject>(rest, { group: '', version: 'v1', resource: 'events' }, NS);
    clock = new FakeClock(Date.now());
    rootDir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-agent-'));
    runtime = new SimRuntime({ clock, podCIDR: '10.244.7.0/24', images: ['present:1.0'] });
    startAgent();
  });

  after(async () => {
    stopAgent.abort();
    await running;
    await runtime.dispose();
    transport.close();
    await srv.stop();
    rmSync(rootDir, { recursive: true, force: true });
  });

  /** Polls `fn`, moving the agent's clock `stepMs` between polls. */
  async function until<T>(what: string, fn: () => Promise<T | undefined>, opts: { stepMs?: number; timeoutMs?: number } = {}): Promise<T> {
    const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
    let last: unknown;
    for (;;) {
      try {
        const v = await fn();
        if (v !== undefined) return v;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
      clock.step(opts.stepMs ?? 200);
      await sleep(15);
    }
  }

  async function statusColumn(name: string): Promise<string> {
    const table = await rest.do<{ rows: { cells: unknown[] }[] }>({ method: 'GET', path: `/api/v1/namespaces/${NS}/pods/${name}`, accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    return String(table.rows[0]!.cells[2]);
  }

  async function eventsOf(name: string): Promise<{ reason: string; message: string; source: { component: string } }[]> {
    const list = await events.list();
    return (list.items as unknown as { involvedObject: { name: string }; reason: string; message: string; source: { component: string } }[]).filter((e) => e.involvedObject.name === name);
  }

  function pod(name: string, spec: Partial<NonNullable<PodT['spec']>> & { containers?: ContainerT[] }, annotations?: Record<string, string>): Pod {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS, ...(annotations ? { annotations } : {}) },
      spec: { nodeName: NODE, terminationGracePeriodSeconds: 5, containers: [{ name: 'main', image: 'present:1.0' }], ...spec },
    } as Pod;
  }

  const waitStatus = (name: string, want: string, stepMs?: number) => until(`${name} STATUS ${want}`, async () => ((await statusColumn(name)) === want ? true : undefined), { stepMs });

  test('a server pod runs: Running and Ready with a pod IP, statuses and kubelet events', async () => {
    await pods.create(pod('web', { containers: [{ name: 'web', image: 'present:1.0', command: ['httpd', '-f'], readinessProbe: { exec: { command: ['true'] } } }] }));
    const p = await until('web ready', async () => {
      const got = await pods.get('web');
      return got.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? got : undefined;
    });
    assert.equal(p.status?.phase, 'Running');
    assert.match(p.status?.podIP ?? '', /^10\.244\.7\.\d+$/);
    assert.equal(p.status?.hostIP, '192.0.2.10');
    assert.equal(p.status?.qosClass, 'BestEffort');
    const cs = p.status!.containerStatuses![0]!;
    assert.ok(cs.state?.running?.startedAt);
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    assert.match(cs.containerID ?? '', /^sim:\/\/[0-9a-f]{64}$/);
    assert.match(cs.imageID, /@sha256:/);
    assert.deepEqual(p.status!.conditions!.map((c) => `${c.type}=${c.status}`).sort(), ['ContainersReady=True', 'Initialized=True', 'PodReadyToStartContainers=True', 'PodScheduled=True', 'Ready=True'].filter((x) => !x.startsWith('PodScheduled') || p.status!.conditions!.some((c) => c.type === 'PodScheduled')).sort());
    assert.equal(await statusColumn('web'), 'Running');
    const evs = await until('events', async () => {
      const e = await eventsOf('web');
      return e.some((x) => x.reason === 'Started') ? e : undefined;
    });
    assert.deepEqual(evs.map((e) => e.reason).filter((r) => ['Pulled', 'Created', 'Started'].includes(r)), ['Pulled', 'Created', 'Started']);
    assert.ok(evs.some((e) => e.message === 'Container image "present:1.0" already present on machine'));
    assert.ok(evs.every((e) => e.source.component === 'kubelet'));
  });

  test('a pod that exits 0 with restartPolicy Never is Completed; its log and termination message are kept', async () => {
    await pods.create(pod('job', { restartPolicy: 'Never', containers: [{ name: 'main', image: 'present:1.0', command: ['sh', '-c', 'echo hello; echo bye > /dev/termination-log; exit 0'] }] }));
    await waitStatus('job', 'Completed');
    const p = await pods.get('job');
    assert.equal(p.status?.phase, 'Succeeded');
    const t = p.status!.containerStatuses![0]!.state!.terminated!;
    assert.equal(t.exitCode, 0);
    assert.equal(t.reason, 'Completed');
    assert.equal(t.message, 'bye');
    const logFile = path.join(rootDir, 'pods', 'logs', `${NS}_job_${p.metadata.uid}`, 'main', '0.log');
    assert.match(readFileSync(logFile, 'utf8'), /^\S+Z stdout F hello\n$/);
    assert.equal(p.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
  });

  test('a failing container with FallbackToLogsOnError and Never is Failed with Error and its log tail as message', async () => {
    await pods.create(pod('fail', { restartPolicy: 'Never', containers: [{ name: 'main', image: 'present:1.0', terminationMessagePolicy: 'FallbackToLogsOnError', command: ['sh', '-c', 'echo boom >&2; exit 3'] }] }));
    await waitStatus('fail', 'Error');
    const p = await pods.get('fail');
    assert.equal(p.status?.phase, 'Failed');
    const t = p.status!.containerStatuses![0]!.state!.terminated!;
    assert.deepEqual([t.exitCode, t.reason, t.message], [3, 'Error', 'boom']);
  });

  test('a crashing container reaches CrashLoopBackOff with growing back-off', async () => {
    await pods.create(pod('crash', { containers: [{ name: 'main', image: 'present:1.0', command: ['sh', '-c', 'exit 1'] }] }));
    await until('CrashLoopBackOff', async () => ((await statusColumn('crash')) === 'CrashLoopBackOff' ? true : undefined), { stepMs: 500 });
    const p = await pods.get('crash');
    const cs = p.status!.containerStatuses![0]!;
    assert.equal(p.status?.phase, 'Running');
    assert.equal(cs.state?.waiting?.reason, 'CrashLoopBackOff');
    assert.match(cs.state?.waiting?.message ?? '', /^back-off (10|20|40)s restarting failed container=main pod=crash_default\(/);
    assert.equal(cs.lastState?.terminated?.exitCode, 1);
    assert.ok(cs.restartCount >= 1);
    // Restarts keep coming, but ever more slowly.
    const restarts = await until('restart count 3', async () => {
      const c = (await pods.get('crash')).status!.containerStatuses![0]!;
      return c.restartCount >= 3 ? c.restartCount : undefined;
    }, { stepMs: 1000, timeoutMs: 30_000 });
    assert.ok(restarts >= 3);
    const evs = await eventsOf('crash');
    const backoff = evs.find((e) => e.reason === 'BackOff');
    assert.match(backoff?.message ?? '', /^Back-off restarting failed container main in pod crash_default\(/);
    // Only the current and the previous run are kept.
    const kept = await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata.uid! } });
    assert.ok(kept.length <= 2, `kept ${kept.length} runs`);
  });

  test('init containers: Init:0/1 while one runs, Init:Error then Init:CrashLoopBackOff when it fails', async () => {
    await pods.create(pod('init-slow', { initContainers: [{ name: 'setup', image: 'present:1.0', command: ['sleep', '30'] }] }));
    await waitStatus('init-slow', 'Init:0/1', 100);
    const slow = await pods.get('init-slow');
    assert.equal(slow.status?.phase, 'Pending');
    assert.equal(slow.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
    assert.equal(slow.status?.conditions?.find((c) => c.type === 'Initialized')?.message, 'containers with incomplete status: [setup]');
    await waitStatus('init-slow', 'Running', 1000);

    await pods.create(pod('init-bad', { restartPolicy: 'OnFailure', initContainers: [{ name: 'setup', image: 'present:1.0', command: ['sh', '-c', 'exit 2'] }] }));
    await until('Init:CrashLoopBackOff', async () => ((await statusColumn('init-bad')) === 'Init:CrashLoopBackOff' ? true : undefined), { stepMs: 300 });
    const bad = await pods.get('init-bad');
    assert.equal(bad.status?.phase, 'Pending');
    assert.equal(bad.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');

    await pods.create(pod('init-never', { restartPolicy: 'Never', initContainers: [{ name: 'setup', image: 'present:1.0', command: ['sh', '-c', 'exit 2'] }] }));
    await waitStatus('init-never', 'Init:Error');
    assert.equal((await pods.get('init-never')).status?.phase, 'Failed');
  });

  test('a sidecar starts before the next init container and app containers, and keeps running', async () => {
    await pods.create(pod('sidecar', {
      initContainers: [
        { name: 'proxy', image: 'present:1.0', restartPolicy: 'Always', command: ['proxy'] },
        { name: 'migrate', image: 'present:1.0', command: ['sh', '-c', 'exit 0'] },
      ],
    }));
    await waitStatus('sidecar', 'Running');
    const p = await pods.get('sidecar');
    const init = new Map(p.status!.initContainerStatuses!.map((s) => [s.name, s]));
    assert.ok(init.get('proxy')?.state?.running);
    assert.equal(init.get('migrate')?.state?.terminated?.exitCode, 0);
    assert.ok(p.status!.containerStatuses![0]!.state?.running);
    assert.ok(Date.parse(init.get('proxy')!.state!.running!.startedAt!) <= Date.parse(p.status!.containerStatuses![0]!.state!.running!.startedAt!));
  });

  test('an ephemeral container joins a running target; one aimed at a finished container waits with CreateContainerConfigError', async () => {
    await pods.create(pod('dbg', { initContainers: [{ name: 'setup', image: 'present:1.0', command: ['true'] }], containers: [{ name: 'main', image: 'present:1.0', command: ['httpd', '-f'] }] }));
    await waitStatus('dbg', 'Running');
    const addEphemeral = (c: Record<string, unknown>) =>
      rest.do({ method: 'PATCH', path: `/api/v1/namespaces/${NS}/pods/dbg/ephemeralcontainers`, contentType: 'application/strategic-merge-patch+json', body: JSON.stringify({ spec: { ephemeralContainers: [{ image: 'present:1.0', terminationMessagePolicy: 'File', ...c }] } }) });
    await addEphemeral({ name: 'late', targetContainerName: 'setup', command: ['true'] });
    const waiting = await until('late to wait', async () => {
      const st = (await pods.get('dbg')).status?.ephemeralContainerStatuses?.find((s) => s.name === 'late');
      return st?.state?.waiting?.reason === 'CreateContainerConfigError' ? st.state.waiting : undefined;
    });
    assert.equal(waiting.message, 'unable to find target container setup');
    assert.ok((await eventsOf('dbg')).some((e) => e.reason === 'Failed' && e.message === 'Error: unable to find target container setup'));
    await addEphemeral({ name: 'shell', targetContainerName: 'main', command: ['httpd', '-f'] });
    await until('shell to run', async () => ((await pods.get('dbg')).status?.ephemeralContainerStatuses?.find((s) => s.name === 'shell')?.state?.running ? true : undefined));
    // Other tests' pods have containers named main too: this pod's only.
    const mine = await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.name': 'dbg', 'io.kubernetes.pod.namespace': NS } });
    const main = mine.find((c) => c.metadata.name === 'main' && c.state === 'CONTAINER_RUNNING');
    const shell = mine.find((c) => c.metadata.name === 'shell');
    assert.ok(main && shell);
    assert.equal(runtime.containerConfig(shell.id)?.linux.securityContext?.pidTargetId, main.id);
    assert.equal(runtime.containerConfig(main.id)?.linux.securityContext?.pidTargetId, undefined);
    await pods.delete('dbg', { gracePeriodSeconds: 0 });
  });

  test('a sandbox that dies is replaced: SandboxChanged, and the containers run again in the new one', async () => {
    await pods.create(pod('phoenix', { containers: [{ name: 'main', image: 'present:1.0', command: ['httpd', '-f'] }] }));
    await waitStatus('phoenix', 'Running');
    const first = (await runtime.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.name': 'phoenix' } }))[0]!;
    // As a dead pause container: the sandbox is not ready and its containers were killed with it.
    await runtime.stopPodSandbox(first.id);
    const replaced = await until('a new sandbox', async () => {
      const ready = (await runtime.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.name': 'phoenix' }, state: 'SANDBOX_READY' }))[0];
      return ready && ready.id !== first.id ? ready : undefined;
    });
    assert.equal(replaced.metadata.attempt, 1);
    const st = await until('main running again', async () => {
      const cs = (await pods.get('phoenix')).status?.containerStatuses?.[0];
      return cs?.state?.running && cs.restartCount === 1 ? cs : undefined;
    });
    assert.equal(st.lastState?.terminated?.exitCode, 137);
    assert.ok((await eventsOf('phoenix')).some((e) => e.reason === 'SandboxChanged' && e.message === 'Pod sandbox changed, it will be killed and re-created.'));
    await pods.delete('phoenix', { gracePeriodSeconds: 0 });
  });

  test('a missing image shows ErrImagePull, then ImagePullBackOff', async () => {
    await pods.create(pod('noimage', { containers: [{ name: 'main', image: 'nonexistent:1.0' }] }));
    const seen = new Set<string>();
    await until('ImagePullBackOff', async () => {
      const s = await statusColumn('noimage');
      seen.add(s);
      return s === 'ImagePullBackOff' ? true : undefined;
    }, { stepMs: 50 });
    const p = await pods.get('noimage');
    assert.match(p.status!.containerStatuses![0]!.state!.waiting!.message!, /^Back-off pulling image "nonexistent:1\.0": ErrImagePull: .*not found$/);
    const evs = await eventsOf('noimage');
    assert.ok(evs.some((e) => e.reason === 'Failed' && e.message.startsWith('Failed to pull image "nonexistent:1.0": ')));
    assert.ok(evs.some((e) => e.reason === 'Failed' && e.message === 'Error: ErrImagePull'));
    assert.ok(evs.some((e) => e.reason === 'BackOff' && e.message === 'Back-off pulling image "nonexistent:1.0"'));
  });

  test('imagePullPolicy: IfNotPresent does not pull a present image, Always pulls, :latest defaults to Always', async () => {
    const before = runtime.pulls.length;
    await pods.create(pod('pull-a', { containers: [{ name: 'a', image: 'present:1.0', imagePullPolicy: 'IfNotPresent' }, { name: 'b', image: 'present:1.0', imagePullPolicy: 'Always' }, { name: 'c', image: 'other' }] }));
    await waitStatus('pull-a', 'Running');
    assert.deepEqual(runtime.pulls.slice(before), ['present:1.0', 'other']);
    await pods.create(pod('never', { containers: [{ name: 'a', image: 'absent:2.0', imagePullPolicy: 'Never' }] }));
    await waitStatus('never', 'ErrImageNeverPull');
  });

  test('a container over its memory limit is OOMKilled', async () => {
    await pods.create(pod('oom', { restartPolicy: 'Never', containers: [{ name: 'main', image: 'present:1.0', resources: { limits: { memory: '32Mi' } } }] }, { 'sim.k8ts.io/memory-usage': '100Mi' }));
    await waitStatus('oom', 'OOMKilled');
    const t = (await pods.get('oom')).status!.containerStatuses![0]!.state!.terminated!;
    assert.deepEqual([t.exitCode, t.reason], [137, 'OOMKilled']);
  });

  test('a failing postStart hook kills the container with FailedPostStartHook', async () => {
    await pods.create(pod('hook', { restartPolicy: 'Never', containers: [{ name: 'main', image: 'present:1.0', command: ['server'], lifecycle: { postStart: { exec: { command: ['sh', '-c', 'exit 7'] } } } }] }));
    const evs = await until('FailedPostStartHook', async () => {
      const e = await eventsOf('hook');
      return e.find((x) => x.reason === 'FailedPostStartHook');
    });
    assert.match(evs.message, /^Exec lifecycle hook \(\[sh -c exit 7\]\) for Container "main" in Pod "hook_default\(.*\)" failed - error: /);
    await until('hook container stopped', async () => ((await pods.get('hook')).status?.containerStatuses?.[0]?.state?.terminated ? true : undefined));
  });

  test('a failed liveness probe restarts the container', async () => {
    await pods.create(pod('live', { containers: [{ name: 'main', image: 'present:1.0', command: ['server'], livenessProbe: { exec: { command: ['check'] } } }] }));
    const first = await until('live running', async () => (await pods.get('live')).status?.containerStatuses?.[0]?.containerID);
    const id = first.split('://')[1]!;
    await until('prober started', async () => (probeSinks.has(id) ? true : undefined));
    probeSinks.get(id)!.unhealthy('Liveness probe failed: boom');
    probeSinks.get(id)!.result('liveness', 'Failure');
    const cs = await until('restarted', async () => {
      const c = (await pods.get('live')).status?.containerStatuses?.[0];
      return c && c.restartCount === 1 && c.state?.running ? c : undefined;
    });
    assert.equal(cs.lastState?.terminated?.exitCode, 143);
    const evs = await eventsOf('live');
    assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'Container main failed liveness probe, will be restarted'));
    assert.ok(evs.some((e) => e.reason === 'Unhealthy' && e.message === 'Liveness probe failed: boom'));
  });

  test('readiness follows the probe: not Ready until it succeeds', async () => {
    await pods.create(pod('unready', { containers: [{ name: 'main', image: 'present:1.0', command: ['server'], readinessProbe: { exec: { command: ['check'] } } }] }, { 'test/ready': 'false' }));
    const p = await until('running', async () => {
      const got = await pods.get('unready');
      return got.status?.containerStatuses?.[0]?.state?.running ? got : undefined;
    });
    assert.equal(p.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    assert.equal(p.status?.conditions?.find((c) => c.type === 'Ready')?.message, 'containers with unready status: [main]');
    assert.equal(await statusColumn('unready'), 'Running');
    const id = p.status!.containerStatuses![0]!.containerID!.split('://')[1]!;
    probeSinks.get(id)!.result('readiness', 'Success');
    await until('ready', async () => ((await pods.get('unready')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? true : undefined));
  });

  test('activeDeadlineSeconds fails the pod with DeadlineExceeded', async () => {
    await pods.create(pod('deadline', { activeDeadlineSeconds: 5, containers: [{ name: 'main', image: 'present:1.0', command: ['server'] }] }));
    await waitStatus('deadline', 'Running');
    await until('deadline exceeded', async () => ((await pods.get('deadline')).status?.reason === 'DeadlineExceeded' ? true : undefined), { stepMs: 1000 });
    const p = await pods.get('deadline');
    assert.deepEqual([p.status?.phase, p.status?.reason, p.status?.message], ['Failed', 'DeadlineExceeded', 'Pod was active on the node longer than the specified deadline']);
    assert.ok(p.status?.containerStatuses?.[0]?.state?.terminated);
    assert.equal(p.status?.conditions?.find((c) => c.type === 'PodReadyToStartContainers')?.status, 'False');
  });

  test('delete: the grace period is honoured, then the pod leaves the API and nothing is left in the runtime', async () => {
    await pods.create(pod('graceful', { terminationGracePeriodSeconds: 20, containers: [{ name: 'main', image: 'present:1.0', command: ['server'] }] }, { 'sim.k8ts.io/ignore-sigterm': 'true' }));
    const p = await until('running', async () => {
      const got = await pods.get('graceful');
      return got.status?.containerStatuses?.[0]?.state?.running ? got : undefined;
    });
    const uid = p.metadata.uid!;
    await pods.delete('graceful');
    await until('terminating', async () => ((await statusColumn('graceful')) === 'Terminating' ? true : undefined), { stepMs: 0 });
    // SIGTERM is ignored: the container lives until the grace period is over.
    clock.step(5000);
    await sleep(100);
    assert.equal((await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': uid }, state: 'CONTAINER_RUNNING' })).length, 1);
    await until('pod gone', async () => {
      try {
        await pods.get('graceful');
        return undefined;
      } catch {
        return true;
      }
    }, { stepMs: 1000 });
    assert.deepEqual(await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': uid } }), []);
    assert.deepEqual(await runtime.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': uid } }), []);
    assert.ok((await eventsOf('graceful')).some((e) => e.reason === 'Killing' && e.message === 'Stopping container main'));
  });

  test('a restarted agent adopts running containers and removes those of pods deleted meanwhile', async () => {
    await pods.create(pod('adopt', { containers: [{ name: 'main', image: 'present:1.0', command: ['server'] }] }));
    await pods.create(pod('orphan', { containers: [{ name: 'main', image: 'present:1.0', command: ['server'] }] }));
    const ids = async (name: string) => {
      const p = await pods.get(name);
      return p.status?.containerStatuses?.[0]?.state?.running ? p.status.containerStatuses[0]!.containerID : undefined;
    };
    const adoptID = await until('adopt running', () => ids('adopt'));
    await until('orphan running', () => ids('orphan'));
    const orphanUID = (await pods.get('orphan')).metadata.uid!;
    await restartAgent(async () => {
      await pods.delete('orphan', { gracePeriodSeconds: 0 });
    });
    await until('orphan removed from the runtime', async () => ((await runtime.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': orphanUID } })).length === 0 ? true : undefined), { stepMs: 1000 });
    clock.step(2000);
    await sleep(100);
    const p = await pods.get('adopt');
    assert.equal(p.status?.containerStatuses?.[0]?.containerID, adoptID);
    assert.equal(p.status?.containerStatuses?.[0]?.restartCount, 0);
    const all = await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata.uid! } });
    assert.equal(all.length, 1);
  });
});
