import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../../machinery/clock.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { KubeletMetricsSource, cpuRate, kubeletEndpoint, parsePrometheusText } from './kubelet-source.js';

const text = (cpu: number, podCPU: number, ts: number) => `# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds
# TYPE node_cpu_usage_seconds_total counter
node_cpu_usage_seconds_total ${cpu} ${ts}
node_memory_working_set_bytes 1.073741824e+09 ${ts}
container_cpu_usage_seconds_total{container="app",namespace="default",pod="web"} ${podCPU} ${ts}
container_memory_working_set_bytes{container="app",namespace="default",pod="web"} 2.097152e+07 ${ts}
container_cpu_usage_seconds_total{container="x",namespace="other",pod="web"} 1 ${ts}
container_memory_working_set_bytes{container="x",namespace="other",pod="web"} 1 ${ts}
resource_scrape_error 0
`;

const node = (labels: Record<string, string> = {}, port: number | undefined = 10250): KubeObject => ({
  metadata: { name: 'n1', labels },
  status: { addresses: [{ type: 'InternalIP', address: '10.0.0.5' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
});
const pod = (ns: string, name: string): KubeObject => ({ metadata: { namespace: ns, name } });

describe('kubelet metrics source', () => {
  test('parses exposition lines with labels, escapes and timestamps', () => {
    const s = parsePrometheusText('# c\nm{a="x\\"y",b="1\\n2"} 1.5e+03 42\nplain 7\nbad line here\n');
    assert.deepEqual(s, [
      { name: 'm', labels: { a: 'x"y', b: '1\n2' }, value: 1500, timestamp: 42 },
      { name: 'plain', labels: {}, value: 7, timestamp: undefined },
    ]);
  });

  test('rates: nanocores over the sample window; a counter reset gives none', () => {
    assert.deepEqual(cpuRate({ cpuSeconds: 10, memoryBytes: 0, timestamp: 0 }, { cpuSeconds: 12.5, memoryBytes: 0, timestamp: 10_000 }), { nanoCores: 250_000_000n, windowMs: 10_000 });
    assert.equal(cpuRate({ cpuSeconds: 10, memoryBytes: 0, timestamp: 0 }, { cpuSeconds: 1, memoryBytes: 0, timestamp: 10_000 }), undefined);
    assert.equal(cpuRate({ cpuSeconds: 1, memoryBytes: 0, timestamp: 5 }, { cpuSeconds: 2, memoryBytes: 0, timestamp: 5 }), undefined);
  });

  test('covers real nodes with a kubelet endpoint only', () => {
    const src = new KubeletMetricsSource({ clock: {} as Clock, caPEM: '', clientCertPEM: '', clientKeyPEM: '' });
    assert.equal(src.covers(node()), true);
    assert.equal(src.covers(node({ 'k8ts.io/simulated': 'true' })), false);
    assert.equal(src.covers(node({}, 0)), false);
    assert.deepEqual(kubeletEndpoint(node()), { host: '10.0.0.5', port: 10250 });
  });

  test('the first request scrapes twice; later ones rate against the previous scrape', async () => {
    let t = 1_700_000_000_000;
    const clock = { now: () => t, sleep: async (ms: number) => void (t += ms) } as unknown as Clock;
    const urls: string[] = [];
    const bodies = [text(100, 10, t), text(101, 10.5, t + 1000), text(103, 11.5, t + 11_000)];
    const src = new KubeletMetricsSource({ clock, caPEM: '', clientCertPEM: '', clientKeyPEM: '', firstWindowMs: 1000, fetch: async (u) => (urls.push(u), bodies.shift()!) });
    const first = await src.scrape(node(), [pod('default', 'web'), pod('default', 'gone')]);
    assert.equal(urls.length, 2);
    assert.equal(urls[0], 'https://10.0.0.5:10250/metrics/resource');
    assert.deepEqual(first.node, { timestamp: 1_700_000_001_000, windowMs: 1000, cpuNanoCores: 1_000_000_000n, memoryBytes: 1_073_741_824n });
    assert.deepEqual(first.pods, [{ namespace: 'default', name: 'web', timestamp: 1_700_000_001_000, windowMs: 1000, containers: [{ name: 'app', cpuNanoCores: 500_000_000n, memoryBytes: 20_971_520n }] }]);
    t += 10_000;
    const second = await src.scrape(node(), [pod('default', 'web')]);
    assert.equal(urls.length, 3);
    assert.equal(second.node?.cpuNanoCores, 200_000_000n);
    assert.equal(second.pods[0]?.containers[0]?.cpuNanoCores, 100_000_000n);
    assert.equal(second.pods[0]?.windowMs, 10_000);
    // Asked again at once: the last scrape is reused, no new request.
    await src.scrape(node(), [pod('default', 'web')]);
    assert.equal(urls.length, 3);
  });

  test('an unreachable agent rejects, so its pods have no metrics', async () => {
    const src = new KubeletMetricsSource({ clock: { now: () => 0, sleep: async () => undefined } as unknown as Clock, caPEM: '', clientCertPEM: '', clientKeyPEM: '', fetch: async () => Promise.reject(new Error('connect ECONNREFUSED')) });
    await assert.rejects(src.scrape(node(), []), /ECONNREFUSED/);
  });
});
