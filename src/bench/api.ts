/**
 * `npm run bench -- api`: the API server's figures against a real `k8ts
 * server` process per storage backend: CRUD latency at 1/16/64 clients, LIST
 * of many pods, watch fan-out, memory and time to ready. Prints a table per
 * backend as it goes and, as the last line, one JSON object with every figure.
 *
 *   --backends sqlite,etcd  --ops 2000  --pods 10000  --watchers 1000  --writes 200
 *   --quick (small sizes, a smoke test)  --cpu-prof-dir DIR (profile the measured server)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type FlagSpec, UsageError, parseFlags } from '../cmd/flags.js';
import { machineInfo, runIfMain, cpuProfileArgs } from './cli.js';
import { CRUD_OPS, type CrudLevelResult, createNamespace, crudLevel, fillPods } from './crud.js';
import { EtcdProcess, etcdInstalled } from './etcd-process.js';
import { KubeClient, loadKubeconfig } from './kube-client.js';
import { type ListResult, listBench } from './list.js';
import { ServerProcess } from './server-process.js';
import { median, round } from './stats.js';
import { type WatchResult, watchFanout } from './watch-fanout.js';

export const BACKENDS = ['sqlite', 'etcd'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const CLIENT_LEVELS = [1, 16, 64] as const;

export interface BenchConfig {
  backends: BackendName[];
  ops: number;
  pods: number;
  watchers: number;
  writes: number;
  pageSize: number;
  listRuns: number;
  freshStarts: number;
  quick: boolean;
  cpuProfDir?: string;
}

export interface BackendReport {
  create: Record<string, { p50: number; p99: number; opsPerSec: number }>;
  get: Record<string, { p50: number; p99: number; opsPerSec: number }>;
  update: Record<string, { p50: number; p99: number; opsPerSec: number }>;
  delete: Record<string, { p50: number; p99: number; opsPerSec: number }>;
  fillPodsPerSec: number;
  list10k: ListResult;
  watch: WatchResult;
  rssMB: { idle: number; withPods: number; withWatchers: number };
  readyMs: { fresh: number; freshRuns: number[]; withPods: number };
}

export interface BenchReport {
  machine: { cpus: number; cpuModel: string; memGB: number; node: string; platform: string };
  config: Omit<BenchConfig, 'backends' | 'cpuProfDir'>;
  sqlite?: BackendReport | { skipped: string };
  etcd?: BackendReport | { skipped: string };
}

const flagSpecs: FlagSpec[] = [
  { name: 'backends', kind: 'strings', usage: 'storage backends to measure', default: ['sqlite', 'etcd'] },
  { name: 'ops', kind: 'int', usage: 'operations per CRUD phase and client level (default 2000; 64 with --quick)' },
  { name: 'pods', kind: 'int', usage: 'pods stored for the LIST runs (default 10000; 300 with --quick)' },
  { name: 'watchers', kind: 'int', usage: 'concurrent watchers (default 1000; 20 with --quick)' },
  { name: 'writes', kind: 'int', usage: 'writes seen by the watchers (default 200; 10 with --quick)' },
  { name: 'quick', kind: 'bool', usage: 'small sizes, for a smoke test', default: false },
  { name: 'cpu-prof-dir', kind: 'string', usage: 'write a CPU profile of the measured server process here' },
];

export function parseBenchFlags(argv: string[]): BenchConfig {
  const { values, args } = parseFlags(flagSpecs, argv, {});
  if (args.length) throw new UsageError(`unexpected argument: ${args[0]}`);
  const quick = values.quick === true;
  const backends = values.backends as string[];
  for (const b of backends) if (!(BACKENDS as readonly string[]).includes(b)) throw new UsageError(`unknown backend "${b}": want ${BACKENDS.join(', ')}`);
  const int = (name: string, normal: number, small: number) => {
    const v = (values[name] as number | undefined) ?? (quick ? small : normal);
    if (!(v > 0)) throw new UsageError(`--${name} must be positive`);
    return v;
  };
  return {
    backends: [...new Set(backends)] as BackendName[],
    ops: int('ops', 2000, 64),
    pods: int('pods', 10_000, 300),
    watchers: int('watchers', 1000, 20),
    writes: int('writes', 200, 10),
    pageSize: quick ? 100 : 500,
    listRuns: quick ? 2 : 5,
    freshStarts: quick ? 2 : 5,
    quick,
    cpuProfDir: values['cpu-prof-dir'] as string | undefined,
  };
}

/** Streams over one HTTP/2 connection stay well under the server's limit of 1000. */
const WATCHERS_PER_SESSION = 100;

type Print = (line: string) => void;

function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freshReadyMs(backend: BackendName): Promise<number> {
  const dir = tempDir('k8ts-bench-fresh-');
  const etcd = backend === 'etcd' ? await EtcdProcess.start() : undefined;
  try {
    const s = await ServerProcess.start({ dataDir: dir, datastore: etcd?.url ?? 'sqlite' });
    await s.stop();
    return s.readyMs;
  } finally {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runBackend(backend: BackendName, cfg: BenchConfig, print: Print): Promise<BackendReport> {
  print('');
  print(`== ${backend} ==`);
  const freshRuns: number[] = [];
  for (let i = 0; i < cfg.freshStarts; i++) freshRuns.push(round(await freshReadyMs(backend), 1));
  print(`ready after spawn, empty data (median of ${cfg.freshStarts}): ${fmt(median(freshRuns))} ms   runs: ${freshRuns.map(fmt).join(', ')}`);

  const dir = tempDir('k8ts-bench-');
  const etcd = backend === 'etcd' ? await EtcdProcess.start() : undefined;
  const datastore = etcd?.url ?? 'sqlite';
  const nodeArgs = (phase: string) => cpuProfileArgs(cfg.cpuProfDir, `k8ts-server-${backend}-${phase}`);
  let server: ServerProcess | undefined;
  let client: KubeClient | undefined;
  let watchClient: KubeClient | undefined;
  try {
    server = await ServerProcess.start({ dataDir: dir, datastore, nodeArgs: nodeArgs('run') });
    // Let start-up work (bootstrap writes, timers, lazy compilation) finish before calling it idle.
    await settle(1000);
    const idle = round(server.rssMB(), 1);
    print(`RSS idle: ${fmt(idle)} MB`);
    const creds = loadKubeconfig(server.kubeconfig);
    client = await KubeClient.connect(creds);
    const run = Date.now().toString(36);

    const levels: Record<string, CrudLevelResult> = {};
    print('');
    print(`${'op'.padEnd(8)}${'clients'.padStart(8)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'ops/s'.padStart(10)}`);
    for (const c of CLIENT_LEVELS) {
      const ns = `bench-crud-c${c}-${run}`;
      await createNamespace(client, ns);
      const r = await crudLevel(client, { namespace: ns, clients: c, ops: cfg.ops });
      levels[`c${c}`] = r;
      for (const op of CRUD_OPS) print(`${op.padEnd(8)}${String(c).padStart(8)}${fmt(r[op].p50).padStart(10)}${fmt(r[op].p99).padStart(10)}${fmt(r[op].opsPerSec).padStart(10)}`);
    }
    const byOp = (op: (typeof CRUD_OPS)[number]) => Object.fromEntries(Object.entries(levels).map(([k, v]) => [k, v[op]]));

    const listNs = `bench-list-${run}`;
    await createNamespace(client, listNs);
    const fillPodsPerSec = await fillPods(client, { namespace: listNs, prefix: 'pod', count: cfg.pods, clients: 64 });
    print('');
    print(`stored ${cfg.pods} pods at ${fmt(fillPodsPerSec)} creates/s (64 clients)`);
    const list = await listBench(client, { namespace: listNs, pods: cfg.pods, runs: cfg.listRuns, pageSize: cfg.pageSize });
    print(`LIST ${list.pods} pods (median of ${cfg.listRuns}): whole ${fmt(list.wholeMs)} ms (${fmt(list.wholeMB)} MB), ${list.pages} pages of ${list.pageSize}: ${fmt(list.pagedMs)} ms, as Tables in pages: ${fmt(list.tableMs)} ms (first ${fmt(list.tableFirstMs)} ms)`);
    const withPods = round(server.rssMB(), 1);
    print(`RSS with ${cfg.pods} pods: ${fmt(withPods)} MB`);

    const watchNs = `bench-watch-${run}`;
    await createNamespace(client, watchNs);
    watchClient = await KubeClient.connect(creds, { sessions: Math.ceil(cfg.watchers / WATCHERS_PER_SESSION) });
    let withWatchers = 0;
    const watch = await watchFanout(watchClient, { namespace: watchNs, watchers: cfg.watchers, writes: cfg.writes, whileOpen: () => (withWatchers = round(server!.rssMB(), 1)) });
    const lost = watch.expected - watch.delivered;
    print(
      `watch: ${watch.watchers} watchers x ${watch.writes} writes: delivered ${watch.delivered}/${watch.expected}${lost ? ` (${lost} MISSING)` : ''}, ` +
        `write to event p50 ${fmt(watch.p50)} ms, p99 ${fmt(watch.p99)} ms, max ${fmt(watch.max)} ms; connect ${fmt(watch.connectMs)} ms, ${fmt(watch.writesPerSec)} writes/s`,
    );
    print(`RSS with ${cfg.watchers} watchers: ${fmt(withWatchers)} MB`);
    watchClient.close();
    client.close();

    await server.stop();
    server = await ServerProcess.start({ dataDir: dir, datastore, nodeArgs: nodeArgs('restart') });
    const withPodsReady = round(server.readyMs, 1);
    print(`ready after spawn, ${cfg.pods} pods stored: ${fmt(withPodsReady)} ms`);

    return {
      create: byOp('create'),
      get: byOp('get'),
      update: byOp('update'),
      delete: byOp('delete'),
      fillPodsPerSec,
      list10k: list,
      watch,
      rssMB: { idle, withPods, withWatchers },
      readyMs: { fresh: round(median(freshRuns), 1), freshRuns, withPods: withPodsReady },
    };
  } finally {
    watchClient?.close();
    client?.close();
    await server?.stop();
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function summaryTable(report: BenchReport, print: Print): void {
  const names = BACKENDS.filter((b) => report[b] && !('skipped' in report[b]!));
  if (!names.length) return;
  const rows: [string, (r: BackendReport) => number][] = [
    ['create p99 ms @16', (r) => r.create.c16!.p99],
    ['get p99 ms @16', (r) => r.get.c16!.p99],
    ['update p99 ms @16', (r) => r.update.c16!.p99],
    ['delete p99 ms @16', (r) => r.delete.c16!.p99],
    ['create ops/s @64', (r) => r.create.c64!.opsPerSec],
    ['LIST whole ms', (r) => r.list10k.wholeMs],
    ['LIST paged ms', (r) => r.list10k.pagedMs],
    ['LIST Table ms', (r) => r.list10k.tableMs],
    ['LIST Table first ms', (r) => r.list10k.tableFirstMs],
    ['watch p99 ms', (r) => r.watch.p99],
    ['RSS idle MB', (r) => r.rssMB.idle],
    ['RSS with pods MB', (r) => r.rssMB.withPods],
    ['ready fresh ms', (r) => r.readyMs.fresh],
    ['ready with pods ms', (r) => r.readyMs.withPods],
  ];
  print('');
  print(`${'summary'.padEnd(22)}${names.map((n) => n.padStart(12)).join('')}`);
  for (const [label, get] of rows) print(`${label.padEnd(22)}${names.map((n) => fmt(get(report[n] as BackendReport)).padStart(12)).join('')}`);
}

export async function main(argv: string[], opts: { print?: Print } = {}): Promise<BenchReport> {
  const print = opts.print ?? ((line: string) => process.stdout.write(line + '\n'));
  const cfg = parseBenchFlags(argv);
  const { backends: _b, cpuProfDir: _p, ...config } = cfg;
  const report: BenchReport = {
    machine: { ...machineInfo(), platform: `${os.platform()}-${os.arch()}` },
    config,
  };
  print(`k8ts API benchmark: ${report.machine.cpus} CPUs (${report.machine.cpuModel}), ${report.machine.memGB} GB, node ${report.machine.node}`);
  print(`ops ${cfg.ops} per phase and level, ${cfg.pods} pods, ${cfg.watchers} watchers x ${cfg.writes} writes${cfg.quick ? ' (quick)' : ''}`);
  for (const b of cfg.backends) {
    if (b === 'etcd' && !etcdInstalled()) {
      const skipped = 'etcd not installed (apt-get install etcd-server)';
      print('');
      print(`== etcd == skipped: ${skipped}`);
      report.etcd = { skipped };
      continue;
    }
    report[b] = await runBackend(b, cfg, print);
  }
  summaryTable(report, print);
  print(JSON.stringify(report));
  return report;
}

runIfMain(import.meta.url, main);
