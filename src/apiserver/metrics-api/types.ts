/**
 * metrics.k8s.io/v1beta1 as metrics-server serves it: NodeMetrics
 * (cluster-scoped) and PodMetrics (namespaced), read-only, never stored.
 */
import type { ResourceType } from '../../api/scheme.js';
import { def, t } from '../../api/schema/dsl.js';
import type { ObjectMeta } from '../../machinery/meta/types.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
export const METRICS_API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

/** Resource name -> quantity string, e.g. `{ cpu: '250m', memory: '64Mi' }`. */
export type ResourceUsage = Record<string, string>;

export interface ContainerMetrics {
  name: string;
  usage: ResourceUsage;
}

export interface NodeMetrics {
  kind?: 'NodeMetrics';
  apiVersion?: string;
  metadata: ObjectMeta;
  /** When the usage was sampled (RFC 3339). */
  timestamp: string;
  /** Go duration the usage rate was computed over. */
  window: string;
  usage: ResourceUsage;
}

export interface PodMetrics {
  kind?: 'PodMetrics';
  apiVersion?: string;
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  containers: ContainerMetrics[];
}

const P = 'io.k8s.metrics.pkg.apis.metrics.v1beta1.';
const opaque = (what: string) => t.object({}, { preserveUnknownFields: true, description: what });

export const nodeMetricsType: ResourceType = {
  group: METRICS_GROUP,
  version: METRICS_VERSION,
  kind: 'NodeMetrics',
  resource: 'nodes',
  // metrics-server publishes no singular names.
  singular: '',
  namespaced: false,
  verbs: ['get', 'list'],
  definition: def(P + 'NodeMetrics', opaque('Resource usage of a node.')),
};

export const podMetricsType: ResourceType = {
  group: METRICS_GROUP,
  version: METRICS_VERSION,
  kind: 'PodMetrics',
  resource: 'pods',
  singular: '',
  namespaced: true,
  verbs: ['get', 'list'],
  definition: def(P + 'PodMetrics', opaque('Resource usage of the containers of a pod.')),
};

/** What discovery lists for the group. */
export const metricsResourceTypes: readonly ResourceType[] = [nodeMetricsType, podMetricsType];
