import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYAMLDocuments, parseYAMLStrict, toYAML } from './yaml.js';

describe('parseYAMLDocuments', () => {
  test('several documents, empty ones skipped', () => {
    assert.deepEqual(parseYAMLDocuments('a: 1\n---\n---\n# only a comment\n---\nb: [x, z]\n'), [{ a: 1 }, { b: ['x', 'z'] }]);
  });
  test('YAML 1.1 scalars as go-yaml resolves them', () => {
    assert.deepEqual(parseYAMLDocuments('a: yes\nb: off\nc: "yes"\nd: 010\ne: 1.5\nf: ~\n'), [{ a: true, b: false, c: 'yes', d: 8, e: 1.5, f: null }]);
  });
  test('anchors and merge keys', () => {
    assert.deepEqual(parseYAMLDocuments('base: &b {x: 1}\nderived:\n  <<: *b\n  z: 2\n'), [{ base: { x: 1 }, derived: { x: 1, z: 2 } }]);
  });
  test('repeated keys are tolerated, last wins', () => {
    assert.deepEqual(parseYAMLDocuments('a: 1\na: 2\n'), [{ a: 2 }]);
  });
  test('malformed YAML throws SyntaxError', () => {
    assert.throws(() => parseYAMLDocuments('a: [1, 2\n'), SyntaxError);
  });
});

describe('parseYAMLStrict', () => {
  test('duplicates reported by path like JSON', () => {
    const got = parseYAMLStrict('spec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: a\n        name: b\n  replicas: 2\n');
    assert.deepEqual(got.value, { spec: { replicas: 2, template: { spec: { containers: [{ name: 'b' }] } } } });
    assert.deepEqual(got.duplicates, ['spec.template.spec.containers[0].name', 'spec.replicas']);
  });
  test('no duplicates', () => {
    assert.deepEqual(parseYAMLStrict('a: 1\nb: {c: 2}\n'), { value: { a: 1, b: { c: 2 } }, duplicates: [] });
  });
});

describe('toYAML', () => {
  test('kubectl style output that round-trips', () => {
    const v = { apiVersion: 'v1', kind: 'ConfigMap', data: { flag: 'yes', num: '123', multi: 'a\nb' }, list: [1, { k: 'v' }], empty: null };
    const text = toYAML(v);
    assert.equal(text, 'apiVersion: v1\nkind: ConfigMap\ndata:\n  flag: "yes"\n  num: "123"\n  multi: |-\n    a\n    b\nlist:\n- 1\n- k: v\nempty: null\n');
    assert.deepEqual(parseYAMLDocuments(text), [v]);
  });
});
