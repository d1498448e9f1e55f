/**
 * HorizontalPodAutoscaler validation as upstream's (which runs on the
 * internal form, so autoscaling/v1 objects are validated here after
 * conversion, with these paths).
 */
import { type FieldError, FieldPath, field } from '../../../machinery/errors/field.js';
import { isDNS1123Label, nameIsPathSegment } from '../../../machinery/validation/names.js';
import { validateNonnegative } from '../../apps/v1/field-checks.js';
import type {
  CrossVersionObjectReferenceT,
  HPAScalingRulesT,
  HorizontalPodAutoscalerBehaviorT,
  HorizontalPodAutoscalerSpecT,
  HorizontalPodAutoscalerT,
  MetricIdentifierT,
  MetricSpecT,
  MetricTargetT,
} from './types.js';

const METRIC_SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];
const POLICY_TYPES = ['Percent', 'Pods'];
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
/** The lowest minReplicas allowed; scale-to-zero is an alpha feature upstream, off by default. */
const MIN_REPLICAS_LOWER_BOUND = 1;

/** The sign of a quantity string: enough to tell "must be positive" apart. */
function quantitySign(q: string | number): number {
  if (typeof q === 'number') return Math.sign(q);
  const m = /^([+-]?)(\d*\.?\d*)/.exec(q.trim());
  if (!m || !/[1-9]/.test(m[2] ?? '')) return 0;
  return m[1] === '-' ? -1 : 1;
}

export function validateCrossVersionObjectReference(ref: CrossVersionObjectReferenceT | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['kind', 'name'] as const) {
    const v = ref?.[k];
    if (!v) errs.push(field.required(path.child(k).text, ''));
    else for (const m of nameIsPathSegment(v, false)) errs.push(field.invalid(path.child(k).text, v, m));
  }
  return errs;
}

function validateMetricIdentifier(id: MetricIdentifierT | undefined, path: FieldPath): FieldError[] {
  if (!id?.name) return [field.required(path.child('name').text, 'must specify a metric name')];
  return nameIsPathSegment(id.name, false).map((m) => field.invalid(path.child('name').text, id.name, m));
}

function validateMetricTarget(mt: MetricTargetT | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = mt?.type ?? '';
  if (!type) errs.push(field.required(path.child('type').text, 'must specify a metric target type'));
  if (!['Utilization', 'Value', 'AverageValue'].includes(type)) errs.push(field.invalid(path.child('type').text, type, 'must be either Utilization, Value, or AverageValue'));
  if (mt?.value !== undefined && quantitySign(mt.value) !== 1) errs.push(field.invalid(path.child('value').text, mt.value, 'must be positive'));
  if (mt?.averageValue !== undefined && quantitySign(mt.averageValue) !== 1) errs.push(field.invalid(path.child('averageValue').text, mt.averageValue, 'must be positive'));
  if (mt?.averageUtilization !== undefined && mt.averageUtilization < 1) errs.push(field.invalid(path.child('averageUtilization').text, mt.averageUtilization, 'must be greater than 0'));
  return errs;
}

function validateResourceTarget(target: MetricTargetT | undefined, path: FieldPath): FieldError[] {
  const errs = validateMetricTarget(target, path);
  if (target?.averageUtilization === undefined && target?.averageValue === undefined) {
    errs.push(field.required(path.child('averageUtilization').text, 'must set either a target raw value or a target utilization'));
  }
  if (target?.averageUtilization !== undefined && target.averageValue !== undefined) {
    errs.push(field.forbidden(path.child('averageValue').text, 'may not set both a target raw value and a target utilization'));
  }
  return errs;
}

function validateSource(spec: MetricSpecT, key: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  switch (key) {
    case 'object': {
      const s = spec.object!;
      errs.push(...validateCrossVersionObjectReference(s.describedObject, path.child('describedObject')));
      errs.push(...validateMetricIdentifier(s.metric, path.child('metric')));
      errs.push(...validateMetricTarget(s.target, path.child('target')));
      if (s.target?.value === undefined && s.target?.averageValue === undefined) {
        errs.push(field.required(path.child('target').child('averageValue').text, 'must set either a target value or averageValue'));
      }
      break;
    }
    case 'pods': {
      const s = spec.pods!;
      errs.push(...validateMetricIdentifier(s.metric, path.child('metric')));
      errs.push(...validateMetricTarget(s.target, path.child('target')));
      if (s.target?.averageValue === undefined) errs.push(field.required(path.child('target').child('averageValue').text, 'must specify a positive target averageValue'));
      break;
    }
    case 'resource': {
      const s = spec.resource!;
      if (!s.name) errs.push(field.required(path.child('name').text, 'must specify a resource name'));
      errs.push(...validateResourceTarget(s.target, path.child('target')));
      break;
    }
    case 'containerResource': {
      const s = spec.containerResource!;
      if (!s.name) errs.push(field.required(path.child('name').text, 'must specify a resource name'));
      if (!s.container) errs.push(field.required(path.child('container').text, 'must specify a container'));
      else for (const m of isDNS1123Label(s.container)) errs.push(field.invalid(path.child('container').text, s.container, m));
      errs.push(...validateResourceTarget(s.target, path.child('target')));
      break;
    }
    case 'external': {
      const s = spec.external!;
      errs.push(...validateMetricIdentifier(s.metric, path.child('metric')));
      errs.push(...validateMetricTarget(s.target, path.child('target')));
      if (s.target?.value === undefined && s.target?.averageValue === undefined) {
        errs.push(field.required(path.child('target').child('averageValue').text, 'must set either a target value for metric or a per-pod target'));
      }
      if (s.target?.value !== undefined && s.target.averageValue !== undefined) {
        errs.push(field.forbidden(path.child('target').child('value').text, 'may not set both a target value for metric and a per-pod target'));
      }
      break;
    }
  }
  return errs;
}

/** Source field per metric type, in the order upstream inspects them. */
const SOURCE_FIELDS: [string, string][] = [
  ['Object', 'object'],
  ['Pods', 'pods'],
  ['Resource', 'resource'],
  ['ContainerResource', 'containerResource'],
  ['External', 'external'],
];

function validateMetricSpec(spec: MetricSpecT, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = spec.type ?? '';
  if (!type) errs.push(field.required(path.child('type').text, 'must specify a metric source type'));
  if (!METRIC_SOURCE_TYPES.includes(type)) errs.push(field.notSupported(path.child('type').text, type, METRIC_SOURCE_TYPES));
  const present: string[] = [];
  for (const [, key] of SOURCE_FIELDS) {
    if ((spec as Record<string, unknown>)[key] === undefined) continue;
    present.push(key);
    // Only the first source present is inspected; the others are reported below.
    if (present.length === 1) errs.push(...validateSource(spec, key, path.child(key)));
  }
  const expected = SOURCE_FIELDS.find(([t]) => t === type)?.[1];
  if (expected && (spec as Record<string, unknown>)[expected] === undefined) {
    errs.push(field.required(path.child(expected).text, 'must populate information for the given metric source'));
  }
  if (present.length !== 1) {
    for (const key of present.filter((k) => k !== expected).sort()) errs.push(field.forbidden(path.child(key).text, 'must populate the given metric source only'));
  }
  return errs;
}

function validateMetrics(metrics: MetricSpecT[] | undefined, path: FieldPath, minReplicas: number | undefined): FieldError[] {
  const errs: FieldError[] = [];
  let hasObjectMetrics = false;
  (metrics ?? []).forEach((m, i) => {
    errs.push(...validateMetricSpec(m, path.index(i)));
    if (m.type === 'Object' || m.type === 'External') hasObjectMetrics = true;
  });
  if (minReplicas === 0 && !hasObjectMetrics) errs.push(field.forbidden(path.text, 'must specify at least one Object or External metric to support scaling to zero replicas'));
  return errs;
}

function validateScalingRules(rules: HPAScalingRulesT | undefined, path: FieldPath): FieldError[] {
  if (!rules) return [];
  const errs: FieldError[] = [];
  const w = rules.stabilizationWindowSeconds;
  if (w !== undefined && w < 0) errs.push(field.invalid(path.child('stabilizationWindowSeconds').text, w, 'must be greater than or equal to zero'));
  if (w !== undefined && w > MAX_STABILIZATION_WINDOW_SECONDS) {
    errs.push(field.invalid(path.child('stabilizationWindowSeconds').text, w, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  }
  if (rules.selectPolicy !== undefined && !SELECT_POLICIES.includes(rules.selectPolicy)) {
    errs.push(field.notSupported(path.child('selectPolicy').text, rules.selectPolicy, SELECT_POLICIES));
  }
  const pp = path.child('policies');
  if (!rules.policies || rules.policies.length === 0) errs.push(field.required(pp.text, 'must specify at least one Policy'));
  (rules.policies ?? []).forEach((p, i) => {
    const ip = pp.index(i);
    if (!POLICY_TYPES.includes(p.type)) errs.push(field.notSupported(ip.child('type').text, p.type, POLICY_TYPES));
    if (!(p.value > 0)) errs.push(field.invalid(ip.child('value').text, p.value, 'must be greater than zero'));
    if (!(p.periodSeconds > 0)) errs.push(field.invalid(ip.child('periodSeconds').text, p.periodSeconds, 'must be greater than zero'));
    if (p.periodSeconds > MAX_PERIOD_SECONDS) errs.push(field.invalid(ip.child('periodSeconds').text, p.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return errs;
}

function validateBehavior(b: HorizontalPodAutoscalerBehaviorT | undefined, path: FieldPath): FieldError[] {
  if (!b) return [];
  return [...validateScalingRules(b.scaleUp, path.child('scaleUp')), ...validateScalingRules(b.scaleDown, path.child('scaleDown'))];
}

export function validateHorizontalPodAutoscalerSpec(s: HorizontalPodAutoscalerSpecT | undefined, path: FieldPath): FieldError[] {
  const spec = s ?? ({} as HorizontalPodAutoscalerSpecT);
  const errs: FieldError[] = [];
  if (spec.minReplicas !== undefined && spec.minReplicas < MIN_REPLICAS_LOWER_BOUND) {
    errs.push(field.invalid(path.child('minReplicas').text, spec.minReplicas, `must be greater than or equal to ${MIN_REPLICAS_LOWER_BOUND}`));
  }
  const max = spec.maxReplicas ?? 0;
  if (max < 1) errs.push(field.invalid(path.child('maxReplicas').text, max, 'must be greater than 0'));
  if (spec.minReplicas !== undefined && max < spec.minReplicas) errs.push(field.invalid(path.child('maxReplicas').text, max, 'must be greater than or equal to `minReplicas`'));
  // Upstream stops at the first part with errors.
  const refErrs = validateCrossVersionObjectReference(spec.scaleTargetRef, path.child('scaleTargetRef'));
  if (refErrs.length) return [...errs, ...refErrs];
  const metricErrs = validateMetrics(spec.metrics, path.child('metrics'), spec.minReplicas);
  if (metricErrs.length) return [...errs, ...metricErrs];
  return [...errs, ...validateBehavior(spec.behavior, path.child('behavior'))];
}

export function validateHorizontalPodAutoscaler(hpa: HorizontalPodAutoscalerT): FieldError[] {
  return validateHorizontalPodAutoscalerSpec(hpa.spec, new FieldPath('spec'));
}

export function validateHorizontalPodAutoscalerUpdate(hpa: HorizontalPodAutoscalerT, _old: HorizontalPodAutoscalerT): FieldError[] {
  return validateHorizontalPodAutoscaler(hpa);
}

export function validateHorizontalPodAutoscalerStatusUpdate(hpa: HorizontalPodAutoscalerT, _old: HorizontalPodAutoscalerT): FieldError[] {
  const p = new FieldPath('status');
  return [...validateNonnegative(hpa.status?.currentReplicas, p.child('currentReplicas')), ...validateNonnegative(hpa.status?.desiredReplicas, p.child('desiredReplicas'))];
}
