/**
 * `npm run bench -- scheduler`: scheduling throughput in the manner of
 * upstream's scheduler_perf. A `k8ts server` (no scheduler, no controllers)
 * gets N nodes and M pending pods through the API; then the scheduler starts
 * as a separate API client (as kube-scheduler is) and the benchmark counts
 * pods bound per second from a watch until every pod is bound.
 *
 *   --nodes 5000 --pods 10000 --workload basic|node-affinity|topology-spread|pod-anti-affinity|all
 *   --datastore sqlite|memory  --clients 32
 *
 * Prints a line per workload and, last, one JSON object; `podsPerSecond` is
 * the figure of the first (or only) workload.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { HTTP2Transport } from '../client/rest/http2-transport.js';
import { parseKubeconfig } from '../client/rest/kubeconfig.js';
import { RESTClient } from '../client/rest/rest-client.js';
import { type FlagSpec, UsageError, parseFlags } from '../cmd/flags.js';
import { realClock } from '../machinery/clock.js';
import { createLogger, silentLogger } from '../machinery/log.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { readFileSync } from 'node:fs';
import { machineInfo, parseOrReportUsage, runIfMain, cpuProfileArgs } from './cli.js';
import { KubeClient, loadKubeconfig } from './kube-client.js';
import { runPool } from './pool.js';
import { ServerProcess } from './server-process.js';
import { round } from './stats.js';

export const WORKLOADS = ['basic', 'node-affinity', 'topology-spread', 'pod-anti-affinity'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface SchedulerBenchConfig {
  nodes: number;
  pods: number;
  workloads: Workload[];
  datastore: 'sqlite' | 'memory';
  clients: number;
  /** Write a CPU profile of the server process here. */
  cpuProfDir?: string;
}

export interface WorkloadResult {
  workload: Workload;
  nodes: number;
  pods: number;
  /** Pods bound per second, first bind to last. */
  podsPerSecond: number;
  /** From scheduler start (informers listing included) to the last bind. */
  totalSeconds: number;
  /** From scheduler start to the first bind: informer sync and the first cycle. */
  firstBindSeconds: number;
  /** Pods bound per second over each whole second of the run: like scheduler_perf's SchedulingThroughput. */
  perSecond: { p50: number; max: number };
  createNodesPerSecond: number;
  createPodsPerSecond: number;
}

const ZONES = 10;

const flagSpecs: FlagSpec[] = [
  { name: 'nodes', kind: 'int', usage: 'nodes in the cluster', default: 5000 },
  { name: 'pods', kind: 'int', usage: 'pods to schedule', default: 10000 },
  { name: 'workload', kind: 'string', usage: `one of ${WORKLOADS.join(', ')}, or all`, default: 'basic' },
  { name: 'datastore', kind: 'string', usage: 'sqlite or memory', default: 'sqlite' },
  { name: 'clients', kind: 'int', usage: 'concurrent requests while creating nodes and pods', default: 32 },
  { name: 'cpu-prof-dir', kind: 'string', usage: 'write a CPU profile of the server process here' },
];

export function parseSchedulerBenchFlags(argv: string[]): SchedulerBenchConfig {
  const { values, args } = parseFlags(flagSpecs, argv, {});
  if (args.length) throw new UsageError(`unexpected argument: ${args[0]}`);
  const w = String(values.workload);
  const workloads = w === 'all' ? [...WORKLOADS] : w.split(',');
  for (const x of workloads) if (!(WORKLOADS as readonly string[]).includes(x)) throw new UsageError(`unknown workload "${x}": want ${WORKLOADS.join(', ')} or all`);
  const datastore = String(values.datastore);
  if (datastore !== 'sqlite' && datastore !== 'memory') throw new UsageError(`unknown datastore "${datastore}": want sqlite or memory`);
  const nodes = Number(values.nodes);
  const pods = Number(values.pods);
  if (!(nodes > 0) || !(pods > 0)) throw new UsageError('--nodes and --pods must be positive');
  return { nodes, pods, workloads: workloads as Workload[], datastore, clients: Math.max(1, Number(values.clients)), cpuProfDir: values['cpu-prof-dir'] as string | undefined };
}

export function benchNode(i: number): Record<string, unknown> {
  const name = `node-${i}`;
  const resources = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${i % ZONES}` } },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
      phase: 'Running',
    },
  };
}

/** The measured pod of each workload; like scheduler_perf's templates (pause, 100m / 500Mi requested). */
export function benchSchedPod(workload: Workload, namespace: string, i: number, nodes: number): Record<string, unknown> {
  const labels: Record<string, string> = { app: 'sched-bench' };
  const spec: Record<string, unknown> = {
    containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' }, limits: { cpu: '100m', memory: '500Mi' } } }],
  };
  switch (workload) {
    case 'basic':
      break;
    case 'node-affinity':
      // Half of the zones qualify, so the filter rejects half the nodes.
      spec.affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: Array.from({ length: ZONES / 2 }, (_, z) => `zone-${z}`) }] }],
          },
        },
      };
      break;
    case 'topology-spread':
      spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'sched-bench' } } }];
      break;
    case 'pod-anti-affinity': {
      // At most one pod of a group per node: as many groups as it takes for every pod to fit.
      const group = `g${Math.floor(i / nodes)}`;
      labels.group = group;
      spec.affinity = {
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { group } }, topologyKey: 'kubernetes.io/hostname' }] },
      };
      break;
    }
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, namespace, labels }, spec };
}

async function createAll(client: KubeClient, clients: number, count: number, pathOf: (i: number) => string, body: (i: number) => unknown): Promise<number> {
  const t0 = performance.now();
  await runPool(clients, count, async (i) => {
    const r = await client.request('POST', pathOf(i), { body: body(i) });
    if (r.status !== 201) throw new Error(`POST ${pathOf(i)}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
  });
  return round((count * 1000) / (performance.now() - t0), 1);
}

async function runWorkload(cfg: SchedulerBenchConfig, workload: Workload): Promise<WorkloadResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-bench-sched-'));
  const server = await ServerProcess.start({ dataDir: dir, datastore: cfg.datastore, nodeArgs: cpuProfileArgs(cfg.cpuProfDir) });
  const ac = new AbortController();
  let transport: HTTP2Transport | undefined;
  try {
    const client = await KubeClient.connect(loadKubeconfig(server.kubeconfig));
    const ns = 'sched-bench';
    await client.json('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    const createNodesPerSecond = await createAll(client, cfg.clients, cfg.nodes, () => '/api/v1/nodes', benchNode);
    const createPodsPerSecond = await createAll(client, cfg.clients, cfg.pods, () => `/api/v1/namespaces/${ns}/pods`, (i) => benchSchedPod(workload, ns, i, cfg.nodes));

    const list = await client.json<{ metadata: { resourceVersion: string } }>('GET', `/api/v1/namespaces/${ns}/pods?limit=1`);
    const bindTimes: number[] = [];
    const bound = new Set<string>();
    let resolveAll!: () => void;
    const all = new Promise<void>((r) => (resolveAll = r));
    const watch = client.watch(`/api/v1/namespaces/${ns}/pods?watch=1&resourceVersion=${list.metadata.resourceVersion}&allowWatchBookmarks=true`, (ev) => {
      const name = ev.object?.metadata?.name as string | undefined;
      if (ev.type !== 'MODIFIED' || !name || !ev.object.spec?.nodeName || bound.has(name)) return;
      bound.add(name);
      bindTimes.push(performance.now());
      if (bound.size === cfg.pods) resolveAll();
    });
    await watch.established;

    const kc = parseKubeconfig(readFileSync(server.kubeconfig, 'utf8'));
    if (kc.kind === 'error') throw new Error(kc.message);
    transport = new HTTP2Transport(kc.config);
    const scheduler = new Scheduler({ rest: new RESTClient(transport), clock: realClock, logger: process.env.K8TS_BENCH_LOG ? createLogger({ level: 'debug' }) : silentLogger, identity: 'bench-scheduler', leaderElect: false });
    const t0 = performance.now();
    const running = scheduler.run(ac.signal);
    await all;
    const tEnd = performance.now();
    ac.abort();
    await running.catch(() => undefined);
    watch.close();
    await client.close();

    const first = bindTimes[0]!;
    const span = (bindTimes[bindTimes.length - 1]! - first) / 1000;
    const buckets = new Map<number, number>();
    for (const t of bindTimes) buckets.set(Math.floor((t - first) / 1000), (buckets.get(Math.floor((t - first) / 1000)) ?? 0) + 1);
    // The last bucket is partial; leave it out of the per-second figures unless it is the only one.
    const counts = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
    const whole = counts.length > 1 ? counts.slice(0, -1) : counts;
    const sortedCounts = [...whole].sort((a, b) => a - b);
    return {
      workload,
      nodes: cfg.nodes,
      pods: cfg.pods,
      podsPerSecond: round(span > 0 ? (cfg.pods - 1) / span : cfg.pods, 1),
      totalSeconds: round((tEnd - t0) / 1000, 2),
      firstBindSeconds: round((first - t0) / 1000, 2),
      perSecond: { p50: sortedCounts[Math.floor(sortedCounts.length / 2)] ?? 0, max: sortedCounts[sortedCounts.length - 1] ?? 0 },
      createNodesPerSecond,
      createPodsPerSecond,
    };
  } finally {
    ac.abort();
    transport?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(argv: string[]): Promise<number> {
  const cfg = parseOrReportUsage(parseSchedulerBenchFlags, argv);
  if (!cfg) return 2;
  const machine = machineInfo();
  process.stdout.write(`scheduler benchmark: ${cfg.nodes} nodes, ${cfg.pods} pods, ${cfg.datastore}; ${machine.cpus} × ${machine.cpuModel}\n`);
  const results: WorkloadResult[] = [];
  for (const w of cfg.workloads) {
    const r = await runWorkload(cfg, w);
    results.push(r);
    process.stdout.write(
      `${w.padEnd(18)} ${String(r.podsPerSecond).padStart(8)} pods/s  (per-second p50 ${r.perSecond.p50}, max ${r.perSecond.max}; first bind after ${r.firstBindSeconds}s, last after ${r.totalSeconds}s; created ${r.createNodesPerSecond} nodes/s, ${r.createPodsPerSecond} pods/s)\n`,
    );
  }
  process.stdout.write(`${JSON.stringify({ podsPerSecond: results[0]!.podsPerSecond, machine, datastore: cfg.datastore, results })}\n`);
  return 0;
}

runIfMain(import.meta.url, main);
