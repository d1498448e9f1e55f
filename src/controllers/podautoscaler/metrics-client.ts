/**
 * Reads pod usage from the resource metrics API (metrics.k8s.io), as
 * upstream's resource metrics client: one LIST per metric and sync, summed
 * over a pod's containers (or one container's), in milli units.
 */
import type { RESTClient } from '../../client/rest/rest-client.js';
import { milliValue, type PodMetricsInfo } from './replica-calculator.js';

export interface RawPodMetrics {
  metadata: { name?: string; namespace?: string };
  timestamp: string;
  window: string;
  containers?: { name: string; usage?: Record<string, string> }[];
}

export type MetricsResult = { ok: true; metrics: PodMetricsInfo; timestamp: number } | { ok: false; message: string };

export interface ResourceMetricsClient {
  /** Usage of `resource` by the pods matching `selector`; `container` narrows it to one container. */
  getResourceMetric(resource: string, namespace: string, selector: string, container?: string): Promise<MetricsResult>;
}

/** Turns a list of PodMetrics into per-pod values; upstream's getPodMetrics / getContainerMetrics. */
export function podMetricsInfo(items: readonly RawPodMetrics[], resource: string, container = ''): MetricsResult {
  if (!items.length) return { ok: false, message: 'no metrics returned from resource metrics API' };
  const metrics: PodMetricsInfo = new Map();
  for (const m of items) {
    const timestamp = Date.parse(m.timestamp);
    const windowMs = parseWindowMs(m.window);
    const containers = m.containers ?? [];
    if (container) {
      const c = containers.find((x) => x.name === container);
      if (!c) return { ok: false, message: `failed to get container metrics: container ${container} not present in metrics for pod ${m.metadata.namespace}/${m.metadata.name}` };
      const v = c.usage?.[resource];
      if (v !== undefined) metrics.set(m.metadata.name ?? '', { value: milliValue(v), timestamp, windowMs });
      continue;
    }
    // A pod with any container lacking the resource has no usable sum.
    if (!containers.length || containers.some((c) => c.usage?.[resource] === undefined)) continue;
    const value = containers.reduce((sum, c) => sum + milliValue(c.usage![resource]!), 0);
    metrics.set(m.metadata.name ?? '', { value, timestamp, windowMs });
  }
  return { ok: true, metrics, timestamp: Date.parse(items[0]!.timestamp) };
}

/** Go duration strings as metrics-server writes windows ("15s", "10.5s", "1m0s"). */
export function parseWindowMs(window: string): number {
  let ms = 0;
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;
  const factor: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };
  for (const [, n, unit] of window.matchAll(re)) ms += Number(n) * factor[unit!]!;
  return ms;
}

export class RESTResourceMetricsClient implements ResourceMetricsClient {
  constructor(private readonly rest: RESTClient) {}

  async getResourceMetric(resource: string, namespace: string, selector: string, container = ''): Promise<MetricsResult> {
    let list: { items?: RawPodMetrics[] };
    try {
      list = await this.rest.do<{ items?: RawPodMetrics[] }>({
        method: 'GET',
        path: `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods`,
        query: { labelSelector: selector || undefined },
      });
    } catch (err) {
      return { ok: false, message: `unable to fetch metrics from resource metrics API: ${err instanceof Error ? err.message : String(err)}` };
    }
    return podMetricsInfo(list.items ?? [], resource, container);
  }
}
