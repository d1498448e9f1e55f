/**
 * `npm run bench -- pods`: pod startup latency on one real node, create →
 * Ready, p50 and p99 over N pods (default 50) created at once, the image
 * already on the node (one pod runs first to pull it). With `--interval-ms N`
 * the same pods are then created again one every N ms (upstream's node
 * density tests pace their creates so), and both modes are reported.
 *
 *   --runtime oci|cri|both  --pods 50  --interval-ms 0  --timeout-seconds 300
 *   --cpu-prof-dir DIR (profile the server process, agent included)
 *
 * `oci` is the server's local agent on the built-in runtime; `cri` the same
 * agent on a private containerd. A runtime the host cannot run is skipped
 * with its reason. The last line printed is one JSON object with every figure.
 */
import os from 'node:os';
import { type FlagSpec, UsageError, parseFlags } from '../cmd/flags.js';
import { machineInfo, runIfMain } from './cli.js';
import { type ContainerRuntimeKind, containerClusterSkipReason, deletePodsAndWait, startContainerCluster } from './container-cluster.js';
import { measurePodStartup, type PodStartupResult } from './pod-startup.js';
import { round, summarize } from './stats.js';

export interface PodsBenchConfig {
  runtimes: ContainerRuntimeKind[];
  pods: number;
  /** 0: only all pods at once; N: also one pod every N ms. */
  intervalMs: number;
  timeoutMs: number;
  /** Write a CPU profile of the server process (its agent included) here. */
  cpuProfDir?: string;
}

/** One measurement: create → Ready over every pod. */
export interface StartupFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  wallMs: number;
  /** p50 of create → bound, and of create → container running, to show where the time goes. */
  phases: { scheduledP50Ms: number; runningP50Ms: number };
}

export interface RuntimeFigures extends StartupFigures {
  pods: number;
  warmupMs: number;
  runtimeVersion: string;
  /** The pods created one every `intervalMs` (only with --interval-ms); the figures above are all at once. */
  paced?: StartupFigures & { intervalMs: number };
}

export type RuntimeReport = RuntimeFigures | { skipped: string };

export interface PodsBenchReport {
  oci?: RuntimeReport;
  cri?: RuntimeReport;
  machine: { cpus: number; cpuModel: string; memGB: number; node: string; platform: string; loadavg1m: number };
}

type Print = (line: string) => void;

const flagSpecs: FlagSpec[] = [
  { name: 'runtime', kind: 'string', usage: 'oci, cri or both', default: 'both' },
  { name: 'pods', kind: 'int', usage: 'pods created at once', default: 50 },
  { name: 'interval-ms', kind: 'int', usage: 'also create the pods one every N ms and report both (0: only at once)', default: 0 },
  { name: 'timeout-seconds', kind: 'int', usage: 'how long all pods may take to become Ready', default: 300 },
  { name: 'cpu-prof-dir', kind: 'string', usage: 'write a CPU profile of the server process (its agent included) here' },
];

export function parsePodsBenchFlags(argv: string[]): PodsBenchConfig {
  const { values, args } = parseFlags(flagSpecs, argv, {});
  if (args.length) throw new UsageError(`unexpected argument: ${args[0]}`);
  const runtime = String(values.runtime);
  const runtimes: ContainerRuntimeKind[] | undefined = runtime === 'both' ? ['oci', 'cri'] : runtime === 'oci' || runtime === 'cri' ? [runtime] : undefined;
  if (!runtimes) throw new UsageError(`unknown runtime "${runtime}": want oci, cri or both`);
  const pods = Number(values.pods);
  const timeoutSeconds = Number(values['timeout-seconds']);
  const intervalMs = Number(values['interval-ms']);
  if (!(pods > 0)) throw new UsageError('--pods must be positive');
  if (!(intervalMs >= 0)) throw new UsageError('--interval-ms must not be negative');
  if (!(timeoutSeconds > 0)) throw new UsageError('--timeout-seconds must be positive');
  const cpuProfDir = values['cpu-prof-dir'] as string | undefined;
  return { runtimes, pods, intervalMs, timeoutMs: timeoutSeconds * 1000, ...(cpuProfDir ? { cpuProfDir } : {}) };
}

function figures(r: PodStartupResult): StartupFigures {
  const s = summarize(r.latenciesMs);
  return { p50Ms: round(s.p50, 0), p99Ms: round(s.p99, 0), maxMs: round(s.max, 0), wallMs: round(r.wallMs, 0), phases: { scheduledP50Ms: round(summarize(r.scheduledMs).p50, 0), runningP50Ms: round(summarize(r.runningMs).p50, 0) } };
}

async function runRuntime(runtime: ContainerRuntimeKind, cfg: PodsBenchConfig, print: Print): Promise<RuntimeReport> {
  const skipped = containerClusterSkipReason(runtime);
  if (skipped) {
    print(`== ${runtime} == skipped: ${skipped}`);
    return { skipped };
  }
  print(`== ${runtime} ==`);
  const cluster = await startContainerCluster(runtime, { log: print, cpuProfDir: cfg.cpuProfDir });
  try {
    print(`node ${cluster.nodeName} Ready (${cluster.runtimeVersion}), image ${cluster.image}`);
    await cluster.createNamespace('warmup');
    const warm = await measurePodStartup(cluster.client, { namespace: 'warmup', image: cluster.image, count: 1, prefix: 'pull', timeoutMs: cfg.timeoutMs });
    print(`warm-up pod (pulls the image): ${round(warm.wallMs, 0)} ms`);
    await deletePodsAndWait(cluster.client, ['warmup']);
    await cluster.createNamespace('startup');
    const batch = figures(await measurePodStartup(cluster.client, { namespace: 'startup', image: cluster.image, count: cfg.pods, prefix: 'pod', timeoutMs: cfg.timeoutMs }));
    const report: RuntimeFigures = { ...batch, pods: cfg.pods, warmupMs: round(warm.wallMs, 0), runtimeVersion: cluster.runtimeVersion };
    if (cfg.intervalMs > 0) {
      print(`all at once: p50 ${batch.p50Ms} ms, p99 ${batch.p99Ms} ms; now one pod every ${cfg.intervalMs} ms`);
      // The paced run starts on an empty node, as the batch did.
      await deletePodsAndWait(cluster.client, ['startup']);
      await cluster.createNamespace('paced');
      const paced = await measurePodStartup(cluster.client, { namespace: 'paced', image: cluster.image, count: cfg.pods, prefix: 'pod', timeoutMs: cfg.timeoutMs, intervalMs: cfg.intervalMs });
      report.paced = { ...figures(paced), intervalMs: cfg.intervalMs };
    }
    return report;
  } finally {
    await cluster.dispose();
  }
}

function table(report: PodsBenchReport, runtimes: ContainerRuntimeKind[], print: Print): void {
  print('');
  print(`${'runtime'.padEnd(10)}${['pods', 'p50 ms', 'p99 ms', 'max ms', 'all Ready ms', 'bound p50', 'running p50'].map((h) => h.padStart(14)).join('')}`);
  for (const name of runtimes) {
    const r = report[name];
    if (!r) continue;
    if ('skipped' in r) {
      print(`${name.padEnd(10)}skipped: ${r.skipped}`);
      continue;
    }
    const row = (label: string, f: StartupFigures) => print(`${label.padEnd(10)}${[r.pods, f.p50Ms, f.p99Ms, f.maxMs, f.wallMs, f.phases.scheduledP50Ms, f.phases.runningP50Ms].map((v) => String(v).padStart(14)).join('')}`);
    row(name, r);
    if (r.paced) row(`${name}/${r.paced.intervalMs}ms`, r.paced);
  }
}

export async function main(argv: string[], opts: { print?: Print } = {}): Promise<PodsBenchReport> {
  const print = opts.print ?? ((line: string) => process.stdout.write(line + '\n'));
  const cfg = parsePodsBenchFlags(argv);
  const report: PodsBenchReport = {
    machine: { ...machineInfo(), platform: `${os.platform()}-${os.arch()}`, loadavg1m: round(os.loadavg()[0]!, 2) },
  };
  const modes = cfg.intervalMs > 0 ? `${cfg.pods} pods at once, then one every ${cfg.intervalMs} ms` : `${cfg.pods} pods at once`;
  print(`k8ts pod startup benchmark: ${report.machine.cpus} CPUs (${report.machine.cpuModel}), ${report.machine.memGB} GB, load ${report.machine.loadavg1m}, ${modes}`);
  for (const runtime of cfg.runtimes) report[runtime] = await runRuntime(runtime, cfg, print);
  table(report, cfg.runtimes, print);
  print(JSON.stringify(report));
  return report;
}

runIfMain(import.meta.url, main);
