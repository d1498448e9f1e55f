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
import { type Schema, type SchemaResolver, deref } from '../machinery/schema/types.js';
import { builtinScheme } from './index.js';
import { Scheme } from './scheme.js';

/** Small deterministic generator (mulberry32), so a failure names its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['a', 'b', 'web', 'x<y>&z', 'é', '0', 'name', 'k.io/v', ''];

class Gen {
  constructor(
    private readonly r: () => number,
    private readonly resolver: SchemaResolver,
  ) {}

  chance(p: number): boolean {
    return this.r() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }

  /** Any JSON value, for fields no schema describes and for values of the wrong type. */
  wild(depth: number): unknown {
    const n = this.r();
    if (depth > 2 || n < 0.4) return this.pick([this.pick(WORDS), 7, -1.5, true, false, null]);
    if (n < 0.7) return Array.from({ length: Math.floor(this.r() * 3) }, () => this.wild(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(this.r() * 3); i > 0; i--) o[this.pick(WORDS)] = this.wild(depth + 1);
    return o;
  }

  value(outer: Schema | undefined, depth: number): unknown {
    if (this.chance(0.04)) return null;
    if (this.chance(0.03)) return this.wild(depth);
    const s = deref(outer, this.resolver);
    if (!s || depth > 7) return this.wild(depth);
    if (s['x-kubernetes-int-or-string'] || outer?.['x-kubernetes-int-or-string']) return this.chance(0.5) ? 80 : this.pick(['http', '50%']);
    if (s.type === 'array' || s.items) {
      const items = Array.from({ length: Math.floor(this.r() * 4) }, () => this.value(s.items, depth + 1));
      // Repeat an item now and then: duplicates of a keyed list are ignored after the first.
      if (items.length && this.chance(0.2)) items.push(structuredClone(items[0]));
      return items;
    }
    if (s.type === 'object' || s.properties || s.additionalProperties !== undefined) {
      const o: Record<string, unknown> = {};
      const props = Object.entries(s.properties ?? {});
      for (const [k, p] of props) {
        // Keep merge keys (`name`, `containerPort`, …) most of the time, so keyed lists mostly have identities.
        const keep = k === 'name' || k === 'containerPort' || k === 'key' || k === 'port' ? 0.85 : Math.min(0.6, 4 / props.length);
        if (this.chance(keep)) o[k] = this.value(p, depth + 1);
      }
      if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
        const elem = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
        for (let i = Math.floor(this.r() * 3); i > 0; i--) o[this.pick(WORDS)] = this.value(elem, depth + 1);
      }
      if (this.chance(0.05)) o['unknownField'] = this.wild(depth + 1);
      return o;
    }
    switch (s.type) {
      case 'integer':
        return Math.floor(this.r() * 100);
      case 'number':
        return this.r() * 10;
      case 'boolean':
        return this.chance(0.5);
      default:
        return this.pick(WORDS);
    }
  }
}

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
      const gen = new Gen(rng(seed), scheme);
      const body = gen.value(schema, 0);
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
