import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch, createMergePatch } from './merge-patch.js';

describe('applyMergePatch (RFC 7386)', () => {
  // RFC 7386 appendix A examples, plus upstream's null pruning in added values.
  const cases: { name: string; doc: unknown; patch: unknown; want: unknown }[] = [
    { name: 'replace member', doc: { a: 'b' }, patch: { a: 'c' }, want: { a: 'c' } },
    { name: 'add member', doc: { a: 'b' }, patch: { b: 'c' }, want: { a: 'b', b: 'c' } },
    { name: 'null deletes', doc: { a: 'b' }, patch: { a: null }, want: {} },
    { name: 'null deletes one of two', doc: { a: 'b', b: 'c' }, patch: { a: null }, want: { b: 'c' } },
    { name: 'array replaces', doc: { a: ['b'] }, patch: { a: 'c' }, want: { a: 'c' } },
    { name: 'scalar replaced by array', doc: { a: 'c' }, patch: { a: ['b'] }, want: { a: ['b'] } },
    { name: 'nested merge with delete', doc: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, want: { a: { b: 'd' } } },
    { name: 'arrays are not merged', doc: { a: [{ b: 'c' }] }, patch: { a: [1] }, want: { a: [1] } },
    { name: 'non-object patch replaces doc', doc: { a: 'foo' }, patch: ['c'], want: ['c'] },
    { name: 'null patch replaces doc', doc: { a: 'foo' }, patch: null, want: null },
    { name: 'added object has nulls pruned', doc: { e: null }, patch: { a: 1, b: { c: null, d: 2 } }, want: { e: null, a: 1, b: { d: 2 } } },
    { name: 'missing members of nested object created', doc: {}, patch: { a: { bb: { ccc: null } } }, want: { a: { bb: {} } } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const docCopy = structuredClone(c.doc);
      assert.deepEqual(applyMergePatch(c.doc, c.patch), c.want);
      assert.deepEqual(c.doc, docCopy, 'input untouched');
    });
    test(`${c.name} (in place)`, () => {
      const doc = structuredClone(c.doc);
      const out = applyMergePatch(doc, c.patch, { inPlace: true });
      assert.deepEqual(out, c.want);
      // An object document is the result itself: no copy was made.
      if (doc && typeof doc === 'object' && !Array.isArray(doc) && c.patch && typeof c.patch === 'object' && !Array.isArray(c.patch)) assert.equal(out, doc);
    });
  }
});

describe('createMergePatch', () => {
  const cases: { name: string; a: unknown; b: unknown; want: unknown }[] = [
    { name: 'no change', a: { a: 1 }, b: { a: 1 }, want: {} },
    { name: 'changed and removed', a: { a: 1, b: 2 }, b: { a: 3 }, want: { a: 3, b: null } },
    { name: 'nested change only', a: { m: { x: 1, y: 2 } }, b: { m: { x: 1, y: 3 } }, want: { m: { y: 3 } } },
    { name: 'array changed wholesale', a: { l: [1, 2] }, b: { l: [1] }, want: { l: [1] } },
    { name: 'type change', a: { t: 'x' }, b: { t: { y: 1 } }, want: { t: { y: 1 } } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const p = createMergePatch(c.a, c.b);
      assert.deepEqual(p, c.want);
      assert.deepEqual(applyMergePatch(c.a, p), c.b, 'round trip');
    });
  }
});
