import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../errors/field.js';
import { type Schema, MapResolver, refTo } from './types.js';
import { validateValue } from './validate.js';
import { goDecodeMessage } from './go-types.js';

const spec: Schema = {
  type: 'object',
  required: ['color'],
  properties: {
    replicas: { type: 'integer', format: 'int32' },
    count: { type: 'integer' },
    ratio: { type: 'number' },
    size: { type: 'integer', minimum: 1, maximum: 10 },
    small: { type: 'integer', maximum: 10, exclusiveMaximum: true, minimum: 0, exclusiveMinimum: true },
    step: { type: 'integer', multipleOf: 5 },
    color: { type: 'string', enum: ['red', 'blue'] },
    level: { type: 'integer', enum: [1, 2] },
    name: { type: 'string', minLength: 3, maxLength: 5, pattern: '^[a-z]+$' },
    when: { type: 'string', format: 'date-time' },
    data: { type: 'string', format: 'byte' },
    enabled: { type: 'boolean' },
    maybe: { type: 'string', nullable: true },
    port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
    tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2 },
    set: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
    ports: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } },
    },
    labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 2 },
    strict: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false },
    few: { type: 'object', minProperties: 2, additionalProperties: { type: 'string' } },
    unique: { type: 'array', items: { type: 'integer' }, uniqueItems: true },
    one: { type: 'object', oneOf: [{ required: ['a'] }, { required: ['b'] }], properties: { a: { type: 'string' }, b: { type: 'string' } } },
    some: { type: 'string', anyOf: [{ pattern: '^a' }, { pattern: '^b' }] },
    every: { type: 'string', allOf: [{ minLength: 2 }, { pattern: '^x' }] },
    never: { type: 'string', not: { pattern: '^bad' } },
    template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
  },
};
const root: Schema = { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec } };
const resolver = new MapResolver(new Map());

function check(s: Record<string, unknown>): string[] {
  return validateValue({ apiVersion: 'x/v1', kind: 'X', metadata: {}, spec: { color: 'red', ...s } }, root, { resolver }).map(fieldErrorText);
}

const cases: { name: string; spec: Record<string, unknown>; want: string[] }[] = [
  { name: 'valid object', spec: { replicas: 3, name: 'abc', port: 80, tags: ['a'] }, want: [] },
  { name: 'string for integer', spec: { replicas: 'string' }, want: ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'] },
  { name: 'float for int32 reports the format', spec: { replicas: 1.5 }, want: ['spec.replicas: Invalid value: "float64": spec.replicas in body must be of type int32: "float64"'] },
  { name: 'float for integer', spec: { count: 1.5 }, want: ['spec.count: Invalid value: "number": spec.count in body must be of type integer: "number"'] },
  { name: 'integer accepted for number', spec: { ratio: 2 }, want: [] },
  { name: 'int32 out of range', spec: { replicas: 3000000000 }, want: ['spec.replicas: Invalid value: "int64": spec.replicas in body must be of type int32: "int64"'] },
  { name: 'object for boolean', spec: { enabled: {} }, want: ['spec.enabled: Invalid value: "object": spec.enabled in body must be of type boolean: "object"'] },
  { name: 'null for non-nullable', spec: { enabled: null }, want: ['spec.enabled: Invalid value: "null": spec.enabled in body must be of type boolean: "null"'] },
  { name: 'null for nullable', spec: { maybe: null }, want: [] },
  { name: 'enum', spec: { color: 'pink' }, want: ['spec.color: Unsupported value: "pink": supported values: "red", "blue"'] },
  { name: 'enum of integers', spec: { level: 3 }, want: ['spec.level: Unsupported value: 3: supported values: "1", "2"'] },
  { name: 'required', spec: { color: undefined }, want: ['spec.color: Required value'] },
  { name: 'maximum', spec: { size: 11 }, want: ['spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10'] },
  { name: 'minimum', spec: { size: 0 }, want: ['spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1'] },
  { name: 'exclusive maximum', spec: { small: 10 }, want: ['spec.small: Invalid value: 10: spec.small in body should be less than 10'] },
  { name: 'exclusive minimum', spec: { small: 0 }, want: ['spec.small: Invalid value: 0: spec.small in body should be greater than 0'] },
  { name: 'multipleOf', spec: { step: 7 }, want: ['spec.step: Invalid value: 7: spec.step in body should be a multiple of 5'] },
  { name: 'pattern', spec: { name: 'AB1' }, want: ["spec.name: Invalid value: \"AB1\": spec.name in body should match '^[a-z]+$'"] },
  { name: 'minLength', spec: { name: 'ab' }, want: ['spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long'] },
  { name: 'date-time format', spec: { when: 'yesterday' }, want: ['spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"'] },
  { name: 'date-time accepted', spec: { when: '2024-01-02T03:04:05Z' }, want: [] },
  { name: 'byte format', spec: { data: 'not base64!' }, want: ['spec.data: Invalid value: "not base64!": spec.data in body must be of type byte: "not base64!"'] },
  { name: 'int-or-string string', spec: { port: 'http' }, want: [] },
  { name: 'int-or-string boolean', spec: { port: true }, want: ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"', '<nil>: Invalid value: "": "spec.port" must validate at least one schema (anyOf)', 'spec.port: Invalid value: "boolean": spec.port in body must be of type integer: "boolean"'] },
  { name: 'minItems', spec: { tags: [] }, want: ['spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items'] },
  { name: 'item type uses index path', spec: { tags: [1] }, want: ['spec.tags[0]: Invalid value: "integer": spec.tags[0] in body must be of type string: "integer"'] },
  { name: 'list-type set duplicate', spec: { set: ['a', 'b', 'a', 'a'] }, want: ['spec.set[2]: Duplicate value: "a"'] },
  { name: 'list-type map duplicate key', spec: { ports: [{ name: 'a', port: 1 }, { name: 'a', port: 2 }] }, want: ['spec.ports[1]: Duplicate value: {"name":"a"}'] },
  { name: 'list-type map non-object', spec: { ports: ['x'] }, want: ['spec.ports[0]: Invalid value: "string": spec.ports[0] in body must be of type object: "string"', 'spec.ports[0]: Invalid value: "x": must be an object for an array of list-type map'] },
  { name: 'map value type uses dotted name', spec: { labels: { a: 1 } }, want: ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"'] },
  { name: 'minProperties', spec: { few: { a: 'x' } }, want: ['spec.few: Invalid value: 1: spec.few in body should have at least 2 properties'] },
  { name: 'additionalProperties false', spec: { strict: { a: 'x', b: 'y' } }, want: ['spec.strict: Invalid value: "b": spec.strict.b in body is a forbidden property'] },
  { name: 'uniqueItems', spec: { unique: [1, 1] }, want: ['spec.unique: Invalid value: "": spec.unique in body shouldn\'t contain duplicates'] },
  { name: 'oneOf none valid', spec: { one: {} }, want: ['<nil>: Invalid value: "": "spec.one" must validate one and only one schema (oneOf). Found none valid', 'spec.one.a: Required value'] },
  { name: 'oneOf two valid', spec: { one: { a: 'x', b: 'y' } }, want: ['<nil>: Invalid value: "": "spec.one" must validate one and only one schema (oneOf). Found 2 valid alternatives'] },
  { name: 'anyOf', spec: { some: 'c' }, want: ['<nil>: Invalid value: "": "spec.some" must validate at least one schema (anyOf)', "spec.some: Invalid value: \"c\": spec.some in body should match '^a'"] },
  { name: 'allOf', spec: { every: 'y' }, want: ['spec.every: Invalid value: "y": spec.every in body should be at least 2 chars long', "spec.every: Invalid value: \"y\": spec.every in body should match '^x'", '<nil>: Invalid value: "": "spec.every" must validate all the schemas (allOf). None validated'] },
  { name: 'not', spec: { never: 'badger' }, want: ['<nil>: Invalid value: "": "spec.never" must not validate the schema (not)'] },
  { name: 'embedded resource needs apiVersion and kind', spec: { template: { metadata: {} } }, want: ['spec.template.apiVersion: Required value: must not be empty', 'spec.template.kind: Required value: must not be empty'] },
  { name: 'embedded resource kind must be a string', spec: { template: { apiVersion: 'v1', kind: 5 } }, want: ['spec.template.kind: Invalid value: 5: must be a string'] },
];

describe('validateValue', () => {
  for (const c of cases) {
    test(c.name, () => {
      const s = { ...c.spec };
      for (const k of Object.keys(s)) if (s[k] === undefined) delete s[k];
      const got = validateValue({ apiVersion: 'x/v1', kind: 'X', metadata: {}, spec: { ...(Object.prototype.hasOwnProperty.call(c.spec, 'color') ? {} : { color: 'red' }), ...s } }, root, { resolver }).map(fieldErrorText);
      assert.deepEqual(got, c.want);
    });
  }

  // The text of TooLong/TooMany is rendered by machinery/errors; the structured error is what this engine owns.
  const structured: { name: string; spec: Record<string, unknown>; want: unknown }[] = [
    { name: 'maxLength', spec: { name: 'abcdef' }, want: { type: 'FieldValueTooLong', field: 'spec.name', value: 'abcdef', detail: 'may not be more than 5 bytes' } },
    { name: 'maxItems', spec: { tags: ['a', 'b', 'c'] }, want: { type: 'FieldValueTooMany', field: 'spec.tags', value: 3, detail: 'must have at most 2 items' } },
    { name: 'maxProperties', spec: { labels: { a: 'x', b: 'y', c: 'z' } }, want: { type: 'FieldValueTooMany', field: 'spec.labels', value: 3, detail: 'must have at most 2 items' } },
  ];
  for (const c of structured) {
    test(c.name, () => {
      const errs = validateValue({ spec: { color: 'red', ...c.spec } }, root, { resolver });
      assert.deepEqual(errs, [c.want]);
    });
  }

  test('check helper sanity: valid spec has no errors', () => {
    assert.deepEqual(check({}), []);
  });

  test('fieldPrefix prefixes fields but not names in messages', () => {
    const errs = validateValue('x', { type: 'integer' }, { resolver, fieldPrefix: 'spec.default' }).map(fieldErrorText);
    assert.deepEqual(errs, ['spec.default: Invalid value: "string":  in body must be of type integer: "string"']);
  });

  test('type errors carry the Go decode message through refs', () => {
    const defs = new Map<string, Schema>([
      ['io.k8s.api.apps.v1.Deployment', { type: 'object', properties: { spec: refTo('io.k8s.api.apps.v1.DeploymentSpec') } }],
      ['io.k8s.api.apps.v1.DeploymentSpec', { type: 'object', properties: { replicas: { type: 'integer', format: 'int32' }, template: refTo('io.k8s.api.core.v1.PodTemplateSpec') } }],
      ['io.k8s.api.core.v1.PodTemplateSpec', { type: 'object', properties: { spec: refTo('io.k8s.api.core.v1.PodSpec') } }],
      ['io.k8s.api.core.v1.PodSpec', { type: 'object', properties: { containers: { type: 'array', items: refTo('io.k8s.api.core.v1.Container') } } }],
      ['io.k8s.api.core.v1.Container', { type: 'object', properties: { name: { type: 'string' } } }],
    ]);
    const r = new MapResolver(defs);
    const errs = validateValue({ spec: { replicas: 'x', template: { spec: { containers: [{ name: 3 }] } } } }, refTo('io.k8s.api.apps.v1.Deployment'), { resolver: r });
    assert.equal(errs.length, 2);
    assert.equal(goDecodeMessage(errs[0]!.typeMismatch!), 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
    assert.equal(goDecodeMessage(errs[1]!.typeMismatch!), 'json: cannot unmarshal number 3 into Go struct field Container.spec.template.spec.containers.name of type string');
    const arr = validateValue({ spec: { template: { spec: { containers: 'x' } } } }, refTo('io.k8s.api.apps.v1.Deployment'), { resolver: r });
    assert.equal(goDecodeMessage(arr[0]!.typeMismatch!), 'json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container');
  });

  test('typesOnly skips nulls, which Go decodes, and reports the first real mismatch after them', () => {
    const meta: Schema = { type: 'object', properties: { annotations: { type: 'object', additionalProperties: { type: 'string' } }, finalizers: { type: 'array', items: { type: 'string' } } } };
    const errs = validateValue({ annotations: null, finalizers: [null, true, 7] }, meta, { resolver, typesOnly: true });
    assert.deepEqual(errs.map((e) => [e.field, e.typeMismatch?.goValue]), [['finalizers[1]', 'bool']]);
    assert.deepEqual(validateValue({ annotations: null, finalizers: [null] }, meta, { resolver, typesOnly: true }), []);
  });
});
