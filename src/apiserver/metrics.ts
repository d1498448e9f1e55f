/**
 * A small Prometheus registry: counters, gauges and histograms with labels,
 * rendered in the text exposition format at /metrics. Metric names follow
 * kube-apiserver's where one exists (apiserver_request_total,
 * apiserver_request_duration_seconds, apiserver_longrunning_requests,
 * etcd_request_duration_seconds).
 */

type Labels = Record<string, string>;

const NEEDS_ESCAPE = /[\\"\n]/;

function labelValue(v: string): string {
  return NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

/** The label set as exposition text, keys sorted; built on every request, so kept to one pass. */
function labelKey(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length > 1) keys.sort();
  let out = '';
  for (const k of keys) out += `${out ? ',' : ''}${k}="${labelValue(String(labels[k]))}"`;
  return out;
}

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

export class Counter implements Metric {
  readonly type = 'counter';
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${v}`);
  }
}

export class Gauge implements Metric {
  readonly type = 'gauge';
  private readonly values = new Map<string, number>();
  private readonly fns: { labels: Labels; fn: () => number }[] = [];
  constructor(readonly name: string, readonly help: string) {}
  set(labels: Labels, v: number): void {
    this.values.set(labelKey(labels), v);
  }
  add(labels: Labels, by: number): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  /** A gauge read at scrape time. */
  track(labels: Labels, fn: () => number): void {
    this.fns.push({ labels, fn });
  }
  render(): string[] {
    const out = [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${v}`);
    for (const { labels, fn } of this.fns) {
      const k = labelKey(labels);
      out.push(`${this.name}${k ? `{${k}}` : ''} ${fn()}`);
    }
    return out;
  }
}

export class Histogram implements Metric {
  readonly type = 'histogram';
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: number[]) {}
  observe(labels: Labels, v: number): void {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) s.counts[i]!++;
    s.sum += v;
    s.count++;
  }
  render(): string[] {
    const out: string[] = [];
    for (const [k, s] of this.series) {
      const pre = k ? `${k},` : '';
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket{${pre}le="${b}"} ${s.counts[i]}`));
      out.push(`${this.name}_bucket{${pre}le="+Inf"} ${s.count}`);
      out.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      out.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return out;
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];
  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }
  gauge(name: string, help: string): Gauge {
    return this.add(new Gauge(name, help));
  }
  histogram(name: string, help: string, buckets: number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }
  private add<M extends Metric>(m: M): M {
    this.metrics.push(m);
    return m;
  }
  render(): string {
    const lines: string[] = [];
    for (const m of this.metrics) {
      lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, ...m.render());
    }
    return lines.join('\n') + '\n';
  }
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const STORAGE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The API server's own metrics. */
export class APIServerMetrics {
  readonly registry = new MetricsRegistry();
  readonly requests = this.registry.counter('apiserver_request_total', 'Counter of apiserver requests broken out by verb, group, version, resource, subresource, scope and HTTP response code.');
  readonly latency = this.registry.histogram('apiserver_request_duration_seconds', 'Response latency distribution in seconds for each verb, group, version, resource, subresource and scope.', LATENCY_BUCKETS);
  readonly longRunning = this.registry.gauge('apiserver_longrunning_requests', 'Gauge of all active long-running apiserver requests (watches) broken out by verb, group, version, resource and scope.');
  readonly storageLatency = this.registry.histogram('etcd_request_duration_seconds', 'Storage backend request latency in seconds for each operation.', STORAGE_BUCKETS);
  readonly watchEvents = this.registry.counter('apiserver_watch_events_total', 'Number of watch events sent to clients, by group, version and kind.');
  readonly objectCount = this.registry.gauge('apiserver_storage_objects', 'Number of stored objects at the time of the last check, split by resource.');
}
