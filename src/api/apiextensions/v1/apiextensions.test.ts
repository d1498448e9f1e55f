import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../../machinery/errors/field.js';
import { metaDefinitions } from '../../meta/v1.js';
import { apiextensionsV1, defaultCustomResourceDefinition, validateCustomResourceDefinition, type CustomResourceDefinitionT, type CustomResourceDefinitionVersionT } from './index.js';

const version = (over: Partial<CustomResourceDefinitionVersionT> = {}): CustomResourceDefinitionVersionT => ({
  name: 'v1',
  served: true,
  storage: true,
  schema: {
    openAPIV3Schema: {
      type: 'object',
      properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' }, size: { type: 'string' } } }, status: { type: 'object', properties: { replicas: { type: 'integer' } } } },
    },
  },
  subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
  additionalPrinterColumns: [{ name: 'Size', type: 'string', jsonPath: '.spec.size' }],
  ...over,
});

const crd = (over: Partial<NonNullable<CustomResourceDefinitionT['spec']>> = {}, name = 'widgets.example.com'): CustomResourceDefinitionT => {
  const c: CustomResourceDefinitionT = {
    metadata: { name },
    spec: { group: 'example.com', names: { plural: 'widgets', kind: 'Widget', shortNames: ['wd'] }, scope: 'Namespaced', versions: [version()], ...over },
  };
  defaultCustomResourceDefinition(c);
  return c;
};

const texts = (c: CustomResourceDefinitionT, old?: CustomResourceDefinitionT) => validateCustomResourceDefinition(c, old).map(fieldErrorText);

describe('apiextensions.k8s.io/v1', () => {
  test('every $ref resolves', () => {
    const known = new Set([...apiextensionsV1.definitions, ...metaDefinitions].map((d) => `#/definitions/${d.name}`));
    for (const [, ref] of JSON.stringify(apiextensionsV1.definitions.map((d) => d.definition)).matchAll(/"\$ref":"([^"]+)"/g)) assert.ok(known.has(ref!), ref);
  });

  test('JSONSchemaProps is recursive and carries every x-kubernetes extension', () => {
    const props = apiextensionsV1.definitions.find((d) => d.name.endsWith('.JSONSchemaProps'))!.definition.properties!;
    assert.match(JSON.stringify(props.properties), /JSONSchemaProps"/);
    for (const k of ['x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string', 'x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations']) {
      assert.ok(k in props, k);
    }
    assert.equal(props['x-kubernetes-validations']!['x-kubernetes-list-type'], 'map');
  });

  test('defaults fill names, conversion and storedVersions', () => {
    const c = crd();
    assert.equal(c.spec!.names.singular, 'widget');
    assert.equal(c.spec!.names.listKind, 'WidgetList');
    assert.deepEqual(c.spec!.conversion, { strategy: 'None' });
    assert.deepEqual(c.status!.storedVersions, ['v1']);
  });

  test('a valid CRD passes', () => assert.deepEqual(texts(crd()), []));

  test('discovery facts', () => {
    const r = apiextensionsV1.resources[0]!;
    assert.deepEqual([r.resource, r.shortNames, r.categories, r.namespaced, r.hasStatus], ['customresourcedefinitions', ['crd', 'crds'], ['api-extensions'], false, true]);
  });

  const cases: { name: string; c: () => CustomResourceDefinitionT; want: string[] }[] = [
    { name: 'name mismatch', c: () => crd({}, 'widget.example.com'), want: ['metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group'] },
    { name: 'group without dot', c: () => crd({ group: 'example' }, 'widgets.example'), want: ['spec.group: Invalid value: "example": should be a domain with at least one dot'] },
    { name: 'bad scope', c: () => crd({ scope: 'Global' }), want: ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'] },
    {
      name: 'two storage versions',
      c: () => crd({ versions: [version(), version({ name: 'v2' })] }),
      want: ['spec.versions: Invalid value: ' + JSON.stringify([version(), version({ name: 'v2' })]) + ': must have exactly one version marked as storage version'],
    },
    { name: 'missing schema', c: () => crd({ versions: [version({ schema: undefined })] }), want: ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required'] },
    {
      name: 'version not a DNS-1035 label',
      c: () => crd({ versions: [version({ name: '1v' })] }),
      want: [
        `spec.versions[0].name: Invalid value: "1v": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      ],
    },
    {
      name: 'upper-case plural',
      c: () => crd({ names: { plural: 'Widgets', kind: 'Widget', singular: 'widget', listKind: 'WidgetList' } }, 'Widgets.example.com'),
      want: [
        `spec.names.plural: Invalid value: "Widgets": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      ],
    },
    { name: 'kind equals listKind', c: () => crd({ names: { plural: 'widgets', kind: 'Widget', singular: 'widget', listKind: 'Widget' } }), want: ['spec.names.listKind: Invalid value: "Widget": kind and listKind may not be the same'] },
    {
      name: 'scale path outside spec',
      c: () => crd({ versions: [version({ subresources: { scale: { specReplicasPath: '.replicas', statusReplicasPath: '.status.replicas' } } })] }),
      want: ['spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".replicas": should be a json path under .spec'],
    },
    {
      name: 'bad printer column type',
      c: () => crd({ versions: [version({ additionalPrinterColumns: [{ name: 'X', type: 'object', jsonPath: '.spec' }] })] }),
      want: ['spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "object": supported values: "integer", "number", "string", "boolean", "date"'],
    },
    { name: 'preserveUnknownFields true', c: () => crd({ preserveUnknownFields: true }), want: ['spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'] },
    { name: 'webhook without webhook', c: () => crd({ conversion: { strategy: 'Webhook' } }), want: ['spec.conversion.webhook: Required value: required when strategy is set to Webhook'] },
  ];
  for (const c of cases) {
    test(`invalid: ${c.name}`, () => {
      const got = texts(c.c());
      for (const w of c.want) assert.ok(got.includes(w), `missing ${w}\n got ${JSON.stringify(got, null, 1)}`);
      assert.ok(got.length >= c.want.length);
    });
  }

  test('non-structural schemas are rejected through the structural check', () => {
    const c = crd({ versions: [version({ schema: { openAPIV3Schema: { type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } } } })] });
    const got = texts(c);
    assert.ok(got.length > 0);
    assert.ok(got.every((e) => e.startsWith('spec.versions[0].schema.openAPIV3Schema')), JSON.stringify(got));
  });

  test('update: group and plural immutable; scope immutable once established', () => {
    const old = crd();
    old.status!.conditions = [{ type: 'Established', status: 'True' }];
    const moved = crd({ scope: 'Cluster' });
    assert.deepEqual(texts(moved, old), ['spec.scope: Invalid value: "Cluster": field is immutable']);
    const unestablished = crd();
    assert.deepEqual(texts(moved, unestablished), []);
  });

  test('status update: stored versions must exist', () => {
    const c = crd();
    c.status!.storedVersions = ['v1', 'v0'];
    assert.deepEqual(validateCustomResourceDefinition(c, crd(), { subresource: 'status' }).map(fieldErrorText), ['status.storedVersions[1]: Invalid value: "v0": must appear in spec.versions']);
  });
});
