/**
 * Real containers end to end: `k8ts server` with its local node agent on the
 * oci runtime (runc), a busybox image pushed to a loopback registry, and the
 * scenarios every runtime passes through the real kubectl
 * (container-scenarios.ts); here the namespace deletion is checked against
 * runc, network namespaces, veths, mounts and cgroups on the host.
 *
 * The bridge, cgroup root, pod CIDR and agent port are unique to this run so
 * it cannot touch another run's (or the production) resources.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import { Hostports } from '../kubelet/runtime/oci/hostports.js';
import { freeCidr, ociSkipReason } from '../kubelet/runtime/oci/test-env.js';
import { K8TS_BIN, TestServer, freePort, kubectlPath, run } from '../testing/server-harness.js';
import { type TestRegistry, buildBusyboxImage, missingImageTools, pushImage, startTestRegistry } from '../testing/test-images.js';
import { containerScenarios } from './container-scenarios.js';
import { pollUntil } from './kubectl-helpers.js';

const skip = !kubectlPath() ? 'kubectl not installed (/usr/bin/kubectl)' : (ociSkipReason() ?? missingImageTools() ?? false);

const hex = (n: number) => randomBytes(n).toString('hex');

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
    await new Hostports({ bridge }).removeAll();
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

  containerScenarios(() => ({
    server: s,
    image1,
    image2,
    missingImage: `${registry!.host}/test/missing:1`,
    podCIDR: cidr,
    nodeIP: '127.0.0.1',
    workDir: work,
    beforeNamespaceDeletion: async () => {
      const veths = sh('ip', ['-o', 'link', 'show', 'master', bridge]).split('\n').map((l) => /^\d+: ([^@:]+)/.exec(l)?.[1]).filter((v): v is string => !!v);
      assert.ok(veths.length > 0, 'pods are attached to the bridge before the deletion');
      const netns = () => sh('ip', ['netns', 'list']).split('\n').map((l) => l.split(' ')[0]!).filter((n) => veths.some((v) => n === `k8ts-${v.slice(4)}` || n.startsWith(`k8ts-${v.slice(4)}`)));
      assert.ok(netns().length > 0, 'the pods\' network namespaces exist before the deletion');
      const runcRoot = path.join(dataDir, 'agent', 'oci', 'runc');
      const agentDir = path.join(dataDir, 'agent');
      return async () => {
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
    },
  }));
});
