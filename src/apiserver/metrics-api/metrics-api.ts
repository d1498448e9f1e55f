/**
 * Serves metrics.k8s.io/v1beta1 from inside the API server, in the shape
 * metrics-server gives it: pods and nodes come from the server's own watch
 * cache, usage from the source that covers each pod's node. Only Running
 * pods have metrics; a pod or node no source reports for is NotFound.
 */
import { rfc3339 } from '../../machinery/clock.js';
import type { Clock } from '../../machinery/clock.js';
import { StatusError, badRequest, methodNotAllowed, notFound } from '../../machinery/errors/status-error.js';
import { type FieldSelector, tryParseFieldSelector } from '../../machinery/fields/selector.js';
import { type Selector, tryParseSelector } from '../../machinery/labels/selector.js';
import type { Logger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { formatGoDuration } from '../../machinery/protobuf/go-duration.js';
import { newQuantity, newScaledQuantity } from '../../machinery/quantity.js';
import { type Response, writeJSON } from '../http/respond.js';
import type { ResourceRequestInfo } from '../request-info.js';
import type { NodeSample, PodSample, ResourceMetricsSource } from './source.js';
import { METRICS_API_VERSION, METRICS_GROUP, METRICS_VERSION, type NodeMetrics, type PodMetrics } from './types.js';

/** The objects the metrics API reads; the server answers from its watch cache. */
export interface MetricsObjectReader {
  listNodes(): Promise<readonly Readonly<KubeObject>[]>;
  /** Pods of one namespace, or of all with `''`. */
  listPods(namespace: string): Promise<readonly Readonly<KubeObject>[]>;
}

export interface ResourceMetricsAPIOptions {
  reader: MetricsObjectReader;
  /** Asked in order; the first that covers a node reports for it. */
  sources: readonly ResourceMetricsSource[];
  clock: Clock;
  logger: Logger;
}

export interface MetricsQuery {
  name?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

const podMetricsResource = { group: METRICS_GROUP, resource: 'podmetrics' };
const nodeMetricsResource = { group: METRICS_GROUP, resource: 'nodemetrics' };

function notFoundPath(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

interface Pod extends KubeObject {
  spec?: { nodeName?: string };
  status?: { phase?: string };
}

const isRunning = (pod: Readonly<Pod>) => pod.status?.phase === 'Running' && !!pod.spec?.nodeName;

export function cpuQuantity(nanoCores: bigint): string {
  return newScaledQuantity(nanoCores, -9).toString();
}

export function memoryQuantity(bytes: bigint): string {
  return newQuantity(bytes, 'BinarySI').toString();
}

function windowOf(ms: number): string {
  return formatGoDuration(BigInt(Math.round(ms)) * 1_000_000n);
}

interface Filter {
  labels: Selector;
  fields: FieldSelector;
}

function parseFilter(q: MetricsQuery, namespaced: boolean): Filter {
  const lp = tryParseSelector(q.labelSelector ?? '');
  if (!lp.ok) throw badRequest(`unable to parse requirement: ${lp.message}`);
  const fp = tryParseFieldSelector(q.fieldSelector ?? '');
  if (!fp.ok) throw badRequest(fp.message);
  const known = namespaced ? ['metadata.name', 'metadata.namespace'] : ['metadata.name'];
  for (const r of fp.selector.requirements()) {
    if (!known.includes(r.field)) throw badRequest(`"${r.field}" is not a known field selector: only ${known.map((k) => `"${k}"`).join(', ')}`);
  }
  return { labels: lp.selector, fields: fp.selector };
}

function selected(obj: Readonly<KubeObject>, f: Filter): boolean {
  if (!f.labels.isEmpty() && !f.labels.matches(obj.metadata.labels ?? {})) return false;
  return f.fields.matches((field) => (field === 'metadata.name' ? obj.metadata.name : field === 'metadata.namespace' ? obj.metadata.namespace : undefined));
}

export class ResourceMetricsAPI {
  constructor(private readonly opts: ResourceMetricsAPIOptions) {}

  /** Whether a resource request belongs to this API. */
  static serves(info: Pick<ResourceRequestInfo, 'apiPrefix' | 'group'>): boolean {
    return info.apiPrefix === 'apis' && info.group === METRICS_GROUP;
  }

  /** Answers an authorized resource request under /apis/metrics.k8s.io. */
  async handle(info: ResourceRequestInfo, query: URLSearchParams, res: Response): Promise<void> {
    if (info.version !== METRICS_VERSION || info.subresource) throw notFoundPath();
    if (info.resource !== 'nodes' && info.resource !== 'pods') throw notFoundPath();
    if (info.resource === 'nodes' && info.namespace) throw notFoundPath();
    if (info.verb !== 'get' && info.verb !== 'list') throw methodNotAllowed();
    const q: MetricsQuery = { labelSelector: query.get('labelSelector') ?? undefined, fieldSelector: query.get('fieldSelector') ?? undefined };
    if (info.resource === 'nodes') {
      if (info.verb === 'get') return writeJSON(res, 200, await this.getNodeMetrics(info.name));
      return writeJSON(res, 200, { kind: 'NodeMetricsList', apiVersion: METRICS_API_VERSION, metadata: {}, items: await this.listNodeMetrics(q) });
    }
    if (info.verb === 'get') return writeJSON(res, 200, await this.getPodMetrics(info.namespace, info.name));
    return writeJSON(res, 200, { kind: 'PodMetricsList', apiVersion: METRICS_API_VERSION, metadata: {}, items: await this.listPodMetrics(info.namespace, q) });
  }

  async getNodeMetrics(name: string): Promise<NodeMetrics> {
    const [item] = await this.listNodeMetrics({ name });
    if (!item) throw notFound(nodeMetricsResource, name);
    return { kind: 'NodeMetrics', apiVersion: METRICS_API_VERSION, ...item };
  }

  async listNodeMetrics(q: MetricsQuery): Promise<NodeMetrics[]> {
    const filter = parseFilter(q, false);
    const nodes = (await this.opts.reader.listNodes()).filter((n) => (q.name === undefined || n.metadata.name === q.name) && selected(n, filter));
    if (!nodes.length) return [];
    const podsByNode = groupByNode((await this.opts.reader.listPods('')).filter(isRunning));
    const now = rfc3339(this.opts.clock.now());
    const out: NodeMetrics[] = [];
    await Promise.all(
      nodes.map(async (node) => {
        const name = node.metadata.name ?? '';
        const scrape = await this.scrape(node, podsByNode.get(name) ?? []);
        if (scrape?.node) out.push(nodeMetrics(node, scrape.node, now));
      }),
    );
    return out.sort((a, b) => compare(a.metadata.name, b.metadata.name));
  }

  async getPodMetrics(namespace: string, name: string): Promise<PodMetrics> {
    const [item] = await this.listPodMetrics(namespace, { name });
    if (!item) throw notFound(podMetricsResource, `${namespace}/${name}`);
    return { kind: 'PodMetrics', apiVersion: METRICS_API_VERSION, ...item };
  }

  /** Metrics of the Running pods of `namespace` (`''`: all) that match. */
  async listPodMetrics(namespace: string, q: MetricsQuery): Promise<PodMetrics[]> {
    const filter = parseFilter(q, true);
    const pods = (await this.opts.reader.listPods(namespace)).filter((p) => (q.name === undefined || p.metadata.name === q.name) && isRunning(p) && selected(p, filter));
    if (!pods.length) return [];
    const nodes = new Map((await this.opts.reader.listNodes()).map((n) => [n.metadata.name ?? '', n]));
    const byKey = new Map(pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
    const now = rfc3339(this.opts.clock.now());
    const out: PodMetrics[] = [];
    await Promise.all(
      [...groupByNode(pods)].map(async ([nodeName, onNode]) => {
        const node = nodes.get(nodeName);
        if (!node) return;
        const scrape = await this.scrape(node, onNode);
        for (const sample of scrape?.pods ?? []) {
          const pod = byKey.get(`${sample.namespace}/${sample.name}`);
          if (pod) out.push(podMetrics(pod, sample, now));
        }
      }),
    );
    return out.sort((a, b) => compare(a.metadata.namespace, b.metadata.namespace) || compare(a.metadata.name, b.metadata.name));
  }

  private async scrape(node: Readonly<KubeObject>, pods: readonly Readonly<KubeObject>[]) {
    const source = this.opts.sources.find((s) => s.covers(node));
    if (!source) return undefined;
    try {
      return await source.scrape(node, pods);
    } catch (err) {
      // One unreachable node must not fail the whole list, as with metrics-server.
      this.opts.logger.debug('metrics scrape failed', { node: node.metadata.name, source: source.name, err });
      return undefined;
    }
  }
}

function compare(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

function groupByNode(pods: readonly Readonly<Pod>[]): Map<string, Readonly<Pod>[]> {
  const m = new Map<string, Readonly<Pod>[]>();
  for (const p of pods) {
    const n = p.spec?.nodeName ?? '';
    const list = m.get(n);
    if (list) list.push(p);
    else m.set(n, [p]);
  }
  return m;
}

function copyLabels(obj: Readonly<KubeObject>): Record<string, string> | undefined {
  const labels = obj.metadata.labels;
  return labels && Object.keys(labels).length ? { ...labels } : undefined;
}

function nodeMetrics(node: Readonly<KubeObject>, s: NodeSample, now: string): NodeMetrics {
  const metadata: NodeMetrics['metadata'] = { name: node.metadata.name, creationTimestamp: now };
  const labels = copyLabels(node);
  if (labels) metadata.labels = labels;
  return { metadata, timestamp: rfc3339(s.timestamp), window: windowOf(s.windowMs), usage: { cpu: cpuQuantity(s.cpuNanoCores), memory: memoryQuantity(s.memoryBytes) } };
}

function podMetrics(pod: Readonly<KubeObject>, s: PodSample, now: string): PodMetrics {
  const metadata: PodMetrics['metadata'] = { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: now };
  const labels = copyLabels(pod);
  if (labels) metadata.labels = labels;
  return {
    metadata,
    timestamp: rfc3339(s.timestamp),
    window: windowOf(s.windowMs),
    containers: s.containers.map((c) => ({ name: c.name, usage: { cpu: cpuQuantity(c.cpuNanoCores), memory: memoryQuantity(c.memoryBytes) } })),
  };
}
