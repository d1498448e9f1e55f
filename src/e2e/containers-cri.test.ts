/**
 * The cri runtime end to end: `k8ts server` with its local node agent pointed
 * at a private containerd (`--container-runtime-endpoint unix://...`), driven
 * through the real kubectl with the scenarios every runtime passes
 * (container-scenarios.ts), then `k8ts agent --cleanup` removing the agent's
 * pods from containerd while another client's pod stays.
 *
 * containerd renders its CNI config (bridge + portmap) from a template once
 * the agent announces the node's podCIDR, as a kubelet's containerd does; its
 * bridge, subnet, sockets and state are unique to this run.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { containerdSkipReason, startContainerdFixture, type ContainerdFixture } from '../kubelet/runtime/cri/containerd-fixture.js';
import { CriClient } from '../kubelet/runtime/cri/cri-client.js';
import { K8TS_BIN, TestServer, freePort, kubectlPath, run } from '../testing/server-harness.js';
import * as testImages from '../testing/test-images.js';
import { type ContainerScenarioEnv, containerScenarios, httpGet } from './container-scenarios.js';
import { applyObjects, ensureNamespace, pollUntil } from './kubectl-helpers.js';

const skip = !kubectlPath() ? 'kubectl not installed (/usr/bin/kubectl)' : (containerdSkipReason(testImages) ?? false);

describe('real containers through kubectl (cri runtime, containerd)', { skip }, () => {
  const nodeName = `cri-${randomBytes(3).toString('hex')}`;
  let fx: ContainerdFixture | undefined;
  let s: TestServer | undefined;
  let work = '';
  let dataDir = '';
  let env: ContainerScenarioEnv | undefined;

  /** `ctr` against the private containerd, in the namespace the CRI plugin uses. */
  const ctr = async (args: string[]) => {
    const r = await run('ctr', ['--address', fx!.endpoint, '--namespace', 'k8s.io', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim().split('\n').filter(Boolean);
  };
  const cleanup = () => run(process.execPath, [K8TS_BIN, 'agent', '--cleanup', '--data-dir', dataDir], { timeoutMs: 60_000 });

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'k8ts-e2e-cri-'));
    dataDir = path.join(work, 'server');
    fx = await startContainerdFixture(testImages, { cni: 'template' });
    const image1 = `${fx.registry}/test/busybox:1`;
    const image2 = `${fx.registry}/test/busybox:2`;
    await testImages.pushImage((await testImages.buildBusyboxImage(path.join(work, 'img1'), { tag: '1' })).dir, image1);
    await testImages.pushImage((await testImages.buildBusyboxImage(path.join(work, 'img2'), { tag: '2', extraFiles: { 'etc/image-version': '2\n' } })).dir, image2);
    s = await TestServer.start({
      agent: true,
      dataDir,
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
    const fixture = fx;
    env = {
      server: s,
      image1,
      image2,
      missingImage: `${fx.registry}/test/missing:1`,
      podCIDR: fx.podSubnet,
      nodeIP: '127.0.0.1',
      workDir: work,
      beforeNamespaceDeletion: async () => {
        assert.notDeepEqual(await ctr(['containers', 'ls', '-q']), [], 'containerd holds the pods before the deletion');
        return async () => {
          const out: string[] = [];
          const containers = await ctr(['containers', 'ls', '-q']);
          if (containers.length) out.push(`containers: ${containers.join(' ')}`);
          const tasks = await ctr(['tasks', 'ls', '-q']);
          if (tasks.length) out.push(`tasks: ${tasks.join(' ')}`);
          const veths = (await run('ip', ['-o', 'link', 'show', 'master', fixture.bridge])).stdout.trim();
          if (veths) out.push(`veths: ${veths}`);
          return out;
        };
      },
    };
  });

  after(async () => {
    await s?.stop();
    // Whatever a failed test left: the agent's pods first, then the fixture removes every sandbox through CRI.
    if (dataDir && fx) await cleanup();
    await fx?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the node reports containerd as its runtime', async () => {
    assert.match(await s!.k(['get', 'node', nodeName, '-o', 'jsonpath={.status.nodeInfo.containerRuntimeVersion}']), /^containerd:\/\/1\.\d+\.\d+/);
  });

  containerScenarios(() => env!);

  test('agent --cleanup removes the agent\'s pods from containerd and leaves another client\'s pod', async () => {
    const ns = `cri-cleanup-${randomBytes(3).toString('hex')}`;
    await ensureNamespace(s!, ns);
    await pollUntil(`the default ServiceAccount in ${ns}`, async () => ((await s!.kubectl(['get', '-n', ns, 'serviceaccount/default', '-o', 'name'])).code === 0 ? true : undefined), { timeoutMs: 20_000 });
    await applyObjects(s!, [{
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'left' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: env!.image1, command: ['httpd', '-f', '-p', '8080', '-h', '/'] }] },
    }], { namespace: ns });
    assert.equal(await s!.k(['wait', '-n', ns, '--for=condition=Ready', 'pod/left', '--timeout=60s'], { timeoutMs: 90_000 }), 'pod/left condition met\n');
    const podIP = await s!.k(['get', '-n', ns, 'pod/left', '-o', 'jsonpath={.status.podIP}']);
    // The agent stops; its pods keep running for the next start to adopt.
    await s!.stop();
    assert.notEqual(await httpGet(`http://${podIP}:8080/`, 2_000), undefined, 'the pod outlives the agent');
    const client = new CriClient({ endpoint: fx!.endpoint });
    let foreign = '';
    try {
      ({ pod_sandbox_id: foreign } = await client.call<{ pod_sandbox_id: string }>('RuntimeService', 'RunPodSandbox', {
        config: { metadata: { name: 'foreign', namespace: 'other', uid: randomBytes(8).toString('hex'), attempt: 0 }, hostname: 'foreign', log_directory: path.join(work, 'foreign-logs'), linux: { cgroup_parent: fx!.cgroupParent } },
      }));
      const r = await cleanup();
      assert.equal(r.code, 0, r.stderr);
      const { items } = await client.call<{ items: { id: string }[] }>('RuntimeService', 'ListPodSandbox', {});
      assert.deepEqual(items.map((i) => i.id), [foreign], 'only the other client\'s sandbox is left');
      assert.deepEqual(await ctr(['containers', 'ls', '-q']), [foreign]);
      assert.equal(await httpGet(`http://${podIP}:8080/`, 500), undefined);
    } finally {
      if (foreign) {
        await client.call('RuntimeService', 'StopPodSandbox', { pod_sandbox_id: foreign }).catch(() => {});
        await client.call('RuntimeService', 'RemovePodSandbox', { pod_sandbox_id: foreign }).catch(() => {});
      }
      client.close();
    }
  });
});
