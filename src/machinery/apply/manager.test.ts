import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, ManagedFieldsEntry } from '../meta/types.js';
import { type ApplyOptions, type ApplyResult, type UpdateOptions, apply, updateManagedFields } from './manager.js';
import { applyConflictError, newConflict } from './conflict.js';
import { pe } from './fieldset.js';
import { deploymentSchema, deploymentZero, resolver } from './test-schemas.js';

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:01:00Z';
const T2 = '2024-01-01T00:02:00Z';

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function deployment(spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  const obj: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', ...meta } };
  // An empty spec would itself be an owned (empty) field; leave it out unless given.
  if (Object.keys(spec).length) obj.spec = spec;
  return obj;
}

const base = { apiVersion: 'apps/v1', schema: deploymentSchema, resolver, zero: deploymentZero };

function update(o: Partial<UpdateOptions> & Pick<UpdateOptions, 'old' | 'updated' | 'manager'>): KubeObject {
  return updateManagedFields({ ...base, time: T0, ...o });
}

function doApply(o: Partial<ApplyOptions> & Pick<ApplyOptions, 'live' | 'config' | 'manager'>): ApplyResult {
  return apply({ ...base, time: T0, force: false, ...o });
}

function applied(r: ApplyResult): KubeObject {
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r));
  return r.object;
}

/** managedFields as compact "manager/operation: fieldsV1" lines. */
function owners(obj: KubeObject): string[] {
  return (obj.metadata.managedFields ?? []).map((e: ManagedFieldsEntry) => `${e.manager}/${e.operation}${e.subresource ? '/' + e.subresource : ''}: ${JSON.stringify(e.fieldsV1)}`);
}

const nginx = { name: 'nginx', image: 'nginx:1' };
const template = (...containers: Record<string, unknown>[]) => ({ template: { spec: { containers } } });

describe('updateManagedFields', () => {
  test('create records everything the write set, not identity fields', () => {
    const created = update({ old: undefined, updated: deployment({ replicas: 1, ...template(nginx) }, { labels: { app: 'web' }, uid: 'u1', resourceVersion: '5', generation: 1 }), manager: 'kubectl-create' });
    assert.deepEqual(owners(created), [
      'kubectl-create/Update: {"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}',
    ]);
    const e = created.metadata.managedFields![0]!;
    assert.deepEqual(Object.keys(e), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1']);
    assert.equal(e.time, T0);
  });

  test('an update moves changed fields to the writer (kubectl scale)', () => {
    const created = update({ old: undefined, updated: deployment({ replicas: 1, ...template(nginx) }), manager: 'creator' });
    const scaled = update({ old: created, updated: { ...created, spec: { ...(created.spec as object), replicas: 3 } }, manager: 'kubectl', time: T1 });
    assert.deepEqual(owners(scaled), [
      'creator/Update: {"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}',
      'kubectl/Update: {"f:spec":{"f:replicas":{}}}',
    ]);
  });

  test('an update that changes nothing leaves entries and times alone', () => {
    const created = update({ old: undefined, updated: deployment({ replicas: 1 }), manager: 'creator' });
    const again = update({ old: created, updated: created, manager: 'other', time: T1 });
    assert.deepEqual(again.metadata.managedFields, created.metadata.managedFields);
  });

  test('removed fields leave every set and empty entries are dropped', () => {
    const created = update({ old: undefined, updated: deployment({ replicas: 1 }, { labels: { a: '1' } }), manager: 'creator' });
    const labelled = update({ old: created, updated: { ...created, metadata: { ...created.metadata, labels: { a: '1', b: '2' } } }, manager: 'labeller', time: T1 });
    const { labels: _l, ...meta } = labelled.metadata;
    const unlabelled = update({ old: labelled, updated: { ...labelled, metadata: meta }, manager: 'cleaner', time: T2 });
    assert.deepEqual(owners(unlabelled), ['creator/Update: {"f:spec":{"f:replicas":{}}}']);
  });

  test('the same manager merges into one entry with a new time; another apiVersion is another entry', () => {
    const created = update({ old: undefined, updated: deployment({ replicas: 1 }), manager: 'm' });
    const second = update({ old: created, updated: { ...created, metadata: { ...created.metadata, labels: { a: '1' } } }, manager: 'm', time: T1 });
    assert.equal(second.metadata.managedFields!.length, 1);
    assert.equal(second.metadata.managedFields![0]!.time, T1);
    assert.equal(JSON.stringify(second.metadata.managedFields![0]!.fieldsV1), '{"f:metadata":{"f:labels":{".":{},"f:a":{}}},"f:spec":{"f:replicas":{}}}');
    const third = update({ old: second, updated: { ...second, spec: { replicas: 2 } }, manager: 'm', apiVersion: 'apps/v1beta2', time: T2 });
    assert.deepEqual(third.metadata.managedFields!.map((e) => e.apiVersion), ['apps/v1', 'apps/v1beta2']);
  });

  const subresourceCases: { name: string; subresource?: string; ignoredPaths?: string[][]; want: string[] }[] = [
    { name: 'main resource ignores status', want: ['w/Update: {"f:spec":{"f:replicas":{}}}'] },
    { name: 'status subresource ignores spec', subresource: 'status', want: ['w/Update/status: {"f:status":{"f:replicas":{}}}'] },
    { name: 'caller-chosen ignored paths', ignoredPaths: [], want: ['w/Update: {"f:spec":{"f:replicas":{}},"f:status":{"f:replicas":{}}}'] },
  ];
  for (const c of subresourceCases) {
    test(`reset fields: ${c.name}`, () => {
      const obj = { ...deployment({ replicas: 2 }), status: { replicas: 2 } };
      const got = update({ old: undefined, updated: obj, manager: 'w', subresource: c.subresource, ignoredPaths: c.ignoredPaths });
      assert.deepEqual(owners(got), c.want);
    });
  }

  test('managedFields: [] in the request resets tracking, and untracked objects stay untracked', () => {
    const created = update({ old: undefined, updated: deployment({ replicas: 1 }), manager: 'creator' });
    const reset = update({ old: created, updated: { ...created, metadata: { ...created.metadata, managedFields: [] } }, manager: 'x', time: T1 });
    assert.equal(reset.metadata.managedFields, undefined);
    const later = update({ old: reset, updated: { ...reset, spec: { replicas: 5 } }, manager: 'y', time: T2 });
    assert.equal(later.metadata.managedFields, undefined);
  });

  test('inputs are never mutated', () => {
    const created = deepFreeze(update({ old: undefined, updated: deployment({ replicas: 1, ...template(nginx) }), manager: 'c' }));
    const next = deepFreeze({ ...created, spec: { replicas: 2, ...template({ ...nginx, image: 'nginx:2' }) } });
    assert.doesNotThrow(() => update({ old: created, updated: next, manager: 'd' }));
  });
});

describe('apply', () => {
  test('create: the object is the config and the applier owns exactly its fields', () => {
    const config = deployment({ replicas: 2, ...template(nginx) }, { labels: { app: 'web' } });
    const obj = applied(doApply({ live: undefined, config, manager: 'kubectl' }));
    const { managedFields, ...meta } = obj.metadata;
    assert.deepEqual({ ...obj, metadata: meta }, config);
    assert.deepEqual(owners(obj), [
      'kubectl/Apply: {"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}',
    ]);
    assert.equal(managedFields![0]!.time, T0);
  });

  test('re-apply without a field deletes it', () => {
    const first = applied(doApply({ live: undefined, config: deployment({ replicas: 2 }, { labels: { app: 'web', tier: 'fe' } }), manager: 'a' }));
    const second = applied(doApply({ live: first, config: deployment({ replicas: 2 }, { labels: { app: 'web' } }), manager: 'a', time: T1 }));
    assert.deepEqual(second.metadata.labels, { app: 'web' });
    assert.deepEqual(owners(second), ['a/Apply: {"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{}}}']);
  });

  test('re-apply without a field another applier also owns keeps it', () => {
    const first = applied(doApply({ live: undefined, config: deployment({ replicas: 2 }), manager: 'a' }));
    const shared = applied(doApply({ live: first, config: deployment({ replicas: 2 }), manager: 'b', time: T1 }));
    assert.deepEqual(owners(shared), ['a/Apply: {"f:spec":{"f:replicas":{}}}', 'b/Apply: {"f:spec":{"f:replicas":{}}}']);
    const dropped = applied(doApply({ live: shared, config: deployment({}, { labels: { x: 'y' } }), manager: 'a', time: T2 }));
    assert.equal((dropped.spec as { replicas: number }).replicas, 2);
    assert.deepEqual(owners(dropped), ['b/Apply: {"f:spec":{"f:replicas":{}}}', 'a/Apply: {"f:metadata":{"f:labels":{"f:x":{}}}}']);
  });

  test('two appliers with different values conflict; the message names an applier without a version', () => {
    const first = applied(doApply({ live: undefined, config: deployment({ replicas: 2 }), manager: 'a' }));
    const r = doApply({ live: first, config: deployment({ replicas: 3 }), manager: 'b' });
    assert.ok(!r.ok && r.reason === 'Conflict');
    assert.equal(applyConflictError(r.conflicts, { group: 'apps', kind: 'Deployment' }, 'web').message, 'Apply failed with 1 conflict: conflict with "a": .spec.replicas');
  });

  test('conflict with an updater (kubectl scale), then force takes ownership', () => {
    const created = applied(doApply({ live: undefined, config: deployment({ replicas: 1, ...template(nginx) }), manager: 'kubectl' }));
    const scaled = update({ old: created, updated: { ...created, spec: { ...(created.spec as object), replicas: 5 } }, manager: 'kubectl-scale', time: T1 });
    const r = doApply({ live: scaled, config: deployment({ replicas: 2, ...template(nginx) }), manager: 'kubectl', time: T2 });
    assert.ok(!r.ok && r.reason === 'Conflict');
    assert.deepEqual(
      r.conflicts.map((c) => [c.manager, c.operation, c.field]),
      [['kubectl-scale', 'Update', '.spec.replicas']],
    );
    const err = applyConflictError(r.conflicts, { group: 'apps', kind: 'Deployment' }, 'web');
    assert.equal(err.code, 409);
    assert.equal(err.reason, 'Conflict');
    assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas');
    assert.deepEqual(err.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-scale" using apps/v1', field: '.spec.replicas' }] });

    const forced = applied(doApply({ live: scaled, config: deployment({ replicas: 2, ...template(nginx) }), manager: 'kubectl', force: true, time: T2 }));
    assert.equal((forced.spec as { replicas: number }).replicas, 2);
    assert.deepEqual(owners(forced), ['kubectl/Apply: {"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}']);
  });

  test('applying the value an updater set shares the field without conflict', () => {
    const created = update({ old: undefined, updated: deployment({ replicas: 4 }), manager: 'creator' });
    const obj = applied(doApply({ live: created, config: deployment({ replicas: 4 }), manager: 'a', time: T1 }));
    assert.deepEqual(owners(obj), ['a/Apply: {"f:spec":{"f:replicas":{}}}', 'creator/Update: {"f:spec":{"f:replicas":{}}}']);
  });

  test('map lists: appliers own their own containers; dropping one removes only it', () => {
    const a = applied(doApply({ live: undefined, config: deployment(template(nginx)), manager: 'a' }));
    const b = applied(doApply({ live: a, config: deployment(template({ name: 'sidecar', image: 'envoy' })), manager: 'b', time: T1 }));
    const names = (o: KubeObject) => ((o.spec as any).template.spec.containers as { name: string }[]).map((c) => c.name);
    assert.deepEqual(names(b), ['nginx', 'sidecar']);
    const a2 = applied(doApply({ live: b, config: deployment({ replicas: 1 }), manager: 'a', time: T2 }));
    assert.deepEqual(names(a2), ['sidecar']);
  });

  test('map lists keyed by containerPort and protocol, with the defaulted protocol', () => {
    const ports = (o: KubeObject) => (o.spec as any).template.spec.containers[0].ports;
    const first = applied(doApply({ live: undefined, config: deployment(template({ name: 'c', ports: [{ containerPort: 53 }, { containerPort: 53, protocol: 'UDP' }] })), manager: 'a' }));
    const second = applied(doApply({ live: first, config: deployment(template({ name: 'c', ports: [{ containerPort: 53, protocol: 'UDP', name: 'dns' }] })), manager: 'a', time: T1 }));
    assert.deepEqual(ports(second), [{ containerPort: 53, protocol: 'UDP', name: 'dns' }]);
  });

  test('set lists (finalizers) are unioned across appliers and pruned per applier', () => {
    const a = applied(doApply({ live: undefined, config: deployment({}, { finalizers: ['x/a'] }), manager: 'a' }));
    const b = applied(doApply({ live: a, config: deployment({}, { finalizers: ['x/b'] }), manager: 'b', time: T1 }));
    assert.deepEqual(b.metadata.finalizers, ['x/a', 'x/b']);
    const a2 = applied(doApply({ live: b, config: deployment({ replicas: 1 }), manager: 'a', time: T2 }));
    assert.deepEqual(a2.metadata.finalizers, ['x/b']);
  });

  test('atomic lists are replaced whole and conflict as one field', () => {
    const a = applied(doApply({ live: undefined, config: deployment(template({ name: 'c', args: ['1', '2'] })), manager: 'a' }));
    const r = doApply({ live: a, config: deployment(template({ name: 'c', args: ['3'] })), manager: 'b' });
    assert.ok(!r.ok && r.reason === 'Conflict');
    assert.deepEqual(r.conflicts.map((c) => c.field), ['.spec.template.spec.containers[name="c"].args']);
    const forced = applied(doApply({ live: a, config: deployment(template({ name: 'c', args: ['3'] })), manager: 'b', force: true }));
    assert.deepEqual((forced.spec as any).template.spec.containers[0].args, ['3']);
  });

  test('granular maps: appliers own separate labels', () => {
    const a = applied(doApply({ live: undefined, config: deployment({}, { labels: { a: '1' } }), manager: 'a' }));
    const b = applied(doApply({ live: a, config: deployment({}, { labels: { b: '2' } }), manager: 'b', time: T1 }));
    assert.deepEqual(b.metadata.labels, { a: '1', b: '2' });
    const r = doApply({ live: b, config: deployment({}, { labels: { a: 'changed' } }), manager: 'b' });
    assert.ok(!r.ok && r.reason === 'Conflict');
    assert.deepEqual(r.conflicts.map((c) => c.field), ['.metadata.labels.a']);
  });

  test('an item created by an updater survives the applier dropping its fields', () => {
    const created = update({ old: undefined, updated: deployment(template(nginx)), manager: 'creator' });
    const a = applied(doApply({ live: created, config: deployment(template({ name: 'nginx', image: 'nginx:1', args: ['x'] })), manager: 'a', time: T1 }));
    const a2 = applied(doApply({ live: a, config: deployment({ replicas: 1 }), manager: 'a', time: T2 }));
    assert.deepEqual((a2.spec as any).template.spec.containers, [{ name: 'nginx', image: 'nginx:1' }]);
  });

  test('no-op re-apply keeps the entry time', () => {
    const first = applied(doApply({ live: undefined, config: deployment({ replicas: 2 }), manager: 'a' }));
    const again = applied(doApply({ live: first, config: deployment({ replicas: 2 }), manager: 'a', time: T1 }));
    assert.equal(again.metadata.managedFields![0]!.time, T0);
  });

  test('untracked live object: existing fields go to before-first-apply', () => {
    const live = deployment({ replicas: 1 }, { labels: { old: 'x' } });
    const obj = applied(doApply({ live, config: deployment({ replicas: 1 }), manager: 'a' }));
    assert.deepEqual(owners(obj), ['a/Apply: {"f:spec":{"f:replicas":{}}}', 'before-first-apply/Update: {"f:metadata":{"f:labels":{"f:old":{}}},"f:spec":{"f:replicas":{}}}']);
  });

  const invalid: { name: string; config: KubeObject; reason: string; want: string }[] = [
    { name: 'config carrying managedFields', config: deployment({}, { managedFields: [] }), reason: 'BadRequest', want: 'metadata.managedFields must be nil' },
    {
      name: 'map-list item without its key',
      config: deployment(template({ image: 'x' })),
      reason: 'Invalid',
      want: 'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
    },
  ];
  for (const c of invalid) {
    test(`invalid: ${c.name}`, () => {
      const r = doApply({ live: undefined, config: c.config, manager: 'a' });
      assert.ok(!r.ok && r.reason !== 'Conflict');
      assert.equal(r.reason, c.reason);
      assert.equal(r.message, c.want);
    });
  }

  test('inputs are never mutated', () => {
    const live = deepFreeze(applied(doApply({ live: undefined, config: deployment({ replicas: 1, ...template(nginx) }, { labels: { a: '1' } }), manager: 'a' })));
    const config = deepFreeze(deployment({ replicas: 1 }, { labels: { b: '2' } }));
    assert.doesNotThrow(() => applied(doApply({ live, config, manager: 'a', time: T1 })));
  });
});

describe('more apply and update cases', () => {
  test('removing every label an applier owned drops the map but keeps metadata', () => {
    const first = applied(doApply({ live: undefined, config: deployment({ replicas: 1 }, { labels: { a: '1' } }), manager: 'a' }));
    const second = applied(doApply({ live: first, config: deployment({ replicas: 1 }), manager: 'a', time: T1 }));
    assert.equal(second.metadata.labels, undefined);
    assert.equal(second.metadata.name, 'web');
    assert.equal(second.metadata.namespace, 'default');
  });

  test('a field the applier dropped but an updater changed since stays', () => {
    const first = applied(doApply({ live: undefined, config: deployment({ replicas: 1 }, { labels: { a: '1' } }), manager: 'a' }));
    const edited = update({ old: first, updated: { ...first, metadata: { ...first.metadata, labels: { a: 'edited' } } }, manager: 'kubectl-edit', time: T1 });
    const second = applied(doApply({ live: edited, config: deployment({ replicas: 1 }), manager: 'a', time: T2 }));
    assert.deepEqual(second.metadata.labels, { a: 'edited' });
  });

  test('status apply owns only status and conflicts are per subresource', () => {
    const live = applied(doApply({ live: undefined, config: deployment({ replicas: 1 }), manager: 'a' }));
    const withStatus = applied(doApply({ live, config: { ...deployment({ replicas: 9 }), status: { replicas: 1 } }, manager: 'ctrl', subresource: 'status', time: T1 }));
    assert.deepEqual(owners(withStatus).filter((l) => l.startsWith('ctrl')), ['ctrl/Apply/status: {"f:status":{"f:replicas":{}}}']);
  });

  test('more than ten updaters fold the oldest into ancient-changes', () => {
    let obj = update({ old: undefined, updated: deployment({ replicas: 0 }), manager: 'm0', time: '2024-01-01T00:00:00Z' });
    for (let i = 1; i <= 11; i++) {
      const labels = { ...(obj.metadata.labels ?? {}), [`l${i}`]: 'x' };
      obj = update({ old: obj, updated: { ...obj, metadata: { ...obj.metadata, labels } }, manager: `m${i}`, time: `2024-01-01T00:${String(i).padStart(2, '0')}:00Z` });
    }
    const names = obj.metadata.managedFields!.map((e) => e.manager);
    assert.equal(names.length, 10);
    assert.ok(names.includes('ancient-changes'));
    assert.ok(!names.includes('m0') && !names.includes('m1') && !names.includes('m2'));
    const ancient = obj.metadata.managedFields!.find((e) => e.manager === 'ancient-changes')!;
    assert.equal(JSON.stringify(ancient.fieldsV1), '{"f:metadata":{"f:labels":{".":{},"f:l1":{},"f:l2":{}}},"f:spec":{"f:replicas":{}}}');
  });
});

describe('applyConflictError', () => {
  test('several conflicts are grouped by manager', () => {
    const conflicts = [
      newConflict({ manager: 'kubectl-scale', operation: 'Update', apiVersion: 'apps/v1' }, [pe.field('spec'), pe.field('replicas')]),
      newConflict({ manager: 'helm', operation: 'Apply', apiVersion: 'apps/v1' }, [pe.field('metadata'), pe.field('labels'), pe.field('a')]),
      newConflict({ manager: 'helm', operation: 'Apply', apiVersion: 'apps/v1' }, [pe.field('spec'), pe.field('paused')]),
      newConflict({ manager: 'ctl', operation: 'Update', apiVersion: 'v1', subresource: 'status' }, [pe.field('status'), pe.field('x')]),
    ];
    const err = applyConflictError(conflicts, { group: 'apps', kind: 'Deployment' }, 'web');
    assert.equal(
      err.message,
      'Apply failed with 4 conflicts: conflicts with "ctl" with subresource "status" using v1:\n- .status.x\nconflicts with "helm":\n- .metadata.labels.a\n- .spec.paused\nconflicts with "kubectl-scale" using apps/v1:\n- .spec.replicas',
    );
    assert.deepEqual(err.details?.causes?.map((c) => c.field), ['.spec.replicas', '.metadata.labels.a', '.spec.paused', '.status.x']);
  });
});
