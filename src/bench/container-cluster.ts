/**
 * A one-node cluster running real containers for benchmarks: `k8ts server`
 * with its local agent on the `oci` runtime (a loopback registry holding a
 * busybox image) or on `cri` (a private containerd). Names the host shares
 * (bridge, cgroup root, pod subnet) are unique to the run, and `dispose()`
 * removes every pod, process, mount, bridge, nat rule and file it made.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { containerdSkipReason, startContainerdFixture, type ContainerdFixture } from '../kubelet/runtime/cri/containerd-fixture.js';
import { K8TS_BIN, TestServer, freePort, run } from '../testing/server-harness.js';
import { cpuProfileArgs } from './cli.js';
import * as testImages from '../testing/test-images.js';
import { KubeClient, loadKubeconfig } from './kube-client.js';

export type ContainerRuntimeKind = 'oci' | 'cri';

export interface ContainerCluster {
  runtime: ContainerRuntimeKind;
  client: KubeClient;
  nodeName: string;
  /** A busybox image (sh, sleep, httpd, nc) the node can pull. */
  image: string;
  /** The node's `containerRuntimeVersion`, e.g. `oci://1.1.5`. */
  runtimeVersion: string;
  /** Creates a namespace and waits for its default ServiceAccount; dispose() empties it first. */
  createNamespace(name: string): Promise<void>;
  dispose(): Promise<void>;
}

function onPath(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

/** Why this host cannot run the runtime's cluster, or undefined when it can. */
export function containerClusterSkipReason(runtime: ContainerRuntimeKind): string | undefined {
  if (process.platform !== 'linux') return 'real containers need Linux';
  if (process.getuid?.() !== 0) return 'real containers need root';
  if (runtime === 'cri') return containerdSkipReason(testImages);
  if (!onPath('runc')) return 'runc missing (apt-get install runc)';
  if (!onPath('iptables')) return 'iptables missing (apt-get install iptables)';
  return testImages.missingImageTools();
}

/** A 10.x.y.0/24 no route on this host uses yet, so the run's pods collide with nobody's. */
function freeSubnet(): string {
  const used = spawnSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' }).stdout ?? '';
  for (let i = 0; i < 50; i++) {
    const a = 150 + randomInt(50);
    const b = randomInt(256);
    if (!used.includes(`10.${a}.${b}.`)) return `10.${a}.${b}.0/24`;
  }
  throw new Error('no free 10.x.y.0/24 pod subnet');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

interface NodeDoc {
  status?: { conditions?: { type: string; status: string }[]; nodeInfo?: { containerRuntimeVersion?: string } };
}

/** Deletes every pod in the namespaces and waits until the agent has torn them down and they are gone. */
export async function deletePodsAndWait(client: KubeClient, namespaces: string[], timeoutMs = 120_000): Promise<void> {
  for (const ns of namespaces) await client.request('DELETE', `/api/v1/namespaces/${ns}/pods`);
  for (const ns of namespaces) {
    await waitFor(`pods in ${ns} to be deleted`, timeoutMs, async () => {
      const list = await client.json<{ items: unknown[] }>('GET', `/api/v1/namespaces/${ns}/pods`);
      return list.items.length === 0 ? true : undefined;
    });
  }
}

export async function startContainerCluster(runtime: ContainerRuntimeKind, opts: { log?: (line: string) => void; cpuProfDir?: string } = {}): Promise<ContainerCluster> {
  const log = opts.log ?? (() => undefined);
  const suffix = randomBytes(3).toString('hex');
  const nodeName = `bench-${runtime}-${suffix}`;
  const bridge = `k8ts-b${suffix}`;
  const cgroupRoot = `k8ts-b${suffix}`;
  const env = { K8TS_POD_BRIDGE: bridge, K8TS_CGROUP_ROOT: cgroupRoot };
  const work = mkdtempSync(path.join(os.tmpdir(), 'k8ts-bench-pods-'));
  let registry: testImages.TestRegistry | undefined;
  let fixture: ContainerdFixture | undefined;
  let server: TestServer | undefined;
  let client: KubeClient | undefined;
  const namespaces = new Set<string>();

  const dispose = async () => {
    if (client && server?.child?.exitCode === null) {
      try {
        await deletePodsAndWait(client, [...namespaces]);
      } catch (err) {
        log(`warning: ${err instanceof Error ? err.message : String(err)}; the agent cleanup removes what is left`);
      }
    }
    client?.close();
    if (server) {
      await server.signal('SIGTERM');
      // Whatever the agent still ran (a failed run) goes now: containers, mounts, netns, bridge, nat rules.
      const r = await run(process.execPath, [K8TS_BIN, 'agent', '--cleanup', '--data-dir', server.dataDir], { env });
      if (r.code !== 0) log(`warning: agent cleanup failed: ${r.stderr}`);
      await server.stop();
    }
    if (runtime === 'oci' && spawnSync('ip', ['link', 'show', bridge], { stdio: 'ignore' }).status === 0) {
      log(`warning: bridge ${bridge} outlived the agent cleanup; removing it`);
      spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    }
    await fixture?.stop();
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  };

  try {
    let endpoint: string;
    let image: string;
    if (runtime === 'cri') {
      fixture = await startContainerdFixture(testImages);
      endpoint = `unix://${fixture.endpoint}`;
      image = fixture.busyboxImage;
    } else {
      registry = await testImages.startTestRegistry();
      const layout = await testImages.buildBusyboxImage(path.join(work, 'busybox'), { tag: '1', extraFiles: { 'var/www/index.html': 'hello from busybox\n' } });
      image = `${registry.host}/k8ts-bench/busybox:1`;
      await testImages.pushImage(layout.dir, image);
      endpoint = 'oci';
    }
    const kubeletPort = await freePort();
    server = await TestServer.start({
      agent: true,
      env,
      nodeArgs: cpuProfileArgs(opts.cpuProfDir, `k8ts-server-${runtime}`),
      args: [
        '--container-runtime-endpoint', endpoint,
        '--cluster-cidr', runtime === 'cri' ? fixture!.podSubnet : freeSubnet(),
        '--node-name', nodeName,
        '--node-ip', '127.0.0.1',
        '--kubelet-port', String(kubeletPort),
        '--log-level', 'warn',
      ],
    });
    client = await KubeClient.connect(loadKubeconfig(server.kubeconfig), { sessions: 2 });
    const c = client;
    const node = await waitFor(`node ${nodeName} Ready`, 60_000, async () => {
      const n = await c.json<NodeDoc>('GET', `/api/v1/nodes/${nodeName}`);
      return n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ? n : undefined;
    });
    return {
      runtime,
      client,
      nodeName,
      image,
      runtimeVersion: node.status?.nodeInfo?.containerRuntimeVersion ?? 'unknown',
      async createNamespace(name) {
        namespaces.add(name);
        await c.json('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
        // Pods are refused until the namespace's default ServiceAccount exists.
        await waitFor(`ServiceAccount ${name}/default`, 30_000, async () => ((await c.request('GET', `/api/v1/namespaces/${name}/serviceaccounts/default`)).status === 200 ? true : undefined));
      },
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
