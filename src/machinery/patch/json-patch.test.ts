import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors/status-error.js';
import { JSON_PATCH_APPLY_FAILED, JsonPatchApplyError, applyJsonPatch, tryApplyJsonPatch } from './json-patch.js';

const doc = { metadata: { name: 'x', labels: { a: 'b', 'k/v': '1', 't~x': '2' } }, spec: { list: [1, 2, 3], nested: [[1], [2]] } };

describe('applyJsonPatch', () => {
  const ok: { name: string; patch: unknown[]; want: (d: any) => unknown; get: (d: any) => unknown }[] = [
    { name: 'add member', patch: [{ op: 'add', path: '/spec/x', value: 1 }], get: (d) => d.spec.x, want: () => 1 },
    { name: 'add replaces existing member', patch: [{ op: 'add', path: '/metadata/name', value: 'y' }], get: (d) => d.metadata.name, want: () => 'y' },
    { name: 'add at index', patch: [{ op: 'add', path: '/spec/list/1', value: 9 }], get: (d) => d.spec.list, want: () => [1, 9, 2, 3] },
    { name: 'add with - appends', patch: [{ op: 'add', path: '/spec/list/-', value: 4 }], get: (d) => d.spec.list, want: () => [1, 2, 3, 4] },
    { name: 'add at end index', patch: [{ op: 'add', path: '/spec/list/3', value: 4 }], get: (d) => d.spec.list, want: () => [1, 2, 3, 4] },
    { name: 'remove member', patch: [{ op: 'remove', path: '/metadata/labels/a' }], get: (d) => d.metadata.labels.a, want: () => undefined },
    { name: 'remove with ~1 escape', patch: [{ op: 'remove', path: '/metadata/labels/k~1v' }], get: (d) => 'k/v' in d.metadata.labels, want: () => false },
    { name: 'remove with ~0 escape', patch: [{ op: 'remove', path: '/metadata/labels/t~0x' }], get: (d) => 't~x' in d.metadata.labels, want: () => false },
    { name: 'remove negative index', patch: [{ op: 'remove', path: '/spec/list/-1' }], get: (d) => d.spec.list, want: () => [1, 2] },
    { name: 'replace element', patch: [{ op: 'replace', path: '/spec/list/0', value: 0 }], get: (d) => d.spec.list, want: () => [0, 2, 3] },
    { name: 'replace of a missing member adds it (v4 behaviour)', patch: [{ op: 'replace', path: '/spec/foo', value: 1 }], get: (d) => d.spec.foo, want: () => 1 },
    { name: 'move member', patch: [{ op: 'move', from: '/metadata/labels/a', path: '/metadata/labels/c' }], get: (d) => d.metadata.labels, want: () => ({ c: 'b', 'k/v': '1', 't~x': '2' }) },
    { name: 'move within array', patch: [{ op: 'move', from: '/spec/list/0', path: '/spec/list/-' }], get: (d) => d.spec.list, want: () => [2, 3, 1] },
    { name: 'copy into nested array', patch: [{ op: 'copy', from: '/spec/list/0', path: '/spec/nested/1/-' }], get: (d) => d.spec.nested, want: () => [[1], [2, 1]] },
    { name: 'test passes then add', patch: [{ op: 'test', path: '/metadata/name', value: 'x' }, { op: 'add', path: '/spec/ok', value: true }], get: (d) => d.spec.ok, want: () => true },
    { name: 'test null on a missing member passes', patch: [{ op: 'test', path: '/spec/none', value: null }], get: (d) => d.spec.list, want: () => [1, 2, 3] },
    { name: 'null patch is a no-op', patch: null as unknown as unknown[], get: (d) => d, want: () => doc },
  ];
  for (const c of ok) {
    test(c.name, () => {
      const out = applyJsonPatch(doc, c.patch);
      assert.deepEqual(c.get(out), c.want(out));
      assert.deepEqual(doc.spec.list, [1, 2, 3], 'input untouched');
    });
  }

  const failing: { name: string; patch: unknown[]; detail: string }[] = [
    { name: 'add under a missing parent', patch: [{ op: 'add', path: '/nope/x', value: 1 }], detail: 'add operation does not apply: doc is missing path: "/nope/x": missing value' },
    { name: 'remove a missing member', patch: [{ op: 'remove', path: '/spec/zzz' }], detail: "error in remove for path: '/spec/zzz': Unable to remove nonexistent key: zzz: missing value" },
    { name: 'replace past the end', patch: [{ op: 'replace', path: '/spec/list/5', value: 1 }], detail: 'replace operation does not apply: doc is missing key: /spec/list/5: missing value' },
    { name: 'add past the end', patch: [{ op: 'add', path: '/spec/list/9', value: 1 }], detail: "error in add for path: '/spec/list/9': Unable to access invalid index: 9: invalid index referenced" },
    { name: 'test mismatch', patch: [{ op: 'test', path: '/metadata/name', value: 'y' }], detail: 'testing value /metadata/name failed: test failed' },
    { name: 'unknown op', patch: [{ op: 'frob', path: '/a' }], detail: 'Unexpected kind: frob' },
    { name: 'missing path', patch: [{ op: 'add', value: 1 }], detail: 'add operation failed to decode path: missing value' },
    { name: 'whole-document path', patch: [{ op: 'replace', path: '', value: {} }], detail: 'replace operation does not apply: doc is missing path: : missing value' },
  ];
  for (const c of failing) {
    test(`fails: ${c.name}`, () => {
      assert.deepEqual(tryApplyJsonPatch(doc, c.patch), { ok: false, message: c.detail });
      assert.throws(
        () => applyJsonPatch(doc, c.patch),
        (e: unknown) => e instanceof StatusError && e.code === 422 && e.reason === 'Invalid' && e.message === JSON_PATCH_APPLY_FAILED && e.cause instanceof JsonPatchApplyError,
      );
    });
  }

  test('in place: the document itself is patched', () => {
    const d = structuredClone(doc);
    const out = applyJsonPatch(d, [{ op: 'add', path: '/spec/x', value: 1 }, { op: 'remove', path: '/spec/list/0' }], { inPlace: true });
    assert.equal(out, d);
    assert.deepEqual([(out as any).spec.x, (out as any).spec.list], [1, [2, 3]]);
  });

  test('a non-array patch is a 400', () => {
    assert.throws(
      () => applyJsonPatch(doc, { op: 'add' }),
      (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  });

  test('too many operations is a 413', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/metadata/name', value: 'x' }));
    assert.throws(() => applyJsonPatch(doc, ops), (e: unknown) => e instanceof StatusError && e.code === 413);
  });
});
