/**
 * How ControllerRevisions are named: a 32-bit FNV-1 hash of the revision's
 * data (plus the owner's collisionCount, so a collision can be escaped by
 * bumping it), spelled in the vowel-free alphabet upstream uses so a hash
 * never forms a word.
 */

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Longest owner-name prefix of a revision name (upstream's 253 minus room for the hash). */
export const MAX_REVISION_PREFIX = 223;

/** FNV-1 (multiply, then xor), 32 bits, as Go's `hash/fnv.New32`. */
export function fnv32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h;
}

/** Upstream's rand.SafeEncodeString: each character replaced from the safe alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** JSON with object keys sorted, as Go encodes maps, so equal data always hashes alike. */
export function canonicalJSON(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** The hash of revision data; `collisionCount` changes it when a different revision already took the name. */
export function hashRevisionData(data: unknown, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32(enc.encode(canonicalJSON(data ?? null)));
  if (collisionCount !== undefined && collisionCount !== null) h = fnv32(enc.encode(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

/** `<owner>-<hash>`, the owner name cut so the result stays a valid object name. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > MAX_REVISION_PREFIX ? prefix.slice(0, MAX_REVISION_PREFIX) : prefix}-${hash}`;
}
