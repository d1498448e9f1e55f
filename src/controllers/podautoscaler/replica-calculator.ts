/**
 * The replica count a metric asks for, as upstream's ReplicaCalculator:
 * usage over target times the pods that reported, within a tolerance, with
 * pods that are not ready or have no metrics yet counted so that they can
 * only damp a change, never cause or reverse one. All values are in milli
 * units (millicores, millibytes), as the upstream metrics client reads them.
 */
import { tryParseQuantity } from '../../machinery/quantity.js';
import type { Pod } from '../framework/pods.js';

export interface PodMetric {
  /** Milli units. */
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  windowMs: number;
}

/** Metric per pod name. */
export type PodMetricsInfo = Map<string, PodMetric>;

export interface ReplicaCalculatorOptions {
  tolerance: number;
  /** Upstream --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs: number;
  /** Upstream --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  delayOfInitialReadinessStatusMs: number;
}

export const defaultReplicaCalculatorOptions: ReplicaCalculatorOptions = {
  tolerance: 0.1,
  cpuInitializationPeriodMs: 5 * 60_000,
  delayOfInitialReadinessStatusMs: 30_000,
};

/** An expected negative: the calculation has no answer, with upstream's message. */
export interface CalculationError {
  ok: false;
  message: string;
}

export interface ReplicaProposal {
  ok: true;
  replicas: number;
  /** Mean utilization in percent of requests (utilization targets only). */
  utilization?: number;
  /** Mean usage per pod, milli units. */
  rawUsage: number;
  timestamp: number;
}

export type ReplicaResult = ReplicaProposal | CalculationError;

interface PodSpecLike {
  containers?: { name: string; resources?: { requests?: Record<string, string> } }[];
  initContainers?: { name: string; restartPolicy?: string; resources?: { requests?: Record<string, string> } }[];
}

export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** Sorts pods into ready (counted), unready, missing metrics, and ignored (deleted or failed). */
export function groupPods(pods: readonly Pod[], metrics: PodMetricsInfo, resource: string, opts: ReplicaCalculatorOptions, now: number): PodGroups {
  const groups: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      groups.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      groups.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      groups.missing.add(name);
      continue;
    }
    // A cpu sample taken while a pod was starting overstates (or understates) what it will use.
    if (resource === 'cpu') {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const startTime = typeof pod.status?.startTime === 'string' ? Date.parse(pod.status.startTime) : NaN;
      let unready: boolean;
      if (!ready || Number.isNaN(startTime)) unready = true;
      else {
        const transition = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0;
        if (startTime + opts.cpuInitializationPeriodMs > now) {
          unready = ready.status === 'False' || metric.timestamp < transition + metric.windowMs;
        } else {
          unready = ready.status === 'False' && startTime + opts.delayOfInitialReadinessStatusMs > transition;
        }
      }
      if (unready) {
        groups.unready.add(name);
        continue;
      }
    }
    groups.readyPodCount++;
  }
  return groups;
}

/** Sum of the requests of `resource` per pod (of one container when `container` is set), in milli units. */
export function calculatePodRequests(pods: readonly Pod[], resource: string, container = ''): { ok: true; requests: Map<string, number> } | CalculationError {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    const spec = (pod.spec ?? {}) as PodSpecLike;
    const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
    let sum = 0;
    for (const c of containers) {
      if (container && container !== c.name) continue;
      const raw = c.resources?.requests?.[resource];
      if (raw === undefined) return { ok: false, message: `missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}` };
      sum += milliValue(raw);
    }
    requests.set(pod.metadata.name ?? '', sum);
  }
  return { ok: true, requests };
}

/** Upstream GetResourceUtilizationRatio: ratio to target, utilization percent, mean raw usage. */
export function resourceUtilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number): { ok: true; ratio: number; utilization: number; rawAverage: number } | CalculationError {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [name, m] of metrics) {
    const request = requests.get(name);
    // Metrics of pods we know no requests of are extraneous.
    if (request === undefined) continue;
    metricsTotal += m.value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) return { ok: false, message: 'no metrics returned matched known pods' };
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ok: true, ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / entries) };
}

/** Upstream GetMetricUsageRatio: mean usage over the target. */
export function metricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = metrics.size ? Math.trunc(total / metrics.size) : 0;
  return { ratio: usage / targetUsage, usage };
}

export interface ResourceReplicasInput {
  currentReplicas: number;
  resource: string;
  /** Pods selected by the scale target's selector. */
  pods: readonly Pod[];
  /** Metrics as read from the resource metrics API; not modified. */
  metrics: PodMetricsInfo;
  /** Read time of the metrics. */
  timestamp: number;
  container?: string;
  now: number;
  opts: ReplicaCalculatorOptions;
}

function prepare(input: ResourceReplicasInput): { metrics: PodMetricsInfo; groups: PodGroups } | CalculationError {
  if (!input.pods.length) return { ok: false, message: 'no pods returned by selector while calculating replica count' };
  const metrics = new Map(input.metrics);
  const groups = groupPods(input.pods, metrics, input.resource, input.opts, input.now);
  for (const name of groups.ignored) metrics.delete(name);
  for (const name of groups.unready) metrics.delete(name);
  if (!metrics.size) return { ok: false, message: 'did not receive metrics for targeted pods (pods might be unready)' };
  return { metrics, groups };
}

/** Replicas for a Utilization target (percent of requests). */
export function resourceReplicas(input: ResourceReplicasInput & { targetUtilization: number }): ReplicaResult {
  const prep = prepare(input);
  if ('ok' in prep) return prep;
  const { metrics, groups } = prep;
  const req = calculatePodRequests(input.pods, input.resource, input.container);
  if (!req.ok) return req;
  const first = resourceUtilizationRatio(metrics, req.requests, input.targetUtilization);
  if (!first.ok) return first;
  const { tolerance } = input.opts;
  const base = { ok: true as const, utilization: first.utilization, rawUsage: first.rawAverage, timestamp: input.timestamp };
  const usageRatio = first.ratio;
  const scaleUpWithUnready = groups.unready.size > 0 && usageRatio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (Math.abs(1 - usageRatio) <= tolerance) return { ...base, replicas: input.currentReplicas };
    return { ...base, replicas: Math.ceil(usageRatio * groups.readyPodCount) };
  }
  if (groups.missing.size) {
    // Assume the worst for the direction we would move in: a missing pod damps the change.
    const fallback = Math.max(100, input.targetUtilization);
    for (const name of groups.missing) {
      if (usageRatio < 1) metrics.set(name, { value: Math.trunc(((req.requests.get(name) ?? 0) * fallback) / 100), timestamp: 0, windowMs: 0 });
      else if (usageRatio > 1) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
    }
  }
  if (scaleUpWithUnready) for (const name of groups.unready) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  const second = resourceUtilizationRatio(metrics, req.requests, input.targetUtilization);
  if (!second.ok) return second;
  return settle(input.currentReplicas, usageRatio, second.ratio, metrics.size, tolerance, base);
}

/** Replicas for an AverageValue target (milli units per pod). */
export function rawResourceReplicas(input: ResourceReplicasInput & { targetUsage: number }): ReplicaResult {
  const prep = prepare(input);
  if ('ok' in prep) return prep;
  const { metrics, groups } = prep;
  const { tolerance } = input.opts;
  const first = metricUsageRatio(metrics, input.targetUsage);
  const base = { ok: true as const, rawUsage: first.usage, timestamp: input.timestamp };
  const usageRatio = first.ratio;
  const scaleUpWithUnready = groups.unready.size > 0 && usageRatio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (Math.abs(1 - usageRatio) <= tolerance) return { ...base, replicas: input.currentReplicas };
    return { ...base, replicas: Math.ceil(usageRatio * groups.readyPodCount) };
  }
  for (const name of groups.missing) metrics.set(name, { value: usageRatio < 1 ? input.targetUsage : 0, timestamp: 0, windowMs: 0 });
  if (scaleUpWithUnready) for (const name of groups.unready) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  const second = metricUsageRatio(metrics, input.targetUsage);
  return settle(input.currentReplicas, usageRatio, second.ratio, metrics.size, tolerance, base);
}

/** The re-run with assumed values must stay outside the tolerance and keep the direction. */
function settle(current: number, usageRatio: number, newRatio: number, counted: number, tolerance: number, base: Omit<ReplicaProposal, 'replicas'>): ReplicaProposal {
  if (Math.abs(1 - newRatio) <= tolerance || (usageRatio < 1 && newRatio > 1) || (usageRatio > 1 && newRatio < 1)) return { ...base, replicas: current };
  const replicas = Math.ceil(newRatio * counted);
  if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current)) return { ...base, replicas: current };
  return { ...base, replicas };
}

/** A quantity's value in milli units, as upstream MilliValue (rounded up); malformed is zero. */
export function milliValue(raw: string): number {
  const q = tryParseQuantity(raw);
  return q.ok ? q.quantity.milliValue() : 0;
}
