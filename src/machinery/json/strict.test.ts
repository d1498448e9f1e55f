import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { duplicateFieldMessage, endOfValue, findDuplicateKeys, parseJSONStrict } from './strict.js';

const cases: { name: string; text: string; value: unknown; duplicates: string[] }[] = [
  { name: 'no duplicates', text: '{"a":1,"b":{"c":[1,2,{"d":true}]}}', value: { a: 1, b: { c: [1, 2, { d: true }] } }, duplicates: [] },
  { name: 'top-level duplicate, last wins', text: '{"replicas":1,"replicas":2}', value: { replicas: 2 }, duplicates: ['replicas'] },
  { name: 'nested duplicate reported by path', text: '{"spec":{"replicas":1,"paused":false,"replicas":3}}', value: { spec: { replicas: 3, paused: false } }, duplicates: ['spec.replicas'] },
  { name: 'inside list items', text: '{"spec":{"containers":[{"name":"a"},{"name":"b","image":"x","name":"c"}]}}', value: { spec: { containers: [{ name: 'a' }, { name: 'c', image: 'x' }] } }, duplicates: ['spec.containers[1].name'] },
  { name: 'same key in sibling objects is fine', text: '[{"a":1},{"a":2}]', value: [{ a: 1 }, { a: 2 }], duplicates: [] },
  { name: 'escaped keys compare decoded', text: '{"a\\u0062":1,"ab":2}', value: { ab: 2 }, duplicates: ['ab'] },
  { name: 'quotes and braces inside strings are ignored', text: '{"s":"x\\"}{,:\\\\","s2":"]","t":1,"t":2}', value: { s: 'x"}{,:\\', s2: ']', t: 2 }, duplicates: ['t'] },
  { name: 'every repetition is reported', text: '{"a":1,"a":2,"a":3}', value: { a: 3 }, duplicates: ['a', 'a'] },
  { name: 'many keys switch to a set', text: JSON.stringify(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]))).replace('}', ',"k3":0}'), value: { ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])), k3: 0 }, duplicates: ['k3'] },
];

describe('parseJSONStrict', () => {
  for (const c of cases) {
    test(c.name, () => {
      const got = parseJSONStrict(c.text);
      assert.deepEqual(got.value, c.value);
      assert.deepEqual(got.duplicates, c.duplicates);
    });
  }
  test('malformed JSON throws SyntaxError', () => {
    assert.throws(() => parseJSONStrict('{"a":'), SyntaxError);
  });
  test('message text', () => {
    assert.equal(duplicateFieldMessage('spec.replicas'), 'duplicate field "spec.replicas"');
  });
  test('a 3 MiB body is scanned in well under a second', () => {
    const items = Array.from({ length: 6000 }, (_, i) => ({ metadata: { name: `cm-${i}`, labels: { a: 'b' } }, data: { k: 'v'.repeat(400) } }));
    const text = JSON.stringify({ items });
    assert.ok(text.length > 3 * 1024 * 1024 * 0.8);
    const t = performance.now();
    assert.deepEqual(findDuplicateKeys(text), []);
    assert.ok(performance.now() - t < 1000);
  });
});

test('endOfValue finds the end of the object or array opening at an index, strings skipped', () => {
  const text = '{"a":{"b":"}]\\"{","c":[1,{"d":2}]},"e":3}';
  assert.equal(endOfValue(text, 0), text.length);
  const inner = text.indexOf('{', 1);
  assert.equal(text.slice(inner, endOfValue(text, inner)), '{"b":"}]\\"{","c":[1,{"d":2}]}');
  const list = text.indexOf('[');
  assert.equal(text.slice(list, endOfValue(text, list)), '[1,{"d":2}]');
  assert.equal(endOfValue('{"a":{', 0), -1);
});
