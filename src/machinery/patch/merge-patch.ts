/**
 * RFC 7386 JSON merge patch (application/merge-patch+json) with the
 * behaviour of evanphx/json-patch's MergePatch, plus CreateMergePatch.
 * Objects merge recursively, `null` deletes a member, anything else
 * (arrays included) replaces. Nulls inside newly added objects are pruned.
 */
import { type JsonObject, deepClone, deepEqual, isJsonObject, kindOf } from './json-value.js';

function pruneNulls(v: unknown): unknown {
  if (isJsonObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else pruneNulls(x);
    }
  } else if (Array.isArray(v)) {
    for (const x of v) if (x !== null) pruneNulls(x);
  }
  return v;
}

function mergeDocs(doc: JsonObject, patch: JsonObject): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = doc[k];
    if (cur === undefined || cur === null) doc[k] = pruneNulls(v);
    else doc[k] = mergeValue(cur, v);
  }
}

function mergeValue(cur: unknown, patch: unknown): unknown {
  if (!isJsonObject(cur)) return pruneNulls(patch);
  if (!isJsonObject(patch)) return patch;
  mergeDocs(cur, patch);
  return cur;
}

/**
 * Applies a merge patch to a copy of doc (to doc itself with `inPlace`, when the caller's copy is
 * private). A non-object patch replaces the document.
 */
export function applyMergePatch(doc: unknown, patch: unknown, opts: { inPlace?: boolean } = {}): unknown {
  const p = deepClone(patch);
  if (!isJsonObject(p)) return p;
  const d = isJsonObject(doc) ? (opts.inPlace ? doc : deepClone(doc)) : {};
  mergeDocs(d, p);
  return d;
}

function diff(a: JsonObject, b: JsonObject): JsonObject {
  const into: JsonObject = {};
  for (const [key, bv] of Object.entries(b)) {
    if (!Object.prototype.hasOwnProperty.call(a, key)) {
      into[key] = deepClone(bv);
      continue;
    }
    const av = a[key];
    if (kindOf(av) !== kindOf(bv)) {
      into[key] = deepClone(bv);
      continue;
    }
    if (isJsonObject(av) && isJsonObject(bv)) {
      const d = diff(av, bv);
      if (Object.keys(d).length) into[key] = d;
    } else if (!deepEqual(av, bv)) {
      into[key] = deepClone(bv);
    }
  }
  for (const key of Object.keys(a)) if (!Object.prototype.hasOwnProperty.call(b, key)) into[key] = null;
  return into;
}

/** The merge patch that turns original into modified (both objects). */
export function createMergePatch(original: unknown, modified: unknown): unknown {
  if (!isJsonObject(original) || !isJsonObject(modified)) return deepClone(modified);
  return diff(original, modified);
}
