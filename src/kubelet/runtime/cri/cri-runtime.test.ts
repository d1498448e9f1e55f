import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { firstIPv4 } from '../../node/host-info.js';
import type { ContainerConfig, PodSandboxConfig, PortMapping, StreamSession } from '../interface.js';
import * as testImages from '../../../testing/test-images.js';
import { containerdSkipReason, startContainerdFixture, type ContainerdFixture } from './containerd-fixture.js';
import { CriRuntime, createCriRuntime } from './cri-runtime.js';

const skip = containerdSkipReason(testImages);

function collect(r: Readable | undefined): Promise<string> {
  if (!r) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    let s = '';
    r.on('data', (c: Buffer) => (s += c.toString()));
    r.on('end', () => resolve(s));
    r.on('error', reject);
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A port nothing listens on now, picked by the kernel. */
function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Sends an HTTP/1.0 GET over a raw socket; the reply, or undefined when nothing answers. */
function rawGet(host: string, port: number, timeoutMs = 3_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    let out = '';
    const timer = setTimeout(() => sock.destroy(), timeoutMs);
    sock.on('connect', () => sock.write('GET /index.html HTTP/1.0\r\n\r\n'));
    sock.on('data', (d: Buffer) => (out += d.toString()));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(out || undefined);
    });
  });
}

/** The rules portmap holds in the nat table that mention a port. */
function natRulesFor(port: number): string[] {
  const r = spawnSync('iptables', ['-w', '5', '-t', 'nat', '-S'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').filter((l) => l.includes(`--dport ${port} `) || l.endsWith(`--dport ${port}`));
}

function inSubnet(ip: string, subnet: string): boolean {
  return ip.startsWith(subnet.split('.').slice(0, 3).join('.') + '.');
}

describe('cri runtime against containerd', { skip, timeout: 240_000 }, () => {
  let fx: ContainerdFixture;
  let cri: CriRuntime;
  let image: string;
  const logRoot = () => path.join(fx.dir, 'pod-logs');

  function sandboxConfig(name: string, opts: { hostNetwork?: boolean; portMappings?: PortMapping[] } = {}): PodSandboxConfig {
    const uid = crypto.randomUUID();
    return {
      metadata: { name, namespace: 'cri-test', uid, attempt: 0 },
      hostname: name,
      logDirectory: path.join(logRoot(), `cri-test_${name}_${uid}`),
      dnsConfig: { servers: ['10.96.0.10'], searches: ['cri-test.svc.cluster.local', 'svc.cluster.local'], options: ['ndots:5'] },
      portMappings: opts.portMappings ?? [],
      labels: { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': 'cri-test', 'test-run': fx.bridge },
      annotations: { 'k8ts.test/note': `sandbox ${name}` },
      linux: { cgroupParent: fx.cgroupParent, security: { hostNetwork: opts.hostNetwork ?? false } },
    };
  }

  function containerConfig(name: string, command: string[], over: Partial<ContainerConfig> = {}): ContainerConfig {
    return {
      metadata: { name, attempt: 0 },
      image,
      command,
      envs: [{ key: 'GREETING', value: 'hello cri' }],
      mounts: [],
      labels: { 'io.kubernetes.container.name': name },
      annotations: { 'k8ts.test/container': name },
      logPath: `${name}/0.log`,
      stdin: false,
      stdinOnce: false,
      tty: false,
      linux: {},
      ...over,
    };
  }

  async function runPod(name: string, command: string[], opts: { hostNetwork?: boolean; portMappings?: PortMapping[]; container?: Partial<ContainerConfig> } = {}) {
    const sb = sandboxConfig(name, opts);
    const sandboxId = await cri.runtime.runPodSandbox(sb);
    const containerId = await cri.runtime.createContainer(sandboxId, containerConfig(name, command, opts.container), sb);
    await cri.runtime.startContainer(containerId);
    return { sb, sandboxId, containerId };
  }

  before(async () => {
    fx = await startContainerdFixture(testImages);
    cri = createCriRuntime({ endpoint: `unix://${fx.endpoint}` });
    image = await cri.images.pullImage({ image: fx.busyboxImage });
  });

  after(async () => {
    await cri?.dispose();
    await fx?.stop();
  });

  test('version and status name containerd and CRI v1, both conditions ready', async () => {
    const v = await cri.runtime.version();
    assert.equal(v.runtimeName, 'containerd');
    assert.match(v.runtimeVersion, /^1\.6\./);
    assert.equal(v.runtimeApiVersion, 'v1');
    assert.deepEqual(await cri.runtime.status(), { runtimeReady: true, networkReady: true });
  });

  describe('images', () => {
    test('pull returns the image id; status and list show tags, digests and config', async () => {
      assert.match(image, /^sha256:[0-9a-f]{64}$/);
      const st = await cri.images.imageStatus({ image: fx.busyboxImage });
      assert.ok(st);
      assert.equal(st.id, image);
      assert.deepEqual(st.repoTags, [fx.busyboxImage]);
      assert.deepEqual(st.repoDigests, [`${fx.registry}/k8ts-test/busybox@${fx.busyboxDigest}`]);
      assert.ok(st.size > 100_000, `size ${st.size}`);
      assert.deepEqual(st.config?.cmd, ['sh']);
      const list = await cri.images.listImages();
      assert.ok(list.some((i) => i.id === image && i.repoTags.includes(fx.busyboxImage)));
    });

    test('status of an unknown image is undefined', async () => {
      assert.equal(await cri.images.imageStatus({ image: `${fx.registry}/k8ts-test/nope:1` }), undefined);
    });

    test('pulling a missing tag fails with the registry\'s answer', async () => {
      await assert.rejects(cri.images.pullImage({ image: `${fx.registry}/k8ts-test/busybox:missing` }), /not found/i);
    });

    const authCases: { name: string; auth?: (fx: ContainerdFixture) => { username?: string; password?: string; auth?: string }; ok: boolean }[] = [
      { name: 'without credentials is refused', ok: false },
      { name: 'with a wrong password is refused', auth: (f) => ({ username: f.authUser, password: 'wrong' }), ok: false },
      { name: 'with username and password', auth: (f) => ({ username: f.authUser, password: f.authPassword }), ok: true },
      { name: 'with a dockerconfigjson auth field', auth: (f) => ({ auth: Buffer.from(`${f.authUser}:${f.authPassword}`).toString('base64') }), ok: true },
    ];
    for (const c of authCases) {
      test(`pull from a registry demanding auth ${c.name}`, async () => {
        const ref = `${fx.authRegistry}/k8ts-test/private:1`;
        await cri.images.removeImage({ image: ref });
        const p = cri.images.pullImage({ image: ref }, c.auth?.(fx));
        if (c.ok) assert.match(await p, /^sha256:/);
        else await assert.rejects(p, /401|unauthorized|authoriz/i);
      });
    }

    test('remove is idempotent and the image is gone', async () => {
      const ref = `${fx.authRegistry}/k8ts-test/private:1`;
      await cri.images.pullImage({ image: ref }, { username: fx.authUser, password: fx.authPassword });
      await cri.images.removeImage({ image: ref });
      await cri.images.removeImage({ image: ref });
      assert.equal(await cri.images.imageStatus({ image: ref }), undefined);
      // The busybox image under its other name is untouched.
      assert.ok(await cri.images.imageStatus({ image: fx.busyboxImage }));
    });

    test('image filesystem info names containerd\'s snapshotter', async () => {
      const fsInfo = await cri.images.imageFsInfo();
      assert.ok(fsInfo.mountpoint.startsWith(fx.dir), fsInfo.mountpoint);
      assert.ok(fsInfo.usedBytes >= 0);
    });
  });

  describe('sandboxes and containers', () => {
    test('a sandbox gets an IP on the test bridge and keeps labels and annotations', async () => {
      const sb = sandboxConfig('sb-basic');
      const id = await cri.runtime.runPodSandbox(sb);
      const st = await cri.runtime.podSandboxStatus(id);
      assert.ok(st);
      assert.equal(st.state, 'SANDBOX_READY');
      assert.ok(st.ip && inSubnet(st.ip, fx.podSubnet), `ip ${st.ip} in ${fx.podSubnet}`);
      assert.deepEqual(st.metadata, sb.metadata);
      assert.deepEqual(st.labels, sb.labels);
      assert.deepEqual(st.annotations, sb.annotations);
      assert.ok(Math.abs(st.createdAt - Date.now()) < 60_000, `createdAt ${st.createdAt} is in ms`);
      const listed = await cri.runtime.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.name': 'sb-basic' } });
      assert.deepEqual(listed.map((s) => s.id), [id]);
      assert.equal(listed[0]!.ip, st.ip);
      await cri.runtime.stopPodSandbox(id);
      assert.equal((await cri.runtime.podSandboxStatus(id))?.state, 'SANDBOX_NOTREADY');
      assert.deepEqual((await cri.runtime.listPodSandbox({ id, state: 'SANDBOX_READY' })).length, 0);
      await cri.runtime.stopPodSandbox(id);
      await cri.runtime.removePodSandbox(id);
      await cri.runtime.removePodSandbox(id);
      assert.equal(await cri.runtime.podSandboxStatus(id), undefined);
    });

    test('unknown ids are undefined or no-ops', async () => {
      const missing = 'f'.repeat(64);
      assert.equal(await cri.runtime.podSandboxStatus(missing), undefined);
      assert.equal(await cri.runtime.containerStatus(missing), undefined);
      assert.equal(await cri.runtime.containerStats(missing), undefined);
      await cri.runtime.stopContainer(missing, 0);
      await cri.runtime.removeContainer(missing);
      await cri.runtime.stopPodSandbox(missing);
      await cri.runtime.removePodSandbox(missing);
    });

    test('a web server: running status, exec, streams, port-forward, pod IP from the host, stats, stop', async () => {
      const { sandboxId, containerId, sb } = await runPod('web', ['httpd', '-f', '-p', '80', '-h', '/var/www'], {
        container: { linux: { resources: { memoryLimitInBytes: 64 << 20, cpuShares: 256 } } },
      });
      const st = await cri.runtime.containerStatus(containerId);
      assert.ok(st);
      assert.equal(st.state, 'CONTAINER_RUNNING');
      assert.equal(st.podSandboxId, sandboxId);
      assert.deepEqual(st.metadata, { name: 'web', attempt: 0 });
      assert.equal(st.imageRef, `${fx.registry}/k8ts-test/busybox@${fx.busyboxDigest}`);
      assert.equal(st.logPath, path.join(sb.logDirectory, 'web/0.log'));
      assert.ok(st.startedAt && st.startedAt >= st.createdAt);
      assert.equal(st.exitCode, undefined);
      assert.deepEqual(st.annotations, { 'k8ts.test/container': 'web' });

      const listed = await cri.runtime.listContainers({ podSandboxId: sandboxId });
      assert.deepEqual(listed.map((c) => [c.id, c.state, c.logPath]), [[containerId, 'CONTAINER_RUNNING', st.logPath]]);
      assert.equal((await cri.runtime.listContainers({ podSandboxId: sandboxId, state: 'CONTAINER_EXITED' })).length, 0);

      const execCases: { name: string; cmd: string[]; stdout: RegExp; exitCode: number }[] = [
        { name: 'env', cmd: ['sh', '-c', 'echo $GREETING'], stdout: /^hello cri\n$/, exitCode: 0 },
        { name: 'resolv.conf from dnsConfig', cmd: ['cat', '/etc/resolv.conf'], stdout: /^(?=[\s\S]*^nameserver 10\.96\.0\.10$)(?=[\s\S]*^search cri-test\.svc\.cluster\.local svc\.cluster\.local$)(?=[\s\S]*^options ndots:5$)/m, exitCode: 0 },
        { name: 'hostname', cmd: ['hostname'], stdout: /^web\n$/, exitCode: 0 },
        { name: 'memory limit applied', cmd: ['sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'], stdout: /^67108864\n$/, exitCode: 0 },
        { name: 'exit code', cmd: ['sh', '-c', 'echo out; exit 3'], stdout: /^out\n$/, exitCode: 3 },
      ];
      for (const c of execCases) {
        const r = await cri.runtime.execSync(containerId, c.cmd, 10_000);
        assert.match(r.stdout.toString(), c.stdout, c.name);
        assert.equal(r.exitCode, c.exitCode, c.name);
        assert.equal(r.timedOut, false, c.name);
      }
      const slow = await cri.runtime.execSync(containerId, ['sleep', '10'], 1_000);
      assert.equal(slow.timedOut, true);

      // Streaming exec through containerd's streaming server, over both transports.
      for (const transport of ['spdy', 'websocket'] as const) {
        const rt = transport === 'spdy' ? cri : createCriRuntime({ endpoint: fx.endpoint, streaming: 'websocket' });
        try {
          const s = await rt.runtime.exec(containerId, ['sh', '-c', 'echo to-out; echo to-err >&2; exit 7'], { stdin: false, stdout: true, stderr: true, tty: false });
          const [out, err, code] = await Promise.all([collect(s.stdout), collect(s.stderr), s.exit]);
          assert.deepEqual([out, err, code], ['to-out\n', 'to-err\n', 7], transport);
          const withStdin = await rt.runtime.exec(containerId, ['sh', '-c', 'read line; echo "got:$line"'], { stdin: true, stdout: true, stderr: true, tty: false });
          withStdin.stdin!.write('ping\n');
          const [out2, code2] = await Promise.all([collect(withStdin.stdout), withStdin.exit]);
          assert.deepEqual([out2, code2], ['got:ping\n', 0], transport);
        } finally {
          if (rt !== cri) await rt.dispose();
        }
      }

      // End of stdin reaches the command (what `kubectl cp` into a pod relies on).
      const cat = await cri.runtime.exec(containerId, ['sh', '-c', 'cat > /tmp/copied; wc -c < /tmp/copied'], { stdin: true, stdout: true, stderr: true, tty: false });
      const payload = crypto.randomBytes(200_000).toString('base64');
      cat.stdin!.end(payload);
      const [catOut, catCode] = await Promise.all([collect(cat.stdout), cat.exit]);
      assert.deepEqual([catOut.trim(), catCode], [String(payload.length), 0]);

      const tty = await cri.runtime.exec(containerId, ['sh', '-c', 'echo to-tty; echo err >&2; exit 2'], { stdin: false, stdout: true, stderr: true, tty: true });
      tty.resize({ width: 100, height: 30 });
      assert.equal(tty.stderr, undefined);
      const [ttyOut, ttyCode] = await Promise.all([collect(tty.stdout), tty.exit]);
      assert.equal(ttyOut, 'to-tty\r\nerr\r\n');
      assert.equal(ttyCode, 2);

      const shell = await cri.runtime.exec(containerId, ['sh'], { stdin: true, stdout: true, stderr: true, tty: true });
      const shellOut = collect(shell.stdout);
      shell.stdin!.write('echo "in $((6*7))"\nexit 5\n');
      assert.equal(await shell.exit, 5);
      assert.match(await shellOut, /in 42/);

      await assert.rejects(async () => {
        const bad = await cri.runtime.exec(containerId, ['/no/such/binary'], { stdin: false, stdout: true, stderr: true, tty: false });
        await bad.exit;
      }, /no such file|not found|executable/i);

      // Port-forward over the streaming server, twice to show connections are independent.
      for (let i = 0; i < 2; i++) {
        const conn: Duplex = await cri.runtime.portForward(sandboxId, 80);
        const body = collect(conn);
        conn.write('GET / HTTP/1.0\r\n\r\n');
        assert.match(await body, /^HTTP\/1\.[01] 200[\s\S]*hello from busybox/);
      }

      // Bridge networking: the host reaches the pod IP directly.
      const ip = (await cri.runtime.podSandboxStatus(sandboxId))!.ip!;
      const res = await fetch(`http://${ip}/`);
      assert.equal(await res.text(), 'hello from busybox\n');

      const stats = await until('stats', async () => {
        const x = await cri.runtime.containerStats(containerId);
        return x && x.memoryWorkingSetBytes > 0 ? x : undefined;
      });
      assert.equal(stats.containerId, containerId);
      assert.ok(stats.cpuUsageCoreNanoSeconds > 0);
      assert.ok(Math.abs(stats.timestamp - Date.now()) < 60_000, `timestamp ${stats.timestamp} is in ms`);
      const allStats = await cri.runtime.listContainerStats({ podSandboxId: sandboxId });
      assert.deepEqual(allStats.map((x) => x.containerId), [containerId]);
      assert.deepEqual(await cri.runtime.listContainerStats({ podSandboxId: sandboxId, state: 'CONTAINER_EXITED' }), []);

      const t0 = Date.now();
      await cri.runtime.stopContainer(containerId, 1);
      const stopped = await cri.runtime.containerStatus(containerId);
      assert.equal(stopped?.state, 'CONTAINER_EXITED');
      assert.ok(stopped?.finishedAt && stopped.finishedAt >= t0 - 1000);
      // httpd as PID 1 ignores SIGTERM, so the grace period ends in SIGKILL.
      assert.equal(stopped?.exitCode, 137);
      await cri.runtime.stopContainer(containerId, 1);
      await cri.runtime.removeContainer(containerId);
      assert.equal(await cri.runtime.containerStatus(containerId), undefined);
      await cri.runtime.stopPodSandbox(sandboxId);
      await cri.runtime.removePodSandbox(sandboxId);
    });

    const exitCases: { name: string; cmd: string[]; limit?: number; exitCode: number; reason: string; log?: RegExp }[] = [
      { name: 'success is Completed', cmd: ['sh', '-c', 'echo done'], exitCode: 0, reason: 'Completed', log: /^\S+ stdout F done$/m },
      { name: 'failure is Error', cmd: ['sh', '-c', 'echo oops >&2; exit 3'], exitCode: 3, reason: 'Error', log: /^\S+ stderr F oops$/m },
      { name: 'over the memory limit is OOMKilled', cmd: ['sh', '-c', 'tail /dev/zero'], limit: 16 << 20, exitCode: 137, reason: 'OOMKilled' },
    ];
    for (const c of exitCases) {
      test(`exited container: ${c.name}`, async () => {
        const { sandboxId, containerId } = await runPod(`exit-${c.exitCode}-${c.reason.toLowerCase()}`, c.cmd, {
          container: c.limit ? { linux: { resources: { memoryLimitInBytes: c.limit } } } : {},
        });
        try {
          const st = await until('exit', async () => {
            const s = await cri.runtime.containerStatus(containerId);
            return s?.state === 'CONTAINER_EXITED' ? s : undefined;
          });
          assert.equal(st.exitCode, c.exitCode);
          assert.equal(st.reason, c.reason);
          assert.ok(st.finishedAt! >= st.startedAt!);
          if (c.log) assert.match(fs.readFileSync(st.logPath, 'utf8'), c.log);
        } finally {
          await cri.runtime.stopPodSandbox(sandboxId);
          await cri.runtime.removePodSandbox(sandboxId);
        }
      });
    }

    test('attach streams the container\'s output and reports its exit code', async () => {
      const sb = sandboxConfig('attach');
      const sandboxId = await cri.runtime.runPodSandbox(sb);
      try {
        const cmd = ['sh', '-c', 'read go; for i in 1 2 3; do echo "line $i"; done; exit 4'];
        const cid = await cri.runtime.createContainer(sandboxId, containerConfig('attach', cmd, { stdin: true, stdinOnce: true }), sb);
        await cri.runtime.startContainer(cid);
        const session: StreamSession = await cri.runtime.attach(cid, { stdin: true, stdout: true, stderr: true, tty: false });
        const out = collect(session.stdout);
        session.stdin!.write('go\n');
        assert.equal(await session.exit, 4);
        assert.match(await out, /line 1\nline 2\nline 3\n/);
      } finally {
        await cri.runtime.stopPodSandbox(sandboxId);
        await cri.runtime.removePodSandbox(sandboxId);
      }
    });

    test('a read-only host path mount is visible and not writable', async () => {
      const hostDir = fs.mkdtempSync(path.join(fx.dir, 'vol-'));
      fs.writeFileSync(path.join(hostDir, 'data.txt'), 'from the host\n');
      const { sandboxId, containerId } = await runPod('mounts', ['sleep', 'inf'], {
        container: { mounts: [{ containerPath: '/data', hostPath: hostDir, readonly: true }] },
      });
      try {
        const read = await cri.runtime.execSync(containerId, ['cat', '/data/data.txt'], 5_000);
        assert.equal(read.stdout.toString(), 'from the host\n');
        const write = await cri.runtime.execSync(containerId, ['sh', '-c', 'echo x > /data/new.txt'], 5_000);
        assert.notEqual(write.exitCode, 0);
        assert.match(write.stderr.toString(), /read-only/i);
      } finally {
        await cri.runtime.stopPodSandbox(sandboxId);
        await cri.runtime.removePodSandbox(sandboxId);
      }
    });

    test('security context: user and group ids', async () => {
      const { sandboxId, containerId } = await runPod('user', ['sleep', 'inf'], {
        container: { linux: { securityContext: { runAsUser: 65534, runAsGroup: 65534 } } },
      });
      try {
        const r = await cri.runtime.execSync(containerId, ['id'], 5_000);
        assert.match(r.stdout.toString(), /uid=65534.*gid=65534/);
      } finally {
        await cri.runtime.stopPodSandbox(sandboxId);
        await cri.runtime.removePodSandbox(sandboxId);
      }
    });

    test('a hostPort reaches the pod from the host (loopback and node address) until the sandbox stops', async () => {
      const hostPort = await freeTcpPort();
      const { sandboxId } = await runPod('hostport', ['httpd', '-f', '-p', '80', '-h', '/var/www'], {
        portMappings: [{ protocol: 'TCP', containerPort: 80, hostPort }],
      });
      try {
        assert.ok(natRulesFor(hostPort).length > 0, 'portmap installed DNAT rules for the port');
        const nodeIP = firstIPv4();
        const hosts = nodeIP === '127.0.0.1' ? ['127.0.0.1'] : ['127.0.0.1', nodeIP];
        for (const host of hosts) {
          const reply = await until(`an answer on ${host}:${hostPort}`, () => rawGet(host, hostPort));
          assert.match(reply, /^HTTP\/1\.[01] 200 OK\r\n/, host);
          assert.match(reply, /hello from busybox\n$/, host);
        }
      } finally {
        await cri.runtime.stopPodSandbox(sandboxId);
        await cri.runtime.removePodSandbox(sandboxId);
      }
      // CNI DEL on stop removes the sandbox's rules; nothing answers there any more.
      assert.deepEqual(natRulesFor(hostPort), []);
      assert.equal(await rawGet('127.0.0.1', hostPort, 1_000), undefined);
    });

    test('a hostNetwork sandbox shares the host\'s network namespace and has no pod IP', async () => {
      const { sandboxId, containerId } = await runPod('hostnet', ['sleep', 'inf'], { hostNetwork: true });
      try {
        const st = await cri.runtime.podSandboxStatus(sandboxId);
        assert.equal(st?.state, 'SANDBOX_READY');
        assert.equal(st?.ip, undefined);
        // The test bridge lives in the host's namespace only.
        const r = await cri.runtime.execSync(containerId, ['cat', '/proc/net/dev'], 5_000);
        assert.match(r.stdout.toString(), new RegExp(fx.bridge));
      } finally {
        await cri.runtime.stopPodSandbox(sandboxId);
        await cri.runtime.removePodSandbox(sandboxId);
      }
    });
  });
});
