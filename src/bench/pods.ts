/**
 * `npm run bench -- pods`: pod startup latency on one real node, create →
 * Ready, p50 and p99 over N pods (default 50) created at once, the image
 * already on the node (one pod runs first to pull it).
 *
 *   --runtime oci|cri|both  --pods 50  --timeout-seconds 300
 *
 * `oci` is the server's local agent on the built-in runtime; `cri` the same
 * agent on a private containerd. A runtime the host cannot run is skipped
 * with its reason. The last line printed is one JSON object with every figure.
 */
import os from 'node:os';
import { type FlagSpec, UsageError, parseFlags } from '../cmd/flags.js';
import { machineInfo, runIfMain } from './cli.js';
import { type ContainerRuntimeKind, containerClusterSkipReason, deletePodsAndWait, startContainerCluster } from './container-cluster.js';
import { measurePodStartup } from './pod-startup.js';
import { round, summarize } from './stats.js';

export interface PodsBenchConfig {
  runtimes: ContainerRuntimeKind[];
  pods: number;
  timeoutMs: number;
}

export type RuntimeReport =
  | {
      p50Ms: number;
      p99Ms: number;
      maxMs: number;
      wallMs: number;
      pods: number;
      warmupMs: number;
      runtimeVersion: string;
      /** p50 of create → bound, and of create → container running, to show where the time goes. */
      phases: { scheduledP50Ms: number; runningP50Ms: number };
    }
  | { skipped: string };

export interface PodsBenchReport {
  oci?: RuntimeReport;
  cri?: RuntimeReport;
  machine: { cpus: number; cpuModel: string; memGB: number; node: string; platform: string; loadavg1m: number };
}

type Print = (line: string) => void;

const flagSpecs: FlagSpec[] = [
  { name: 'runtime', kind: 'string', usage: 'oci, cri or both', default: 'both' },
  { name: 'pods', kind: 'int', usage: 'pods created at once', default: 50 },
  { name: 'timeout-seconds', kind: 'int', usage: 'how long all pods may take to become Ready', default: 300 },
];

export function parsePodsBenchFlags(argv: string[]): PodsBenchConfig {
  const { values, args } = parseFlags(flagSpecs, argv, {});
  if (args.length) throw new UsageError(`unexpected argument: ${args[0]}`);
  const runtime = String(values.runtime);
  const runtimes: ContainerRuntimeKind[] | undefined = runtime === 'both' ? ['oci', 'cri'] : runtime === 'oci' || runtime === 'cri' ? [runtime] : undefined;
  if (!runtimes) throw new UsageError(`unknown runtime "${runtime}": want oci, cri or both`);
  const pods = Number(values.pods);
  const timeoutSeconds = Number(values['timeout-seconds']);
  if (!(pods > 0)) throw new UsageError('--pods must be positive');
  if (!(timeoutSeconds > 0)) throw new UsageError('--timeout-seconds must be positive');
  return { runtimes, pods, timeoutMs: timeoutSeconds * 1000 };
}

async function runRuntime(runtime: ContainerRuntimeKind, cfg: PodsBenchConfig, print: Print): Promise<RuntimeReport> {
  const skipped = containerClusterSkipReason(runtime);
  if (skipped) {
    print(`== ${runtime} == skipped: ${skipped}`);
    return { skipped };
  }
  print(`== ${runtime} ==`);
  const cluster = await startContainerCluster(runtime, { log: print });
  try {
    print(`node ${cluster.nodeName} Ready (${cluster.runtimeVersion}), image ${cluster.image}`);
    await cluster.createNamespace('warmup');
    const warm = await measurePodStartup(cluster.client, { namespace: 'warmup', image: cluster.image, count: 1, prefix: 'pull', timeoutMs: cfg.timeoutMs });
    print(`warm-up pod (pulls the image): ${round(warm.wallMs, 0)} ms`);
    await deletePodsAndWait(cluster.client, ['warmup']);
    await cluster.createNamespace('startup');
    const r = await measurePodStartup(cluster.client, { namespace: 'startup', image: cluster.image, count: cfg.pods, prefix: 'pod', timeoutMs: cfg.timeoutMs });
    const s = summarize(r.latenciesMs);
    return { p50Ms: round(s.p50, 0), p99Ms: round(s.p99, 0), maxMs: round(s.max, 0), wallMs: round(r.wallMs, 0), pods: cfg.pods, warmupMs: round(warm.wallMs, 0), runtimeVersion: cluster.runtimeVersion, phases: { scheduledP50Ms: round(summarize(r.scheduledMs).p50, 0), runningP50Ms: round(summarize(r.runningMs).p50, 0) } };
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
    if ('skipped' in r) print(`${name.padEnd(10)}skipped: ${r.skipped}`);
    else print(`${name.padEnd(10)}${[r.pods, r.p50Ms, r.p99Ms, r.maxMs, r.wallMs, r.phases.scheduledP50Ms, r.phases.runningP50Ms].map((v) => String(v).padStart(14)).join('')}`);
  }
}

export async function main(argv: string[], opts: { print?: Print } = {}): Promise<PodsBenchReport> {
  const print = opts.print ?? ((line: string) => process.stdout.write(line + '\n'));
  const cfg = parsePodsBenchFlags(argv);
  const report: PodsBenchReport = {
    machine: { ...machineInfo(), platform: `${os.platform()}-${os.arch()}`, loadavg1m: round(os.loadavg()[0]!, 2) },
  };
  print(`k8ts pod startup benchmark: ${report.machine.cpus} CPUs (${report.machine.cpuModel}), ${report.machine.memGB} GB, load ${report.machine.loadavg1m}, ${cfg.pods} pods at once`);
  for (const runtime of cfg.runtimes) report[runtime] = await runRuntime(runtime, cfg, print);
  table(report, cfg.runtimes, print);
  print(JSON.stringify(report));
  return report;
}

runIfMain(import.meta.url, main);
