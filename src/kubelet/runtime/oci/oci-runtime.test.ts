import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ContainerConfig, ContainerStatus, PodSandboxConfig } from '../interface.js';
import { readCriLog } from '../conformance.js';
import { natChain } from './network.js';
import { pidHolderMarker, podPidNamespacePath, startPodPidNamespace, stopUnrecordedPidHolders } from './pod-pid.js';
import { readText } from './proc.js';
import { createOciTestEnv, ociSkipReason, type OciTestEnv } from './test-env.js';

const skip = ociSkipReason();

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('oci runtime specifics', { skip: skip ?? false }, () => {
  let env: OciTestEnv;
  const rt = () => env.runtime.runtime;
  const pods = new Set<string>();

  before(() => {
    env = createOciTestEnv();
  });

  after(async () => {
    for (const id of pods) await rt().removePodSandbox(id).catch(() => {});
    await env?.cleanup();
  });

  const sandboxConfig = (hostNetwork = false): PodSandboxConfig => {
    const uid = randomBytes(6).toString('hex');
    return {
      metadata: { name: `p-${uid}`, namespace: 'oci', uid, attempt: 0 },
      hostname: `p-${uid}`,
      logDirectory: path.join(env.work, 'logs', uid),
      portMappings: [],
      labels: {},
      annotations: {},
      linux: { security: { hostNetwork } },
      dnsConfig: { servers: ['10.96.0.10'], searches: ['oci.svc.cluster.local'], options: ['ndots:5'] },
      hostAliases: [{ ip: '1.2.3.4', hostnames: ['alias.example'] }],
    };
  };

  const cc = (name: string, over: Partial<ContainerConfig>): ContainerConfig => ({
    metadata: { name, attempt: 0 },
    image: env.image,
    envs: [],
    mounts: [],
    labels: {},
    annotations: {},
    logPath: `${name}/0.log`,
    stdin: false,
    stdinOnce: false,
    tty: false,
    linux: {},
    ...over,
  });

  const pod = async (hostNetwork = false) => {
    const cfg = sandboxConfig(hostNetwork);
    const id = await rt().runPodSandbox(cfg);
    pods.add(id);
    return { id, cfg };
  };

  const runToExit = async (p: { id: string; cfg: PodSandboxConfig }, c: ContainerConfig): Promise<{ st: ContainerStatus; out: string[] }> => {
    const id = await rt().createContainer(p.id, c, p.cfg);
    await rt().startContainer(id);
    const st = await waitFor('exit', async () => {
      const s = await rt().containerStatus(id);
      return s?.state === 'CONTAINER_EXITED' ? s : undefined;
    });
    const out = await waitFor('log', async () => {
      const lines = readCriLog(st.logPath);
      return lines.length > 0 ? lines.map((l) => l.text) : undefined;
    });
    return { st, out };
  };

  test('pod files: hosts with the pod IP and aliases, resolv.conf from dnsConfig, hostname', async () => {
    const p = await pod();
    const ip = (await rt().podSandboxStatus(p.id))!.ip!;
    const { out } = await runToExit(p, cc('etc', { command: ['sh', '-c', 'cat /etc/hosts /etc/resolv.conf; hostname; echo "env-host=$HOSTNAME"'] }));
    assert.ok(out.includes(`${ip}\t${p.cfg.hostname}`), out.join('\n'));
    assert.ok(out.includes('1.2.3.4\talias.example'));
    assert.ok(out.includes('nameserver 10.96.0.10'));
    assert.ok(out.includes('search oci.svc.cluster.local'));
    assert.ok(out.includes(p.cfg.hostname));
    assert.ok(out.includes(`env-host=${p.cfg.hostname}`));
  });

  test('host network: no namespace, no IP, the node hostname', async () => {
    const p = await pod(true);
    assert.equal((await rt().podSandboxStatus(p.id))!.ip, undefined);
    const { st, out } = await runToExit(p, cc('hostnet', { command: ['sh', '-c', 'hostname; ls /sys/class/net'] }));
    assert.equal(st.exitCode, 0);
    assert.equal(out[0], hostname());
    assert.ok(out.includes('lo'));
  });

  test('security context: user, groups, read-only rootfs, capabilities', async () => {
    const p = await pod();
    const cases: { name: string; c: Partial<ContainerConfig>; want: string[] }[] = [
      { name: 'runAsUser with image groups', c: { command: ['id'], linux: { securityContext: { runAsUser: 1000, supplementalGroups: [3000] } } }, want: ['uid=1000(app) gid=1000(app) groups=10(wheel),3000'] },
      { name: 'read-only root', c: { command: ['sh', '-c', 'touch /x 2>/dev/null && echo wrote || echo refused'], linux: { securityContext: { readonlyRootfs: true } } }, want: ['refused'] },
      { name: 'drop all capabilities', c: { command: ['sh', '-c', 'grep CapEff /proc/self/status'], linux: { securityContext: { capabilities: { addCapabilities: [], dropCapabilities: ['ALL'] } } } }, want: ['CapEff:\t0000000000000000'] },
      { name: 'add NET_ADMIN', c: { command: ['sh', '-c', 'ip link set lo mtu 1400 && echo changed'], linux: { securityContext: { capabilities: { addCapabilities: ['NET_ADMIN'], dropCapabilities: [] } } } }, want: ['changed'] },
      { name: 'no NET_ADMIN by default', c: { command: ['sh', '-c', 'ip link set lo mtu 1400 2>/dev/null && echo changed || echo denied'] }, want: ['denied'] },
    ];
    for (const c of cases) {
      const { out } = await runToExit(p, cc(`sec-${cases.indexOf(c)}`, c.c));
      assert.deepEqual(out, c.want, c.name);
    }
  });

  test('containers of a pod share the IPC namespace and /dev/shm', async () => {
    const p = await pod();
    const a = await runToExit(p, cc('ipc-a', { command: ['sh', '-c', 'echo shared > /dev/shm/note; readlink /proc/self/ns/ipc'] }));
    const b = await runToExit(p, cc('ipc-b', { command: ['sh', '-c', 'cat /dev/shm/note; readlink /proc/self/ns/ipc'] }));
    assert.deepEqual(b.out, ['shared', a.out[0]]);
    assert.notEqual(a.out[0], execFileSync('readlink', ['/proc/self/ns/ipc'], { encoding: 'utf8' }).trim(), 'not the host\'s');
  });

  test('a sandbox whose namespaces are gone is not ready', async () => {
    const ready = async (id: string) => [(await rt().podSandboxStatus(id))?.state, (await rt().listPodSandbox({ id, state: 'SANDBOX_READY' })).length];
    // The process holding a shared PID namespace killed: the pod's processes went with it.
    const cfg = { ...sandboxConfig(), linux: { security: { hostNetwork: false, sharePID: true } } };
    const shared = await rt().runPodSandbox(cfg);
    pods.add(shared);
    assert.deepEqual(await ready(shared), ['SANDBOX_READY', 1]);
    const marker = pidHolderMarker(shared);
    const holders = readdirSync('/proc').filter((d) => /^\d+$/.test(d) && readText(`/proc/${d}/cmdline`).includes(marker));
    assert.equal(holders.length, 1, 'one process holds the namespace');
    process.kill(Number(holders[0]), 'SIGKILL');
    await waitFor('the PID namespace to end', async () => (await rt().podSandboxStatus(shared))?.state === 'SANDBOX_NOTREADY');
    assert.deepEqual(await ready(shared), ['SANDBOX_NOTREADY', 0]);
    await assert.rejects(rt().createContainer(shared, cc('late', { command: ['true'] }), cfg), /is not ready/);
    // The network namespace gone, as after a reboot.
    const p = await pod();
    assert.deepEqual(await ready(p.id), ['SANDBOX_READY', 1]);
    const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]!).find((n) => n && n.includes(p.id.slice(0, 12)));
    assert.ok(netns, 'the sandbox has a named network namespace');
    execFileSync('ip', ['netns', 'del', netns]);
    assert.deepEqual(await ready(p.id), ['SANDBOX_NOTREADY', 0]);
    // Both are torn down as any other.
    for (const id of [shared, p.id]) {
      await rt().removePodSandbox(id);
      pods.delete(id);
    }
  });

  test('a PID namespace holder no record names is still found and ended', async () => {
    const id = `orphan${randomBytes(6).toString('hex')}`;
    const held = await startPodPidNamespace(id);
    assert.ok(podPidNamespacePath(held), 'the namespace can be joined');
    const holders = () => readdirSync('/proc').filter((d) => /^\d+$/.test(d) && readText(`/proc/${d}/cmdline`).includes(pidHolderMarker(id)));
    assert.equal(holders().length, 1);
    stopUnrecordedPidHolders(id);
    await waitFor('the holder and its namespace to end', async () => holders().length === 0 && !podPidNamespacePath(held));
  });

  test('a missing binary is a StartError', async () => {
    const p = await pod();
    const id = await rt().createContainer(p.id, cc('missing', { command: ['/no/such/binary'] }), p.cfg);
    await assert.rejects(rt().startContainer(id), /no such file or directory|not found/);
    const st = (await rt().containerStatus(id))!;
    assert.equal(st.state, 'CONTAINER_EXITED');
    assert.equal(st.reason, 'StartError');
    assert.equal(st.exitCode, 128);
  });

  test('cgroup limits are written to the container cgroup', async () => {
    const p = await pod();
    const id = await rt().createContainer(p.id, cc('limits', { command: ['sleep', '600'], linux: { resources: { cpuPeriod: 100000, cpuQuota: 20000, cpuShares: 256, memoryLimitInBytes: 64 * 1024 * 1024, pidsLimit: 50 } } }), p.cfg);
    await rt().startContainer(id);
    const rel = `${env.opts.cgroupRoot}/${p.id}/${id}`;
    const read = (h: string, f: string) => readFileSync(path.join('/sys/fs/cgroup', h, rel, f), 'utf8').trim();
    assert.equal(read('cpu', 'cpu.cfs_quota_us'), '20000');
    assert.equal(read('cpu', 'cpu.shares'), '256');
    assert.equal(read('memory', 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
    assert.equal(read('pids', 'pids.max'), '50');
    const pid = Number(readFileSync(path.join(env.opts.stateDir, 'containers', id, 'pid'), 'utf8'));
    assert.ok(readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(`${rel}/ctr`), 'the process runs in runc\'s child cgroup');
    await rt().removeContainer(id);
    assert.equal(existsSync(path.join('/sys/fs/cgroup/memory', rel)), false);
  });

  test('exec with a terminal', async () => {
    const p = await pod();
    const id = await rt().createContainer(p.id, cc('tty-exec', { command: ['sleep', '600'] }), p.cfg);
    await rt().startContainer(id);
    const s = await rt().exec(id, ['sh', '-c', 'tty; read x; stty size; echo "got $x"; exit 3'], { stdin: true, stdout: true, stderr: true, tty: true });
    assert.equal(s.stderr, undefined);
    const chunks: Buffer[] = [];
    s.stdout!.on('data', (b: Buffer) => chunks.push(b));
    await waitFor('the terminal', async () => /\/dev\/pts\/\d+/.test(Buffer.concat(chunks).toString()));
    s.resize({ width: 101, height: 33 });
    await new Promise((r) => setTimeout(r, 300));
    s.stdin!.write('hi\r');
    assert.equal(await s.exit, 3);
    const out = Buffer.concat(chunks).toString();
    assert.match(out, /\/dev\/pts\/\d+/);
    assert.match(out, /got hi/);
    assert.match(out, /33 101/, 'resize reaches the container terminal');
  });

  test('attach to a tty container resizes its terminal', async () => {
    const p = await pod();
    const id = await rt().createContainer(p.id, cc('tty-attach', { command: ['sh', '-c', 'echo ready; read x; stty size; sleep 600'], tty: true, stdin: true }), p.cfg);
    await rt().startContainer(id);
    const s = await rt().attach(id, { stdin: true, stdout: true, stderr: false, tty: true });
    const chunks: Buffer[] = [];
    s.stdout!.on('data', (b: Buffer) => chunks.push(b));
    await waitFor('the container to wait for input', async () => readCriLog((await rt().containerStatus(id))!.logPath).some((l) => l.text.includes('ready')));
    s.resize({ width: 97, height: 29 });
    await new Promise((r) => setTimeout(r, 300));
    s.stdin!.write('go\r');
    await waitFor('the new size', async () => /29 97/.test(Buffer.concat(chunks).toString()));
    s.close();
  });

  test('a tty container logs its terminal output', async () => {
    const p = await pod();
    const { st, out } = await runToExit(p, cc('tty', { command: ['sh', '-c', 'tty; echo "term=$TERM"'], tty: true }));
    assert.equal(st.exitCode, 0);
    assert.match(out[0]!, /^\/dev\/pts\/\d+$/);
    assert.ok(out.includes('term=xterm'));
  });

  test('output written while no agent runs reaches the log after a restart', async () => {
    const p = await pod();
    const id = await rt().createContainer(p.id, cc('gap', { command: ['sh', '-c', 'echo before; sleep 0.5; echo during; sleep 600'] }), p.cfg);
    await rt().startContainer(id);
    const logPath = (await rt().containerStatus(id))!.logPath;
    await waitFor('before', async () => readCriLog(logPath).some((l) => l.text === 'before'));
    await env.runtime.dispose();
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(!readCriLog(logPath).some((l) => l.text === 'during'), 'nobody converts while the agent is away');
    await env.reopen();
    await waitFor('during', async () => readCriLog(logPath).some((l) => l.text === 'during'));
    assert.deepEqual(readCriLog(logPath).map((l) => l.text), ['before', 'during']);
  });

  test('cleanupAll removes pods, the bridge and its nat chain', async () => {
    const p = await pod();
    const id = await rt().createContainer(p.id, cc('left', { command: ['sleep', '600'] }), p.cfg);
    await rt().startContainer(id);
    await env.runtime.cleanupAll();
    pods.clear();
    assert.deepEqual(await rt().listPodSandbox(), []);
    assert.deepEqual(await rt().listContainers(), []);
    assert.notEqual(execFileSync('sh', ['-c', `ip link show ${env.opts.bridge!} >/dev/null 2>&1; echo $?`], { encoding: 'utf8' }).trim(), '0');
    assert.ok(!execFileSync('iptables', ['-t', 'nat', '-S'], { encoding: 'utf8' }).includes(natChain(env.opts.bridge!)));
    assert.ok(!execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(p.id.slice(0, 12)));
  });
});
