import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../cmd/flags.js';
import { containerClusterSkipReason } from './container-cluster.js';
import { main, parsePodsBenchFlags } from './pods.js';
import { createPaced, startupPod } from './pod-startup.js';

describe('pods bench flags', () => {
  const cases: { name: string; argv: string[]; want?: ReturnType<typeof parsePodsBenchFlags>; error?: RegExp }[] = [
    { name: 'defaults: both runtimes, 50 pods at once', argv: [], want: { runtimes: ['oci', 'cri'], pods: 50, intervalMs: 0, timeoutMs: 300_000 } },
    { name: 'one runtime', argv: ['--runtime', 'cri', '--pods', '5'], want: { runtimes: ['cri'], pods: 5, intervalMs: 0, timeoutMs: 300_000 } },
    { name: 'timeout', argv: ['--runtime=oci', '--timeout-seconds', '20'], want: { runtimes: ['oci'], pods: 50, intervalMs: 0, timeoutMs: 20_000 } },
    { name: 'paced creates', argv: ['--interval-ms', '200'], want: { runtimes: ['oci', 'cri'], pods: 50, intervalMs: 200, timeoutMs: 300_000 } },
    { name: 'profile', argv: ['--runtime', 'oci', '--cpu-prof-dir', 'prof'], want: { runtimes: ['oci'], pods: 50, intervalMs: 0, timeoutMs: 300_000, cpuProfDir: 'prof' } },
    { name: 'negative interval', argv: ['--interval-ms', '-1'], error: /--interval-ms must not be negative/ },
    { name: 'unknown runtime', argv: ['--runtime', 'sim'], error: /unknown runtime "sim": want oci, cri or both/ },
    { name: 'no pods', argv: ['--pods', '0'], error: /--pods must be positive/ },
    { name: 'stray argument', argv: ['oci'], error: /unexpected argument: oci/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      if (c.error) {
        assert.throws(() => parsePodsBenchFlags(c.argv), (e: unknown) => e instanceof UsageError && c.error!.test(e.message));
        return;
      }
      assert.deepEqual(parsePodsBenchFlags(c.argv), c.want);
    });
  }
});

test('the measured pod is Ready as soon as it runs and stops quickly', () => {
  const p = startupPod('ns', 'p-1', 'img') as { metadata: { name: string; namespace: string }; spec: { containers: { readinessProbe?: unknown; image: string }[]; terminationGracePeriodSeconds: number } };
  assert.deepEqual(p.metadata, { name: 'p-1', namespace: 'ns', labels: { app: 'pod-startup' } });
  assert.equal(p.spec.containers[0]!.image, 'img');
  assert.equal(p.spec.containers[0]!.readinessProbe, undefined);
  assert.equal(p.spec.terminationGracePeriodSeconds, 1);
});

describe('paced creates', () => {
  const cases = [
    { name: 'all at once: every create starts before any finishes', count: 4, intervalMs: 0, wantMinSpanMs: 0 },
    { name: 'one every 30 ms: the last starts at least 3 intervals after the first', count: 4, intervalMs: 30, wantMinSpanMs: 90 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const startedAt: number[] = [];
      let finished = 0;
      const startedBeforeAnyFinished: boolean[] = [];
      await createPaced(c.count, c.intervalMs, async (i) => {
        startedAt[i] = performance.now();
        startedBeforeAnyFinished[i] = finished === 0;
        await new Promise((r) => setTimeout(r, 20));
        finished++;
      });
      assert.equal(finished, c.count);
      assert.deepEqual([...startedAt.keys()], [...Array(c.count).keys()]);
      const span = startedAt.at(-1)! - startedAt[0]!;
      // Timers may fire late, never early.
      assert.ok(span >= c.wantMinSpanMs - 1, `span ${span}`);
      if (c.intervalMs === 0) assert.ok(startedBeforeAnyFinished.every(Boolean));
    });
  }
});

test('a short oci run reports both modes, p50 <= p99 for every pod, and prints the report last', { skip: containerClusterSkipReason('oci'), timeout: 240_000 }, async () => {
  const lines: string[] = [];
  const report = await main(['--runtime', 'oci', '--pods', '3', '--interval-ms', '50', '--timeout-seconds', '120'], { print: (l) => lines.push(l) });
  const oci = report.oci;
  assert.ok(oci && !('skipped' in oci), JSON.stringify(oci));
  assert.equal(oci.pods, 3);
  assert.ok(oci.p50Ms > 0 && oci.p50Ms <= oci.p99Ms && oci.p99Ms <= oci.wallMs + 1, JSON.stringify(oci));
  assert.ok(oci.paced, JSON.stringify(oci));
  assert.equal(oci.paced.intervalMs, 50);
  assert.ok(oci.paced.p50Ms > 0 && oci.paced.p50Ms <= oci.paced.p99Ms, JSON.stringify(oci.paced));
  // Paced: the last pod is created 2 intervals after the first, so all are Ready no sooner.
  assert.ok(oci.paced.wallMs >= 100, JSON.stringify(oci.paced));
  assert.ok(lines.some((l) => /^oci\/50ms\s+3\s+\d+/.test(l)), lines.join('\n'));
  assert.match(oci.runtimeVersion, /^oci:\/\//);
  assert.equal(report.cri, undefined);
  assert.deepEqual(JSON.parse(lines.at(-1)!), report);
  assert.ok(lines.some((l) => /^oci\s+3\s+\d+/.test(l)), lines.join('\n'));
});
