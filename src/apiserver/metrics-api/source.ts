/**
 * Where resource usage comes from. A source answers for whole nodes, the way
 * metrics-server scrapes one kubelet's `/metrics/resource` at a time: the
 * simulated-usage source covers simulated nodes, a kubelet-scraping source
 * covers real ones, and the metrics API asks whichever covers a node.
 */
import type { KubeObject } from '../../machinery/meta/types.js';

export interface ContainerSample {
  name: string;
  cpuNanoCores: bigint;
  memoryBytes: bigint;
}

export interface PodSample {
  namespace: string;
  name: string;
  /** Milliseconds since the epoch the usage was sampled at. */
  timestamp: number;
  /** The interval, in milliseconds, the usage rate was computed over. */
  windowMs: number;
  containers: ContainerSample[];
}

export interface NodeSample {
  timestamp: number;
  windowMs: number;
  cpuNanoCores: bigint;
  memoryBytes: bigint;
}

/** One scrape of one node. A pod absent from `pods` has no metrics (yet). */
export interface NodeScrape {
  node?: NodeSample;
  pods: PodSample[];
}

export interface ResourceMetricsSource {
  readonly name: string;
  /** Whether this source reports for `node`. */
  covers(node: Readonly<KubeObject>): boolean;
  /**
   * Usage of `node` and of `pods`, the Running pods bound to it that the
   * caller wants. Rejects when the node cannot be reached; the API then
   * reports that node's pods as having no metrics.
   */
  scrape(node: Readonly<KubeObject>, pods: readonly Readonly<KubeObject>[]): Promise<NodeScrape>;
}
