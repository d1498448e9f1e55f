import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../cmd/flags.js';
import { containerClusterSkipReason } from './container-cluster.js';
import { main, parsePodsBenchFlags } from './pods.js';
import { startupPod } from './pod-startup.js';

describe('pods bench flags', () => {
  const cases: { name: string; argv: string[]; want?: ReturnType<typeof parsePodsBenchFlags>; error?: RegExp }[] = [
    { name: 'defaults: both runtimes, 50 pods', argv: [], want: { runtimes: ['oci', 'cri'], pods: 50, timeoutMs: 300_000 } },
    { name: 'one runtime', argv: ['--runtime', 'cri', '--pods', '5'], want: { runtimes: ['cri'], pods: 5, timeoutMs: 300_000 } },
    { name: 'timeout', argv: ['--runtime=oci', '--timeout-seconds', '20'], want: { runtimes: ['oci'], pods: 50, timeoutMs: 20_000 } },
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

test('a short oci run reports p50 <= p99 for every pod and prints the report last', { skip: containerClusterSkipReason('oci'), timeout: 180_000 }, async () => {
  const lines: string[] = [];
  const report = await main(['--runtime', 'oci', '--pods', '3', '--timeout-seconds', '120'], { print: (l) => lines.push(l) });
  const oci = report.oci;
  assert.ok(oci && !('skipped' in oci), JSON.stringify(oci));
  assert.equal(oci.pods, 3);
  assert.ok(oci.p50Ms > 0 && oci.p50Ms <= oci.p99Ms && oci.p99Ms <= oci.wallMs + 1, JSON.stringify(oci));
  assert.match(oci.runtimeVersion, /^oci:\/\//);
  assert.equal(report.cri, undefined);
  assert.deepEqual(JSON.parse(lines.at(-1)!), report);
  assert.ok(lines.some((l) => /^oci\s+3\s+\d+/.test(l)), lines.join('\n'));
});
