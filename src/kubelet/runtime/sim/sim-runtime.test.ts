import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeClock } from '../../../machinery/clock.js';
import type { ContainerConfig, PodSandboxConfig } from '../interface.js';
import { parseScript, runScriptNow } from './script.js';
import { normalizeReference, SimRuntime } from './sim-runtime.js';

describe('sim scripts', () => {
  const cases: { name: string; argv: string[]; want: { stdout: string; stderr: string; exitCode: number } }[] = [
    { name: 'exit code from sh -c', argv: ['sh', '-c', 'echo hi; exit 3'], want: { stdout: 'hi\n', stderr: '', exitCode: 3 } },
    { name: 'stderr redirect', argv: ['/bin/sh', '-c', 'echo "oh no" >&2'], want: { stdout: '', stderr: 'oh no\n', exitCode: 0 } },
    { name: 'false sets the status', argv: ['sh', '-c', 'false'], want: { stdout: '', stderr: '', exitCode: 1 } },
    { name: 'plain true', argv: ['true'], want: { stdout: '', stderr: '', exitCode: 0 } },
    { name: 'plain echo', argv: ['echo', 'a', 'b'], want: { stdout: 'a b\n', stderr: '', exitCode: 0 } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(runScriptNow(parseScript(c.argv)), c.want));
  const forever: [string, string[]][] = [['no command (image default)', []], ['a server', ['httpd', '-f']], ['sleep infinity', ['sleep', 'infinity']], ['a shell loop', ['sh', '-c', 'while true; do sleep 1; done']]];
  for (const [name, argv] of forever) test(`${name} runs until stopped`, () => assert.ok(parseScript(argv).steps.some((s) => s.kind === 'forever')));
  const refs: [string, string][] = [['busybox', 'docker.io/library/busybox:latest'], ['a/b:1', 'docker.io/a/b:1'], ['127.0.0.1:5000/x/y:2', '127.0.0.1:5000/x/y:2'], ['x@sha256:ab', 'docker.io/library/x@sha256:ab']];
  for (const [ref, want] of refs) test(`reference ${ref}`, () => assert.equal(normalizeReference(ref), want));
});

describe('SimRuntime', () => {
  let dir: string;
  let clock: FakeClock;
  let rt: SimRuntime;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-sim-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const sandbox = (name: string, annotations: Record<string, string> = {}, hostNetwork = false): PodSandboxConfig => ({
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, attempt: 0 },
    hostname: name,
    logDirectory: path.join(dir, name),
    portMappings: [],
    labels: { 'io.kubernetes.pod.uid': `uid-${name}` },
    annotations,
    linux: { security: { hostNetwork } },
  });
  const container = (name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
    metadata: { name, attempt: 0 }, image: 'busybox', command, envs: [], mounts: [], labels: { 'io.kubernetes.container.name': name }, annotations: {}, logPath: `${name}/0.log`, stdin: false, stdinOnce: false, tty: false, linux: {}, ...extra,
  });

  test('sandboxes get distinct IPs from the CIDR; hostNetwork gets none', async () => {
    clock = new FakeClock();
    rt = new SimRuntime({ clock, podCIDR: '10.1.2.0/24' });
    const a = await rt.runPodSandbox(sandbox('a'));
    const b = await rt.runPodSandbox(sandbox('b'));
    const h = await rt.runPodSandbox(sandbox('h', {}, true));
    assert.equal((await rt.podSandboxStatus(a))?.ip, '10.1.2.2');
    assert.equal((await rt.podSandboxStatus(b))?.ip, '10.1.2.3');
    assert.equal((await rt.podSandboxStatus(h))?.ip, undefined);
    await rt.stopPodSandbox(a);
    assert.equal((await rt.podSandboxStatus(a))?.state, 'SANDBOX_NOTREADY');
    await rt.removePodSandbox(a);
    assert.equal(await rt.podSandboxStatus(a), undefined);
    assert.deepEqual((await rt.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': 'uid-b' } })).map((s) => s.id), [b]);
  });

  test('a script runs on the clock, logs in CRI format and exits with its code', async () => {
    clock = new FakeClock();
    rt = new SimRuntime({ clock });
    const sb = sandbox('s1');
    const sbID = await rt.runPodSandbox(sb);
    const id = await rt.createContainer(sbID, container('c', ['sh', '-c', 'echo start; sleep 5; echo done >&2; exit 4']), sb);
    await rt.startContainer(id);
    clock.step(4000);
    assert.equal((await rt.containerStatus(id))?.state, 'CONTAINER_RUNNING');
    clock.step(1000);
    const st = (await rt.containerStatus(id))!;
    assert.deepEqual([st.state, st.exitCode, st.reason, st.finishedAt! - st.startedAt!], ['CONTAINER_EXITED', 4, 'Error', 5000]);
    const lines = readFileSync(path.join(dir, 's1', 'c', '0.log'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F start$/);
    assert.match(lines[1]!, /stderr F done$/);
  });

  test('annotations script a run and an exit code; the pod annotations apply to its containers', async () => {
    clock = new FakeClock();
    rt = new SimRuntime({ clock });
    const sb = sandbox('s2', { 'sim.k8ts.io/run-seconds': '2', 'sim.k8ts.io/exit-code': '9' });
    const sbID = await rt.runPodSandbox(sb);
    const id = await rt.createContainer(sbID, container('c', ['server']), sb);
    await rt.startContainer(id);
    clock.step(2000);
    const st = (await rt.containerStatus(id))!;
    assert.deepEqual([st.state, st.exitCode], ['CONTAINER_EXITED', 9]);
  });

  test('stop: SIGTERM ends a container at once, one that ignores it is killed after the grace period', async () => {
    clock = new FakeClock();
    rt = new SimRuntime({ clock });
    const sb = sandbox('s3');
    const sbID = await rt.runPodSandbox(sb);
    const polite = await rt.createContainer(sbID, container('p', ['server']), sb);
    const stubborn = await rt.createContainer(sbID, container('s', ['server'], { annotations: { 'sim.k8ts.io/ignore-sigterm': 'true' } }), sb);
    await rt.startContainer(polite);
    await rt.startContainer(stubborn);
    await rt.stopContainer(polite, 30);
    assert.equal((await rt.containerStatus(polite))?.exitCode, 143);
    const stopping = rt.stopContainer(stubborn, 10);
    clock.step(9000);
    assert.equal((await rt.containerStatus(stubborn))?.state, 'CONTAINER_RUNNING');
    clock.step(1000);
    await stopping;
    assert.equal((await rt.containerStatus(stubborn))?.exitCode, 137);
  });

  test('memory usage over the limit is OOMKilled; stats follow the usage annotations', async () => {
    clock = new FakeClock();
    rt = new SimRuntime({ clock });
    const sb = sandbox('s4', { 'sim.k8ts.io/cpu-usage': '250m', 'sim.k8ts.io/memory-usage': '10Mi' });
    const sbID = await rt.runPodSandbox(sb);
    const ok = await rt.createContainer(sbID, container('ok', ['server'], { linux: { resources: { memoryLimitInBytes: 64 * 1024 * 1024 } } }), sb);
    const oom = await rt.createContainer(sbID, container('oom', ['server'], { linux: { resources: { memoryLimitInBytes: 1024 * 1024 } } }), sb);
    await rt.startContainer(ok);
    await rt.startContainer(oom);
    assert.deepEqual([(await rt.containerStatus(oom))?.reason, (await rt.containerStatus(oom))?.exitCode], ['OOMKilled', 137]);
    clock.step(2000);
    const stats = (await rt.containerStats(ok))!;
    assert.equal(stats.memoryWorkingSetBytes, 10 * 1024 * 1024);
    assert.equal(stats.cpuUsageCoreNanoSeconds, 0.25 * 2 * 1e9);
  });

  test('execSync runs the scripted command; images are pulled unless missing', async () => {
    clock = new FakeClock();
    rt = new SimRuntime({ clock });
    const sb = sandbox('s5');
    const sbID = await rt.runPodSandbox(sb);
    const id = await rt.createContainer(sbID, container('c', ['server']), sb);
    await rt.startContainer(id);
    const r = await rt.execSync(id, ['sh', '-c', 'echo out; exit 2'], 1000);
    assert.deepEqual([r.stdout.toString(), r.exitCode], ['out\n', 2]);
    assert.equal(await rt.imageStatus({ image: 'busybox' }), undefined);
    const ref = await rt.pullImage({ image: 'busybox' });
    assert.equal((await rt.imageStatus({ image: 'docker.io/library/busybox:latest' }))?.id, ref);
    await assert.rejects(rt.pullImage({ image: 'nonexistent:1' }), /not found/);
  });
});
