/**
 * The horizontal pod autoscaler (autoscaling/v2): every sync period, each
 * HorizontalPodAutoscaler reads its target's scale subresource and its pods'
 * usage from the resource metrics API, computes the replicas every metric
 * asks for, stabilizes and rate-limits the largest, writes the scale and
 * reports what it did in status conditions and events, as upstream.
 */
import type { HorizontalPodAutoscalerSpecT, HorizontalPodAutoscalerT, MetricSpecT, MetricStatusT, MetricTargetT } from '../../api/autoscaling/v2/types.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { EventRecorder, type CoreEvent, type EventType } from '../../client/events/event-recorder.js';
import type { SharedInformer } from '../../client/informers/shared-informer.js';
import { isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { type Selector, tryParseSelector } from '../../machinery/labels/selector.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { newMilliQuantity } from '../../machinery/quantity.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import type { Pod } from '../framework/pods.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import { type Limited, ScalingHistory, convertDesiredReplicasWithRules } from './behavior.js';
import { type ConditionUpdate, setCondition } from './conditions.js';
import { RESTResourceMetricsClient, type ResourceMetricsClient } from './metrics-client.js';
import { type ReplicaCalculatorOptions, defaultReplicaCalculatorOptions, milliValue, rawResourceReplicas, resourceReplicas } from './replica-calculator.js';
import { DiscoveryScaleClient, type Scale, type ScaleClient } from './scale-client.js';

/** Validation makes spec required; the type says so. */
export type HorizontalPodAutoscaler = Omit<HorizontalPodAutoscalerT, 'spec'> & KubeObject & { spec: HorizontalPodAutoscalerSpecT };

export interface EventSink {
  event(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> | void;
}

export interface HorizontalControllerOptions {
  hpaInformer: SharedInformer<HorizontalPodAutoscaler>;
  podInformer: SharedInformer<Pod>;
  scales: ScaleClient;
  metrics: ResourceMetricsClient;
  /** Writes the status subresource. */
  updateStatus: (hpa: HorizontalPodAutoscaler) => Promise<unknown>;
  recorder: EventSink;
  clock: Clock;
  logger: Logger;
  syncPeriodMs: number;
  /** Used when an autoscaler has no behavior (and for a behavior's unset scale-down window). */
  downscaleStabilizationMs: number;
  calculator?: Partial<ReplicaCalculatorOptions>;
}

/** A failed step: the message upstream records, already reported in conditions and events. */
class SyncError extends Error {}

interface MetricProposal {
  replicas: number;
  metricName: string;
  status: MetricStatusT;
}

type MetricOutcome = ({ ok: true } & MetricProposal) | { ok: false; message: string; condition: ConditionUpdate };

const GVK = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' };

export class HorizontalController implements Controller {
  readonly name = 'horizontalpodautoscaling';
  readonly queue: RateLimitingQueue<string>;
  readonly history = new ScalingHistory();
  private readonly handlers: Disposable[] = [];
  /** Each autoscaler's pod selector as of its last sync, to find pods claimed by several of them. */
  private readonly selectors = new Map<string, Selector>();
  private readonly calc: ReplicaCalculatorOptions;

  constructor(private readonly opts: HorizontalControllerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    this.calc = { ...defaultReplicaCalculatorOptions, ...opts.calculator };
    this.handlers.push(
      opts.hpaInformer.addEventHandler({
        onAdd: (hpa) => this.queue.add(metaNamespaceKey(hpa)),
        // Our own status writes come back as updates: only a spec change is worth an early look.
        onUpdate: (old, hpa) => {
          if (old.metadata.generation !== hpa.metadata.generation) this.queue.add(metaNamespaceKey(hpa));
        },
        onDelete: (obj) => {
          const hpa = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
          this.history.forget(metaNamespaceKey(hpa));
          this.selectors.delete(metaNamespaceKey(hpa));
        },
      }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    await runSyncedWorkers({
      informers: [this.opts.hpaInformer, this.opts.podInformer],
      handlers: this.handlers,
      onSynced: () => this.opts.logger.info('starting controller', { controller: this.name, workers }),
      queue: this.queue,
      reconcile: (key) => this.reconcileKey(key),
      workers,
      signal,
      logger: this.opts.logger,
    });
  }

  /** Every autoscaler is looked at once per sync period, whatever the outcome (upstream's fixed-interval queue). */
  async reconcileKey(key: string): Promise<void> {
    try {
      await this.sync(key);
    } catch (err) {
      this.opts.logger.debug('autoscaler sync failed', { hpa: key, err: err instanceof Error ? err.message : String(err) });
    } finally {
      const { namespace, name } = splitMetaNamespaceKey(key);
      if (this.opts.hpaInformer.lister().get(namespace, name)) this.queue.addAfter(key, this.opts.syncPeriodMs);
    }
  }

  /** One reconcile of `namespace/name`; rejects with the failure it reported. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.opts.hpaInformer.lister().get(namespace, name);
    if (!cached) {
      this.history.forget(key);
      this.selectors.delete(key);
      return;
    }
    const hpa: HorizontalPodAutoscaler = { ...structuredClone(cached), ...GVK };
    const original = structuredClone(cached.status ?? {});
    const conditions = [...(hpa.status?.conditions ?? [])];
    const now = this.opts.clock.now();
    const nowRFC3339 = this.opts.clock.nowRFC3339();
    const condition = (c: ConditionUpdate) => setCondition(conditions, c, nowRFC3339);
    const event = (type: EventType, reason: string, message: string) => this.event(hpa, type, reason, message);
    const writeStatus = async (currentReplicas: number, desiredReplicas: number, metricStatuses: MetricStatusT[] | undefined, rescaled: boolean) => {
      const status: NonNullable<HorizontalPodAutoscaler['status']> = { currentReplicas, desiredReplicas };
      const lastScaleTime = rescaled ? nowRFC3339 : hpa.status?.lastScaleTime;
      if (lastScaleTime) status.lastScaleTime = lastScaleTime;
      if (metricStatuses?.length) status.currentMetrics = metricStatuses;
      if (conditions.length) status.conditions = conditions;
      if (hpa.status?.observedGeneration !== undefined) status.observedGeneration = hpa.status.observedGeneration;
      if (sameJSON(original, status)) return;
      try {
        await this.opts.updateStatus({ ...hpa, status });
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        await event('Warning', 'FailedUpdateStatus', msg);
        this.opts.logger.debug('autoscaler status not written', { hpa: key, err: msg });
      }
    };

    const ref = hpa.spec.scaleTargetRef;
    const reference = `${ref.kind}/${namespace}/${ref.name}`;
    const got = await this.opts.scales.get(namespace, { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name });
    if (!got.ok) {
      await event('Warning', 'FailedGetScale', got.message);
      condition({ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${got.message}` });
      await writeStatus(hpa.status?.currentReplicas ?? 0, hpa.status?.desiredReplicas ?? 0, hpa.status?.currentMetrics, false);
      throw new SyncError(`failed to query scale subresource for ${reference}: ${got.message}`);
    }
    const { scale, gvr } = got;
    condition({ type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" });
    const currentReplicas = scale.spec?.replicas ?? 0;
    this.history.recordInitialRecommendation(key, currentReplicas, now);

    const minReplicas = hpa.spec.minReplicas ?? 1;
    const maxReplicas = hpa.spec.maxReplicas;
    let desiredReplicas = 0;
    let rescaleReason = '';
    let rescale = true;
    let metricStatuses: MetricStatusT[] | undefined;
    let partialError: string | undefined;

    if (currentReplicas === 0 && minReplicas !== 0) {
      rescale = false;
      condition({ type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
    } else if (currentReplicas > maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desiredReplicas = maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desiredReplicas = minReplicas;
    } else {
      const computed = await this.computeReplicasForMetrics(hpa, scale, { condition, event, now });
      metricStatuses = computed.statuses;
      if (!computed.ok) {
        await writeStatus(currentReplicas, hpa.status?.desiredReplicas ?? 0, metricStatuses, false);
        await event('Warning', 'FailedComputeMetricsReplicas', computed.message);
        throw new SyncError(`failed to compute desired number of replicas based on listed metrics for ${reference}: ${computed.message}`);
      }
      partialError = computed.error;
      let rescaleMetric = '';
      if (computed.replicas > desiredReplicas) {
        desiredReplicas = computed.replicas;
        rescaleMetric = computed.metricName;
      }
      if (desiredReplicas > currentReplicas) rescaleReason = `${rescaleMetric} above target`;
      if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';
      desiredReplicas = hpa.spec.behavior
        ? this.normalizeWithBehaviors(hpa, key, currentReplicas, desiredReplicas, minReplicas, condition, now)
        : this.normalize(hpa, key, currentReplicas, desiredReplicas, minReplicas, condition, now);
      rescale = desiredReplicas !== currentReplicas;
    }

    if (rescale) {
      try {
        await this.opts.scales.update(namespace, gvr, { ...scale, spec: { ...scale.spec, replicas: desiredReplicas } });
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        await event('Warning', 'FailedRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${msg}`);
        condition({ type: 'AbleToScale', status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${msg}` });
        await writeStatus(currentReplicas, hpa.status?.desiredReplicas ?? 0, metricStatuses, false);
        throw new SyncError(`failed to rescale ${reference}: ${msg}`);
      }
      condition({ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desiredReplicas}` });
      await event('Normal', 'SuccessfulRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}`);
      this.history.storeScaleEvent(hpa.spec.behavior, key, currentReplicas, desiredReplicas, now);
      this.opts.logger.info('successfully rescaled', { hpa: key, currentReplicas, desiredReplicas, reason: rescaleReason });
    } else {
      desiredReplicas = currentReplicas;
    }
    await writeStatus(currentReplicas, desiredReplicas, metricStatuses, rescale);
    if (partialError) throw new SyncError(partialError);
  }

  private async event(hpa: HorizontalPodAutoscaler, type: EventType, reason: string, message: string): Promise<void> {
    await this.opts.recorder.event(hpa, type, reason, message);
  }

  /** Without a behavior: downscale stabilization, then at most double (or 4) per step. */
  private normalize(hpa: HorizontalPodAutoscaler, key: string, current: number, desired: number, min: number, condition: (c: ConditionUpdate) => void, now: number): number {
    const stabilized = this.history.stabilize(key, desired, this.opts.downscaleStabilizationMs, now);
    if (stabilized !== desired) {
      condition({ type: 'AbleToScale', status: 'True', reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' });
    } else {
      condition({ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' });
    }
    const limited = convertDesiredReplicasWithRules(current, stabilized, min, hpa.spec.maxReplicas);
    limitCondition(condition, limited, stabilized);
    return limited.replicas;
  }

  private normalizeWithBehaviors(hpa: HorizontalPodAutoscaler, key: string, current: number, desired: number, min: number, condition: (c: ConditionUpdate) => void, now: number): number {
    const behavior = hpa.spec.behavior!;
    const scaleDown = { ...behavior.scaleDown };
    scaleDown.stabilizationWindowSeconds ??= Math.trunc(this.opts.downscaleStabilizationMs / 1000);
    const args = { key, scaleUp: behavior.scaleUp ?? {}, scaleDown, minReplicas: min, maxReplicas: hpa.spec.maxReplicas, currentReplicas: current, desiredReplicas: desired };
    const stabilized = this.history.stabilizeWithBehaviors(args, now);
    if (stabilized.replicas !== desired) condition({ type: 'AbleToScale', status: 'True', reason: stabilized.reason, message: stabilized.message });
    else condition({ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' });
    const limited = this.history.limitByBehaviorRate({ ...args, desiredReplicas: stabilized.replicas }, now);
    limitCondition(condition, limited, stabilized.replicas);
    return limited.replicas;
  }

  /** The largest proposal over all metrics; fails when none is usable, or some failed and we would scale down. */
  private async computeReplicasForMetrics(
    hpa: HorizontalPodAutoscaler,
    scale: Scale,
    io: { condition: (c: ConditionUpdate) => void; event: (type: EventType, reason: string, message: string) => Promise<void>; now: number },
  ): Promise<{ ok: true; replicas: number; metricName: string; statuses: MetricStatusT[]; error?: string } | { ok: false; message: string; statuses?: MetricStatusT[] }> {
    const rawSelector = scale.status?.selector ?? '';
    if (!rawSelector) {
      await io.event('Warning', 'SelectorRequired', 'selector is required');
      io.condition({ type: 'ScalingActive', status: 'False', reason: 'InvalidSelector', message: "the HPA target's scale is missing a selector" });
      return { ok: false, message: 'selector is required' };
    }
    const parsed = tryParseSelector(rawSelector);
    if (!parsed.ok) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${parsed.message}`;
      await io.event('Warning', 'InvalidSelector', msg);
      io.condition({ type: 'ScalingActive', status: 'False', reason: 'InvalidSelector', message: msg });
      return { ok: false, message: msg };
    }
    const controlling = this.autoscalersControllingPods(hpa, parsed.selector);
    if (controlling.length > 1) {
      const msg = `pods by selector ${rawSelector} are controlled by multiple HPAs: [${controlling.join(' ')}]`;
      await io.event('Warning', 'AmbiguousSelector', msg);
      io.condition({ type: 'ScalingActive', status: 'False', reason: 'AmbiguousSelector', message: msg });
      return { ok: false, message: msg };
    }
    const specs = hpa.spec.metrics ?? [];
    const statuses: MetricStatusT[] = specs.map(() => ({ type: '' }));
    let replicas = 0;
    let metricName = '';
    let invalid = 0;
    let firstError: { message: string; condition: ConditionUpdate } | undefined;
    const specReplicas = scale.spec?.replicas ?? 0;
    for (const [i, spec] of specs.entries()) {
      const out = await this.computeReplicasForMetric(hpa, spec, specReplicas, parsed.selector, io);
      if (!out.ok) {
        firstError ??= out;
        invalid++;
        continue;
      }
      statuses[i] = out.status;
      if (replicas === 0 || out.replicas > replicas) {
        replicas = out.replicas;
        metricName = out.metricName;
      }
    }
    const error = firstError ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError.message}` : undefined;
    if (invalid >= specs.length || (invalid > 0 && replicas < specReplicas)) {
      if (firstError) io.condition(firstError.condition);
      return { ok: false, message: error ?? 'no metrics to scale on', statuses };
    }
    io.condition({ type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${metricName}` });
    return { ok: true, replicas, metricName, statuses, error };
  }

  /**
   * Records `hpa`'s selector, then answers every autoscaler (by key, sorted)
   * whose last known selector matches one of the pods `hpa` selects: two
   * autoscalers scaling the same pods would fight, so neither may act.
   */
  private autoscalersControllingPods(hpa: HorizontalPodAutoscaler, selector: Selector): string[] {
    const key = metaNamespaceKey(hpa);
    const namespace = hpa.metadata.namespace ?? '';
    // An autoscaler deleted while it synced must not linger as a competitor.
    if (this.opts.hpaInformer.lister().get(namespace, hpa.metadata.name ?? '')) this.selectors.set(key, selector);
    const peers = [...this.selectors].filter(([k]) => splitMetaNamespaceKey(k).namespace === namespace);
    const controlling = new Set<string>();
    for (const pod of this.opts.podInformer.lister().listInNamespace(namespace, selector)) {
      const labels = pod.metadata.labels ?? {};
      for (const [k, sel] of peers) if (sel.matches(labels)) controlling.add(k);
    }
    return [...controlling].sort();
  }

  private async computeReplicasForMetric(
    hpa: HorizontalPodAutoscaler,
    spec: MetricSpecT,
    specReplicas: number,
    selector: Selector,
    io: { event: (type: EventType, reason: string, message: string) => Promise<void>; now: number },
  ): Promise<MetricOutcome> {
    const unable = async (reason: string, message: string, wrapped: string): Promise<MetricOutcome> => {
      await io.event('Warning', reason, message);
      return { ok: false, message: wrapped, condition: { type: 'ScalingActive', status: 'False', reason, message: `the HPA was unable to compute the replica count: ${message}` } };
    };
    if (spec.type === 'Resource' && spec.resource) {
      const { name, target } = spec.resource;
      const out = await this.resourceMetric(hpa, name, target, '', specReplicas, selector, io.now);
      if (!out.ok) return unable('FailedGetResourceMetric', out.message, `failed to get ${name} resource metric value: ${out.message}`);
      return { ok: true, replicas: out.replicas, metricName: out.metricName, status: { type: 'Resource', resource: { name, current: out.current } } };
    }
    if (spec.type === 'ContainerResource' && spec.containerResource) {
      const { name, target, container } = spec.containerResource;
      const out = await this.resourceMetric(hpa, name, target, container, specReplicas, selector, io.now);
      if (!out.ok) return unable('FailedGetContainerResourceMetric', out.message, `failed to get ${name} container metric value: ${out.message}`);
      return { ok: true, replicas: out.replicas, metricName: out.metricName, status: { type: 'ContainerResource', containerResource: { name, container, current: out.current } } };
    }
    // No custom or external metrics API is served: such metrics fail the way they do upstream without an adapter.
    const custom: Record<string, { reason: string; what: string; metric?: string }> = {
      Pods: { reason: 'FailedGetPodsMetric', what: 'pods', metric: spec.pods?.metric.name },
      Object: { reason: 'FailedGetObjectMetric', what: 'object', metric: spec.object?.metric.name },
      External: { reason: 'FailedGetExternalMetric', what: 'external', metric: spec.external?.metric.name },
    };
    const c = custom[spec.type];
    if (c) {
      const api = spec.type === 'External' ? 'external metrics API (external.metrics.k8s.io)' : 'custom metrics API (custom.metrics.k8s.io)';
      const message = `unable to get ${spec.type === 'External' ? 'external ' : ''}metric ${c.metric ?? ''}: no ${api} registered`;
      return unable(c.reason, message, `failed to get ${c.what} metric value: ${message}`);
    }
    const message = `unknown metric source type "${spec.type}"`;
    return unable('InvalidMetricSourceType', message, message);
  }

  private async resourceMetric(
    hpa: HorizontalPodAutoscaler,
    resource: string,
    target: MetricTargetT,
    container: string,
    specReplicas: number,
    selector: Selector,
    now: number,
  ): Promise<{ ok: true; replicas: number; metricName: string; current: NonNullable<MetricStatusT['resource']>['current'] } | { ok: false; message: string }> {
    const namespace = hpa.metadata.namespace ?? '';
    const useAverage = target.averageValue !== undefined && target.averageValue !== null;
    if (!useAverage && target.averageUtilization === undefined) {
      return { ok: false, message: 'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set' };
    }
    const what = useAverage ? 'usage' : 'utilization';
    const fetched = await this.opts.metrics.getResourceMetric(resource, namespace, selector.toString(), container);
    if (!fetched.ok) return { ok: false, message: `failed to get ${resource} ${what}: unable to get metrics for resource ${resource}: ${fetched.message}` };
    const pods = this.opts.podInformer
      .lister()
      .listInNamespace(namespace)
      .filter((p) => selector.matches(p.metadata.labels ?? {}));
    const input = { currentReplicas: specReplicas, resource, pods, metrics: fetched.metrics, timestamp: fetched.timestamp, container, now, opts: this.calc };
    const kind = container ? 'container resource' : 'resource';
    if (useAverage) {
      const r = rawResourceReplicas({ ...input, targetUsage: milliValue(String(target.averageValue)) });
      if (!r.ok) return { ok: false, message: `failed to get ${resource} usage: ${r.message}` };
      return { ok: true, replicas: r.replicas, metricName: `${resource} ${kind}`, current: { averageValue: newMilliQuantity(r.rawUsage, 'DecimalSI').toString() } };
    }
    const r = resourceReplicas({ ...input, targetUtilization: target.averageUtilization! });
    if (!r.ok) return { ok: false, message: `failed to get ${resource} utilization: ${r.message}` };
    return {
      ok: true,
      replicas: r.replicas,
      metricName: `${resource} ${kind} utilization (percentage of request)`,
      current: { averageUtilization: r.utilization, averageValue: newMilliQuantity(r.rawUsage, 'DecimalSI').toString() },
    };
  }
}

function limitCondition(condition: (c: ConditionUpdate) => void, limited: Limited, stabilized: number): void {
  condition({ type: 'ScalingLimited', status: limited.replicas === stabilized ? 'False' : 'True', reason: limited.reason, message: limited.message });
}

function sameJSON(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : 1))) : x));
}

const hpaGVR = { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' };
const podsGVR = { group: '', version: 'v1', resource: 'pods' };
const eventsGVR = { group: '', version: 'v1', resource: 'events' };

export function newHorizontalController(ctx: ControllerContext): HorizontalController {
  const recorder = new EventRecorder({
    events: new ResourceClient<CoreEvent>(ctx.rest, eventsGVR),
    component: 'horizontal-pod-autoscaler',
    clock: ctx.clock,
    onError: (err) => ctx.logger.debug('event not recorded', { err }),
  });
  const hpas = new ResourceClient<HorizontalPodAutoscaler>(ctx.rest, hpaGVR);
  return new HorizontalController({
    hpaInformer: ctx.informers.informerFor<HorizontalPodAutoscaler>(hpaGVR),
    podInformer: ctx.informers.informerFor<Pod>(podsGVR),
    scales: new DiscoveryScaleClient(ctx.rest),
    metrics: new RESTResourceMetricsClient(ctx.rest),
    updateStatus: (hpa) => hpas.inNamespace(hpa.metadata.namespace ?? '').updateStatus(hpa),
    recorder,
    clock: ctx.clock,
    logger: ctx.logger,
    syncPeriodMs: ctx.config.horizontalPodAutoscalerSyncPeriodMs,
    downscaleStabilizationMs: ctx.config.horizontalPodAutoscalerDownscaleStabilizationMs,
    calculator: { tolerance: ctx.config.horizontalPodAutoscalerTolerance },
  });
}

export const horizontalPodAutoscalerControllerDescriptor: ControllerDescriptor = {
  name: 'horizontalpodautoscaling',
  init: newHorizontalController,
};
