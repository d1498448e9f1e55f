import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText, type FieldError } from '../../../machinery/errors/field.js';
import type { HorizontalPodAutoscalerT as V2 } from '../v2/types.js';
import { defaultHorizontalPodAutoscaler } from '../v2/defaults.js';
import { validateHorizontalPodAutoscaler, validateHorizontalPodAutoscalerStatusUpdate } from '../v2/validation.js';
import { horizontalPodAutoscalersV2 } from '../v2/resources.js';
import { BEHAVIOR_ANNOTATION, METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION, hpaV1ToV2, hpaV2ToV1 } from './conversion.js';
import { defaultHorizontalPodAutoscalerV1 } from './defaults.js';
import { horizontalPodAutoscalersV1 } from './resources.js';
import type { HorizontalPodAutoscalerT as V1 } from './types.js';
import { validateHorizontalPodAutoscalerV1, validateScale } from './validation.js';

const texts = (errs: FieldError[]) => errs.map(fieldErrorText);
const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

function v2(mut?: (h: V2) => void): V2 {
  const h: V2 = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' }, spec: { scaleTargetRef: { ...target }, maxReplicas: 5 } };
  mut?.(h);
  defaultHorizontalPodAutoscaler(h);
  return h;
}

describe('autoscaling/v2 defaults', () => {
  test('minReplicas 1 and 80% cpu when no metrics', () => {
    const s = v2().spec!;
    assert.equal(s.minReplicas, 1);
    assert.deepEqual(s.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    assert.equal(s.behavior, undefined);
  });

  test('a behavior gets the upstream rules wherever it leaves them out', () => {
    const s = v2((h) => (h.spec!.behavior = { scaleDown: { stabilizationWindowSeconds: 60 } })).spec!;
    assert.deepEqual(s.behavior, {
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
  });

  test('v1 defaults minReplicas only', () => {
    const h: V1 = { metadata: {}, spec: { scaleTargetRef: target, maxReplicas: 3 } };
    defaultHorizontalPodAutoscalerV1(h);
    assert.deepEqual(h.spec, { scaleTargetRef: target, maxReplicas: 3, minReplicas: 1 });
  });
});

describe('autoscaling/v2 validation', () => {
  test('a defaulted autoscaler is valid', () => assert.deepEqual(texts(validateHorizontalPodAutoscaler(v2())), []));

  const cases: [string, (h: V2) => void, string][] = [
    ['maxReplicas 0', (h) => (h.spec!.maxReplicas = 0), 'spec.maxReplicas: Invalid value: 0: must be greater than 0'],
    ['minReplicas 0', (h) => (h.spec!.minReplicas = 0), 'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1'],
    ['max below min', (h) => Object.assign(h.spec!, { minReplicas: 4, maxReplicas: 2 }), 'spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`'],
    ['target without kind', (h) => (h.spec!.scaleTargetRef = { kind: '', name: 'web' }), 'spec.scaleTargetRef.kind: Required value'],
    ['target name with a slash', (h) => (h.spec!.scaleTargetRef = { kind: 'Deployment', name: 'a/b' }), "spec.scaleTargetRef.name: Invalid value: \"a/b\": may not contain '/'"],
    [
      'unknown metric type',
      (h) => (h.spec!.metrics = [{ type: 'Magic' }]),
      'spec.metrics[0].type: Unsupported value: "Magic": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
    ],
    ['resource source missing', (h) => (h.spec!.metrics = [{ type: 'Resource' }]), 'spec.metrics[0].resource: Required value: must populate information for the given metric source'],
    [
      'two sources',
      (h) => (h.spec!.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } }, pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '1' } } }]),
      'spec.metrics[0].pods: Forbidden: must populate the given metric source only',
    ],
    [
      'resource target without value',
      (h) => (h.spec!.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }]),
      'spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization',
    ],
    [
      'utilization 0',
      (h) => (h.spec!.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } }]),
      'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
    ],
    [
      'bad target type',
      (h) => (h.spec!.metrics = [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'Most', averageValue: '10' } } }]),
      'spec.metrics[0].pods.target.type: Invalid value: "Most": must be either Utilization, Value, or AverageValue',
    ],
    [
      'negative quantity',
      (h) => (h.spec!.metrics = [{ type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '-1' } } }]),
      'spec.metrics[0].external.target.value: Invalid value: "-1": must be positive',
    ],
    [
      'container resource without container',
      (h) => (h.spec!.metrics = [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: '', target: { type: 'Utilization', averageUtilization: 60 } } }]),
      'spec.metrics[0].containerResource.container: Required value: must specify a container',
    ],
    [
      'scaling policy with zero period',
      (h) => (h.spec!.behavior = { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 0 }] } }),
      'spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 0: must be greater than zero',
    ],
    [
      'unknown select policy',
      (h) => (h.spec!.behavior = { scaleDown: { selectPolicy: 'Average' } }),
      'spec.behavior.scaleDown.selectPolicy: Unsupported value: "Average": supported values: "Disabled", "Max", "Min"',
    ],
    [
      'stabilization window too long',
      (h) => (h.spec!.behavior = { scaleDown: { stabilizationWindowSeconds: 3601 } }),
      'spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600',
    ],
  ];
  for (const [name, mut, want] of cases) {
    test(name, () => {
      const got = texts(validateHorizontalPodAutoscaler(v2(mut)));
      assert.ok(got.includes(want), `want ${want}\n got ${JSON.stringify(got, null, 1)}`);
    });
  }

  test('status counters are non-negative', () => {
    const h = v2((x) => (x.status = { desiredReplicas: -1, currentReplicas: 0 }));
    assert.deepEqual(texts(validateHorizontalPodAutoscalerStatusUpdate(h, h)), ['status.desiredReplicas: Invalid value: -1: must be greater than or equal to 0']);
  });
});

describe('autoscaling/v1 <-> v2 conversion', () => {
  test('v1 cpu target becomes a Resource cpu Utilization metric, and back', () => {
    const v1: V1 = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: target, minReplicas: 2, maxReplicas: 7, targetCPUUtilizationPercentage: 65 } };
    const stored = hpaV1ToV2(v1);
    assert.equal(stored.apiVersion, 'autoscaling/v2');
    assert.deepEqual(stored.spec!.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } } }]);
    assert.deepEqual(hpaV2ToV1(stored), v1);
  });

  test('v1 without a target gets the implicit 80% cpu', () => {
    const stored = hpaV1ToV2({ metadata: {}, spec: { scaleTargetRef: target, maxReplicas: 3 } });
    assert.equal(stored.spec!.metrics![0]!.resource!.target.averageUtilization, 80);
    assert.equal(hpaV2ToV1(stored).spec!.targetCPUUtilizationPercentage, 80);
  });

  test('v2-only fields survive a v1 read-modify-write through annotations', () => {
    const original = v2((h) => {
      h.spec!.metrics = [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
        { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '100' } } },
      ];
      h.spec!.behavior = { scaleDown: { stabilizationWindowSeconds: 30 } };
      h.metadata!.annotations = { keep: 'me' };
      h.status = {
        currentReplicas: 2,
        desiredReplicas: 3,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 72, averageValue: '150m' } } }],
        conditions: [{ type: 'AbleToScale', status: 'True' }],
      };
    });
    const v1 = hpaV2ToV1(original);
    assert.equal(v1.spec!.targetCPUUtilizationPercentage, 50);
    assert.equal(v1.status!.currentCPUUtilizationPercentage, 72);
    assert.deepEqual(JSON.parse(v1.metadata!.annotations![METRIC_SPECS_ANNOTATION]!), [original.spec!.metrics![1]]);
    assert.ok(v1.metadata!.annotations![METRIC_STATUSES_ANNOTATION]);
    assert.ok(v1.metadata!.annotations![BEHAVIOR_ANNOTATION]);
    v1.spec!.maxReplicas = 9;
    const back = hpaV1ToV2(v1);
    assert.deepEqual(back.metadata!.annotations, { keep: 'me' });
    assert.equal(back.spec!.maxReplicas, 9);
    assert.deepEqual(back.spec!.metrics, original.spec!.metrics);
    assert.deepEqual(back.spec!.behavior, original.spec!.behavior);
    assert.deepEqual(back.status, original.status);
  });

  test('the v1 resource converts in both directions and validates as v2', () => {
    const rt = horizontalPodAutoscalersV1;
    assert.equal(rt.storageVersion, false);
    assert.equal(horizontalPodAutoscalersV2.storageVersion, true);
    const v1 = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' }, spec: { scaleTargetRef: target, maxReplicas: 2, targetCPUUtilizationPercentage: 10 } };
    const stored = rt.convert!(v1 as never, 'toStorage');
    assert.equal(stored.apiVersion, 'autoscaling/v2');
    assert.deepEqual(rt.convert!(stored, 'fromStorage'), v1);
    assert.deepEqual(
      texts(validateHorizontalPodAutoscalerV1({ metadata: {}, spec: { scaleTargetRef: target, maxReplicas: 2, targetCPUUtilizationPercentage: 0 } })),
      ['spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0'],
    );
  });
});

describe('Scale', () => {
  test('replicas must be non-negative', () => {
    assert.deepEqual(texts(validateScale({ metadata: {}, spec: { replicas: 3 } })), []);
    assert.deepEqual(texts(validateScale({ metadata: {}, spec: { replicas: -1 } })), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  });
});
