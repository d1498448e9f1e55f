/**
 * The real-container scenarios every runtime must pass through the real
 * kubectl: readiness and pod networking, logs/exec/cp/port-forward, OOM,
 * crash back-off and liveness restarts, volumes and env, a Deployment
 * rollout, image pull errors, `kubectl top`, hostPort, and a namespace
 * deletion that leaves nothing behind. Each runtime's file owns the server
 * and the host-specific checks and registers these tests inside its describe.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type TestServer, freePort } from '../testing/server-harness.js';
import { BackgroundKubectl, applyObjects, ensureNamespace, parseTable, pollUntil } from './kubectl-helpers.js';

export interface ContainerScenarioEnv {
  server: TestServer;
  /** A busybox image (sh, httpd, nc, sleep) without /etc/image-version. */
  image1: string;
  /** The same with /etc/image-version containing `2`. */
  image2: string;
  /** An image name in a reachable registry that does not hold it. */
  missingImage: string;
  /** The node's podCIDR: pod IPs must be in it. */
  podCIDR: string;
  /** The node's InternalIP, where hostPorts answer. */
  nodeIP: string;
  /** A temp dir of the test's own. */
  workDir: string;
  /**
   * Called before the namespaces are deleted: asserts the runtime holds the
   * pods now, and returns what it still holds for them afterwards, as readable
   * lines ([] when nothing).
   */
  beforeNamespaceDeletion(): Promise<() => Promise<string[]>>;
  /** Runtimes that cannot map hostPorts yet skip that scenario, with the reason. */
  hostPortSkip?: string;
}

const hex = (n: number) => randomBytes(n).toString('hex');

/** GET over plain HTTP; the body, or undefined when the peer does not answer. */
export function httpGet(url: string, timeoutMs = 2_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** Whether an IPv4 address lies in a CIDR. */
export function inCidr(ip: string, cidr: string): boolean {
  const toInt = (a: string) => a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  const [base, bits] = cidr.split('/');
  const mask = Number(bits) === 0 ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0;
  return ((toInt(ip) & mask) >>> 0) === ((toInt(base!) & mask) >>> 0);
}

/** A TCP port free on every address now (hostPorts bind no socket, so the kernel's pick is only a good guess). */
function freeHostPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Registers the scenarios as numbered tests in the caller's describe. `getEnv`
 * is read when each test runs (after the caller's `before`). Later tests use
 * pods of earlier ones, as noted in their assertions.
 */
export function containerScenarios(getEnv: () => ContainerScenarioEnv): void {
  const namespaces: string[] = [];
  const server = () => getEnv().server;

  const newNamespace = async (prefix: string) => {
    const s = server();
    const ns = `${prefix}-${hex(3)}`;
    namespaces.push(ns);
    await ensureNamespace(s, ns);
    await pollUntil(`the default ServiceAccount in ${ns}`, async () => ((await s.kubectl(['get', '-n', ns, 'serviceaccount/default', '-o', 'name'])).code === 0 ? true : undefined), { timeoutMs: 20_000 });
    return ns;
  };
  const jsonpath = (ns: string, obj: string, expr: string) => server().k(['get', '-n', ns, obj, '-o', `jsonpath=${expr}`]);
  const waitReady = async (ns: string, pods: string[], timeout = '60s') => {
    const out = await server().k(['wait', '-n', ns, '--for=condition=Ready', ...pods.map((p) => `pod/${p}`), `--timeout=${timeout}`], { timeoutMs: 90_000 });
    assert.equal(out, pods.map((p) => `pod/${p} condition met\n`).join(''));
  };
  const busyboxPod = (name: string, command: string, extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: { terminationGracePeriodSeconds: 1, ...extra, containers: [{ name: 'c', image: getEnv().image1, command: ['sh', '-c', command], ...container }] },
  });

  let webNs = '';
  let webIP = '';

  test('1. httpd pod becomes Ready through an httpGet probe and answers from the host and another pod', async () => {
    webNs = await newNamespace('ctr-web');
    const web = busyboxPod('web', 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www', {}, {
      ports: [{ containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
    });
    assert.equal(await applyObjects(server(), [web], { namespace: webNs }), 'pod/web created\n');
    await waitReady(webNs, ['web']);
    webIP = await jsonpath(webNs, 'pod/web', '{.status.podIP}');
    assert.ok(inCidr(webIP, getEnv().podCIDR), `pod IP ${webIP} in ${getEnv().podCIDR}`);
    assert.equal(await httpGet(`http://${webIP}:8080/`), 'hello from web\n');
    const client = busyboxPod('client', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc ${webIP} 8080`, { restartPolicy: 'Never' });
    await applyObjects(server(), [client], { namespace: webNs });
    await pollUntil('client pod to succeed', async () => ((await jsonpath(webNs, 'pod/client', '{.status.phase}')) === 'Succeeded' ? true : undefined), { timeoutMs: 30_000, intervalMs: 250 });
    const logs = await server().k(['logs', '-n', webNs, 'client']);
    // Container logs are split into lines as containerd does, which drops the \r of a \r\n.
    assert.match(logs, /^HTTP\/1\.[01] 200 OK\n/);
    assert.match(logs, /\n\nhello from web\n$/);
  });

  test('2. logs, logs -f, exec (output, exit code, stdin), cp, port-forward and debug', async () => {
    assert.ok(webIP, 'needs the web pod of test 1');
    const ticker = busyboxPod('ticker', 'i=0; while true; do echo "line $i"; i=$((i+1)); sleep 1; done');
    await applyObjects(server(), [ticker], { namespace: webNs });
    await waitReady(webNs, ['ticker']);
    await pollUntil('two log lines', async () => ((await server().k(['logs', '-n', webNs, 'ticker'])).startsWith('line 0\nline 1\n') ? true : undefined), { timeoutMs: 10_000, intervalMs: 250 });
    const follow = new BackgroundKubectl(server(), ['logs', '-f', '-n', webNs, 'ticker']);
    try {
      const before = Number(/line (\d+)\n$/.exec(await server().k(['logs', '-n', webNs, 'ticker']))![1]);
      await follow.waitFor(new RegExp(`line ${before + 2}\\n`), 10_000);
      assert.ok(follow.stdout.startsWith('line 0\nline 1\n'));
    } finally {
      await follow.stop();
    }

    assert.equal(await server().k(['exec', '-n', webNs, 'web', '--', 'cat', '/www/index.html']), 'hello from web\n');
    const exit3 = await server().kubectl(['exec', '-n', webNs, 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual(exit3, { code: 3, stdout: 'out\n', stderr: 'err\ncommand terminated with exit code 3\n' });
    assert.equal(await server().k(['exec', '-i', '-n', webNs, 'web', '--', 'sh', '-c', 'tr a-z A-Z'], { input: 'shout this\n' }), 'SHOUT THIS\n');

    const local = path.join(getEnv().workDir, 'cp-in.txt');
    const content = `round trip ${hex(8)}\n`;
    writeFileSync(local, content);
    await server().k(['cp', local, `${webNs}/web:/tmp/cp.txt`]);
    assert.equal(await server().k(['exec', '-n', webNs, 'web', '--', 'cat', '/tmp/cp.txt']), content);
    const back = path.join(getEnv().workDir, 'cp-out.txt');
    await server().k(['cp', `${webNs}/web:/tmp/cp.txt`, back]);
    assert.equal(readFileSync(back, 'utf8'), content);

    const lport = await freePort();
    const pf = new BackgroundKubectl(server(), ['port-forward', '-n', webNs, 'pod/web', `${lport}:8080`]);
    try {
      await pf.waitFor(new RegExp(`Forwarding from 127\\.0\\.0\\.1:${lport} -> 8080`), 15_000);
      assert.equal(await httpGet(`http://127.0.0.1:${lport}/`, 5_000), 'hello from web\n');
      assert.equal(await httpGet(`http://127.0.0.1:${lport}/`, 5_000), 'hello from web\n');
    } finally {
      await pf.stop();
    }

    // kubectl debug adds an ephemeral container to the running pod; it shares the pod's network, so it
    // reaches the web server on localhost. (Not attached: after stdin ends, containerd closes an attach
    // whose container is not stdinOnce, and kubectl debug does not set it.)
    const debug = await server().kubectl(['debug', '-n', webNs, 'web', `--image=${getEnv().image1}`, '--container=dbg', '--', 'sh', '-c', `echo debugging; printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 8080 | tail -n 1`]);
    assert.equal(debug.code, 0, debug.stderr);
    await pollUntil('the debug container to be reported terminated', async () => ((await jsonpath(webNs, 'pod/web', '{.status.ephemeralContainerStatuses[0].state.terminated.exitCode}')) === '0' ? true : undefined), { timeoutMs: 30_000, intervalMs: 250 });
    assert.equal(await server().k(['logs', '-n', webNs, 'web', '-c', 'dbg']), 'debugging\nhello from web\n');
    // kubectl debug -i: stdin reaches the debug container's shell through attach, and its output comes back.
    const interactive = await server().kubectl(['debug', '-i', '-n', webNs, 'web', `--image=${getEnv().image1}`, '--container=dbgi', '--', 'sh'], { input: 'echo "from stdin $((6 * 7))"\nexit 0\n' });
    assert.equal(interactive.code, 0, interactive.stderr);
    assert.match(interactive.stdout, /^from stdin 42$/m);
    // With --target, the debug container joins the app container's process namespace: its PID 1 is httpd.
    const targeted = await server().kubectl(['debug', '-n', webNs, 'web', `--image=${getEnv().image1}`, '--container=dbg2', '--target=c', '--', 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline; echo']);
    assert.equal(targeted.code, 0, targeted.stderr);
    await pollUntil('the targeted debug container to be reported terminated', async () => ((await jsonpath(webNs, 'pod/web', '{.status.ephemeralContainerStatuses[?(@.name=="dbg2")].state.terminated.exitCode}')) === '0' ? true : undefined), { timeoutMs: 30_000, intervalMs: 250 });
    assert.equal((await server().k(['logs', '-n', webNs, 'web', '-c', 'dbg2'])).trim(), 'httpd -f -p 8080 -h /www');
    // The app container ran on, unrestarted.
    assert.equal(await jsonpath(webNs, 'pod/web', '{.status.containerStatuses[0].restartCount}'), '0');

    // kubectl debug node/…: a pod in the host's PID, network and IPC namespaces, with the host's root at /host.
    const node = (await server().k(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    const nd = await server().kubectl(['debug', '-n', webNs, `node/${node}`, `--image=${getEnv().image1}`, '--', 'sh', '-c', 'echo "pid1=$(cat /proc/1/comm) host=$(hostname) root=$(cat /host/proc/1/comm)"']);
    assert.equal(nd.code, 0, nd.stderr);
    const debugPod = /Creating debugging pod (\S+) with container/.exec(nd.stdout + nd.stderr)?.[1];
    assert.ok(debugPod, nd.stdout + nd.stderr);
    await pollUntil('the node debugging pod to finish', async () => ((await jsonpath(webNs, `pod/${debugPod}`, '{.status.phase}')) === 'Succeeded' ? true : undefined), { timeoutMs: 30_000, intervalMs: 250 });
    const hostInit = readFileSync('/proc/1/comm', 'utf8').trim();
    assert.equal((await server().k(['logs', '-n', webNs, debugPod])).trim(), `pid1=${hostInit} host=${os.hostname()} root=${hostInit}`);
    await server().k(['delete', 'pod', '-n', webNs, debugPod, '--wait=false']);
  });

  test('3. OOMKilled, CrashLoopBackOff with growing restarts, liveness restarts', async () => {
    const ns = await newNamespace('ctr-fail');
    const oom = busyboxPod('oom', 'x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived', { restartPolicy: 'Never' }, { resources: { limits: { memory: '32Mi' } } });
    const crash = busyboxPod('crash', 'echo crashing; exit 1');
    const live = busyboxPod('live', 'exec sleep 3600', {}, { livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 1 } });
    await applyObjects(server(), [oom, crash, live], { namespace: ns });

    await pollUntil('oom pod to be OOMKilled', async () => ((await jsonpath(ns, 'pod/oom', '{.status.containerStatuses[0].state.terminated.reason}')) === 'OOMKilled' ? true : undefined), { timeoutMs: 30_000, intervalMs: 250 });
    assert.equal(await jsonpath(ns, 'pod/oom', '{.status.containerStatuses[0].state.terminated.exitCode}'), '137');
    const row = parseTable(await server().k(['get', 'pod', 'oom', '-n', ns])).at(0)!;
    assert.equal(row.STATUS, 'OOMKilled');
    assert.equal(await jsonpath(ns, 'pod/oom', '{.status.phase}'), 'Failed');

    const seen = new Set<string>();
    await pollUntil('crash pod to restart twice in CrashLoopBackOff', async () => {
      const r = parseTable(await server().k(['get', 'pod', 'crash', '-n', ns])).at(0)!;
      seen.add(r.STATUS!);
      return Number(r.RESTARTS!.split(' ')[0]) >= 2 && r.STATUS === 'CrashLoopBackOff' ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    assert.ok(seen.has('CrashLoopBackOff'));
    assert.equal(await jsonpath(ns, 'pod/crash', '{.status.containerStatuses[0].lastState.terminated.exitCode}'), '1');
    assert.equal(await server().k(['logs', '-n', ns, 'crash', '--previous']), 'crashing\n');

    await pollUntil('live pod restarted by its liveness probe', async () => (Number(await jsonpath(ns, 'pod/live', '{.status.containerStatuses[0].restartCount}')) >= 1 ? true : undefined), { timeoutMs: 30_000, intervalMs: 250 });
    assert.equal(await jsonpath(ns, 'pod/live', '{.status.containerStatuses[0].lastState.terminated.exitCode}'), '137');
    const events = await server().k(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.name=live', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, /Unhealthy: Liveness probe failed/);
    assert.match(events, /Killing: Container c failed liveness probe, will be restarted/);
  });

  test('4. configMap and secret as volumes and env; an emptyDir and the process namespace shared by two containers', async () => {
    const ns = await newNamespace('ctr-vol');
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { greeting: 'hello', 'app.conf': 'mode=fast\n' } };
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 's3cret' } };
    const p = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'vols' },
      spec: {
        terminationGracePeriodSeconds: 1,
        shareProcessNamespace: true,
        volumes: [
          { name: 'cfg', configMap: { name: 'settings' } },
          { name: 'sec', secret: { secretName: 'creds' } },
          { name: 'shared', emptyDir: {} },
        ],
        containers: [
          {
            name: 'writer',
            image: getEnv().image1,
            command: ['sh', '-c', 'echo "written by writer" > /shared/note; exec sleep 3600'],
            env: [
              { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'greeting' } } },
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
            ],
            volumeMounts: [
              { name: 'cfg', mountPath: '/etc/cfg' },
              { name: 'sec', mountPath: '/etc/sec', readOnly: true },
              { name: 'shared', mountPath: '/shared' },
            ],
          },
          { name: 'reader', image: getEnv().image1, command: ['sleep', '3600'], volumeMounts: [{ name: 'shared', mountPath: '/data' }] },
        ],
      },
    };
    await applyObjects(server(), [cm, secret, p], { namespace: ns });
    await waitReady(ns, ['vols']);
    const ex = (c: string, cmd: string) => server().k(['exec', '-n', ns, 'vols', '-c', c, '--', 'sh', '-c', cmd]);
    assert.equal(await ex('writer', 'cat /etc/cfg/greeting; echo; cat /etc/cfg/app.conf; cat /etc/sec/password'), 'hello\nmode=fast\ns3cret');
    assert.equal(await ex('writer', 'echo "$GREETING $PASSWORD"'), 'hello s3cret\n');
    await pollUntil('the writer note in the reader', async () => ((await ex('reader', 'cat /data/note 2>/dev/null || true')) === 'written by writer\n' ? true : undefined), { timeoutMs: 10_000, intervalMs: 250 });
    // shareProcessNamespace: the reader sees the writer's process (both run `sleep 3600`) under a PID 1 of the pod's own.
    const procs = (await ex('reader', 'for p in /proc/[0-9]*; do echo "$(basename $p) $(tr "\\0" " " < $p/cmdline)"; done')).split('\n').map((l) => l.trim());
    assert.equal(procs.filter((l) => /^\d+ sleep 3600$/.test(l)).length, 2, procs.join('\n'));
    assert.ok(!procs.some((l) => /^1 sleep 3600$/.test(l)), procs.join('\n'));
  });

  let deployNs = '';

  test('5. a 3-replica Deployment runs, rolls to a new tag; a missing image shows ErrImagePull then ImagePullBackOff', async () => {
    deployNs = await newNamespace('ctr-dep');
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'app' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'app' } },
        template: {
          metadata: { labels: { app: 'app' } },
          spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: getEnv().image1, command: ['sh', '-c', 'cat /etc/image-version 2>/dev/null || echo 1; exec sleep 3600'] }] },
        },
      },
    };
    assert.equal(await applyObjects(server(), [d], { namespace: deployNs }), 'deployment.apps/app created\n');
    assert.match(await server().k(['rollout', 'status', '-n', deployNs, 'deployment/app', '--timeout=90s'], { timeoutMs: 100_000 }), /deployment "app" successfully rolled out\n$/);
    const versions = async () => {
      const out = await server().k(['get', 'pods', '-n', deployNs, '-l', 'app=app', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.metadata.deletionTimestamp}{"\\n"}{end}']);
      const live = out.split('\n').map((l) => l.trim()).filter((l) => l && !l.includes(' '));
      return Promise.all(live.map(async (n) => (await server().k(['logs', '-n', deployNs, n])).trim()));
    };
    assert.deepEqual(await versions(), ['1', '1', '1']);
    assert.equal(await server().k(['set', 'image', '-n', deployNs, 'deployment/app', `c=${getEnv().image2}`]), 'deployment.apps/app image updated\n');
    assert.match(await server().k(['rollout', 'status', '-n', deployNs, 'deployment/app', '--timeout=90s'], { timeoutMs: 100_000 }), /deployment "app" successfully rolled out\n$/);
    await pollUntil('three pods of the new image only', async () => {
      const v = await versions();
      return v.length === 3 && v.every((x) => x === '2') ? true : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    assert.equal(await jsonpath(deployNs, 'deployment/app', '{.status.updatedReplicas}/{.status.readyReplicas}'), '3/3');

    const missing = busyboxPod('missing', 'true');
    (missing.spec.containers[0] as { image: string }).image = getEnv().missingImage;
    await applyObjects(server(), [missing], { namespace: deployNs });
    const statuses: string[] = [];
    await pollUntil('ErrImagePull then ImagePullBackOff', async () => {
      const st = parseTable(await server().k(['get', 'pod', 'missing', '-n', deployNs])).at(0)!.STATUS!;
      if (statuses.at(-1) !== st) statuses.push(st);
      return statuses.includes('ErrImagePull') && statuses.indexOf('ImagePullBackOff') > statuses.indexOf('ErrImagePull') ? true : undefined;
    }, { timeoutMs: 40_000, intervalMs: 100 }).catch((err: Error) => {
      throw new Error(`${err.message}; STATUS went ${statuses.join(' -> ')}`);
    });
    const msg = await jsonpath(deployNs, 'pod/missing', '{.status.containerStatuses[0].state.waiting.message}');
    assert.match(msg, /missing:1/);
  });

  test('6. kubectl top pod reports usage', async () => {
    assert.ok(deployNs, 'needs the deployment of test 5');
    const rows = await pollUntil('kubectl top pod to report the three pods', async () => {
      const r = await server().kubectl(['top', 'pod', '-n', deployNs, '-l', 'app=app']);
      if (r.code !== 0) return undefined;
      const t = parseTable(r.stdout);
      return t.length === 3 ? t : undefined;
    }, { timeoutMs: 45_000, intervalMs: 1_000 });
    for (const r of rows) {
      assert.match(r['CPU(cores)']!, /^\d+m$/);
      assert.match(r['MEMORY(bytes)']!, /^\d+Mi$/);
      assert.ok(Number(r['MEMORY(bytes)']!.slice(0, -2)) < 64, `a sleeping busybox uses little memory: ${r['MEMORY(bytes)']}`);
    }
  });

  test('7. a hostPort answers on the node\'s address and stops with the pod', async (t) => {
    const env = getEnv();
    if (env.hostPortSkip) return t.skip(env.hostPortSkip);
    const ns = await newNamespace('ctr-hp');
    const hostPort = await freeHostPort();
    const web = busyboxPod('hp', 'mkdir -p /www && echo "hostport $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www', {}, {
      ports: [{ containerPort: 8080, hostPort }],
      readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
    });
    await applyObjects(server(), [web], { namespace: ns });
    await waitReady(ns, ['hp']);
    const body = await pollUntil(`an answer on ${env.nodeIP}:${hostPort}`, () => httpGet(`http://${env.nodeIP}:${hostPort}/`, 2_000), { timeoutMs: 20_000, intervalMs: 250 });
    assert.equal(body, 'hostport hp\n');
    assert.equal(await server().k(['delete', '-n', ns, 'pod/hp', '--timeout=60s'], { timeoutMs: 90_000 }), 'pod "hp" deleted\n');
    await pollUntil(`nothing on ${env.nodeIP}:${hostPort}`, async () => ((await httpGet(`http://${env.nodeIP}:${hostPort}/`, 500)) === undefined ? true : undefined), { timeoutMs: 20_000, intervalMs: 250 });
  });

  test('8. deleting the namespaces leaves nothing behind in the runtime or on the host', async () => {
    const leftovers = await getEnv().beforeNamespaceDeletion();
    await server().k(['delete', 'namespace', ...namespaces, '--wait=true', '--timeout=120s'], { timeoutMs: 130_000 });
    let last: string[] = [];
    try {
      await pollUntil('nothing left behind', async () => {
        last = await leftovers();
        return last.length === 0 ? true : undefined;
      }, { timeoutMs: 30_000, intervalMs: 250 });
    } catch {
      assert.deepEqual(last, []);
    }
    namespaces.length = 0;
  });
}
