/**
 * One behavioural contract for every RuntimeService implementation (oci,
 * cri, sim): the agent is written against this, so each implementation
 * registers these cases with its own fixture. The image must be busybox-like
 * (sh, echo, cat, sleep, head, tr, httpd on PATH).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ContainerConfig, ContainerRuntime, ContainerStatus, PodSandboxConfig, RuntimeService } from './interface.js';

export const CONFORMANCE_CASES = [
  'sandbox lifecycle and IP',
  'container runs to exit with its exit code',
  'env, args and workingDir',
  'mounts are visible',
  'logs are written in the CRI format',
  'execSync returns output and exit code',
  'exec streams stdin, stdout and stderr',
  'attach streams output and stdin',
  'port-forward reaches a pod port',
  'stop sends SIGTERM, then SIGKILL after the grace period',
  'a container over its memory limit is OOMKilled',
  'an OOM kill is told apart from a SIGKILL',
  'stats are non-zero for a running container',
  "a container can join another's PID namespace",
  'containers of a pod that shares its PID namespace see each other',
  'a new instance on the same state adopts running containers',
  'teardown leaves nothing behind',
] as const;

export type ConformanceCase = (typeof CONFORMANCE_CASES)[number];

export interface ConformanceFixture {
  runtime: ContainerRuntime;
  /** A busybox image the runtime can create containers from without a pull. */
  image: string;
  cleanup(): Promise<void>;
  /** A new runtime instance on the same state, as after an agent restart. Without it the adoption case is skipped. */
  reopen?(): Promise<ContainerRuntime>;
  /** Cases this implementation cannot run here, with the reason shown. */
  skip?: Partial<Record<ConformanceCase, string>>;
  /** Whether host resources (netns, mounts, cgroups, processes) are checked after teardown; default true on Linux. */
  hostResources?: boolean;
}

export interface ConformanceOptions {
  /** Skip the whole suite (not root, a binary missing...), with the reason. */
  skip?: string;
}

const suffix = () => randomBytes(4).toString('hex');

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface CriLine {
  time: string;
  stream: 'stdout' | 'stderr';
  tag: 'F' | 'P';
  text: string;
}

const CRI_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) (stdout|stderr) (F|P) (.*)$/;

export function readCriLog(file: string): CriLine[] {
  if (!existsSync(file)) return [];
  const out: CriLine[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const m = CRI_LINE.exec(line);
    if (!m) throw new Error(`not a CRI log line: ${JSON.stringify(line)}`);
    out.push({ time: m[1]!, stream: m[2] as CriLine['stream'], tag: m[3] as CriLine['tag'], text: m[4]! });
  }
  return out;
}

function collect(stream: Readable | undefined): () => string {
  const chunks: Buffer[] = [];
  stream?.on('data', (b: Buffer) => chunks.push(Buffer.from(b)));
  return () => Buffer.concat(chunks).toString();
}

/** What a teardown may leave: names and paths on the host that mention one of the ids. */
function hostLeftovers(ids: string[]): string[] {
  const keys = ids.flatMap((id) => [id, id.slice(0, 12)]).filter((k) => k.length >= 12);
  const hit = (s: string) => keys.some((k) => s.includes(k));
  const found: string[] = [];
  try {
    for (const ns of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n')) if (hit(ns)) found.push(`netns ${ns}`);
  } catch {}
  for (const m of readFileSync('/proc/self/mounts', 'utf8').split('\n')) if (hit(m)) found.push(`mount ${m}`);
  const walk = (dir: string, depth: number) => {
    if (depth > 5) return;
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(dir, n);
      try {
        if (!statSync(p).isDirectory()) continue;
      } catch {
        continue;
      }
      if (hit(n)) found.push(`cgroup ${p}`);
      else walk(p, depth + 1);
    }
  };
  for (const h of ['memory', 'pids', 'cpu', 'cpuacct']) walk(path.join('/sys/fs/cgroup', h), 0);
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (ids.some((id) => cmd.includes(id))) found.push(`process ${pid} ${cmd.replace(/\0/g, ' ').slice(0, 120)}`);
    } catch {}
  }
  return found;
}

export function runtimeConformance(name: string, factory: () => Promise<ConformanceFixture>, opts: ConformanceOptions = {}): void {
  describe(`runtime conformance: ${name}`, { skip: opts.skip ?? false }, () => {
    let fx: ConformanceFixture;
    let rt: RuntimeService;
    let logRoot: string;
    const sandboxes = new Set<string>();

    before(async () => {
      fx = await factory();
      rt = fx.runtime.runtime;
      logRoot = mkdtempSync(path.join(os.tmpdir(), 'k8ts-conformance-logs-'));
    });

    after(async () => {
      for (const id of sandboxes) await rt.removePodSandbox(id).catch(() => {});
      await fx?.cleanup();
      if (logRoot) rmSync(logRoot, { recursive: true, force: true });
    });

    const sandboxConfig = (podName: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig => {
      const uid = randomBytes(8).toString('hex');
      return {
        metadata: { name: podName, namespace: 'conformance', uid, attempt: 0 },
        hostname: podName,
        logDirectory: path.join(logRoot, `conformance_${podName}_${uid}`),
        portMappings: [],
        labels: { 'io.kubernetes.pod.name': podName, 'io.kubernetes.pod.namespace': 'conformance', 'io.kubernetes.pod.uid': uid, suite: 'conformance' },
        annotations: {},
        linux: { security: { hostNetwork: false } },
        ...extra,
      };
    };

    const containerConfig = (cname: string, over: Partial<ContainerConfig> = {}): ContainerConfig => ({
      metadata: { name: cname, attempt: 0 },
      image: fx.image,
      envs: [],
      mounts: [],
      labels: { 'io.kubernetes.container.name': cname },
      annotations: {},
      logPath: `${cname}/0.log`,
      stdin: false,
      stdinOnce: false,
      tty: false,
      linux: {},
      ...over,
    });

    const withPod = async (podName: string, fn: (id: string, cfg: PodSandboxConfig) => Promise<void>, extra: Partial<PodSandboxConfig> = {}) => {
      const cfg = sandboxConfig(`${podName}-${suffix()}`, extra);
      const id = await rt.runPodSandbox(cfg);
      sandboxes.add(id);
      try {
        await fn(id, cfg);
      } finally {
        await rt.removePodSandbox(id);
        sandboxes.delete(id);
      }
    };

    const run = async (sb: string, sbCfg: PodSandboxConfig, cfg: ContainerConfig) => {
      const id = await rt.createContainer(sb, cfg, sbCfg);
      await rt.startContainer(id);
      return id;
    };

    const waitExited = (id: string, timeoutMs = 20_000) =>
      waitFor(`container ${id.slice(0, 12)} to exit`, async () => {
        const s = await rt.containerStatus(id);
        return s?.state === 'CONTAINER_EXITED' ? s : undefined;
      }, timeoutMs);

    const waitLog = (st: () => Promise<ContainerStatus | undefined>, pred: (lines: CriLine[]) => boolean, what: string) =>
      waitFor(what, async () => {
        const s = await st();
        if (!s) return undefined;
        const lines = readCriLog(s.logPath);
        return pred(lines) ? lines : undefined;
      });

    const skipOf = (c: ConformanceCase) => fx?.skip?.[c];
    const theCase = (c: ConformanceCase, fn: () => Promise<void>) =>
      test(c, async (t) => {
        const reason = skipOf(c) ?? (c === 'a new instance on the same state adopts running containers' && !fx.reopen ? 'the fixture cannot open a second instance on the same state' : undefined);
        if (reason) {
          t.skip(reason);
          return;
        }
        await fn();
      });

    theCase('sandbox lifecycle and IP', async () => {
      const cfg = sandboxConfig(`lifecycle-${suffix()}`);
      const id = await rt.runPodSandbox(cfg);
      sandboxes.add(id);
      const st = await rt.podSandboxStatus(id);
      assert.equal(st?.state, 'SANDBOX_READY');
      assert.equal(st?.metadata.uid, cfg.metadata.uid);
      assert.match(st?.ip ?? '', /^\d+\.\d+\.\d+\.\d+$/, 'a pod IP');
      const listed = await rt.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': cfg.metadata.uid } });
      assert.deepEqual(listed.map((s) => s.id), [id]);
      assert.deepEqual(await rt.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': 'nobody' } }), []);
      await rt.stopPodSandbox(id);
      await rt.stopPodSandbox(id);
      assert.equal((await rt.podSandboxStatus(id))?.state, 'SANDBOX_NOTREADY');
      await rt.removePodSandbox(id);
      await rt.removePodSandbox(id);
      sandboxes.delete(id);
      assert.equal(await rt.podSandboxStatus(id), undefined);
    });

    theCase('container runs to exit with its exit code', async () => {
      await withPod('exit', async (sb, sbCfg) => {
        const cases = [
          { name: 'fails', command: ['sh', '-c', 'exit 3'], code: 3, reason: 'Error' },
          { name: 'succeeds', command: ['true'], code: 0, reason: 'Completed' },
        ];
        for (const c of cases) {
          const id = await rt.createContainer(sb, containerConfig(c.name, { command: c.command }), sbCfg);
          assert.equal((await rt.containerStatus(id))?.state, 'CONTAINER_CREATED', c.name);
          await rt.startContainer(id);
          const st = await waitExited(id);
          assert.equal(st.exitCode, c.code, c.name);
          assert.equal(st.reason, c.reason, c.name);
          assert.ok(st.startedAt && st.finishedAt && st.finishedAt >= st.startedAt, `${c.name}: start and finish times`);
        }
        const exited = await rt.listContainers({ podSandboxId: sb, state: 'CONTAINER_EXITED' });
        assert.equal(exited.length, 2);
      });
    });

    theCase('env, args and workingDir', async () => {
      await withPod('env', async (sb, sbCfg) => {
        const id = await run(sb, sbCfg, containerConfig('env', {
          command: ['sh', '-c', 'echo "foo=$FOO pwd=$(pwd) args=$*"; echo "image=$FROM_IMAGE"; echo "host=$(hostname)"', 'sh'],
          args: ['a', 'b c'],
          workingDir: '/tmp',
          envs: [{ key: 'FOO', value: 'bar baz' }],
        }));
        await waitExited(id);
        const lines = await waitLog(() => rt.containerStatus(id), (l) => l.length >= 3, 'env output');
        const text = lines.map((l) => l.text);
        assert.ok(text.includes('foo=bar baz pwd=/tmp args=a b c'), JSON.stringify(text));
        assert.ok(text.includes(`host=${sbCfg.hostname}`), JSON.stringify(text));
      });
    });

    theCase('mounts are visible', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-conformance-mount-'));
      try {
        writeFileSync(path.join(dir, 'hello'), 'from the host\n');
        mkdirSync(path.join(dir, 'rw'));
        await withPod('mounts', async (sb, sbCfg) => {
          const id = await run(sb, sbCfg, containerConfig('mounts', {
            command: ['sh', '-c', 'cat /data/hello; touch /data/x 2>/dev/null && echo ro-writable; echo written > /out/file; cat /etc/hosts'],
            mounts: [
              { containerPath: '/data', hostPath: dir, readonly: true },
              { containerPath: '/out', hostPath: path.join(dir, 'rw'), readonly: false },
            ],
          }));
          assert.equal((await waitExited(id)).exitCode, 0);
          const lines = await waitLog(() => rt.containerStatus(id), (l) => l.some((x) => x.text === 'from the host'), 'mount output');
          assert.ok(!lines.some((l) => l.text === 'ro-writable'), 'a read-only mount refuses writes');
          assert.ok(lines.some((l) => /^127\.0\.0\.1\s+localhost/.test(l.text)), '/etc/hosts has localhost');
          assert.equal(readFileSync(path.join(dir, 'rw', 'file'), 'utf8'), 'written\n');
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    theCase('logs are written in the CRI format', async () => {
      await withPod('logs', async (sb, sbCfg) => {
        const id = await run(sb, sbCfg, containerConfig('logs', { command: ['sh', '-c', 'echo one; echo two >&2; printf "no newline"'] }));
        await waitExited(id);
        const st = (await rt.containerStatus(id))!;
        assert.equal(st.logPath, path.join(sbCfg.logDirectory, 'logs/0.log'));
        const lines = await waitLog(() => rt.containerStatus(id), (l) => l.length >= 3, 'three log lines');
        const byStream = (s: string) => lines.filter((l) => l.stream === s).map((l) => l.text);
        assert.deepEqual(byStream('stdout'), ['one', 'no newline']);
        assert.deepEqual(byStream('stderr'), ['two']);
        // Full lines are tagged F; a last line without a newline may be F or P (containerd writes P), readers accept both.
        const last = lines.findIndex((l) => l.text === 'no newline');
        assert.ok(lines.every((l, i) => l.tag === 'F' || (i === last && l.tag === 'P')), JSON.stringify(lines));
        assert.ok(lines.every((l) => !Number.isNaN(Date.parse(l.time))));
      });
    });

    theCase('execSync returns output and exit code', async () => {
      await withPod('execsync', async (sb, sbCfg) => {
        const id = await run(sb, sbCfg, containerConfig('sleeper', { command: ['sleep', '600'] }));
        const cases = [
          { name: 'success', cmd: ['echo', 'hi'], code: 0, stdout: 'hi\n', stderr: '' },
          { name: 'failure', cmd: ['sh', '-c', 'echo oops >&2; exit 7'], code: 7, stdout: '', stderr: 'oops\n' },
        ];
        for (const c of cases) {
          const r = await rt.execSync(id, c.cmd, 10_000);
          assert.equal(r.exitCode, c.code, c.name);
          assert.equal(r.stdout.toString(), c.stdout, c.name);
          assert.equal(r.stderr.toString(), c.stderr, c.name);
          assert.equal(r.timedOut, false, c.name);
        }
        const started = Date.now();
        const slow = await rt.execSync(id, ['sleep', '30'], 500);
        assert.equal(slow.timedOut, true);
        assert.ok(Date.now() - started < 10_000, 'the timeout ends the command');
      });
    });

    theCase('exec streams stdin, stdout and stderr', async () => {
      await withPod('exec', async (sb, sbCfg) => {
        const id = await run(sb, sbCfg, containerConfig('sleeper', { command: ['sleep', '600'] }));
        const s = await rt.exec(id, ['sh', '-c', 'cat; echo done >&2; exit 4'], { stdin: true, stdout: true, stderr: true, tty: false });
        const out = collect(s.stdout);
        const err = collect(s.stderr);
        s.stdin!.write('hello\n');
        s.stdin!.end('world\n');
        assert.equal(await s.exit, 4);
        await waitFor('exec output', async () => out() === 'hello\nworld\n' && err() === 'done\n');
      });
    });

    theCase('attach streams output and stdin', async () => {
      await withPod('attach', async (sb, sbCfg) => {
        const id = await run(sb, sbCfg, containerConfig('reader', {
          command: ['sh', '-c', 'while read line; do echo "got $line"; done; echo eof'],
          stdin: true,
          stdinOnce: true,
        }));
        const s = await rt.attach(id, { stdin: true, stdout: true, stderr: true, tty: false });
        const out = collect(s.stdout);
        s.stdin!.write('ping\n');
        await waitFor('attached output', async () => out().includes('got ping'));
        s.stdin!.end();
        const st = await waitExited(id);
        assert.equal(st.exitCode, 0);
        await waitFor('eof output', async () => out().includes('eof'));
        assert.equal(await s.exit, 0);
        const lines = await waitLog(() => rt.containerStatus(id), (l) => l.some((x) => x.text === 'eof'), 'attach log');
        assert.ok(lines.some((l) => l.text === 'got ping'));
      });
    });

    theCase('port-forward reaches a pod port', async () => {
      await withPod('portfwd', async (sb, sbCfg) => {
        await run(sb, sbCfg, containerConfig('web', {
          command: ['sh', '-c', 'mkdir -p /tmp/www && echo served-by-pod > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www'],
        }));
        const body = await waitFor('an HTTP answer', async () => {
          try {
            const sock = await rt.portForward(sb, 8080);
            // Until httpd listens the runtime reports the refused port as a stream error: try again.
            let failed = false;
            sock.on('error', () => (failed = true));
            const read = collect(sock);
            sock.end('GET /index.html HTTP/1.0\r\n\r\n');
            await new Promise((r) => sock.once('close', r));
            return !failed && read().includes('served-by-pod') ? read() : undefined;
          } catch {
            return undefined;
          }
        });
        assert.match(body, /^HTTP\/1\.[01] 200/);
      });
    });

    theCase('stop sends SIGTERM, then SIGKILL after the grace period', async () => {
      await withPod('stop', async (sb, sbCfg) => {
        const polite = await run(sb, sbCfg, containerConfig('polite', { command: ['sh', '-c', 'trap "echo bye; exit 0" TERM; echo ready; while true; do sleep 0.1; done'] }));
        // PID 1 without a handler ignores SIGTERM: only the kill ends it.
        const stubborn = await run(sb, sbCfg, containerConfig('stubborn', { command: ['sleep', '600'] }));
        await waitLog(() => rt.containerStatus(polite), (l) => l.some((x) => x.text === 'ready'), 'polite ready');
        let t0 = Date.now();
        await rt.stopContainer(polite, 10);
        assert.ok(Date.now() - t0 < 5_000, 'a container that handles SIGTERM stops before the grace period ends');
        const ps = await waitExited(polite);
        assert.equal(ps.exitCode, 0);
        t0 = Date.now();
        await rt.stopContainer(stubborn, 1);
        const took = Date.now() - t0;
        assert.ok(took >= 900 && took < 8_000, `killed after the grace period (took ${took} ms)`);
        const ss = await waitExited(stubborn);
        assert.equal(ss.exitCode, 137);
        assert.equal(ss.reason, 'Error');
        await rt.stopContainer(stubborn, 1);
      });
    });

    theCase('a container over its memory limit is OOMKilled', async () => {
      await withPod('oom', async (sb, sbCfg) => {
        const id = await run(sb, sbCfg, containerConfig('hog', {
          command: ['sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived'],
          linux: { resources: { memoryLimitInBytes: 32 * 1024 * 1024 } },
        }));
        const st = await waitExited(id, 60_000);
        assert.equal(st.reason, 'OOMKilled');
        assert.equal(st.exitCode, 137);
      });
    });

    theCase('an OOM kill is told apart from a SIGKILL', async () => {
      await withPod('oomkill', async (sb, sbCfg) => {
        const limit = { linux: { resources: { memoryLimitInBytes: 16 * 1024 * 1024 } } };
        const cases = [
          // tail buffers its endless first line: the kernel kills tail, not the shell, which exits with tail's status.
          { name: 'oom', command: ['sh', '-c', 'head -c 67108864 /dev/zero | tail'], reason: 'OOMKilled' },
          // Page cache fills the limit (reclaimed, no OOM), then a SIGKILL: the same 137, but an Error.
          { name: 'killed', command: ['sh', '-c', 'dd if=/dev/zero of=/tmp/fill bs=1048576 count=48 2>/dev/null; sh -c \'kill -9 $$\'; exit $?'], reason: 'Error' },
        ];
        for (const c of cases) {
          const id = await run(sb, sbCfg, containerConfig(c.name, { command: c.command, ...limit }));
          const st = await waitExited(id, 60_000);
          assert.deepEqual([st.reason, st.exitCode], [c.reason, 137], c.name);
        }
      });
    });

    theCase("a container can join another's PID namespace", async () => {
      await withPod('pidns', async (sb, sbCfg) => {
        const target = await run(sb, sbCfg, containerConfig('app', { command: ['sleep', '600'] }));
        const debug = await run(sb, sbCfg, containerConfig('debug', {
          command: ['sh', '-c', 'echo "init=$(tr "\\0" " " < /proc/1/cmdline)"'],
          linux: { securityContext: { pidTargetId: target } },
        }));
        assert.equal((await waitExited(debug)).exitCode, 0);
        const lines = await waitLog(() => rt.containerStatus(debug), (l) => l.some((x) => x.text.startsWith('init=')), 'the debug container output');
        assert.deepEqual(lines.filter((l) => l.text.startsWith('init=')).map((l) => l.text.trim()), ['init=sleep 600'], 'PID 1 is the target container\'s process');
        // Its own namespace otherwise: PID 1 is the container's own command.
        const own = await run(sb, sbCfg, containerConfig('own', { command: ['sh', '-c', 'echo "init=$(tr "\\0" " " < /proc/1/cmdline)"'] }));
        await waitExited(own);
        const ownLines = await waitLog(() => rt.containerStatus(own), (l) => l.some((x) => x.text.startsWith('init=')), 'the other container output');
        assert.match(ownLines.find((l) => l.text.startsWith('init='))!.text, /^init=sh -c/);
        await rt.stopContainer(target, 0);
        await waitExited(target);
        await assert.rejects(
          rt.createContainer(sb, containerConfig('late', { command: ['true'], linux: { securityContext: { pidTargetId: target } } }), sbCfg).then((id) => rt.startContainer(id)),
          'a stopped target has no PID namespace to join',
        );
      });
    });

    theCase('containers of a pod that shares its PID namespace see each other', async () => {
      const listing = 'for p in /proc/[0-9]*; do echo "$(basename $p) $(tr "\\0" " " < $p/cmdline)"; done';
      const cfg = sandboxConfig(`sharepid-${suffix()}`, { linux: { security: { hostNetwork: false, sharePID: true } } });
      const sb = await rt.runPodSandbox(cfg);
      sandboxes.add(sb);
      const app = await run(sb, cfg, containerConfig('app', { command: ['sleep', '600'] }));
      const look = await run(sb, cfg, containerConfig('look', { command: ['sh', '-c', listing] }));
      assert.equal((await waitExited(look)).exitCode, 0);
      const lines = (await waitLog(() => rt.containerStatus(look), (l) => l.some((x) => / sleep 600 ?$/.test(x.text)), 'the other container in the listing')).map((l) => l.text.trim());
      // PID 1 is the sandbox's holder (pause), neither container's command.
      const init = lines.find((l) => l.startsWith('1 '));
      assert.ok(init && !init.includes('sleep 600') && !init.includes('/proc/'), JSON.stringify(lines));
      // Not shared: a pod of its own sees only itself.
      await withPod('ownpid', async (sb2, cfg2) => {
        const alone = await run(sb2, cfg2, containerConfig('alone', { command: ['sh', '-c', listing] }));
        await waitExited(alone);
        const own = (await waitLog(() => rt.containerStatus(alone), (l) => l.length > 0, 'the listing')).map((l) => l.text.trim());
        assert.ok(!own.some((l) => l.includes('sleep 600')), JSON.stringify(own));
      });
      await rt.stopPodSandbox(sb);
      assert.equal((await rt.containerStatus(app))?.state, 'CONTAINER_EXITED');
      await rt.removePodSandbox(sb);
      sandboxes.delete(sb);
      if ((fx.hostResources ?? process.platform === 'linux') && process.platform === 'linux') assert.deepEqual(hostLeftovers([sb, app, look]), []);
    });

    theCase('stats are non-zero for a running container', async () => {
      await withPod('stats', async (sb, sbCfg) => {
        const id = await run(sb, sbCfg, containerConfig('busy', { command: ['sh', '-c', 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 600'] }));
        const s = await waitFor('cpu usage', async () => {
          const st = await rt.containerStats(id);
          return st && st.cpuUsageCoreNanoSeconds > 0 && st.memoryWorkingSetBytes > 0 ? st : undefined;
        });
        assert.equal(s.containerId, id);
        const all = await rt.listContainerStats({ podSandboxId: sb });
        assert.deepEqual(all.map((x) => x.containerId), [id]);
      });
    });

    theCase('a new instance on the same state adopts running containers', async () => {
      await withPod('adopt', async (sb, sbCfg) => {
        const id = await run(sb, sbCfg, containerConfig('ticker', { command: ['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done'] }));
        await waitLog(() => rt.containerStatus(id), (l) => l.length >= 1, 'first tick');
        const next = await fx.reopen!();
        rt = next.runtime;
        const listed = await rt.listContainers({ podSandboxId: sb });
        assert.deepEqual(listed.map((c) => [c.id, c.state]), [[id, 'CONTAINER_RUNNING']]);
        assert.deepEqual((await rt.listPodSandbox({ id: sb })).map((s) => s.state), ['SANDBOX_READY']);
        const before = readCriLog(listed[0]!.logPath).length;
        // Output written after the restart reaches the log.
        await waitLog(() => rt.containerStatus(id), (l) => l.length >= before + 3, 'ticks after the restart');
        const r = await rt.execSync(id, ['echo', 'still here'], 10_000);
        assert.equal(r.stdout.toString(), 'still here\n');
        await rt.stopContainer(id, 0);
        assert.equal((await waitExited(id)).exitCode, 137);
      });
    });

    theCase('teardown leaves nothing behind', async () => {
      const cfg = sandboxConfig(`teardown-${suffix()}`);
      const sb = await rt.runPodSandbox(cfg);
      sandboxes.add(sb);
      const running = await run(sb, cfg, containerConfig('running', { command: ['sleep', '600'] }));
      const exited = await run(sb, cfg, containerConfig('exited', { command: ['true'] }));
      const created = await rt.createContainer(sb, containerConfig('created', { command: ['true'] }), cfg);
      await waitExited(exited);
      await rt.stopPodSandbox(sb);
      assert.equal((await rt.containerStatus(running))?.state, 'CONTAINER_EXITED', 'stopPodSandbox stops the containers');
      await rt.removePodSandbox(sb);
      sandboxes.delete(sb);
      assert.deepEqual(await rt.listContainers({ podSandboxId: sb }), []);
      for (const c of [running, exited, created]) assert.equal(await rt.containerStatus(c), undefined);
      if ((fx.hostResources ?? process.platform === 'linux') && process.platform === 'linux') {
        assert.deepEqual(hostLeftovers([sb, running, exited, created]), []);
      }
    });
  });
}
