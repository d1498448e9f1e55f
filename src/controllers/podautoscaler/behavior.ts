/**
 * What happens between "the metrics ask for N replicas" and the scale
 * update: stabilization over past recommendations and the rate limits of
 * the scaling policies, as upstream's HorizontalController. The history
 * lives in memory per autoscaler key, like upstream's (a new leader starts
 * from the current size). Time is passed in, never read.
 */
import type { HPAScalingRulesT, HorizontalPodAutoscalerBehaviorT } from '../../api/autoscaling/v2/types.js';

export interface TimestampedRecommendation {
  recommendation: number;
  timestamp: number;
}

export interface ScaleEvent {
  replicaChange: number;
  timestamp: number;
  /** Older than the longest policy period: its slot may be reused. */
  outdated: boolean;
}

/** A limit or stabilization outcome with the condition reason and message upstream sets. */
export interface Limited {
  replicas: number;
  reason: string;
  message: string;
}

export interface NormalizationArgs {
  key: string;
  scaleUp: HPAScalingRulesT;
  scaleDown: HPAScalingRulesT;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
}

const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

/** Without a behavior: at most double (or 4) per step, within min/max. */
export function convertDesiredReplicasWithRules(current: number, desired: number, min: number, max: number): Limited {
  const scaleUpLimit = Math.max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM);
  let maximum: number;
  let reason: string;
  let message: string;
  if (max > scaleUpLimit) {
    maximum = scaleUpLimit;
    reason = 'ScaleUpLimit';
    message = 'the desired replica count is increasing faster than the maximum scale rate';
  } else {
    maximum = max;
    reason = 'TooManyReplicas';
    message = 'the desired replica count is more than the maximum replica count';
  }
  if (desired < min) return { replicas: min, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  if (desired > maximum) return { replicas: maximum, reason, message };
  return { replicas: desired, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}

function replicasChangePerPeriod(periodSeconds: number, events: readonly ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let replicas = 0;
  for (const e of events) if (e.timestamp > cutoff) replicas += e.replicaChange;
  return replicas;
}

/** The most replicas the scale-up policies allow now, given the changes within each policy's period. */
export function scaleUpLimit(current: number, upEvents: readonly ScaleEvent[], downEvents: readonly ScaleEvent[], rules: HPAScalingRulesT, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const useMin = rules.selectPolicy === 'Min';
  let result = useMin ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const periodStart = current - replicasChangePerPeriod(p.periodSeconds, upEvents, now) + replicasChangePerPeriod(p.periodSeconds, downEvents, now);
    // Rounded up so that a small percentage still lets the target grow.
    const proposed = p.type === 'Pods' ? periodStart + p.value : Math.ceil(periodStart * (1 + p.value / 100));
    result = useMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** The fewest replicas the scale-down policies allow now. */
export function scaleDownLimit(current: number, upEvents: readonly ScaleEvent[], downEvents: readonly ScaleEvent[], rules: HPAScalingRulesT, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const useMin = rules.selectPolicy === 'Min';
  let result = useMin ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const periodStart = current - replicasChangePerPeriod(p.periodSeconds, upEvents, now) + replicasChangePerPeriod(p.periodSeconds, downEvents, now);
    const proposed = p.type === 'Pods' ? periodStart - p.value : Math.trunc(periodStart * (1 - p.value / 100));
    // The smallest change keeps the most replicas.
    result = useMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

function longestPolicyPeriod(rules: HPAScalingRulesT | undefined): number {
  let longest = 0;
  for (const p of rules?.policies ?? []) longest = Math.max(longest, p.periodSeconds);
  return longest;
}

/** Recommendations and scale events of every autoscaler, by key. */
export class ScalingHistory {
  private readonly recommendations = new Map<string, TimestampedRecommendation[]>();
  private readonly upEvents = new Map<string, ScaleEvent[]>();
  private readonly downEvents = new Map<string, ScaleEvent[]>();

  /** The first sync seeds the history with the current size, so stabilization starts from it. */
  recordInitialRecommendation(key: string, current: number, now: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ recommendation: current, timestamp: now }]);
  }

  forget(key: string): void {
    this.recommendations.delete(key);
    this.upEvents.delete(key);
    this.downEvents.delete(key);
  }

  recommendationsOf(key: string): readonly TimestampedRecommendation[] {
    return this.recommendations.get(key) ?? [];
  }

  private record(key: string, recommendation: number, now: number, isOld: (r: TimestampedRecommendation) => boolean): void {
    const list = this.recommendations.get(key) ?? [];
    // Reuse the slot of a sample nobody looks at any more, so the list stays bounded.
    const old = list.findLastIndex(isOld);
    if (old >= 0) list[old] = { recommendation, timestamp: now };
    else list.push({ recommendation, timestamp: now });
    this.recommendations.set(key, list);
  }

  /** Without a behavior: the highest recommendation within the downscale window. */
  stabilize(key: string, desired: number, windowMs: number, now: number): number {
    const cutoff = now - windowMs;
    let max = desired;
    for (const r of this.recommendations.get(key) ?? []) if (r.timestamp >= cutoff && r.recommendation > max) max = r.recommendation;
    this.record(key, desired, now, (r) => r.timestamp < cutoff);
    return max;
  }

  /** With a behavior: held between the lowest recent (up window) and highest recent (down window) recommendation. */
  stabilizeWithBehaviors(args: NormalizationArgs, now: number): Limited {
    const upCutoff = now - (args.scaleUp.stabilizationWindowSeconds ?? 0) * 1000;
    const downCutoff = now - (args.scaleDown.stabilizationWindowSeconds ?? 0) * 1000;
    let up = args.desiredReplicas;
    let down = args.desiredReplicas;
    for (const r of this.recommendations.get(args.key) ?? []) {
      if (r.timestamp > upCutoff) up = Math.min(up, r.recommendation);
      if (r.timestamp > downCutoff) down = Math.max(down, r.recommendation);
    }
    let recommendation = args.currentReplicas;
    if (recommendation < up) recommendation = up;
    if (recommendation > down) recommendation = down;
    this.record(args.key, args.desiredReplicas, now, (r) => r.timestamp < upCutoff && r.timestamp < downCutoff);
    if (args.desiredReplicas >= args.currentReplicas) {
      return { replicas: recommendation, reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' };
    }
    return { replicas: recommendation, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
  }

  /** Applies the policies' rate limits and min/max to a stabilized recommendation. */
  limitByBehaviorRate(args: NormalizationArgs, now: number): Limited {
    const up = this.upEvents.get(args.key) ?? [];
    const down = this.downEvents.get(args.key) ?? [];
    if (args.desiredReplicas > args.currentReplicas) {
      const limit = Math.max(scaleUpLimit(args.currentReplicas, up, down, args.scaleUp, now), args.currentReplicas);
      const byRate = args.maxReplicas > limit;
      const maximum = byRate ? limit : args.maxReplicas;
      if (args.desiredReplicas > maximum) {
        return byRate
          ? { replicas: maximum, reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' }
          : { replicas: maximum, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
      }
    } else if (args.desiredReplicas < args.currentReplicas) {
      const limit = Math.min(scaleDownLimit(args.currentReplicas, up, down, args.scaleDown, now), args.currentReplicas);
      const byRate = args.minReplicas < limit;
      const minimum = byRate ? limit : args.minReplicas;
      if (args.desiredReplicas < minimum) {
        return byRate
          ? { replicas: minimum, reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' }
          : { replicas: minimum, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
      }
    }
    return { replicas: args.desiredReplicas, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
  }

  /** Remembers a rescale so the policies' periods count it (only autoscalers with a behavior use them). */
  storeScaleEvent(behavior: HorizontalPodAutoscalerBehaviorT | undefined, key: string, prev: number, next: number, now: number): void {
    if (!behavior) return;
    const upward = next > prev;
    const store = upward ? this.upEvents : this.downEvents;
    const period = longestPolicyPeriod(upward ? behavior.scaleUp : behavior.scaleDown) * 1000;
    const list = store.get(key) ?? [];
    for (const e of list) if (e.timestamp < now - period) e.outdated = true;
    const event: ScaleEvent = { replicaChange: Math.abs(next - prev), timestamp: now, outdated: false };
    const old = list.findLastIndex((e) => e.outdated);
    if (old >= 0) list[old] = event;
    else list.push(event);
    store.set(key, list);
  }
}
