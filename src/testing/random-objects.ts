/**
 * Random values shaped by a schema and bent out of it, for property tests:
 * optional fields present or not, lists with missing and repeated keys,
 * nulls, empty containers, unknown fields, values of the wrong type and
 * characters Go's JSON encoder escapes. Seeded, so a failure names its seed.
 */
import { type Schema, type SchemaResolver, deref } from '../machinery/schema/types.js';

/** A small deterministic generator (mulberry32) of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['a', 'b', 'web', 'x<y>&z', 'é', '0', 'name', 'k.io/v', '', '-1', 'a'.repeat(300)];
/** Keys that name list items (merge keys); kept most of the time so keyed lists mostly have identities. */
const KEY_FIELDS = new Set(['name', 'containerPort', 'key', 'port', 'type', 'ip', 'topologyKey', 'mountPath', 'devicePath']);

export interface RandomObjectOptions {
  /** Chance of a `null` in place of any value. */
  nulls?: number;
  /** Chance of a value of any JSON type in place of the typed one. */
  wild?: number;
  /** Deepest level that still follows the schema. */
  maxDepth?: number;
}

export class RandomObjects {
  private readonly nulls: number;
  private readonly wildness: number;
  private readonly maxDepth: number;

  constructor(
    private readonly r: () => number,
    private readonly resolver: SchemaResolver,
    opts: RandomObjectOptions = {},
  ) {
    this.nulls = opts.nulls ?? 0.04;
    this.wildness = opts.wild ?? 0.03;
    this.maxDepth = opts.maxDepth ?? 7;
  }

  chance(p: number): boolean {
    return this.r() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }

  /** Any JSON value. */
  wild(depth = 0): unknown {
    const n = this.r();
    if (depth > 2 || n < 0.4) return this.pick([this.pick(WORDS), 7, -1.5, 2 ** 53, true, false, null]);
    if (n < 0.7) return Array.from({ length: Math.floor(this.r() * 3) }, () => this.wild(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(this.r() * 3); i > 0; i--) o[this.pick(WORDS)] = this.wild(depth + 1);
    return o;
  }

  /** A value for `outer`. */
  value(outer: Schema | undefined, depth = 0): unknown {
    if (this.chance(this.nulls)) return null;
    if (this.chance(this.wildness)) return this.wild(depth);
    const s = deref(outer, this.resolver);
    if (!s || depth > this.maxDepth) return this.wild(depth);
    if (s['x-kubernetes-int-or-string'] || outer?.['x-kubernetes-int-or-string']) return this.chance(0.5) ? this.pick([80, 0, -3]) : this.pick(['http', '50%', '1Gi', 'x']);
    if (s.type === 'array' || s.items) {
      const items = Array.from({ length: Math.floor(this.r() * 4) }, () => this.value(s.items, depth + 1));
      // Repeat an item now and then: duplicates of a keyed list are ignored after the first, or refused.
      if (items.length && this.chance(0.2)) items.push(structuredClone(items[0]));
      return items;
    }
    if (s.type === 'object' || s.properties || s.additionalProperties !== undefined) {
      const o: Record<string, unknown> = {};
      const props = Object.entries(s.properties ?? {});
      for (const [k, p] of props) {
        const keep = KEY_FIELDS.has(k) ? 0.85 : Math.min(0.6, 4 / props.length);
        if (this.chance(keep)) o[k] = this.value(p, depth + 1);
      }
      if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
        const elem = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
        for (let i = Math.floor(this.r() * 3); i > 0; i--) o[this.pick(WORDS)] = this.value(elem, depth + 1);
      }
      if (this.chance(0.05)) o['unknownField'] = this.wild(depth + 1);
      return o;
    }
    if (s.enum?.length && this.chance(0.7)) return this.pick(s.enum);
    switch (s.type) {
      case 'integer':
        return this.pick([0, 1, 3, -1, 65536, 2 ** 31, Math.floor(this.r() * 100)]);
      case 'number':
        return this.r() * 10;
      case 'boolean':
        return this.chance(0.5);
      default:
        if (s.format === 'date-time') return this.pick(['2026-01-01T00:00:00Z', 'yesterday', '']);
        return this.pick(WORDS);
    }
  }
}
