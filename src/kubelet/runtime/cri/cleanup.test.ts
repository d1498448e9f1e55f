import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PodSandboxConfig } from '../interface.js';
import * as testImages from '../../../testing/test-images.js';
import { LABEL_CRI_AGENT, criAgentId } from './agent-label.js';
import { cleanupCriAgent } from './cleanup.js';
import { CriClient } from './cri-client.js';
import { containerdSkipReason, startContainerdFixture, type ContainerdFixture } from './containerd-fixture.js';
import { CriRuntime, createCriRuntime } from './cri-runtime.js';

const skip = containerdSkipReason(testImages);

describe('criAgentId', () => {
  const cases: { name: string; a: string; b: string; same: boolean }[] = [
    { name: 'the same directory gives the same id', a: '/var/lib/k8ts/agent', b: '/var/lib/k8ts/agent', same: true },
    { name: 'a relative spelling of the same directory gives the same id', a: path.join(process.cwd(), 'x', 'agent'), b: path.join('x', '..', 'x', 'agent'), same: true },
    { name: 'another data dir gives another id', a: '/var/lib/k8ts/agent', b: '/srv/k8ts/agent', same: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const [a, b] = [criAgentId(c.a), criAgentId(c.b)];
      assert.match(a, /^k8ts-[0-9a-f]{16}$/, 'a valid label value');
      assert.equal(a === b, c.same);
    });
  }
});

describe('cri runtime ownership and agent cleanup', { skip, timeout: 240_000 }, () => {
  let fx: ContainerdFixture;
  let mine: CriRuntime;
  let other: CriRuntime;
  let raw: CriClient;
  let image: string;
  const mineId = `k8ts-test-${crypto.randomBytes(4).toString('hex')}`;
  const otherId = `k8ts-test-${crypto.randomBytes(4).toString('hex')}`;

  function sandboxConfig(name: string): PodSandboxConfig {
    const uid = crypto.randomUUID();
    return {
      metadata: { name, namespace: 'cleanup', uid, attempt: 0 },
      hostname: name,
      logDirectory: path.join(fx.dir, 'logs', uid),
      portMappings: [],
      labels: { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': 'cleanup', 'io.kubernetes.pod.uid': uid },
      annotations: {},
      linux: { cgroupParent: fx.cgroupParent, security: { hostNetwork: false } },
    };
  }

  async function runPod(rt: CriRuntime, name: string): Promise<{ sandboxId: string; containerId: string; ip: string }> {
    const sb = sandboxConfig(name);
    const sandboxId = await rt.runtime.runPodSandbox(sb);
    const containerId = await rt.runtime.createContainer(sandboxId, {
      metadata: { name: 'c', attempt: 0 },
      image,
      command: ['sleep', 'inf'],
      envs: [],
      mounts: [],
      labels: { 'io.kubernetes.container.name': 'c' },
      annotations: {},
      logPath: 'c/0.log',
      stdin: false,
      stdinOnce: false,
      tty: false,
      linux: {},
    }, sb);
    await rt.runtime.startContainer(containerId);
    const ip = (await rt.runtime.podSandboxStatus(sandboxId))?.ip ?? '';
    return { sandboxId, containerId, ip };
  }

  /** host-local's allocation files: one per pod IP in use on the test network. */
  const allocatedIPs = () => {
    try {
      return fs.readdirSync(path.join(fx.dir, 'cni-ipam', fx.bridge)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)).sort();
    } catch {
      return [];
    }
  };

  before(async () => {
    fx = await startContainerdFixture(testImages);
    mine = createCriRuntime({ endpoint: fx.endpoint, agentId: mineId });
    other = createCriRuntime({ endpoint: fx.endpoint, agentId: otherId });
    raw = new CriClient({ endpoint: fx.endpoint });
    image = await mine.images.pullImage({ image: fx.busyboxImage });
  });

  after(async () => {
    raw?.close();
    await mine?.dispose();
    await other?.dispose();
    await fx?.stop();
  });

  test('each agent lists only what it created, and its own label never shows', async () => {
    const a = await runPod(mine, 'own-a');
    const b = await runPod(other, 'own-b');
    try {
      assert.deepEqual((await mine.runtime.listPodSandbox()).map((s) => s.id), [a.sandboxId]);
      assert.deepEqual((await other.runtime.listPodSandbox()).map((s) => s.id), [b.sandboxId]);
      assert.deepEqual((await mine.runtime.listContainers()).map((c) => c.id), [a.containerId]);
      assert.deepEqual((await mine.runtime.listContainerStats()).map((c) => c.containerId), [a.containerId]);
      const st = await mine.runtime.podSandboxStatus(a.sandboxId);
      assert.equal(st?.labels[LABEL_CRI_AGENT], undefined);
      assert.equal((await mine.runtime.containerStatus(a.containerId))?.labels[LABEL_CRI_AGENT], undefined);
      // In the runtime itself the label is there.
      const wire = await raw.call<{ status: { labels: Record<string, string> } }>('RuntimeService', 'PodSandboxStatus', { pod_sandbox_id: a.sandboxId });
      assert.equal(wire.status.labels[LABEL_CRI_AGENT], mineId);
    } finally {
      for (const [rt, p] of [[mine, a], [other, b]] as const) {
        await rt.runtime.stopPodSandbox(p.sandboxId);
        await rt.runtime.removePodSandbox(p.sandboxId);
      }
    }
  });

  test('cleanup removes the agent\'s sandboxes, containers and pod IPs, and nothing else', async () => {
    const ipsBefore = allocatedIPs();
    const m1 = await runPod(mine, 'mine-1');
    const m2 = await runPod(mine, 'mine-2');
    const o = await runPod(other, 'theirs');
    // A pod from some other client of the runtime, without any k8ts label.
    const foreignCfg = sandboxConfig('foreign');
    const { pod_sandbox_id: foreign } = await raw.call<{ pod_sandbox_id: string }>('RuntimeService', 'RunPodSandbox', {
      config: { metadata: foreignCfg.metadata, hostname: 'foreign', log_directory: foreignCfg.logDirectory, labels: foreignCfg.labels, linux: { cgroup_parent: fx.cgroupParent } },
    });
    try {
      assert.deepEqual(allocatedIPs(), [...ipsBefore, m1.ip, m2.ip, o.ip, (await other.runtime.podSandboxStatus(foreign))?.ip ?? 'foreign ip?'].sort());
      const res = await cleanupCriAgent({ endpoint: fx.endpoint, agentId: mineId });
      assert.deepEqual(res, { ok: true, sandboxes: 2, containers: 2 });
      assert.deepEqual(await mine.runtime.listPodSandbox(), []);
      assert.deepEqual(await mine.runtime.listContainers(), []);
      for (const id of [m1.sandboxId, m2.sandboxId]) assert.equal(await mine.runtime.podSandboxStatus(id), undefined);
      // CNI DEL ran: the agent's pod IPs are free again, the others' are not.
      assert.deepEqual(allocatedIPs(), [...ipsBefore, o.ip, (await other.runtime.podSandboxStatus(foreign))?.ip ?? 'foreign ip?'].sort());
      assert.equal((await other.runtime.podSandboxStatus(o.sandboxId))?.state, 'SANDBOX_READY');
      assert.equal((await other.runtime.containerStatus(o.containerId))?.state, 'CONTAINER_RUNNING');
      assert.equal((await other.runtime.podSandboxStatus(foreign))?.state, 'SANDBOX_READY');
      assert.deepEqual(await cleanupCriAgent({ endpoint: fx.endpoint, agentId: mineId }), { ok: true, sandboxes: 0, containers: 0 }, 'a second run finds nothing');
    } finally {
      for (const id of [m1.sandboxId, m2.sandboxId, o.sandboxId, foreign]) {
        await raw.call('RuntimeService', 'StopPodSandbox', { pod_sandbox_id: id }).catch(() => {});
        await raw.call('RuntimeService', 'RemovePodSandbox', { pod_sandbox_id: id }).catch(() => {});
      }
    }
  });

  test('a runtime that does not answer is a result, not an exception', async () => {
    const res = await cleanupCriAgent({ endpoint: path.join(fx.dir, 'no-such.sock'), agentId: mineId, connectTimeoutMs: 500 });
    assert.equal(res.ok, false);
    assert.match(!res.ok ? res.message : '', /does not answer/);
  });
});
