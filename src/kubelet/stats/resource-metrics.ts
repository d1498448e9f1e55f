/**
 * kubelet's `/metrics/resource`: cumulative CPU and working-set memory of the
 * node, of every running container and of every pod (the sum of its
 * containers), in the Prometheus text format metrics-server scrapes.
 * Container figures come from the runtime's stats, the node's from /proc
 * and the root memory cgroup.
 */
import { readFileSync } from 'node:fs';
import type { Clock } from '../../machinery/clock.js';
import { type ContainerStatus, LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, type RuntimeService } from '../runtime/interface.js';
import { type MetricFamily, renderFamilies } from './prometheus-text.js';

export interface NodeUsage {
  cpuSeconds: number;
  memoryWorkingSetBytes: number;
  timestamp: number;
}

export interface ContainerUsage {
  namespace: string;
  pod: string;
  container: string;
  cpuSeconds: number;
  memoryWorkingSetBytes: number;
  timestamp: number;
  /** Milliseconds since the epoch the container started. */
  startedAt?: number;
}

export interface ResourceSnapshot {
  node?: NodeUsage;
  containers: ContainerUsage[];
  /** Something could not be read: the figures may be incomplete. */
  scrapeError: boolean;
}

export function renderResourceMetrics(s: ResourceSnapshot): string {
  const ref = (c: ContainerUsage) => ({ container: c.container, namespace: c.namespace, pod: c.pod });
  const pods = new Map<string, { namespace: string; pod: string; cpu: number; mem: number; timestamp: number }>();
  for (const c of s.containers) {
    const key = `${c.namespace}/${c.pod}`;
    const p = pods.get(key) ?? { namespace: c.namespace, pod: c.pod, cpu: 0, mem: 0, timestamp: 0 };
    p.cpu += c.cpuSeconds;
    p.mem += c.memoryWorkingSetBytes;
    p.timestamp = Math.max(p.timestamp, c.timestamp);
    pods.set(key, p);
  }
  const families: MetricFamily[] = [
    { name: 'container_cpu_usage_seconds_total', help: '[STABLE] Cumulative cpu time consumed by the container in core-seconds', type: 'counter', samples: s.containers.map((c) => ({ labels: ref(c), value: c.cpuSeconds, timestamp: c.timestamp })) },
    { name: 'container_memory_working_set_bytes', help: '[STABLE] Current working set of the container in bytes', type: 'gauge', samples: s.containers.map((c) => ({ labels: ref(c), value: c.memoryWorkingSetBytes, timestamp: c.timestamp })) },
    {
      name: 'container_start_time_seconds',
      help: '[STABLE] Start time of the container since unix epoch in seconds',
      type: 'gauge',
      samples: s.containers.filter((c) => c.startedAt !== undefined).map((c) => ({ labels: ref(c), value: c.startedAt! / 1000, timestamp: c.startedAt })),
    },
    { name: 'node_cpu_usage_seconds_total', help: '[STABLE] Cumulative cpu time consumed by the node in core-seconds', type: 'counter', samples: s.node ? [{ value: s.node.cpuSeconds, timestamp: s.node.timestamp }] : [] },
    { name: 'node_memory_working_set_bytes', help: '[STABLE] Current working set of the node in bytes', type: 'gauge', samples: s.node ? [{ value: s.node.memoryWorkingSetBytes, timestamp: s.node.timestamp }] : [] },
    { name: 'pod_cpu_usage_seconds_total', help: '[STABLE] Cumulative cpu time consumed by the pod in core-seconds', type: 'counter', samples: [...pods.values()].map((p) => ({ labels: { namespace: p.namespace, pod: p.pod }, value: p.cpu, timestamp: p.timestamp })) },
    { name: 'pod_memory_working_set_bytes', help: '[STABLE] Current working set of the pod in bytes', type: 'gauge', samples: [...pods.values()].map((p) => ({ labels: { namespace: p.namespace, pod: p.pod }, value: p.mem, timestamp: p.timestamp })) },
    { name: 'resource_scrape_error', help: '[STABLE] 1 if there was an error while getting container metrics, 0 otherwise', type: 'gauge', samples: [{ value: s.scrapeError ? 1 : 0 }] },
  ];
  // Upstream leaves out the HELP/TYPE of a family with no series.
  return renderFamilies(families.filter((f) => f.samples.length));
}

/** Non-idle jiffies of the `cpu` line of /proc/stat, in seconds (USER_HZ is 100 on Linux). */
export function parseProcStatCPUSeconds(text: string, userHz = 100): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) / userHz;
}

/** Working set as kubelet computes it: usage minus inactive file pages, never negative. */
export function workingSet(usageBytes: number, inactiveFileBytes: number): number {
  return Math.max(0, usageBytes - inactiveFileBytes);
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The node's usage now: /proc/stat CPU and the root memory cgroup (v1, then v2), else MemTotal - MemAvailable. */
export function readNodeUsage(now: number): NodeUsage | undefined {
  const cpu = parseProcStatCPUSeconds(read('/proc/stat') ?? '');
  if (cpu === undefined) return undefined;
  let memory: number | undefined;
  const v1Usage = Number(read('/sys/fs/cgroup/memory/memory.usage_in_bytes')?.trim());
  const v1Stat = read('/sys/fs/cgroup/memory/memory.stat');
  if (v1Usage > 0 && v1Stat) {
    const inactive = Number(/^total_inactive_file (\d+)$/m.exec(v1Stat)?.[1] ?? 0);
    memory = workingSet(v1Usage, inactive);
  } else {
    const info = read('/proc/meminfo') ?? '';
    const total = Number(/^MemTotal:\s+(\d+)/m.exec(info)?.[1]);
    const avail = Number(/^MemAvailable:\s+(\d+)/m.exec(info)?.[1]);
    if (total > 0 && avail >= 0) memory = (total - avail) * 1024;
  }
  if (memory === undefined) return undefined;
  return { cpuSeconds: cpu, memoryWorkingSetBytes: memory, timestamp: now };
}

export interface ResourceMetricsCollectorOptions {
  runtime: RuntimeService;
  clock: Clock;
  /** The node's usage; the host's /proc unless given. */
  nodeUsage?: (now: number) => NodeUsage | undefined;
}

export class ResourceMetricsCollector {
  constructor(private readonly opts: ResourceMetricsCollectorOptions) {}

  async snapshot(): Promise<ResourceSnapshot> {
    const now = this.opts.clock.now();
    let scrapeError = false;
    let node: NodeUsage | undefined;
    try {
      node = (this.opts.nodeUsage ?? readNodeUsage)(now);
    } catch {
      node = undefined;
    }
    if (!node) scrapeError = true;
    const containers: ContainerUsage[] = [];
    try {
      const running = await this.opts.runtime.listContainers({ state: 'CONTAINER_RUNNING' });
      const byId = new Map<string, ContainerStatus>(running.map((c) => [c.id, c]));
      for (const st of await this.opts.runtime.listContainerStats()) {
        const c = byId.get(st.containerId);
        if (!c) continue;
        const namespace = c.labels[LABEL_POD_NAMESPACE];
        const pod = c.labels[LABEL_POD_NAME];
        if (!namespace || !pod) continue;
        containers.push({
          namespace,
          pod,
          container: c.labels[LABEL_CONTAINER_NAME] ?? c.metadata.name,
          cpuSeconds: st.cpuUsageCoreNanoSeconds / 1e9,
          memoryWorkingSetBytes: st.memoryWorkingSetBytes,
          timestamp: st.timestamp,
          startedAt: c.startedAt,
        });
      }
    } catch {
      scrapeError = true;
    }
    return { node, containers, scrapeError };
  }

  /** The `/metrics/resource` body. */
  async render(): Promise<string> {
    return renderResourceMetrics(await this.snapshot());
  }
}

export const RESOURCE_METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
