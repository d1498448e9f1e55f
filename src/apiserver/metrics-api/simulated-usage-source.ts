/**
 * Usage of simulated nodes, scripted by annotations: a pod's
 * `sim.k8ts.io/cpu-usage` / `sim.k8ts.io/memory-usage` (shared evenly by its
 * containers), and a node's usage is the sum of its pods' plus the same
 * annotations on the node itself (system overhead).
 */
import type { Clock } from '../../machinery/clock.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { tryParseQuantity } from '../../machinery/quantity.js';
import type { ContainerSample, NodeScrape, PodSample, ResourceMetricsSource } from './source.js';

export const SIMULATED_NODE_LABEL = 'k8ts.io/simulated';
export const ANNOTATION_CPU_USAGE = 'sim.k8ts.io/cpu-usage';
export const ANNOTATION_MEMORY_USAGE = 'sim.k8ts.io/memory-usage';

export interface SimulatedUsageSourceOptions {
  clock: Clock;
  /** The window reported with every sample (metrics-server's is its scrape resolution). */
  windowMs?: number;
}

export interface ScriptedUsage {
  cpuNanoCores: bigint;
  memoryBytes: bigint;
}

/**
 * The usage annotations of an object; undefined when it has neither. A
 * malformed or negative value counts as zero, as the simulated nodes treat it.
 */
export function scriptedUsage(obj: Readonly<KubeObject>): ScriptedUsage | undefined {
  const ann = obj.metadata.annotations ?? {};
  const cpu = ann[ANNOTATION_CPU_USAGE];
  const memory = ann[ANNOTATION_MEMORY_USAGE];
  if (cpu === undefined && memory === undefined) return undefined;
  return { cpuNanoCores: read(cpu, -9), memoryBytes: read(memory, 0) };
}

function read(raw: string | undefined, scale: number): bigint {
  if (raw === undefined) return 0n;
  const q = tryParseQuantity(raw);
  if (!q.ok || q.quantity.sign() < 0) return 0n;
  return q.quantity.scaledValue(scale);
}

/** Splits `total` into `n` integer shares that add up to it; the first shares take the remainder. */
function share(total: bigint, n: number, i: number): bigint {
  const count = BigInt(n);
  return total / count + (BigInt(i) < total % count ? 1n : 0n);
}

function containerNames(pod: Readonly<KubeObject>): string[] {
  const spec = (pod as { spec?: { containers?: { name?: string }[] } }).spec;
  return (spec?.containers ?? []).map((c) => c.name ?? '').filter(Boolean);
}

export class SimulatedUsageSource implements ResourceMetricsSource {
  readonly name = 'simulated';
  private readonly windowMs: number;

  constructor(private readonly opts: SimulatedUsageSourceOptions) {
    this.windowMs = opts.windowMs ?? 10_000;
  }

  covers(node: Readonly<KubeObject>): boolean {
    return node.metadata.labels?.[SIMULATED_NODE_LABEL] === 'true';
  }

  async scrape(node: Readonly<KubeObject>, pods: readonly Readonly<KubeObject>[]): Promise<NodeScrape> {
    // Samples carry second precision, as they do on the wire.
    const timestamp = Math.floor(this.opts.clock.now() / 1000) * 1000;
    const samples: PodSample[] = [];
    let cpu = 0n;
    let memory = 0n;
    for (const pod of pods) {
      const usage = scriptedUsage(pod);
      const names = containerNames(pod);
      if (!usage || !names.length) continue;
      cpu += usage.cpuNanoCores;
      memory += usage.memoryBytes;
      const containers: ContainerSample[] = names.map((name, i) => ({
        name,
        cpuNanoCores: share(usage.cpuNanoCores, names.length, i),
        memoryBytes: share(usage.memoryBytes, names.length, i),
      }));
      samples.push({ namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', timestamp, windowMs: this.windowMs, containers });
    }
    const own = scriptedUsage(node);
    return {
      node: { timestamp, windowMs: this.windowMs, cpuNanoCores: cpu + (own?.cpuNanoCores ?? 0n), memoryBytes: memory + (own?.memoryBytes ?? 0n) },
      pods: samples,
    };
  }
}
