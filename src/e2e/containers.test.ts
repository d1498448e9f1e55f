/**
 * Real containers end to end: `k8ts server` with its local node agent on the
 * oci runtime (runc), a busybox image pushed to a loopback registry, and
 * everything driven through the real kubectl: readiness, pod networking,
 * logs/exec/cp/port-forward, OOM, crash back-off, liveness restarts,
 * configMap/secret/emptyDir volumes, a Deployment rollout, image pull errors,
 * `kubectl top`, and a namespace deletion that leaves nothing on the host.
 *
 * The bridge, cgroup root, pod CIDR and agent port are unique to this run so
 * it cannot touch another run's (or the production) resources.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freeCidr, ociSkipReason } from '../kubelet/runtime/oci/test-env.js';
import { K8TS_BIN, TestServer, freePort, kubectlPath, run } from '../testing/server-harness.js';
import { type TestRegistry, buildBusyboxImage, missingImageTools, pushImage, startTestRegistry } from '../testing/test-images.js';
import { BackgroundKubectl, applyObjects, ensureNamespace, parseTable, pollUntil } from './kubectl-helpers.js';

const skip = !kubectlPath() ? 'kubectl not installed (/usr/bin/kubectl)' : (ociSkipReason() ?? missingImageTools() ?? false);

const hex = (n: number) => randomBytes(n).toString('hex');

/** GET over plain HTTP; the body, or undefined when the peer does not answer. */
function httpGet(url: string, timeoutMs = 2_000): Promise<string | undefined> {
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

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

describe('real containers through kubectl (oci runtime)', { skip }, () => {
  const id = hex(4);
  const bridge = `k8ts-t${id}`;
  const cgroupRoot = `k8ts-e2e-${id}`;
  const env = { K8TS_POD_BRIDGE: bridge, K8TS_CGROUP_ROOT: cgroupRoot };
  let dataDir = '';
  let work = '';
  let cidr = '';
  let s: TestServer;
  let registry: TestRegistry | undefined;
  let image1 = '';
  let image2 = '';
  const namespaces: string[] = [];

  const newNamespace = async (prefix: string) => {
    const ns = `${prefix}-${hex(3)}`;
    namespaces.push(ns);
    await ensureNamespace(s, ns);
    await pollUntil(`the default ServiceAccount in ${ns}`, async () => ((await s.kubectl(['get', '-n', ns, 'serviceaccount/default', '-o', 'name'])).code === 0 ? true : undefined), { timeoutMs: 20_000 });
    return ns;
  };
  const jsonpath = (ns: string, obj: string, expr: string) => s.k(['get', '-n', ns, obj, '-o', `jsonpath=${expr}`]);
  const waitReady = async (ns: string, pods: string[], timeout = '60s') => {
    const out = await s.k(['wait', '-n', ns, '--for=condition=Ready', ...pods.map((p) => `pod/${p}`), `--timeout=${timeout}`], { timeoutMs: 90_000 });
    assert.equal(out, pods.map((p) => `pod/${p} condition met\n`).join(''));
  };
  const busyboxPod = (name: string, command: string, extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: { terminationGracePeriodSeconds: 1, ...extra, containers: [{ name: 'c', image: image1, command: ['sh', '-c', command], ...container }] },
  });

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'k8ts-e2e-ctr-'));
    dataDir = path.join(work, 'server');
    registry = await startTestRegistry();
    const l1 = await buildBusyboxImage(path.join(work, 'img1'), { tag: '1' });
    const l2 = await buildBusyboxImage(path.join(work, 'img2'), { tag: '2', extraFiles: { 'etc/image-version': '2\n' } });
    image1 = `${registry.host}/test/busybox:1`;
    image2 = `${registry.host}/test/busybox:2`;
    await pushImage(l1.dir, image1);
    await pushImage(l2.dir, image2);
    cidr = freeCidr();
    const kubeletPort = await freePort();
    s = await TestServer.start({
      agent: true,
      dataDir,
      env,
      args: ['--container-runtime-endpoint', 'oci', '--cluster-cidr', cidr, '--kubelet-port', String(kubeletPort), '--node-name', `ctr-${id}`, '--node-ip', '127.0.0.1'],
    });
    await pollUntil(
      'the local node to be Ready',
      async () => ((await s.kubectl(['get', 'node', `ctr-${id}`, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).stdout === 'True' ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  after(async () => {
    await s?.stop();
    // The agent's containers outlive a server stop (for adoption); `agent --cleanup` removes them and the bridge.
    if (dataDir) await run(process.execPath, [K8TS_BIN, 'agent', '--cleanup', '--data-dir', dataDir], { env, timeoutMs: 60_000 });
    // Whatever a failed cleanup left: this run's bridge, nat chain and cgroups only.
    if (sh('ip', ['link', 'show', 'dev', bridge])) sh('ip', ['link', 'del', bridge]);
    const chain = `K8TS-POD-${bridge}`;
    for (let i = 0; i < 5; i++) {
      const r = await run('iptables', ['-w', '5', '-t', 'nat', '-D', 'POSTROUTING', '-s', cidr, '-m', 'comment', '--comment', `k8ts pods on ${bridge}`, '-j', chain]);
      if (r.code !== 0) break;
    }
    sh('iptables', ['-w', '5', '-t', 'nat', '-F', chain]);
    sh('iptables', ['-w', '5', '-t', 'nat', '-X', chain]);
    for (const h of cgroupHierarchies()) {
      const dir = path.join('/sys/fs/cgroup', h, cgroupRoot);
      if (existsSync(dir)) sh('find', [dir, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']);
    }
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function cgroupHierarchies(): string[] {
    try {
      return readdirSync('/sys/fs/cgroup').filter((h) => existsSync(path.join('/sys/fs/cgroup', h, 'cgroup.procs')));
    } catch {
      return [];
    }
  }

  let webNs = '';
  let webIP = '';

  test('1. httpd pod becomes Ready through an httpGet probe and answers from the host and another pod', async () => {
    webNs = await newNamespace('ctr-web');
    const web = busyboxPod('web', 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www', {}, {
      ports: [{ containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
    });
    assert.equal(await applyObjects(s, [web], { namespace: webNs }), 'pod/web created\n');
    await waitReady(webNs, ['web']);
    webIP = await jsonpath(webNs, 'pod/web', '{.status.podIP}');
    assert.ok(webIP.startsWith(cidr.split('.').slice(0, 3).join('.') + '.'), `pod IP ${webIP} in ${cidr}`);
    assert.equal(await httpGet(`http://${webIP}:8080/`), 'hello from web\n');
    const client = busyboxPod('client', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc ${webIP} 8080`, { restartPolicy: 'Never' });
    await applyObjects(s, [client], { namespace: webNs });
    await pollUntil('client pod to succeed', async () => ((await jsonpath(webNs, 'pod/client', '{.status.phase}')) === 'Succeeded' ? true : undefined), { timeoutMs: 30_000, intervalMs: 250 });
    const logs = await s.k(['logs', '-n', webNs, 'client']);
    // Container logs are split into lines as containerd does, which drops the \r of a \r\n.
    assert.match(logs, /^HTTP\/1\.[01] 200 OK\n/);
    assert.match(logs, /\n\nhello from web\n$/);
  });

  test('2. logs, logs -f, exec (output, exit code, stdin), cp and port-forward', async () => {
    assert.ok(webIP, 'needs the web pod of test 1');
    const ticker = busyboxPod('ticker', 'i=0; while true; do echo "line $i"; i=$((i+1)); sleep 1; done');
    await applyObjects(s, [ticker], { namespace: webNs });
    await waitReady(webNs, ['ticker']);
    await pollUntil('two log lines', async () => ((await s.k(['logs', '-n', webNs, 'ticker'])).startsWith('line 0\nline 1\n') ? true : undefined), { timeoutMs: 10_000, intervalMs: 250 });
    const follow = new BackgroundKubectl(s, ['logs', '-f', '-n', webNs, 'ticker']);
    try {
      const before = Number(/line (\d+)\n$/.exec(await s.k(['logs', '-n', webNs, 'ticker']))![1]);
      await follow.waitFor(new RegExp(`line ${before + 2}\\n`), 10_000);
      assert.ok(follow.stdout.startsWith('line 0\nline 1\n'));
    } finally {
      await follow.stop();
    }

    assert.equal(await s.k(['exec', '-n', webNs, 'web', '--', 'cat', '/www/index.html']), 'hello from web\n');
    const exit3 = await s.kubectl(['exec', '-n', webNs, 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual(exit3, { code: 3, stdout: 'out\n', stderr: 'err\ncommand terminated with exit code 3\n' });
    assert.equal(await s.k(['exec', '-i', '-n', webNs, 'web', '--', 'sh', '-c', 'tr a-z A-Z'], { input: 'shout this\n' }), 'SHOUT THIS\n');

    const local = path.join(work, 'cp-in.txt');
    const content = `round trip ${hex(8)}\n`;
    writeFileSync(local, content);
    await s.k(['cp', local, `${webNs}/web:/tmp/cp.txt`]);
    assert.equal(await s.k(['exec', '-n', webNs, 'web', '--', 'cat', '/tmp/cp.txt']), content);
    const back = path.join(work, 'cp-out.txt');
    await s.k(['cp', `${webNs}/web:/tmp/cp.txt`, back]);
    assert.equal(readFileSync(back, 'utf8'), content);

    const lport = await freePort();
    const pf = new BackgroundKubectl(s, ['port-forward', '-n', webNs, 'pod/web', `${lport}:8080`]);
    try {
      await pf.waitFor(new RegExp(`Forwarding from 127\\.0\\.0\\.1:${lport} -> 8080`), 15_000);
      assert.equal(await httpGet(`http://127.0.0.1:${lport}/`, 5_000), 'hello from web\n');
      assert.equal(await httpGet(`http://127.0.0.1:${lport}/`, 5_000), 'hello from web\n');
    } finally {
      await pf.stop();
    }
  });

  test('3. OOMKilled, CrashLoopBackOff with growing restarts, liveness restarts', async () => {
    const ns = await newNamespace('ctr-fail');
    const oom = busyboxPod('oom', 'x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived', { restartPolicy: 'Never' }, { resources: { limits: { memory: '32Mi' } } });
    const crash = busyboxPod('crash', 'echo crashing; exit 1');
    const live = busyboxPod('live', 'exec sleep 3600', {}, { livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 1 } });
    await applyObjects(s, [oom, crash, live], { namespace: ns });

    await pollUntil('oom pod to be OOMKilled', async () => ((await jsonpath(ns, 'pod/oom', '{.status.containerStatuses[0].state.terminated.reason}')) === 'OOMKilled' ? true : undefined), { timeoutMs: 30_000, intervalMs: 250 });
    assert.equal(await jsonpath(ns, 'pod/oom', '{.status.containerStatuses[0].state.terminated.exitCode}'), '137');
    const row = parseTable(await s.k(['get', 'pod', 'oom', '-n', ns])).at(0)!;
    assert.equal(row.STATUS, 'OOMKilled');
    assert.equal(await jsonpath(ns, 'pod/oom', '{.status.phase}'), 'Failed');

    const seen = new Set<string>();
    await pollUntil('crash pod to restart twice in CrashLoopBackOff', async () => {
      const r = parseTable(await s.k(['get', 'pod', 'crash', '-n', ns])).at(0)!;
      seen.add(r.STATUS!);
      return Number(r.RESTARTS!.split(' ')[0]) >= 2 && r.STATUS === 'CrashLoopBackOff' ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    assert.ok(seen.has('CrashLoopBackOff'));
    assert.equal(await jsonpath(ns, 'pod/crash', '{.status.containerStatuses[0].lastState.terminated.exitCode}'), '1');
    assert.equal(await s.k(['logs', '-n', ns, 'crash', '--previous']), 'crashing\n');

    await pollUntil('live pod restarted by its liveness probe', async () => (Number(await jsonpath(ns, 'pod/live', '{.status.containerStatuses[0].restartCount}')) >= 1 ? true : undefined), { timeoutMs: 30_000, intervalMs: 250 });
    assert.equal(await jsonpath(ns, 'pod/live', '{.status.containerStatuses[0].lastState.terminated.exitCode}'), '137');
    const events = await s.k(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.name=live', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, /Unhealthy: Liveness probe failed/);
    assert.match(events, /Killing: Container c failed liveness probe, will be restarted/);
  });

  test('4. configMap and secret as volumes and env; an emptyDir shared by two containers', async () => {
    const ns = await newNamespace('ctr-vol');
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { greeting: 'hello', 'app.conf': 'mode=fast\n' } };
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 's3cret' } };
    const p = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'vols' },
      spec: {
        terminationGracePeriodSeconds: 1,
        volumes: [
          { name: 'cfg', configMap: { name: 'settings' } },
          { name: 'sec', secret: { secretName: 'creds' } },
          { name: 'shared', emptyDir: {} },
        ],
        containers: [
          {
            name: 'writer',
            image: image1,
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
          { name: 'reader', image: image1, command: ['sleep', '3600'], volumeMounts: [{ name: 'shared', mountPath: '/data' }] },
        ],
      },
    };
    await applyObjects(s, [cm, secret, p], { namespace: ns });
    await waitReady(ns, ['vols']);
    const ex = (c: string, cmd: string) => s.k(['exec', '-n', ns, 'vols', '-c', c, '--', 'sh', '-c', cmd]);
    assert.equal(await ex('writer', 'cat /etc/cfg/greeting; echo; cat /etc/cfg/app.conf; cat /etc/sec/password'), 'hello\nmode=fast\ns3cret');
    assert.equal(await ex('writer', 'echo "$GREETING $PASSWORD"'), 'hello s3cret\n');
    await pollUntil('the writer note in the reader', async () => ((await ex('reader', 'cat /data/note 2>/dev/null || true')) === 'written by writer\n' ? true : undefined), { timeoutMs: 10_000, intervalMs: 250 });
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
          spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: image1, command: ['sh', '-c', 'cat /etc/image-version 2>/dev/null || echo 1; exec sleep 3600'] }] },
        },
      },
    };
    assert.equal(await applyObjects(s, [d], { namespace: deployNs }), 'deployment.apps/app created\n');
    assert.match(await s.k(['rollout', 'status', '-n', deployNs, 'deployment/app', '--timeout=90s'], { timeoutMs: 100_000 }), /deployment "app" successfully rolled out\n$/);
    const versions = async () => {
      const out = await s.k(['get', 'pods', '-n', deployNs, '-l', 'app=app', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.metadata.deletionTimestamp}{"\\n"}{end}']);
      const live = out.split('\n').map((l) => l.trim()).filter((l) => l && !l.includes(' '));
      return Promise.all(live.map(async (n) => (await s.k(['logs', '-n', deployNs, n])).trim()));
    };
    assert.deepEqual(await versions(), ['1', '1', '1']);
    assert.equal(await s.k(['set', 'image', '-n', deployNs, 'deployment/app', `c=${image2}`]), 'deployment.apps/app image updated\n');
    assert.match(await s.k(['rollout', 'status', '-n', deployNs, 'deployment/app', '--timeout=90s'], { timeoutMs: 100_000 }), /deployment "app" successfully rolled out\n$/);
    await pollUntil('three pods of the new image only', async () => {
      const v = await versions();
      return v.length === 3 && v.every((x) => x === '2') ? true : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    assert.equal(await jsonpath(deployNs, 'deployment/app', '{.status.updatedReplicas}/{.status.readyReplicas}'), '3/3');

    const missing = busyboxPod('missing', 'true');
    (missing.spec.containers[0] as { image: string }).image = `${registry!.host}/test/missing:1`;
    await applyObjects(s, [missing], { namespace: deployNs });
    const statuses: string[] = [];
    await pollUntil('ErrImagePull then ImagePullBackOff', async () => {
      const st = parseTable(await s.k(['get', 'pod', 'missing', '-n', deployNs])).at(0)!.STATUS!;
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
      const r = await s.kubectl(['top', 'pod', '-n', deployNs, '-l', 'app=app']);
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

  test('7. deleting the namespaces leaves no process, netns, veth, mount or cgroup behind', async () => {
    const veths = sh('ip', ['-o', 'link', 'show', 'master', bridge]).split('\n').map((l) => /^\d+: ([^@:]+)/.exec(l)?.[1]).filter((v): v is string => !!v);
    assert.ok(veths.length > 0, 'pods are attached to the bridge before the deletion');
    const netns = () => sh('ip', ['netns', 'list']).split('\n').map((l) => l.split(' ')[0]!).filter((n) => veths.some((v) => n === `k8ts-${v.slice(4)}` || n.startsWith(`k8ts-${v.slice(4)}`)));
    assert.ok(netns().length > 0, 'the pods\' network namespaces exist before the deletion');
    await s.k(['delete', 'namespace', ...namespaces, '--wait=true', '--timeout=120s'], { timeoutMs: 130_000 });
    const runcRoot = path.join(dataDir, 'agent', 'oci', 'runc');
    const agentDir = path.join(dataDir, 'agent');
    const leftovers = () => {
      const out: string[] = [];
      const containers = sh('runc', ['--root', runcRoot, 'list', '-q']).trim();
      if (containers) out.push(`runc containers: ${containers}`);
      const ns = netns();
      if (ns.length) out.push(`netns: ${ns.join(' ')}`);
      const links = sh('ip', ['-o', 'link', 'show', 'master', bridge]).trim();
      if (links) out.push(`veths: ${links}`);
      const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.split(' ')[1]?.startsWith(agentDir));
      if (mounts.length) out.push(`mounts: ${mounts.join('; ')}`);
      for (const h of cgroupHierarchies()) {
        const dir = path.join('/sys/fs/cgroup', h, cgroupRoot);
        if (!existsSync(dir)) continue;
        const sub = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
        if (sub.length) out.push(`cgroups in ${dir}: ${sub.join(' ')}`);
      }
      return out;
    };
    let last: string[] = [];
    try {
      await pollUntil('nothing left behind', () => {
        last = leftovers();
        return last.length === 0 ? true : undefined;
      }, { timeoutMs: 30_000, intervalMs: 250 });
    } catch {
      assert.deepEqual(last, []);
    }
    namespaces.length = 0;
  });
});
