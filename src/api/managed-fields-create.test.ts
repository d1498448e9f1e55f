/**
 * A create's managedFields are written straight from the object, without
 * field sets. This checks that shortcut against the general path on random
 * objects of every built-in kind, shaped by their schemas and bent out of
 * them: missing and duplicate list keys, nulls, empty containers, unknown
 * fields, values of the wrong type, characters Go's encoder escapes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trackWrite, updateManagedFields } from '../machinery/apply/manager.js';
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
