import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CustomResourceDefinitionT } from '../../api/apiextensions/v1/types.js';
import { builtinScheme } from '../../api/index.js';
import { fieldErrorText } from '../../machinery/errors/field.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { acceptNames, addUsedNames, emptyUsedNames } from './naming.js';
import { customResourceDefinitionName, customResourceTypes } from './resource-types.js';
import { widgetCRD } from './testing-fixtures.js';

describe('customResourceDefinitionName', () => {
  const cases = [
    { name: 'two-label group', group: 'example.com', version: 'v1', kind: 'Widget', want: 'com.example.v1.Widget' },
    { name: 'deep group', group: 'stable.apps.example.io', version: 'v2beta1', kind: 'CronTab', want: 'io.example.apps.stable.v2beta1.CronTab' },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(customResourceDefinitionName(c.group, c.version, c.kind), c.want));
  }
});

describe('customResourceTypes', () => {
  const scheme = builtinScheme();
  const types = customResourceTypes(widgetCRD(), { resolver: scheme });
  // Validation resolves the version's definition through the scheme.
  for (const t of types) scheme.addType(t);
  const v1 = types.find((t) => t.version === 'v1')!;
  const beta = types.find((t) => t.version === 'v1beta1')!;

  test('one type per served version, storage version marked', () => {
    assert.deepEqual(
      types.map((t) => [t.version, !!t.storageVersion, !!t.convert]),
      [
        ['v1', true, false],
        ['v1beta1', false, true],
      ],
    );
  });

  test('identity and names come from the CRD', () => {
    assert.equal(v1.group, 'example.com');
    assert.equal(v1.kind, 'Widget');
    assert.equal(v1.resource, 'widgets');
    assert.equal(v1.singular, 'widget');
    assert.equal(v1.namespaced, true);
    assert.deepEqual(v1.shortNames, ['wd']);
    assert.deepEqual(v1.categories, ['all-widgets']);
    assert.deepEqual(v1.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
  });

  test('subresources and scale paths per version', () => {
    assert.deepEqual(
      v1.subresources?.map((s) => s.name),
      ['status', 'scale'],
    );
    assert.deepEqual(v1.scale, { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' });
    assert.equal(beta.subresources, undefined);
    assert.equal(beta.scale, undefined);
  });

  test('definition adds apiVersion, kind and ObjectMeta metadata', () => {
    assert.equal(v1.definition.name, 'com.example.v1.Widget');
    const props = v1.definition.definition.properties!;
    assert.deepEqual(Object.keys(props), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    assert.equal(props.metadata!.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    assert.equal(props.spec!.description, 'What the widget should be.');
  });

  test('conversion None only copies', () => {
    const obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'a' }, spec: { color: 'red' } } as KubeObject;
    const out = beta.convert!(obj, 'fromStorage');
    assert.notEqual(out, obj);
    assert.deepEqual(out, obj);
  });

  const validation = [
    { name: 'valid', spec: { color: 'red', replicas: 2 }, want: [] },
    { name: 'enum', spec: { color: 'pink', replicas: 2 }, want: ['spec.color: Unsupported value: "pink": supported values: "red", "green", "blue"'] },
    { name: 'minimum', spec: { color: 'red', replicas: 0 }, want: ['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1'] },
    { name: 'required', spec: { replicas: 1 }, want: ['spec.color: Required value'] },
    { name: 'type', spec: { color: 'red', replicas: 'two' }, want: ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'] },
  ];
  for (const c of validation) {
    test(`validate: ${c.name}`, () => {
      const obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'a', namespace: 'default' }, spec: c.spec } as KubeObject;
      assert.deepEqual(v1.validate!(obj, undefined, { operation: 'create' }).map(fieldErrorText), c.want);
    });
  }

  test('cluster scope and accepted names override', () => {
    const crd: CustomResourceDefinitionT = { ...widgetCRD(), spec: { ...widgetCRD().spec, scope: 'Cluster' } };
    const [t] = customResourceTypes(crd, { resolver: scheme, names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' } });
    assert.equal(t!.namespaced, false);
    assert.equal(t!.shortNames, undefined);
  });
});

describe('acceptNames', () => {
  const requested = { plural: 'widgets', singular: 'widget', shortNames: ['wd'], kind: 'Widget', listKind: 'WidgetList' };
  const used = (...names: Parameters<typeof addUsedNames>[1][]) => {
    const u = emptyUsedNames();
    for (const n of names) addUsedNames(u, n);
    return u;
  };
  const cases = [
    { name: 'no conflicts', current: undefined, used: used(), ok: true, reason: 'NoConflicts', message: 'no conflicts found' },
    { name: 'short name taken', current: undefined, used: used({ plural: 'gadgets', shortNames: ['wd'], kind: 'Gadget' }), ok: false, reason: 'ShortNamesConflict', message: '"wd" is already in use' },
    { name: 'singular taken by a plural', current: undefined, used: used({ plural: 'widget', kind: 'Other' }), ok: false, reason: 'SingularConflict', message: '"widget" is already in use' },
    { name: 'kind taken', current: undefined, used: used({ plural: 'others', kind: 'Widget' }), ok: false, reason: 'KindConflict', message: '"Widget" is already in use' },
    { name: 'list kind taken', current: undefined, used: used({ plural: 'others', kind: 'Other', listKind: 'WidgetList' }), ok: false, reason: 'ListKindConflict', message: '"WidgetList" is already in use' },
    { name: 'names already owned stay', current: requested, used: used({ plural: 'x', shortNames: ['wd'], kind: 'Widget' }), ok: true, reason: 'NoConflicts', message: 'no conflicts found' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const d = acceptNames(requested, c.current, c.used);
      assert.deepEqual([d.ok, d.reason, d.message], [c.ok, c.reason, c.message]);
      if (c.ok) assert.deepEqual(d.accepted, requested);
    });
  }

  test('a conflicting short name leaves the other names accepted', () => {
    const d = acceptNames(requested, undefined, used({ plural: 'gadgets', shortNames: ['wd'], kind: 'Gadget' }));
    assert.deepEqual(d.accepted, { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' });
  });
});
