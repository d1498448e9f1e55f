import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Schema } from '../schema/types.js';
import { compare, merge, toFieldSet } from './typed.js';
import { deploymentSchema, resolver, widgetSchema } from './test-schemas.js';

const dep = { schema: deploymentSchema, resolver };
const v1 = (s: ReturnType<typeof toFieldSet>['set']): string => JSON.stringify(s.toFieldsV1());

describe('toFieldSet', () => {
  const cases: { name: string; schema?: Schema; value: unknown; want: string }[] = [
    {
      name: 'struct fields are not members, leaves and added items are',
      value: { spec: { replicas: 2, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } } } },
      want: '{"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}',
    },
    { name: 'granular map keys are members', value: { metadata: { labels: { app: 'a', tier: 'b' } } }, want: '{"f:metadata":{"f:labels":{"f:app":{},"f:tier":{}}}}' },
    { name: 'atomic struct (selector) is one leaf', value: { spec: { selector: { matchLabels: { app: 'a' } } } }, want: '{"f:spec":{"f:selector":{}}}' },
    { name: 'list without list-type is atomic', value: { spec: { template: { spec: { containers: [{ name: 'c', args: ['a', 'b'] }] } } } }, want: '{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"c\\"}":{".":{},"f:args":{},"f:name":{}}}}}}}' },
    { name: 'explicit atomic list', value: { spec: { template: { spec: { tolerations: [{ key: 'x' }] } } } }, want: '{"f:spec":{"f:template":{"f:spec":{"f:tolerations":{}}}}}' },
    { name: 'patch strategy merge without key is a set', value: { metadata: { finalizers: ['b', 'a'] } }, want: '{"f:metadata":{"f:finalizers":{"v:\\"a\\"":{},"v:\\"b\\"":{}}}}' },
    {
      name: 'map list with two keys and a defaulted key',
      value: { spec: { template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] }] } } } },
      want: '{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"c\\"}":{".":{},"f:name":{},"f:ports":{"k:{\\"containerPort\\":53,\\"protocol\\":\\"UDP\\"}":{".":{},"f:containerPort":{},"f:protocol":{}},"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}}}}}}}}',
    },
    { name: 'empty struct is a member', value: { spec: { strategy: {} } }, want: '{"f:spec":{"f:strategy":{}}}' },
    { name: 'int-or-string is a scalar', value: { spec: { strategy: { rollingUpdate: { maxSurge: '25%' } } } }, want: '{"f:spec":{"f:strategy":{"f:rollingUpdate":{"f:maxSurge":{}}}}}' },
    { name: 'preserve-unknown-fields is walked as a granular map', schema: widgetSchema, value: { spec: { size: 1, nested: { a: [1, 2] } } }, want: '{"f:spec":{"f:nested":{".":{},"f:a":{}},"f:size":{}}}' },
    { name: 'no schema at all is deduced', schema: undefined, value: { a: { b: 1 }, c: [1] }, want: '{"f:a":{".":{},"f:b":{}},"f:c":{}}' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = toFieldSet(c.value, { schema: 'schema' in c ? c.schema : deploymentSchema, resolver });
      assert.deepEqual(r.errors, []);
      assert.equal(v1(r.set), c.want);
    });
  }

  test('a map-list item without its key is an error with upstream text', () => {
    const r = toFieldSet({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, dep);
    assert.deepEqual(r.errors, [{ path: '.spec.template.spec.containers', message: 'element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)' }]);
  });
});

describe('compare', () => {
  test('added, modified and removed', () => {
    const old = { metadata: { labels: { a: '1', b: '2' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'x', image: 'i1' }] } } } };
    const now = { metadata: { labels: { a: '1', c: '3' } }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'x', image: 'i1' }, { name: 'y', image: 'i2' }] } } } };
    const c = compare(old, now, dep);
    assert.deepEqual(c.errors, []);
    assert.equal(c.added.toString(), ['.metadata.labels.c', '.spec.template.spec.containers[name="y"]', '.spec.template.spec.containers[name="y"].image', '.spec.template.spec.containers[name="y"].name'].join('\n'));
    assert.equal(c.modified.toString(), '.spec.replicas');
    assert.equal(c.removed.toString(), '.metadata.labels.b');
  });

  test('a new map becomes a member as a whole', () => {
    const c = compare({ metadata: {} }, { metadata: { labels: { a: '1' } } }, dep);
    assert.equal(JSON.stringify(c.added.toFieldsV1()), '{"f:metadata":{"f:labels":{".":{},"f:a":{}}}}');
  });
});

describe('merge', () => {
  const cases: { name: string; live: unknown; config: unknown; want: unknown }[] = [
    { name: 'scalars are replaced, maps merged', live: { metadata: { labels: { a: '1' } }, spec: { replicas: 1 } }, config: { metadata: { labels: { b: '2' } }, spec: { replicas: 3 } }, want: { metadata: { labels: { a: '1', b: '2' } }, spec: { replicas: 3 } } },
    { name: 'atomic lists are replaced', live: { spec: { template: { spec: { tolerations: [{ key: 'a' }, { key: 'b' }] } } } }, config: { spec: { template: { spec: { tolerations: [{ key: 'c' }] } } } }, want: { spec: { template: { spec: { tolerations: [{ key: 'c' }] } } } } },
    { name: 'sets are unioned', live: { metadata: { finalizers: ['a', 'b'] } }, config: { metadata: { finalizers: ['c', 'a'] } }, want: { metadata: { finalizers: ['c', 'a', 'b'] } } },
    {
      name: 'map lists merge items by key and keep live-only items',
      live: { spec: { template: { spec: { containers: [{ name: 'a', image: 'a1', args: ['x'] }, { name: 'b', image: 'b1' }] } } } },
      config: { spec: { template: { spec: { containers: [{ name: 'b', image: 'b2' }, { name: 'c', image: 'c1' }] } } } },
      want: { spec: { template: { spec: { containers: [{ name: 'a', image: 'a1', args: ['x'] }, { name: 'b', image: 'b2' }, { name: 'c', image: 'c1' }] } } } },
    },
    {
      name: 'shared items follow the applied order, live-only items keep their place',
      live: { metadata: { finalizers: ['a', 'x', 'b', 'c'] } },
      config: { metadata: { finalizers: ['c', 'b', 'a'] } },
      want: { metadata: { finalizers: ['x', 'c', 'b', 'a'] } },
    },
    { name: 'atomic structs are replaced', live: { spec: { selector: { matchLabels: { a: '1' } } } }, config: { spec: { selector: { matchLabels: { b: '2' } } } }, want: { spec: { selector: { matchLabels: { b: '2' } } } } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = merge(c.live, c.config, dep);
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.value, c.want);
    });
  }
});
