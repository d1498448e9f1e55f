/**
 * autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscaler conversion.
 * v1 only knows a cpu utilization target; everything else v2 holds travels
 * in annotations on the v1 object (as upstream does) so a v1 client's
 * read-modify-write does not lose it.
 *
 * The annotation values are JSON of the autoscaling/v2 shapes.
 */
import type { HorizontalPodAutoscalerT as V1 } from './types.js';
import type { HorizontalPodAutoscalerT as V2, MetricSpecT, MetricStatusT } from '../v2/types.js';
import { DEFAULT_CPU_UTILIZATION } from '../v2/defaults.js';

export const METRIC_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const METRIC_STATUSES_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';

const CARRIER_ANNOTATIONS = [METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];

function isCpuUtilization(m: MetricSpecT): boolean {
  return m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization' && m.resource.target.averageUtilization !== undefined;
}

function parseJSON<X>(text: string | undefined): X | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as X;
  } catch {
    return undefined;
  }
}

function clone<X>(x: X): X {
  return x === undefined ? x : (JSON.parse(JSON.stringify(x)) as X);
}

export function hpaV2ToV1(src: V2): V1 {
  const metadata = clone(src.metadata) ?? {};
  const annotations: Record<string, string> = { ...(metadata.annotations ?? {}) };
  const spec = src.spec;
  const metrics = spec?.metrics ?? [];
  const cpu = metrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  const others = metrics.filter((m) => !isCpuUtilization(m));
  if (others.length) annotations[METRIC_SPECS_ANNOTATION] = JSON.stringify(others);
  if (spec?.behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior);
  const status = src.status;
  if (status?.currentMetrics?.length) annotations[METRIC_STATUSES_ANNOTATION] = JSON.stringify(status.currentMetrics);
  if (status?.conditions?.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(status.conditions);
  if (Object.keys(annotations).length) metadata.annotations = annotations;

  const out: V1 = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata };
  if (spec) {
    out.spec = { scaleTargetRef: clone(spec.scaleTargetRef), maxReplicas: spec.maxReplicas };
    if (spec.minReplicas !== undefined) out.spec.minReplicas = spec.minReplicas;
    const target = cpu?.resource?.target;
    if (target?.type === 'Utilization' && target.averageUtilization !== undefined) out.spec.targetCPUUtilizationPercentage = target.averageUtilization;
  }
  if (status) {
    out.status = { currentReplicas: status.currentReplicas ?? 0, desiredReplicas: status.desiredReplicas };
    if (status.observedGeneration !== undefined) out.status.observedGeneration = status.observedGeneration;
    if (status.lastScaleTime !== undefined) out.status.lastScaleTime = status.lastScaleTime;
    const cur = status.currentMetrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    if (cur?.resource?.current?.averageUtilization !== undefined) out.status.currentCPUUtilizationPercentage = cur.resource.current.averageUtilization;
  }
  return out;
}

export function hpaV1ToV2(src: V1): V2 {
  const metadata = clone(src.metadata) ?? {};
  const annotations: Record<string, string> = { ...(metadata.annotations ?? {}) };
  const otherMetrics = parseJSON<MetricSpecT[]>(annotations[METRIC_SPECS_ANNOTATION]);
  const currentMetrics = parseJSON<MetricStatusT[]>(annotations[METRIC_STATUSES_ANNOTATION]);
  const conditions = parseJSON<NonNullable<V2['status']>['conditions']>(annotations[CONDITIONS_ANNOTATION]);
  const behavior = parseJSON<NonNullable<V2['spec']>['behavior']>(annotations[BEHAVIOR_ANNOTATION]);
  for (const k of CARRIER_ANNOTATIONS) delete annotations[k];
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;

  const out: V2 = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata };
  const spec = src.spec;
  if (spec) {
    const metrics: MetricSpecT[] = [];
    if (spec.targetCPUUtilizationPercentage !== undefined) {
      metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
    }
    metrics.push(...(otherMetrics ?? []));
    // v1 always had an implicit cpu target; v2 states it.
    if (metrics.length === 0) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } });
    out.spec = { scaleTargetRef: clone(spec.scaleTargetRef), maxReplicas: spec.maxReplicas, metrics };
    if (spec.minReplicas !== undefined) out.spec.minReplicas = spec.minReplicas;
    if (behavior) out.spec.behavior = behavior;
  }
  const status = src.status;
  if (status) {
    out.status = { desiredReplicas: status.desiredReplicas, currentReplicas: status.currentReplicas };
    if (status.observedGeneration !== undefined) out.status.observedGeneration = status.observedGeneration;
    if (status.lastScaleTime !== undefined) out.status.lastScaleTime = status.lastScaleTime;
    if (currentMetrics) out.status.currentMetrics = currentMetrics;
    else if (status.currentCPUUtilizationPercentage !== undefined) {
      out.status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } }];
    }
    if (conditions) out.status.conditions = conditions;
  }
  return out;
}
