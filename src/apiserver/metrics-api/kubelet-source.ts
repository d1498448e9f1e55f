/**
 * Usage of real nodes, as metrics-server gets it: each node's agent serves
 * cumulative CPU and current working-set memory at
 * `https://<InternalIP>:<kubelet port>/metrics/resource`; CPU rates come from
 * two scrapes (the window is the time between their samples). The server
 * authenticates with a client certificate of the cluster CA and verifies the
 * agent's serving certificate against the same CA.
 */
import https from 'node:https';
import type { Clock } from '../../machinery/clock.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { SIMULATED_NODE_LABEL } from './simulated-usage-source.js';
import type { ContainerSample, NodeScrape, PodSample, ResourceMetricsSource } from './source.js';

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
}

/** Parses the sample lines of a Prometheus text exposition; comments and malformed lines are skipped. */
export function parsePrometheusText(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[2]) {
      for (const lm of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[lm[1]!] = lm[2]!.replace(/\\(n|\\|")/g, (_s, c: string) => (c === 'n' ? '\n' : c));
      }
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') continue;
    out.push({ name: m[1]!, labels, value, timestamp: m[4] !== undefined ? Number(m[4]) : undefined });
  }
  return out;
}

interface Reading {
  cpuSeconds: number;
  memoryBytes: number;
  timestamp: number;
}

/** One scrape of one node: the node's reading and each container's, keyed `ns/pod/container`. */
export interface ResourceReading {
  fetchedAt: number;
  node?: Reading;
  containers: Map<string, Reading>;
}

export function readingFrom(samples: readonly PromSample[], fetchedAt: number): ResourceReading {
  const reading: ResourceReading = { fetchedAt, containers: new Map() };
  const nodeCPU = samples.find((s) => s.name === 'node_cpu_usage_seconds_total');
  const nodeMem = samples.find((s) => s.name === 'node_memory_working_set_bytes');
  if (nodeCPU && nodeMem) reading.node = { cpuSeconds: nodeCPU.value, memoryBytes: nodeMem.value, timestamp: nodeCPU.timestamp ?? fetchedAt };
  const key = (l: Record<string, string>) => `${l.namespace}/${l.pod}/${l.container}`;
  const mem = new Map(samples.filter((s) => s.name === 'container_memory_working_set_bytes').map((s) => [key(s.labels), s.value]));
  for (const s of samples) {
    if (s.name !== 'container_cpu_usage_seconds_total') continue;
    const k = key(s.labels);
    const m = mem.get(k);
    if (m !== undefined) reading.containers.set(k, { cpuSeconds: s.value, memoryBytes: m, timestamp: s.timestamp ?? fetchedAt });
  }
  return reading;
}

/** CPU in nanocores between two cumulative readings; undefined when it went backwards (a restart) or no time passed. */
export function cpuRate(prev: Reading, cur: Reading): { nanoCores: bigint; windowMs: number } | undefined {
  const windowMs = cur.timestamp - prev.timestamp;
  const used = cur.cpuSeconds - prev.cpuSeconds;
  if (windowMs <= 0 || used < 0) return undefined;
  return { nanoCores: BigInt(Math.round((used / (windowMs / 1000)) * 1e9)), windowMs };
}

export interface KubeletSourceOptions {
  clock: Clock;
  /** Cluster CA: verifies the agents' serving certificates. */
  caPEM: string;
  /** The API server's client identity towards agents. */
  clientCertPEM: string;
  clientKeyPEM: string;
  /** A scrape younger than this is reused rather than repeated. */
  minScrapeIntervalMs?: number;
  /** Pause between the two scrapes a node's first request needs. */
  firstWindowMs?: number;
  timeoutMs?: number;
  /** Transport; HTTPS with the options above unless given (tests). */
  fetch?: (url: string) => Promise<string>;
}

interface NodeView {
  metadata: KubeObject['metadata'];
  status?: { addresses?: { type?: string; address?: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
}

/** Where a node's agent listens, or undefined for nodes without one. */
export function kubeletEndpoint(node: Readonly<KubeObject>): { host: string; port: number } | undefined {
  const n = node as unknown as NodeView;
  const port = n.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const host = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? n.status?.addresses?.find((a) => a.type === 'Hostname')?.address;
  if (!port || !host) return undefined;
  return { host, port };
}

export class KubeletMetricsSource implements ResourceMetricsSource {
  readonly name = 'kubelet';
  private readonly history = new Map<string, { prev?: ResourceReading; cur: ResourceReading }>();

  constructor(private readonly opts: KubeletSourceOptions) {}

  covers(node: Readonly<KubeObject>): boolean {
    return node.metadata.labels?.[SIMULATED_NODE_LABEL] !== 'true' && kubeletEndpoint(node) !== undefined;
  }

  private fetchText(url: string): Promise<string> {
    if (this.opts.fetch) return this.opts.fetch(url);
    return new Promise((resolve, reject) => {
      const req = https.get(url, { ca: this.opts.caPEM, cert: this.opts.clientCertPEM, key: this.opts.clientKeyPEM, agent: false, timeout: this.opts.timeoutMs ?? 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`GET ${url}: HTTP ${res.statusCode}`))));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
      req.on('error', reject);
    });
  }

  private async read(node: Readonly<KubeObject>): Promise<ResourceReading> {
    const ep = kubeletEndpoint(node)!;
    const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
    const text = await this.fetchText(`https://${host}:${ep.port}/metrics/resource`);
    return readingFrom(parsePrometheusText(text), this.opts.clock.now());
  }

  async scrape(node: Readonly<KubeObject>, pods: readonly Readonly<KubeObject>[]): Promise<NodeScrape> {
    const name = node.metadata.name ?? '';
    const now = this.opts.clock.now();
    let h = this.history.get(name);
    if (!h || now - h.cur.fetchedAt >= (this.opts.minScrapeIntervalMs ?? 1_000)) {
      h = { prev: h?.cur, cur: await this.read(node) };
      this.history.set(name, h);
    }
    if (!h.prev) {
      // A node asked about for the first time has no earlier reading to rate against.
      await this.opts.clock.sleep(this.opts.firstWindowMs ?? 1_000);
      h = { prev: h.cur, cur: await this.read(node) };
      this.history.set(name, h);
    }
    const { prev, cur } = h as { prev: ResourceReading; cur: ResourceReading };
    const scrape: NodeScrape = { pods: [] };
    if (prev.node && cur.node) {
      const r = cpuRate(prev.node, cur.node);
      if (r) scrape.node = { timestamp: Math.floor(cur.node.timestamp / 1000) * 1000, windowMs: r.windowMs, cpuNanoCores: r.nanoCores, memoryBytes: BigInt(Math.round(cur.node.memoryBytes)) };
    }
    for (const pod of pods) {
      const ns = pod.metadata.namespace ?? '';
      const podName = pod.metadata.name ?? '';
      const containers: ContainerSample[] = [];
      let timestamp = 0;
      let windowMs = 0;
      for (const [key, reading] of cur.containers) {
        if (!key.startsWith(`${ns}/${podName}/`)) continue;
        const before = prev.containers.get(key);
        const r = before && cpuRate(before, reading);
        if (!r) continue;
        containers.push({ name: key.slice(ns.length + podName.length + 2), cpuNanoCores: r.nanoCores, memoryBytes: BigInt(Math.round(reading.memoryBytes)) });
        timestamp = Math.max(timestamp, reading.timestamp);
        windowMs = Math.max(windowMs, r.windowMs);
      }
      if (containers.length) scrape.pods.push({ namespace: ns, name: podName, timestamp: Math.floor(timestamp / 1000) * 1000, windowMs, containers } satisfies PodSample);
    }
    return scrape;
  }
}
