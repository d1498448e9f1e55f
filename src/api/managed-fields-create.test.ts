/**
 * A create's managedFields are written straight from the object, without
 * field sets. This checks that shortcut against the general path on random
 * objects of every built-in kind, shaped by their schemas and bent out of
 * them: missing and duplicate list keys, nulls, empty containers, unknown
 * fields, values of the wrong type, characters Go's encoder escapes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillZero, fillZeroPair, trackWrite, updateManagedFields } from '../machinery/apply/manager.js';
import { compare } from '../machinery/apply/typed.js';
import type { KubeObject } from '../machinery/meta/types.js';
import { RandomObjects, seededRandom } from '../testing/random-objects.js';
import { builtinScheme } from './index.js';
import { Scheme } from './scheme.js';

const zeros: Array<Record<string, unknown> | undefined> = [{ metadata: {}, spec: {}, status: {} }, undefined];

test('a create records the same managedFields as the general path, for every built-in kind', () => {
  const scheme = builtinScheme();
  let compared = 0;
  let withFields = 0;
  let seed = 0;
  for (const rt of scheme.types()) {
    const schema = Scheme.refOf(rt);
    for (let i = 0; i < 25; i++) {
      seed++;
      const gen = new RandomObjects(seededRandom(seed), scheme);
      const body = gen.value(schema);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) continue;
      const obj = { ...body, apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version, kind: rt.kind } as KubeObject;
      // Sent managedFields take the general path; only the reset value (`[]`) may come along.
      if (obj.metadata && typeof obj.metadata === 'object') delete obj.metadata.managedFields;
      if (gen.chance(0.1)) obj.metadata = { ...(obj.metadata ?? {}), managedFields: [] };
      for (const zero of zeros) {
        const o = { old: undefined, updated: obj, manager: 'kubectl', apiVersion: rt.version, time: '2026-01-01T00:00:00Z', schema, resolver: scheme, zero };
        const fast = updateManagedFields(o);
        const general = trackWrite(o);
        assert.deepEqual(fast, general, `${rt.kind} seed ${seed} zero ${zero ? 'built-in' : 'custom'}: ${JSON.stringify(obj)}`);
        // Key order is part of the stored bytes.
        assert.equal(JSON.stringify(fast), JSON.stringify(general), `${rt.kind} seed ${seed}: key order`);
        if (fast.metadata?.managedFields?.length) withFields++;
      }
      compared++;
    }
  }
  assert.ok(compared > 1000, `compared ${compared}`);
  assert.ok(withFields > compared, `only ${withFields} results carried managedFields`);
});

test('filling the zero value only where one side lacks it compares like filling both sides', () => {
  const scheme = builtinScheme();
  const zeros = [{ metadata: {}, spec: {}, status: {} }, { metadata: {}, spec: { strategy: {}, template: { metadata: {}, spec: { containers: null } } }, status: {} }, {}];
  let seed = 1000;
  let compared = 0;
  for (const rt of scheme.types()) {
    const schema = Scheme.refOf(rt);
    for (let i = 0; i < 6; i++) {
      seed++;
      const gen = new RandomObjects(seededRandom(seed), scheme);
      const a = gen.value(schema);
      // The other side: often the same object with a few fields changed, as updates are.
      const b = gen.chance(0.5) ? gen.value(schema) : { ...(a as object), ...(gen.value(schema) as object) };
      if (!a || typeof a !== 'object' || Array.isArray(a) || !b || typeof b !== 'object' || Array.isArray(b)) continue;
      for (const zero of zeros) {
        const t = { schema, resolver: scheme };
        const both = compare(fillZero(a, zero), fillZero(b, zero), t);
        const [l, r] = fillZeroPair(a, b, zero);
        const pair = compare(l, r, t);
        for (const k of ['added', 'modified', 'removed'] as const) assert.equal(pair[k].toString(), both[k].toString(), `${rt.kind} seed ${seed} ${k}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 500, `compared ${compared}`);
});
