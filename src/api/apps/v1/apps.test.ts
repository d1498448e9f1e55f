import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText, type FieldError } from '../../../machinery/errors/field.js';
import { appsV1 } from './index.js';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from './defaults.js';
import type { ControllerRevisionT, DaemonSetT, DeploymentT, ReplicaSetT, StatefulSetT } from './types.js';
import {
  validateControllerRevision,
  validateControllerRevisionUpdate,
  validateDaemonSet,
  validateDaemonSetUpdate,
  validateDeployment,
  validateDeploymentStatusUpdate,
  validateDeploymentUpdate,
  validateReplicaSet,
  validateReplicaSetUpdate,
  validateStatefulSet,
  validateStatefulSetUpdate,
} from './validation.js';

const texts = (errs: FieldError[]) => errs.map(fieldErrorText);
const clone = <X>(x: X): X => structuredClone(x);

function template(labels: Record<string, string> = { app: 'web' }) {
  return { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } };
}

function deployment(mut?: (d: DeploymentT) => void): DeploymentT {
  const d: DeploymentT = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template() } };
  defaultDeployment(d);
  mut?.(d);
  return d;
}

function replicaSet(mut?: (r: ReplicaSetT) => void): ReplicaSetT {
  const r: ReplicaSetT = { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template() } };
  defaultReplicaSet(r);
  mut?.(r);
  return r;
}

function statefulSet(mut?: (s: StatefulSetT) => void): StatefulSetT {
  const s: StatefulSetT = {
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'web' } },
      template: template(),
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
  defaultStatefulSet(s);
  mut?.(s);
  return s;
}

function daemonSet(mut?: (d: DaemonSetT) => void): DaemonSetT {
  const d: DaemonSetT = { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template() } };
  defaultDaemonSet(d);
  mut?.(d);
  return d;
}

describe('apps/v1 defaults', () => {
  test('Deployment gets replicas, RollingUpdate 25%/25%, history 10, deadline 600 and pod template defaults', () => {
    const d = deployment();
    assert.equal(d.spec!.replicas, 1);
    assert.deepEqual(d.spec!.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(d.spec!.revisionHistoryLimit, 10);
    assert.equal(d.spec!.progressDeadlineSeconds, 600);
    const c = d.spec!.template!.spec!.containers[0]!;
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.equal(d.spec!.template!.spec!.restartPolicy, 'Always');
  });

  test('Deployment with Recreate gets no rollingUpdate', () => {
    const d: DeploymentT = { metadata: {}, spec: { strategy: { type: 'Recreate' }, selector: {}, template: template() } };
    defaultDeployment(d);
    assert.deepEqual(d.spec!.strategy, { type: 'Recreate' });
  });

  test('ReplicaSet gets replicas 1', () => {
    assert.equal(replicaSet().spec!.replicas, 1);
  });

  test('StatefulSet gets OrderedReady, RollingUpdate partition 0, Retain/Retain, replicas 1, history 10, claim defaults', () => {
    const s = statefulSet();
    assert.equal(s.spec!.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(s.spec!.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(s.spec!.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.equal(s.spec!.replicas, 1);
    assert.equal(s.spec!.revisionHistoryLimit, 10);
    assert.equal(s.spec!.volumeClaimTemplates![0]!.spec!.volumeMode, 'Filesystem');
    assert.equal(s.spec!.volumeClaimTemplates![0]!.status!.phase, 'Pending');
  });

  test('StatefulSet OnDelete keeps no rollingUpdate', () => {
    const s: StatefulSetT = { metadata: {}, spec: { updateStrategy: { type: 'OnDelete' }, selector: {}, template: template() } };
    defaultStatefulSet(s);
    assert.deepEqual(s.spec!.updateStrategy, { type: 'OnDelete' });
  });

  test('DaemonSet gets RollingUpdate maxUnavailable 1 maxSurge 0 and history 10', () => {
    const d = daemonSet();
    assert.deepEqual(d.spec!.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(d.spec!.revisionHistoryLimit, 10);
  });
});

describe('apps/v1 validation: valid objects pass', () => {
  const cases: [string, () => FieldError[]][] = [
    ['Deployment', () => validateDeployment(deployment())],
    ['ReplicaSet', () => validateReplicaSet(replicaSet())],
    ['StatefulSet', () => validateStatefulSet(statefulSet())],
    ['DaemonSet', () => validateDaemonSet(daemonSet())],
    ['ControllerRevision', () => validateControllerRevision({ metadata: { name: 'r' }, data: { spec: {} }, revision: 1 })],
    ['Deployment with Recreate', () => validateDeployment(deployment((d) => (d.spec!.strategy = { type: 'Recreate' })))],
    ['Deployment with matchExpressions', () => validateDeployment(deployment((d) => (d.spec!.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] })))],
  ];
  for (const [name, run] of cases) test(name, () => assert.deepEqual(texts(run()), []));
});

describe('apps/v1 validation: invalid objects', () => {
  const cases: [string, () => FieldError[], string][] = [
    ['deployment selector missing', () => validateDeployment(deployment((d) => delete (d.spec as { selector?: unknown }).selector)), 'spec.selector: Required value'],
    [
      'deployment selector does not match labels',
      () => validateDeployment(deployment((d) => (d.spec!.selector = { matchLabels: { app: 'other' } }))),
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    ],
    ['deployment empty selector', () => validateDeployment(deployment((d) => (d.spec!.selector = {}))), 'spec.selector: Invalid value: {}: empty selector is invalid for deployment'],
    ['deployment negative replicas', () => validateDeployment(deployment((d) => (d.spec!.replicas = -1))), 'spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    [
      'deployment restartPolicy Never',
      () => validateDeployment(deployment((d) => (d.spec!.template!.spec!.restartPolicy = 'Never'))),
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ],
    [
      'deployment maxSurge and maxUnavailable both 0',
      () => validateDeployment(deployment((d) => (d.spec!.strategy!.rollingUpdate = { maxSurge: 0, maxUnavailable: 0 }))),
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    ],
    [
      'deployment maxUnavailable above 100%',
      () => validateDeployment(deployment((d) => (d.spec!.strategy!.rollingUpdate!.maxUnavailable = '120%'))),
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "120%": must not be greater than 100%',
    ],
    [
      'deployment malformed percent',
      () => validateDeployment(deployment((d) => (d.spec!.strategy!.rollingUpdate!.maxSurge = 'lots'))),
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"lots\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ],
    [
      'deployment Recreate with rollingUpdate',
      () => validateDeployment(deployment((d) => (d.spec!.strategy!.type = 'Recreate'))),
      "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ],
    [
      'deployment unknown strategy',
      () => validateDeployment(deployment((d) => (d.spec!.strategy = { type: 'Blue' as never }))),
      'spec.strategy.type: Unsupported value: "Blue": supported values: "Recreate", "RollingUpdate"',
    ],
    [
      'deployment progress deadline not above minReadySeconds',
      () => validateDeployment(deployment((d) => Object.assign(d.spec!, { minReadySeconds: 30, progressDeadlineSeconds: 30 }))),
      'spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds',
    ],
    [
      'deployment selector operator missing values',
      () => validateDeployment(deployment((d) => (d.spec!.selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In' }] }))),
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ],
    [
      'deployment template activeDeadlineSeconds',
      () => validateDeployment(deployment((d) => (d.spec!.template!.spec!.activeDeadlineSeconds = 5))),
      'spec.template.spec.activeDeadlineSeconds: Invalid value: 5: activeDeadlineSeconds in ReplicaSet is not Supported',
    ],
    ['replicaset empty selector', () => validateReplicaSet(replicaSet((r) => (r.spec!.selector = {}))), 'spec.selector: Invalid value: {}: empty selector is invalid for deployment'],
    [
      'statefulset bad podManagementPolicy',
      () => validateStatefulSet(statefulSet((s) => (s.spec!.podManagementPolicy = 'Random' as never))),
      "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
    ],
    [
      'statefulset negative partition',
      () => validateStatefulSet(statefulSet((s) => (s.spec!.updateStrategy!.rollingUpdate!.partition = -1))),
      'spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0',
    ],
    [
      'statefulset OnDelete with rollingUpdate',
      () => validateStatefulSet(statefulSet((s) => (s.spec!.updateStrategy!.type = 'OnDelete'))),
      "spec.updateStrategy.rollingUpdate: Invalid value: {\"partition\":0}: only allowed for updateStrategy 'RollingUpdate'",
    ],
    [
      'statefulset bad retention policy',
      () => validateStatefulSet(statefulSet((s) => (s.spec!.persistentVolumeClaimRetentionPolicy!.whenScaled = 'Keep'))),
      'spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "Keep": supported values: "Retain", "Delete"',
    ],
    [
      'statefulset negative ordinals start',
      () => validateStatefulSet(statefulSet((s) => (s.spec!.ordinals = { start: -2 }))),
      'spec.ordinals.start: Invalid value: -2: must be greater than or equal to 0',
    ],
    [
      'statefulset activeDeadlineSeconds',
      () => validateStatefulSet(statefulSet((s) => (s.spec!.template!.spec!.activeDeadlineSeconds = 5))),
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported',
    ],
    [
      'statefulset restartPolicy OnFailure',
      () => validateStatefulSet(statefulSet((s) => (s.spec!.template!.spec!.restartPolicy = 'OnFailure'))),
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ],
    [
      'daemonset surge and unavailable both set',
      () => validateDaemonSet(daemonSet((d) => (d.spec!.updateStrategy!.rollingUpdate = { maxUnavailable: 1, maxSurge: 1 }))),
      'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero',
    ],
    [
      'daemonset surge and unavailable both 0',
      () => validateDaemonSet(daemonSet((d) => (d.spec!.updateStrategy!.rollingUpdate = { maxUnavailable: 0, maxSurge: 0 }))),
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
    ],
    ['daemonset empty selector', () => validateDaemonSet(daemonSet((d) => (d.spec!.selector = {}))), 'spec.selector: Invalid value: {}: empty selector is invalid for daemonset'],
    ['controllerrevision without data', () => validateControllerRevision({ metadata: {}, revision: 1 }), 'data: Required value: data is mandatory'],
    ['controllerrevision negative revision', () => validateControllerRevision({ metadata: {}, data: {}, revision: -1 }), 'revision: Invalid value: -1: must be greater than or equal to 0'],
  ];
  for (const [name, run, want] of cases) {
    test(name, () => assert.ok(texts(run()).includes(want), `want ${want}\n got ${JSON.stringify(texts(run()), null, 1)}`));
  }
});

describe('apps/v1 update validation', () => {
  test('deployment selector is immutable', () => {
    const old = deployment();
    const next = deployment((d) => {
      d.spec!.selector = { matchLabels: { app: 'web', tier: 'fe' } };
      d.spec!.template!.metadata!.labels = { app: 'web', tier: 'fe' };
    });
    assert.ok(texts(validateDeploymentUpdate(next, old)).includes('spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"fe"}}: field is immutable'));
  });

  test('deployment scaling and template changes are allowed', () => {
    const old = deployment();
    const next = deployment((d) => {
      d.spec!.replicas = 5;
      d.spec!.template!.spec!.containers[0]!.image = 'nginx:1.28';
    });
    assert.deepEqual(texts(validateDeploymentUpdate(next, old)), []);
  });

  test('replicaset selector is immutable', () => {
    const next = replicaSet((r) => (r.spec!.selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] }));
    assert.equal(validateReplicaSetUpdate(next, replicaSet()).filter((e) => e.detail === 'field is immutable').length, 1);
  });

  const stsCases: [string, (s: StatefulSetT) => void, boolean][] = [
    ['replicas', (s) => (s.spec!.replicas = 3), true],
    ['template', (s) => (s.spec!.template!.spec!.containers[0]!.image = 'nginx:2'), true],
    ['updateStrategy', (s) => (s.spec!.updateStrategy!.rollingUpdate!.partition = 2), true],
    ['minReadySeconds', (s) => (s.spec!.minReadySeconds = 10), true],
    ['ordinals', (s) => (s.spec!.ordinals = { start: 1 }), true],
    ['persistentVolumeClaimRetentionPolicy', (s) => (s.spec!.persistentVolumeClaimRetentionPolicy!.whenDeleted = 'Delete'), true],
    ['serviceName', (s) => (s.spec!.serviceName = 'other'), false],
    ['podManagementPolicy', (s) => (s.spec!.podManagementPolicy = 'Parallel'), false],
    ['volumeClaimTemplates', (s) => (s.spec!.volumeClaimTemplates = []), false],
  ];
  for (const [name, mut, allowed] of stsCases) {
    test(`statefulset update of ${name} is ${allowed ? 'allowed' : 'forbidden'}`, () => {
      const old = statefulSet();
      const next = clone(old);
      mut(next);
      const forbidden = texts(validateStatefulSetUpdate(next, old)).includes(
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      );
      assert.equal(forbidden, !allowed);
    });
  }

  test('daemonset selector is immutable', () => {
    const next = daemonSet((d) => (d.spec!.selector = { matchLabels: { app: 'web', x: 'y' } }));
    next.spec!.template!.metadata!.labels = { app: 'web', x: 'y' };
    assert.equal(validateDaemonSetUpdate(next, daemonSet())[0]?.detail, 'field is immutable');
  });

  test('controllerrevision data is immutable but revision may change', () => {
    const old: ControllerRevisionT = { metadata: {}, data: { a: 1 }, revision: 1 };
    assert.deepEqual(validateControllerRevisionUpdate({ ...old, revision: 2 }, old), []);
    assert.equal(validateControllerRevisionUpdate({ ...old, data: { a: 2 } }, old)[0]?.detail, 'field is immutable');
  });

  test('deployment status counters may not exceed replicas', () => {
    const d = deployment((x) => (x.status = { replicas: 1, readyReplicas: 2, availableReplicas: 1 }));
    assert.ok(texts(validateDeploymentStatusUpdate(d)).includes('status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas'));
  });
});

describe('apps/v1 resources', () => {
  test('discovery facts', () => {
    const byName = new Map(appsV1.resources.map((r) => [r.resource, r]));
    assert.deepEqual([...byName.keys()].sort(), ['controllerrevisions', 'daemonsets', 'deployments', 'replicasets', 'statefulsets']);
    assert.deepEqual(byName.get('deployments')!.shortNames, ['deploy']);
    assert.deepEqual(byName.get('statefulsets')!.shortNames, ['sts']);
    assert.deepEqual(byName.get('deployments')!.subresources!.map((s) => s.name), ['status', 'scale']);
    assert.deepEqual(byName.get('daemonsets')!.subresources!.map((s) => s.name), ['status']);
    assert.equal(byName.get('controllerrevisions')!.categories, undefined);
    for (const r of appsV1.resources) assert.equal(r.definition.definition['x-kubernetes-group-version-kind']![0]!.kind, r.kind);
  });

  test('validate dispatches create, update and status', () => {
    const rt = appsV1.resources.find((r) => r.resource === 'deployments')!;
    const old = deployment();
    const bad = deployment((d) => (d.spec!.selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }));
    assert.deepEqual(rt.validate!(old as never, undefined, { operation: 'create' }), []);
    assert.equal(rt.validate!(bad as never, old as never, { operation: 'update' }).length, 1);
    assert.deepEqual(rt.validate!(bad as never, old as never, { operation: 'update', subresource: 'status' }), []);
  });

  test('strategic merge metadata', () => {
    const spec = appsV1.definitions.find((d) => d.name === 'io.k8s.api.apps.v1.DeploymentSpec')!.definition;
    assert.equal(spec.properties!.strategy!['x-kubernetes-patch-strategy'], 'retainKeys');
    const status = appsV1.definitions.find((d) => d.name === 'io.k8s.api.apps.v1.DeploymentStatus')!.definition;
    assert.equal(status.properties!.conditions!['x-kubernetes-patch-merge-key'], 'type');
    assert.equal(status.properties!.conditions!['x-kubernetes-list-type'], 'map');
  });
});
