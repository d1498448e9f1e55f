/**
 * autoscaling/v2 SetDefaults_HorizontalPodAutoscaler as upstream: one
 * replica minimum, 80% cpu when no metric is given, and the documented
 * scale-up/scale-down rules filled in wherever a behavior leaves them out.
 */
import type { HPAScalingRulesT, HorizontalPodAutoscalerSpecT, HorizontalPodAutoscalerT } from './types.js';

/** The cpu utilization an autoscaler targets when it names no metric. */
export const DEFAULT_CPU_UTILIZATION = 80;

export function defaultScaleUpRules(): Required<HPAScalingRulesT> {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

export function defaultScaleDownRules(): Required<HPAScalingRulesT> {
  return { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
}

/** Fills the unset parts of `rules` from `defaults`, as upstream's GenerateHPAScale{Up,Down}Rules. */
function fillRules(rules: HPAScalingRulesT | undefined, defaults: Required<HPAScalingRulesT>): HPAScalingRulesT {
  const r = rules ?? {};
  return {
    ...r,
    stabilizationWindowSeconds: r.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    selectPolicy: r.selectPolicy ?? defaults.selectPolicy,
    policies: r.policies ?? defaults.policies,
  };
}

export function defaultHorizontalPodAutoscalerSpec(spec: HorizontalPodAutoscalerSpecT): void {
  spec.minReplicas ??= 1;
  if (!spec.metrics || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  if (spec.behavior) {
    spec.behavior.scaleUp = fillRules(spec.behavior.scaleUp, defaultScaleUpRules());
    spec.behavior.scaleDown = fillRules(spec.behavior.scaleDown, defaultScaleDownRules());
  }
}

export function defaultHorizontalPodAutoscaler(hpa: HorizontalPodAutoscalerT): void {
  defaultHorizontalPodAutoscalerSpec((hpa.spec ??= {} as HorizontalPodAutoscalerSpecT));
}
