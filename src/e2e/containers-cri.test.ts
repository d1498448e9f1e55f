/**
 * The cri runtime end to end: `k8ts server` with its local node agent pointed
 * at a private containerd (`--container-runtime-endpoint unix://...`), driven
 * through the real kubectl: a busybox httpd pod becomes Ready through an
 * httpGet readiness probe and answers on its pod IP from the host; logs and
 * exec (with its exit code) stream through the API server; deleting the pod
 * leaves no container or sandbox in containerd.
 *
 * containerd's bridge, subnet, sockets and state are unique to this run.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { containerdSkipReason, startContainerdFixture, type ContainerdFixture } from '../kubelet/runtime/cri/containerd-fixture.js';
import { TestServer, freePort, kubectlPath, run } from '../testing/server-harness.js';
import * as testImages from '../testing/test-images.js';
import { applyObjects, ensureNamespace, pollUntil } from './kubectl-helpers.js';

const skip = !kubectlPath() ? 'kubectl not installed (/usr/bin/kubectl)' : (containerdSkipReason(testImages) ?? false);

/** GET over plain HTTP; the body, or undefined when the peer does not answer. */
function httpGet(url: string, timeoutMs = 2_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** Whether an IPv4 address lies in a CIDR. */
function inCidr(ip: string, cidr: string): boolean {
  const toInt = (a: string) => a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  const [base, bits] = cidr.split('/');
  const mask = Number(bits) === 0 ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0;
  return ((toInt(ip) & mask) >>> 0) === ((toInt(base!) & mask) >>> 0);
}

describe('real containers through kubectl (cri runtime, containerd)', { skip }, () => {
  const nodeName = `cri-${randomBytes(3).toString('hex')}`;
  const ns = `cri-${randomBytes(3).toString('hex')}`;
  let fx: ContainerdFixture | undefined;
  let s: TestServer | undefined;
  let podIP = '';

  /** `ctr` against the private containerd, in the namespace the CRI plugin uses. */
  const ctr = async (args: string[]) => {
    const r = await run('ctr', ['--address', fx!.endpoint, '--namespace', 'k8s.io', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  before(async () => {
    fx = await startContainerdFixture(testImages);
    s = await TestServer.start({
      agent: true,
      args: [
        '--container-runtime-endpoint', `unix://${fx.endpoint}`,
        '--cluster-cidr', fx.podSubnet,
        '--node-name', nodeName,
        '--node-ip', '127.0.0.1',
        '--kubelet-port', String(await freePort()),
      ],
    });
    const srv = s;
    await pollUntil(
      `node ${nodeName} Ready`,
      async () => ((await srv.kubectl(['get', 'node', nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).stdout === 'True' ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await ensureNamespace(s, ns);
    await pollUntil(`the default ServiceAccount in ${ns}`, async () => ((await srv.kubectl(['get', '-n', ns, 'serviceaccount/default', '-o', 'name'])).code === 0 ? true : undefined), { timeoutMs: 20_000 });
  });

  after(async () => {
    // The agent leaves running containers for its next start to adopt; the fixture removes every sandbox through CRI.
    await s?.stop();
    await fx?.stop();
  });

  test('the node reports containerd as its runtime', async () => {
    assert.match(await s!.k(['get', 'node', nodeName, '-o', 'jsonpath={.status.nodeInfo.containerRuntimeVersion}']), /^containerd:\/\/1\.\d+\.\d+/);
  });

  test('a busybox httpd pod becomes Ready through an httpGet readiness probe', async () => {
    const out = await applyObjects(s!, [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: 'httpd',
              image: fx!.busyboxImage,
              command: ['sh', '-c', 'echo serving on 8080; exec httpd -f -p 8080 -h /var/www'],
              ports: [{ containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/index.html', port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      },
    ], { namespace: ns });
    assert.equal(out, 'pod/web created\n');
    assert.equal(await s!.k(['wait', '-n', ns, '--for=condition=Ready', 'pod/web', '--timeout=60s'], { timeoutMs: 90_000 }), 'pod/web condition met\n');
    assert.equal(await s!.k(['get', '-n', ns, 'pod/web', '-o', 'jsonpath={.spec.nodeName} {.status.phase} {.status.containerStatuses[0].ready} {.status.containerStatuses[0].started}']), `${nodeName} Running true true`);
    podIP = await s!.k(['get', '-n', ns, 'pod/web', '-o', 'jsonpath={.status.podIP}']);
    assert.ok(inCidr(podIP, fx!.podSubnet), `pod IP ${podIP} outside ${fx!.podSubnet}`);
    assert.match(await s!.k(['get', '-n', ns, 'pod/web', '-o', 'jsonpath={.status.containerStatuses[0].containerID}']), /^containerd:\/\/[0-9a-f]{64}$/);
  });

  test('the pod answers on its pod IP from the host', async () => {
    assert.ok(podIP, 'no pod IP: the readiness test failed');
    assert.equal(await httpGet(`http://${podIP}:8080/index.html`), 'hello from busybox\n');
  });

  test('kubectl logs shows what the container wrote', async () => {
    const out = await pollUntil('the log line', async () => {
      const r = await s!.kubectl(['logs', '-n', ns, 'web']);
      return r.code === 0 && r.stdout.includes('serving') ? r.stdout : undefined;
    });
    assert.equal(out, 'serving on 8080\n');
  });

  test('kubectl exec returns the output and the exit code', async () => {
    const ok = await s!.kubectl(['exec', '-n', ns, 'web', '--', 'cat', '/var/www/index.html']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'hello from busybox\n');
    const failed = await s!.kubectl(['exec', '-n', ns, 'web', '--', 'sh', '-c', 'echo to-stderr >&2; exit 3']);
    assert.equal(failed.code, 3, failed.stderr);
    assert.equal(failed.stderr, 'to-stderr\ncommand terminated with exit code 3\n');
  });

  test('deleting the pod leaves no container or sandbox in containerd', async () => {
    assert.notEqual((await ctr(['containers', 'ls', '-q'])).trim(), '', 'containerd should hold the pod before deletion');
    assert.equal(await s!.k(['delete', '-n', ns, 'pod/web', '--timeout=60s'], { timeoutMs: 90_000 }), 'pod "web" deleted\n');
    await pollUntil('containerd to hold no container', async () => ((await ctr(['containers', 'ls', '-q'])).trim() === '' ? true : undefined), { timeoutMs: 30_000, intervalMs: 250 });
    assert.equal((await ctr(['tasks', 'ls', '-q'])).trim(), '');
    assert.equal(await httpGet(`http://${podIP}:8080/index.html`, 500), undefined);
  });
});
