import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareKeys, prefixRangeEnd } from './key-range.js';

test('prefixRangeEnd bumps the last byte that can be bumped', () => {
  const cases: { name: string; prefix: string; want: number[] }[] = [
    { name: 'slash becomes zero digit', prefix: '/registry/pods/', want: [...Buffer.from('/registry/pods0')] },
    { name: 'empty prefix is the whole keyspace', prefix: '', want: [0] },
    { name: 'multi-byte last char', prefix: 'a\u00ff', want: [0x61, 0xc3, 0xc0] },
  ];
  for (const c of cases) assert.deepEqual([...prefixRangeEnd(c.prefix)], c.want, c.name);
});

test('compareKeys orders as UTF-8 bytes', () => {
  const keys = ['b', 'a/', 'a', '\u{1F600}', '\uffff', 'a0'];
  const sorted = [...keys].sort(compareKeys);
  assert.deepEqual(sorted, [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
  assert.deepEqual(sorted.slice(0, 4), ['a', 'a/', 'a0', 'b']);
});
