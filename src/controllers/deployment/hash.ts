/**
 * The pod-template-hash: a short, stable name for a pod template, so each
 * template of a deployment gets its own ReplicaSet `<deployment>-<hash>`.
 * Like upstream: 32-bit FNV-1a over the template (here its canonical JSON)
 * and the collision count, printed in decimal and mapped onto an alphabet
 * without vowels so no words appear in names.
 */
import type { PodTemplateSpec } from '../framework/pods.js';
import { POD_TEMPLATE_HASH_LABEL } from './types.js';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Upstream's rand.SafeEncodeString: each character to one of the safe alphabet. */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/**
 * JSON with sorted keys that treats absent, null, empty maps and empty lists
 * alike, as upstream's semantic equality does, so a server that drops or
 * keeps empty fields does not change a template's identity.
 */
export function canonicalJSON(v: unknown): string {
  const c = canonical(v);
  return c === undefined ? 'null' : JSON.stringify(c);
}

function canonical(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    if (!v.length) return undefined;
    return v.map((x) => canonical(x) ?? null);
  }
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canonical((v as Record<string, unknown>)[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}

export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJSON(template ?? {})));
  if (collisionCount !== undefined) {
    const le = new Uint8Array(4);
    new DataView(le.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(le, h);
  }
  return safeEncode(String(h));
}

/** The template without the hash label: what a deployment's template is compared by. */
export function withoutHashLabel(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) {
    const { [POD_TEMPLATE_HASH_LABEL]: _hash, ...rest } = t.metadata.labels;
    t.metadata.labels = rest;
  }
  return t;
}

/** Upstream's EqualIgnoreHash. */
export function templatesEqualIgnoringHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJSON(withoutHashLabel(a)) === canonicalJSON(withoutHashLabel(b));
}
