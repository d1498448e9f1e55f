import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, type FieldPath, pe, pathToString } from './fieldset.js';

function decode(json: string): FieldSet {
  const r = FieldSet.fromFieldsV1(JSON.parse(json));
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value;
}

describe('FieldsV1 encoding', () => {
  const roundTrips: { name: string; json: string }[] = [
    {
      name: 'deployment created by kubectl',
      json: '{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},"f:name":{}}}}}',
    },
    {
      name: 'ports keyed by containerPort and protocol',
      json: '{"f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{},"f:protocol":{}}}}',
    },
    { name: 'set members by value', json: '{"f:metadata":{"f:finalizers":{".":{},"v:\\"a\\"":{},"v:\\"b\\"":{}}}}' },
    { name: 'indices sort numerically', json: '{"f:x":{"i:2":{},"i:10":{}}}' },
    { name: 'html characters escaped as Go does', json: '{"k:{\\"name\\":\\"a\\\\u003cb\\"}":{}}' },
    { name: 'element kinds ordered field, key, value, index', json: '{"f:z":{},"k:{\\"a\\":1}":{},"v:1":{},"i:0":{}}' },
  ];
  for (const c of roundTrips) {
    test(`round trip: ${c.name}`, () => {
      assert.equal(JSON.stringify(decode(c.json).toFieldsV1()), c.json);
    });
  }

  test('encoding sorts fields and keys', () => {
    const s = decode('{"f:spec":{"f:replicas":{}},"f:metadata":{"f:labels":{"f:b":{},"f:a":{}}}}');
    assert.equal(JSON.stringify(s.toFieldsV1()), '{"f:metadata":{"f:labels":{"f:a":{},"f:b":{}}},"f:spec":{"f:replicas":{}}}');
  });

  test('key fields are sorted by name whatever order they arrive in', () => {
    const s = FieldSet.of([pe.field('ports'), pe.key({ protocol: 'TCP', containerPort: 80 })]);
    assert.equal(JSON.stringify(s.toFieldsV1()), '{"f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{}}}');
  });

  const bad: { name: string; json: unknown }[] = [
    { name: 'unknown element prefix', json: { 'x:foo': {} } },
    { name: 'key that is not JSON', json: { 'k:notjson': {} } },
    { name: 'key that is not an object', json: { 'k:[1]': {} } },
    { name: 'child that is not an object', json: { 'f:a': 1 } },
    { name: 'not an object at all', json: [] },
  ];
  for (const c of bad) {
    test(`decode rejects ${c.name}`, () => {
      assert.equal(FieldSet.fromFieldsV1(c.json).ok, false);
    });
  }
});

describe('FieldSet operations', () => {
  const f = (...names: string[]): FieldPath => names.map((n) => pe.field(n));
  const a = FieldSet.of(f('spec', 'replicas'), f('spec', 'template', 'spec'), f('metadata', 'labels'), f('metadata', 'labels', 'app'));
  const b = FieldSet.of(f('spec', 'replicas'), f('metadata', 'labels'), f('status'));
  const show = (s: FieldSet): string[] => s.paths().map(pathToString);

  const cases: { name: string; got: () => FieldSet; want: string[] }[] = [
    { name: 'union', got: () => a.union(b), want: ['.metadata.labels', '.metadata.labels.app', '.spec.replicas', '.spec.template.spec', '.status'] },
    { name: 'intersection', got: () => a.intersection(b), want: ['.metadata.labels', '.spec.replicas'] },
    { name: 'difference keeps children of removed members', got: () => a.difference(b), want: ['.metadata.labels.app', '.spec.template.spec'] },
    { name: 'recursive difference drops children of removed members', got: () => a.recursiveDifference(b), want: ['.spec.template.spec'] },
    { name: 'difference with empty is identity', got: () => a.difference(FieldSet.EMPTY), want: show(a) },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(show(c.got()), c.want));

  test('has and size', () => {
    assert.equal(a.has(f('metadata', 'labels')), true);
    assert.equal(a.has(f('metadata')), false);
    assert.equal(a.hasPrefix(f('metadata')), true);
    assert.equal(a.size, 4);
  });

  const printed: { name: string; path: FieldPath; want: string }[] = [
    { name: 'map-list item', path: [pe.field('spec'), pe.field('containers'), pe.key({ name: 'nginx' }), pe.field('image')], want: '.spec.containers[name="nginx"].image' },
    { name: 'multi-key item', path: [pe.field('ports'), pe.key({ protocol: 'TCP', containerPort: 80 })], want: '.ports[containerPort=80,protocol="TCP"]' },
    { name: 'set member', path: [pe.field('finalizers'), pe.value('a')], want: '.finalizers[="a"]' },
    { name: 'index', path: [pe.field('args'), pe.index(0)], want: '.args[0]' },
  ];
  for (const c of printed) test(`prints ${c.name}`, () => assert.equal(pathToString(c.path), c.want));
});

describe('FieldsV1 written back as decoded', () => {
  const decode = (v: unknown): FieldSet => {
    const d = FieldSet.fromFieldsV1(v);
    assert.ok(d.ok);
    return d.value;
  };
  const canonical = FieldSet.of(
    [pe.field('metadata'), pe.field('labels'), pe.field('app')],
    [pe.field('spec'), pe.field('containers'), pe.key({ name: 'web' })],
    [pe.field('spec'), pe.field('containers'), pe.key({ name: 'web' }), pe.field('image')],
    [pe.field('spec'), pe.field('replicas')],
  ).toFieldsV1();

  test('a trie in the encoded form comes back as the same object while the set is unchanged', () => {
    const set = decode(canonical);
    assert.equal(set.toFieldsV1(), canonical);
    const other = FieldSet.of([pe.field('status'), pe.field('phase')]);
    assert.equal(set.difference(other).toFieldsV1(), canonical, 'removing what is not there changes nothing');
    assert.equal(set.recursiveDifference(other).toFieldsV1(), canonical);
    assert.equal(set.union(FieldSet.of([pe.field('spec'), pe.field('replicas')])).toFieldsV1(), canonical, 'adding what is there changes nothing');
  });

  test('a changed set is encoded afresh', () => {
    const set = decode(canonical);
    const more = set.union(FieldSet.of([pe.field('spec'), pe.field('paused')]));
    assert.notEqual(more.toFieldsV1(), canonical);
    assert.deepEqual(more.toFieldsV1(), { ...canonical, 'f:spec': { ...(canonical['f:spec'] as object), 'f:paused': {} } });
    const less = set.difference(FieldSet.of([pe.field('spec'), pe.field('replicas')]));
    assert.equal(less.has([pe.field('spec'), pe.field('replicas')]), false);
    assert.notEqual(less.toFieldsV1(), canonical);
  });

  const nonCanonical: [string, Record<string, unknown>][] = [
    ['keys out of order', { 'f:spec': {}, 'f:metadata': {} }],
    ['"." on a leaf', { 'f:spec': { '.': {} } }],
    ['"." after the children', { 'f:spec': { 'f:a': {}, '.': {} } }],
    ['"." at the top', { '.': {}, 'f:spec': {} }],
    ['a "." with content', { 'f:spec': { '.': { x: {} }, 'f:a': {} } }],
    ['a key written differently', { 'f:spec': { 'k:{"name":"a","port":1}': {}, 'k:{"port":2,"name":"b"}': {} } }],
  ];
  for (const [what, v] of nonCanonical) {
    test(`a trie not in the encoded form is written back encoded: ${what}`, () => {
      const set = decode(v);
      const out = set.toFieldsV1();
      assert.notEqual(out, v);
      assert.deepEqual(out, FieldSet.of(...set.paths()).toFieldsV1());
      assert.equal(JSON.stringify(decode(out).toFieldsV1()), JSON.stringify(out), 'the encoded form is stable');
    });
  }
});
