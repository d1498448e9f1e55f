/**
 * `npm run bench -- cluster`: the whole server with its components.
 * - idle: N simulated nodes (default 5000); once every node is Ready, the
 *   server's CPU time over a window (default 60 s) as a percentage of one
 *   core — serving heartbeats and leases, controllers and scheduler included.
 *   `--sim external` (default) runs the nodes in their own `k8ts sim`
 *   process, as KWOK does, and reports its CPU apart; `--sim in-process`
 *   runs them inside the server (`--sim-nodes`), both sides counted.
 * - deployment: a Deployment of R replicas (default 1000) on M simulated
 *   nodes (default 50), timed from create to every replica available.
 *
 *   --only idle|deployment  --nodes 5000  --idle-seconds 60  --sim external|in-process
 *   --replicas 1000  --deployment-nodes 50  --cpu-prof-dir DIR (profile the server process)
 *
 * The last line printed is one JSON object with every figure.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type FlagSpec, UsageError, parseFlags } from '../cmd/flags.js';
import { machineInfo, parseOrReportUsage, runIfMain, cpuProfileArgs } from './cli.js';
import { KubeClient, loadKubeconfig } from './kube-client.js';
import { ServerProcess, processCpuMs } from './server-process.js';
import { K8TS_BIN } from '../testing/server-harness.js';
import { round } from './stats.js';

export interface ClusterBenchConfig {
  only?: 'idle' | 'deployment';
  nodes: number;
  idleSeconds: number;
  sim: 'external' | 'in-process';
  replicas: number;
  deploymentNodes: number;
  cpuProfDir?: string;
}

const flagSpecs: FlagSpec[] = [
  { name: 'only', kind: 'string', usage: 'idle or deployment (default: both)' },
  { name: 'nodes', kind: 'int', usage: 'simulated nodes for the idle measurement', default: 5000 },
  { name: 'idle-seconds', kind: 'int', usage: 'length of the idle window', default: 60 },
  { name: 'sim', kind: 'string', usage: 'where the idle measurement runs its simulated nodes: external or in-process', default: 'external' },
  { name: 'replicas', kind: 'int', usage: 'replicas of the measured Deployment', default: 1000 },
  { name: 'deployment-nodes', kind: 'int', usage: 'simulated nodes for the Deployment measurement', default: 50 },
  { name: 'cpu-prof-dir', kind: 'string', usage: 'write a CPU profile of the server process here' },
];

export function parseClusterBenchFlags(argv: string[]): ClusterBenchConfig {
  const { values, args } = parseFlags(flagSpecs, argv, {});
  if (args.length) throw new UsageError(`unexpected argument: ${args[0]}`);
  const only = values.only as string | undefined;
  if (only !== undefined && only !== 'idle' && only !== 'deployment') throw new UsageError(`unknown measurement "${only}": want idle or deployment`);
  const sim = String(values.sim);
  if (sim !== 'external' && sim !== 'in-process') throw new UsageError(`unknown --sim "${sim}": want external or in-process`);
  const cfg = { only, nodes: Number(values.nodes), idleSeconds: Number(values['idle-seconds']), sim, replicas: Number(values.replicas), deploymentNodes: Number(values['deployment-nodes']) };
  for (const [k, v] of Object.entries(cfg)) if (typeof v === 'number' && !(v > 0)) throw new UsageError(`--${k} must be positive`);
  return { ...cfg, cpuProfDir: values['cpu-prof-dir'] as string | undefined } as ClusterBenchConfig;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pollUntil<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function withServer<T>(args: string[], cpuProfDir: string | undefined, fn: (s: ServerProcess, c: KubeClient) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-bench-cluster-'));
  const nodeArgs = cpuProfileArgs(cpuProfDir);
  const server = await ServerProcess.start({ dataDir: dir, datastore: 'sqlite', withComponents: true, serverArgs: args, nodeArgs });
  try {
    const client = await KubeClient.connect(loadKubeconfig(server.kubeconfig));
    try {
      return await fn(server, client);
    } finally {
      client.close();
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface NodeList {
  items: { status?: { conditions?: { type: string; status: string }[] } }[];
}

export interface IdleResult {
  nodes: number;
  /** From server start to every node Ready. */
  nodesReadySeconds: number;
  windowSeconds: number;
  sim: 'external' | 'in-process';
  /** Server CPU over the idle window, percent of one core. */
  cpuPercentOfCore: number;
  /** The external simulator's CPU over the same window. */
  simCpuPercentOfCore?: number;
}

async function idle(cfg: ClusterBenchConfig): Promise<IdleResult> {
  // A /24 per node: the default /16 cluster CIDR holds 256 nodes, the CGNAT /10 holds 16384.
  const cidr = cfg.nodes > 256 ? ['--cluster-cidr', '100.64.0.0/10'] : [];
  const inProcess = cfg.sim === 'in-process';
  return withServer(inProcess ? ['--sim-nodes', String(cfg.nodes), ...cidr] : cidr, cfg.cpuProfDir, async (server) => {
    const t0 = performance.now();
    const sim = inProcess ? undefined : spawn(process.execPath, [K8TS_BIN, 'sim', '--nodes', String(cfg.nodes), '--kubeconfig', server.kubeconfig, ...cidr], { stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      // Listing thousands of nodes is itself load: poll gently, on a fresh connection each time
      // (a busy server may drop an idle session while registration runs).
      await pollUntil(`${cfg.nodes} Ready nodes`, 900_000, async () => {
        await sleep(5000);
        if (sim && sim.exitCode !== null) throw new Error(`k8ts sim exited with code ${sim.exitCode}`);
        const fresh = await KubeClient.connect(loadKubeconfig(server.kubeconfig));
        try {
          const list = await fresh.json<NodeList>('GET', '/api/v1/nodes');
          const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
          return ready >= cfg.nodes ? ready : undefined;
        } finally {
          fresh.close();
        }
      });
      const nodesReadySeconds = (performance.now() - t0) / 1000 + server.readyMs / 1000;
      // Let registration's burst settle into the steady heartbeat rhythm before measuring.
      await sleep(15_000);
      const cpu0 = server.cpuMs();
      const simCpu0 = sim ? processCpuMs(sim.pid!) : 0;
      const w0 = performance.now();
      await sleep(cfg.idleSeconds * 1000);
      const cpu = server.cpuMs() - cpu0;
      const simCpu = sim ? processCpuMs(sim.pid!) - simCpu0 : 0;
      const wall = performance.now() - w0;
      const out: IdleResult = { nodes: cfg.nodes, nodesReadySeconds: round(nodesReadySeconds, 1), windowSeconds: round(wall / 1000, 1), sim: cfg.sim, cpuPercentOfCore: round((cpu * 100) / wall, 1) };
      if (sim) out.simCpuPercentOfCore = round((simCpu * 100) / wall, 1);
      return out;
    } finally {
      if (sim && sim.exitCode === null) {
        const exited = new Promise((r) => sim.once('exit', r));
        sim.kill('SIGTERM');
        await exited;
      }
    }
  });
}

export interface DeploymentResult {
  replicas: number;
  nodes: number;
  /** From the create request to status.availableReplicas == replicas. */
  allAvailableSeconds: number;
}

async function deployment(cfg: ClusterBenchConfig): Promise<DeploymentResult> {
  return withServer(['--sim-nodes', String(cfg.deploymentNodes)], cfg.cpuProfDir, async (_server, client) => {
    await pollUntil(`${cfg.deploymentNodes} nodes`, 120_000, async () => {
      const list = await client.json<NodeList>('GET', '/api/v1/nodes');
      return list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= cfg.deploymentNodes ? true : undefined;
    });
    const body = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'big', namespace: 'default' },
      spec: {
        replicas: cfg.replicas,
        selector: { matchLabels: { app: 'big' } },
        template: { metadata: { labels: { app: 'big' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
      },
    };
    const t0 = performance.now();
    await client.json('POST', '/apis/apps/v1/namespaces/default/deployments', { body });
    await pollUntil(`${cfg.replicas} available replicas`, 900_000, async () => {
      const d = await client.json<{ status?: { availableReplicas?: number } }>('GET', '/apis/apps/v1/namespaces/default/deployments/big');
      return (d.status?.availableReplicas ?? 0) >= cfg.replicas ? true : undefined;
    });
    return { replicas: cfg.replicas, nodes: cfg.deploymentNodes, allAvailableSeconds: round((performance.now() - t0) / 1000, 1) };
  });
}

export async function main(argv: string[]): Promise<number> {
  const cfg = parseOrReportUsage(parseClusterBenchFlags, argv);
  if (!cfg) return 2;
  const machine = machineInfo();
  process.stdout.write(`cluster benchmark on ${machine.cpus} × ${machine.cpuModel}\n`);
  const report: { machine: typeof machine; idle?: IdleResult; deployment?: DeploymentResult } = { machine };
  if (cfg.only !== 'deployment') {
    report.idle = await idle(cfg);
    const i = report.idle;
    const simPart = i.simCpuPercentOfCore !== undefined ? `; the simulator process ${i.simCpuPercentOfCore}%` : ' (simulated nodes inside the server)';
    process.stdout.write(`idle: ${i.nodes} simulated nodes Ready after ${i.nodesReadySeconds}s; server CPU ${i.cpuPercentOfCore}% of a core over ${i.windowSeconds}s${simPart}\n`);
  }
  if (cfg.only !== 'idle') {
    report.deployment = await deployment(cfg);
    process.stdout.write(`deployment: ${report.deployment.replicas} replicas on ${report.deployment.nodes} nodes all available after ${report.deployment.allAvailableSeconds}s\n`);
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return 0;
}

runIfMain(import.meta.url, main);
