import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../cmd/flags.js';
import { type BackendReport, main, parseBenchFlags } from './api.js';

describe('bench flags', () => {
  const cases: { name: string; argv: string[]; want?: Partial<ReturnType<typeof parseBenchFlags>>; error?: RegExp }[] = [
    { name: 'defaults', argv: [], want: { backends: ['sqlite', 'etcd'], ops: 2000, pods: 10_000, watchers: 1000, writes: 200, pageSize: 500, listRuns: 5, freshStarts: 5 } },
    { name: 'quick shrinks sizes', argv: ['--quick'], want: { ops: 64, pods: 300, watchers: 20, writes: 10, quick: true } },
    { name: 'explicit sizes win over quick', argv: ['--quick', '--pods', '50'], want: { pods: 50, ops: 64 } },
    { name: 'backend list, duplicates dropped', argv: ['--backends', 'etcd,etcd'], want: { backends: ['etcd'] } },
    { name: 'unknown backend', argv: ['--backends', 'mysql'], error: /unknown backend "mysql"/ },
    { name: 'non-positive size', argv: ['--ops', '0'], error: /--ops must be positive/ },
    { name: 'stray argument', argv: ['sqlite'], error: /unexpected argument/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      if (c.error) {
        assert.throws(() => parseBenchFlags(c.argv), (e: unknown) => e instanceof UsageError && c.error!.test(e.message));
        return;
      }
      const got = parseBenchFlags(c.argv);
      for (const [k, v] of Object.entries(c.want!)) assert.deepEqual(got[k as keyof typeof got], v, k);
    });
  }
});

/** Every leaf a number, finite and above zero; returns the dotted paths seen. */
function positiveLeaves(value: unknown, at: string, out: string[] = []): string[] {
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value) && value > 0, `${at} = ${value}, want a finite positive number`);
    out.push(at);
  } else if (Array.isArray(value)) {
    assert.ok(value.length > 0, `${at} is empty`);
    value.forEach((v, i) => positiveLeaves(v, `${at}[${i}]`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) positiveLeaves(v, `${at}.${k}`, out);
  } else {
    assert.fail(`${at} = ${JSON.stringify(value)}, want a number`);
  }
  return out;
}

describe('api benchmark, quick, sqlite', () => {
  test('reports every figure as a finite positive number and ends with the JSON', { timeout: 300_000 }, async () => {
    const lines: string[] = [];
    const report = await main(['--quick', '--backends', 'sqlite'], { print: (l) => lines.push(l) });

    assert.deepEqual(JSON.parse(lines.at(-1)!), report, 'the last printed line is the whole report');
    assert.equal(report.etcd, undefined);
    assert.ok(report.machine.cpus >= 1);
    const sqlite = report.sqlite as BackendReport;
    assert.ok(sqlite && !('skipped' in sqlite), 'sqlite was measured');
    const paths = positiveLeaves(sqlite, 'sqlite');

    const want = [
      ...['create', 'get', 'update', 'delete'].flatMap((op) => ['c1', 'c16', 'c64'].flatMap((c) => ['p50', 'p99', 'opsPerSec'].map((f) => `sqlite.${op}.${c}.${f}`))),
      'sqlite.fillPodsPerSec',
      ...['pods', 'wholeMs', 'wholeMB', 'pagedMs', 'pages', 'pageSize', 'tableFirstMs', 'tableMs'].map((f) => `sqlite.list10k.${f}`),
      ...['watchers', 'writes', 'delivered', 'expected', 'p50', 'p99', 'max', 'connectMs', 'writesPerSec'].map((f) => `sqlite.watch.${f}`),
      'sqlite.rssMB.idle',
      'sqlite.rssMB.withPods',
      'sqlite.rssMB.withWatchers',
      'sqlite.readyMs.fresh',
      'sqlite.readyMs.withPods',
      'sqlite.readyMs.freshRuns[0]',
      'sqlite.readyMs.freshRuns[1]',
    ];
    for (const p of want) assert.ok(paths.includes(p), `missing ${p}`);

    assert.equal(sqlite.list10k.pods, 300);
    assert.equal(sqlite.list10k.pages, 3, '300 pods in pages of 100');
    assert.equal(sqlite.watch.delivered, sqlite.watch.expected, 'every watcher saw every write');
    assert.equal(sqlite.watch.expected, 20 * 10);
    assert.ok(sqlite.create.c1.p50 <= sqlite.create.c1.p99, 'p50 <= p99');
    assert.ok(lines.some((l) => l === '== sqlite =='), 'a table per backend is printed');
  });
});
