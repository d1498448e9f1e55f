/**
 * Strategic merge patch (application/strategic-merge-patch+json), applying
 * a patch the way kube-apiserver does for built-in types. Patch metadata
 * comes from the schema: `x-kubernetes-patch-strategy` ("merge", "replace",
 * "retainKeys", "merge,retainKeys") and `x-kubernetes-patch-merge-key` on
 * the field's schema. Lists with strategy merge are merged by merge key (or
 * as sets of primitives); other lists are replaced. Directives honoured:
 * `$patch: replace|delete` on maps, `$patch: replace|delete` elements in
 * lists, `$retainKeys`, `$deleteFromPrimitiveList/<f>`, `$setElementOrder/<f>`.
 * Parts of the tree without schema behave as JSON merge patch.
 *
 * Errors follow upstream's mapping: malformed directives are 400, lists of
 * lists 422, everything else (e.g. a missing merge key) a 500 whose message
 * is the algorithm's text, exactly what the real server answers.
 */
import { StatusError, badRequest } from '../errors/status-error.js';
import { type Schema, type SchemaResolver, deref, refName } from '../schema/types.js';
import { type JsonObject, deepClone, goFormat, goTypeName, isJsonObject, kindOf } from './json-value.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

export const ERR_BAD_JSON_DOC = 'invalid JSON document';
export const ERR_NO_LIST_OF_LISTS = 'lists of lists are not supported';
export const ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST = 'invalid patch format of primitive list';
export const ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS = 'invalid patch format of retainKeys';
export const ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST = 'invalid patch format of setElementOrder list';
export const ERR_PATCH_CONTENT_NOT_MATCH_RETAIN_KEYS = "patch content doesn't match retainKeys list";
export const ERR_UNSUPPORTED_STRATEGIC_MERGE_PATCH_FORMAT = 'strategic merge patch format is not supported';

/** How upstream's HTTP layer classifies each failure. */
export type StrategicMergeErrorKind = 'BadRequest' | 'Invalid' | 'Internal';

export class StrategicMergePatchError extends Error {
  constructor(
    message: string,
    readonly kind: StrategicMergeErrorKind = 'Internal',
  ) {
    super(message);
    this.name = 'StrategicMergePatchError';
  }

  toStatusError(): StatusError {
    switch (this.kind) {
      case 'BadRequest':
        return badRequest(this.message);
      case 'Invalid':
        return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', undefined, { cause: this });
      default:
        // Upstream returns these unwrapped, which its error handler serves as 500 with an empty reason.
        return new StatusError(500, '', this.message, undefined, { cause: this });
    }
  }
}

const badRequestError = (m: string) => new StrategicMergePatchError(m, 'BadRequest');
const errBadArgType = (expected: string, actual: unknown) => new StrategicMergePatchError(`expected a ${expected}, but received a ${goTypeName(actual)}`);
const errNoMergeKey = (m: JsonObject, key: string) => new StrategicMergePatchError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
const errBadPatchType = (t: unknown, m: JsonObject) => new StrategicMergePatchError(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);

const MAP_TYPE = 'map[string]interface {}';
const SLICE_TYPE = '[]interface {}';

/** The schema of one place in the tree (undefined = unknown: merge-patch semantics). */
interface Meta {
  schema: Schema | undefined;
  name: string;
}

interface FieldMeta extends Meta {
  strategies: string[];
  mergeKey: string;
}

class Lookup {
  constructor(private readonly resolver: SchemaResolver | undefined) {}

  meta(schema: Schema | undefined): Meta {
    return { schema: deref(schema, this.resolver), name: nameOf(schema) };
  }

  private field(parent: Meta, key: string): Schema | undefined {
    const s = parent.schema;
    if (!s) return undefined;
    const prop = s.properties?.[key];
    if (prop) return prop;
    if (typeof s.additionalProperties === 'object') return s.additionalProperties;
    return undefined;
  }

  private fieldMeta(raw: Schema | undefined, target: Schema | undefined): { strategies: string[]; mergeKey: string } {
    const strategy = raw?.['x-kubernetes-patch-strategy'] ?? target?.['x-kubernetes-patch-strategy'] ?? '';
    const mergeKey = raw?.['x-kubernetes-patch-merge-key'] ?? target?.['x-kubernetes-patch-merge-key'] ?? '';
    return { strategies: strategy ? strategy.split(',') : [], mergeKey };
  }

  forStruct(parent: Meta, key: string): FieldMeta {
    const raw = this.field(parent, key);
    const target = deref(raw, this.resolver);
    return { schema: target, name: nameOf(raw), ...this.fieldMeta(raw, target) };
  }

  forSlice(parent: Meta, key: string): FieldMeta {
    const raw = this.field(parent, key);
    const target = deref(raw, this.resolver);
    const items = target?.items;
    return { schema: deref(items, this.resolver), name: nameOf(items), ...this.fieldMeta(raw, target) };
  }
}

function nameOf(s: Schema | undefined): string {
  if (s?.$ref) return refName(s.$ref).split('.').pop() ?? '';
  return s?.title ?? '';
}

function extractRetainKeysPatchStrategy(strategies: string[]): string {
  switch (strategies.length) {
    case 0:
      return '';
    case 1:
      return strategies[0] === 'retainKeys' ? '' : strategies[0]!;
    case 2:
      if (strategies[0] === 'retainKeys') return strategies[1]!;
      if (strategies[1] === 'retainKeys') return strategies[0]!;
      throw new StrategicMergePatchError(`unexpected patch strategy: [${strategies.join(' ')}]`);
    default:
      throw new StrategicMergePatchError(`unexpected patch strategy: [${strategies.join(' ')}]`);
  }
}

const has = (o: JsonObject, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function extractKey(s: string, prefix: string): string {
  const i = s.indexOf('/');
  if (i < 0 || s.slice(0, i) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST) throw badRequestError(ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST);
    throw badRequestError(ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST);
  }
  return s.slice(i + 1);
}

function discardNullValues(v: unknown): void {
  if (isJsonObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else discardNullValues(x);
    }
  } else if (Array.isArray(v)) v.forEach(discardNullValues);
}

/** Strips directive-carrying maps from a value taken from the patch as-is. */
function removeDirectives(v: unknown): { value: unknown; keep: boolean } {
  if (isJsonObject(v)) {
    if (has(v, DIRECTIVE)) return { value: null, keep: false };
    for (const [k, x] of Object.entries(v)) {
      const r = removeDirectives(x);
      if (r.keep) v[k] = r.value;
      else delete v[k];
    }
    return { value: v, keep: true };
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const r = removeDirectives(x);
      if (r.keep) out.push(r.value);
    }
    return { value: out, keep: true };
  }
  return { value: v, keep: true };
}

class Merger {
  constructor(private readonly lookup: Lookup) {}

  mergeMap(originalIn: JsonObject | null, patch: JsonObject, meta: Meta): JsonObject {
    if (has(patch, DIRECTIVE)) return this.handleDirectiveInMergeMap(patch[DIRECTIVE], patch);
    const original = originalIn ?? {};
    this.applyRetainKeys(original, patch);
    this.mergePatchIntoOriginal(original, patch, meta);

    for (const rawKey of Object.keys(patch)) {
      if (!has(patch, rawKey)) continue;
      const patchV = patch[rawKey];
      let k = rawKey;
      let isDeleteList = false;
      if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        k = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST);
        isDeleteList = true;
      }
      if (patchV === null) {
        delete original[k];
        continue;
      }
      if (!has(original, k) || kindOf(original[k]) !== kindOf(patchV)) {
        if (!isDeleteList) {
          discardNullValues(patchV);
          const r = removeDirectives(patchV);
          if (r.keep) original[k] = r.value;
          else delete original[k];
        }
        continue;
      }
      const cur = original[k];
      if (isJsonObject(cur)) {
        const fm = this.lookup.forStruct(meta, k);
        const strategy = extractRetainKeysPatchStrategy(fm.strategies);
        original[k] = strategy === 'replace' ? patchV : this.mergeMap(cur, patchV as JsonObject, fm);
      } else if (Array.isArray(cur)) {
        const fm = this.lookup.forSlice(meta, k);
        const strategy = extractRetainKeysPatchStrategy(fm.strategies);
        original[k] = strategy === 'merge' ? this.mergeSlice(cur, patchV as unknown[], fm, fm.mergeKey, isDeleteList) : patchV;
      } else {
        original[k] = patchV;
      }
    }
    return original;
  }

  private handleDirectiveInMergeMap(directive: unknown, patch: JsonObject): JsonObject {
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return patch;
    }
    if (directive === 'delete') return {};
    throw errBadPatchType(directive, patch);
  }

  private applyRetainKeys(original: JsonObject, patch: JsonObject): void {
    if (!has(patch, RETAIN_KEYS)) return;
    const list = patch[RETAIN_KEYS];
    delete patch[RETAIN_KEYS];
    if (!Array.isArray(list)) throw badRequestError(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS);
    const retained = new Set(list);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
      if (!retained.has(k)) throw badRequestError(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS);
    }
    for (const k of Object.keys(original)) if (!retained.has(k)) delete original[k];
  }

  private mergePatchIntoOriginal(original: JsonObject, patch: JsonObject, meta: Meta): void {
    for (const key of Object.keys(patch)) {
      if (!key.startsWith(SET_ELEMENT_ORDER) || !has(patch, key)) continue;
      const order = patch[key];
      delete patch[key];
      if (!Array.isArray(order)) throw errBadArgType(SLICE_TYPE, order);
      const originalKey = extractKey(key, SET_ELEMENT_ORDER);
      const foundOriginal = has(original, originalKey);
      const foundPatch = has(patch, originalKey);
      let originalList: unknown[] = [];
      let patchList: unknown[] = [];
      if (foundOriginal) {
        if (!Array.isArray(original[originalKey])) throw errBadArgType(SLICE_TYPE, original[originalKey]);
        originalList = original[originalKey] as unknown[];
      }
      if (foundPatch) {
        if (!Array.isArray(patch[originalKey])) throw errBadArgType(SLICE_TYPE, patch[originalKey]);
        patchList = patch[originalKey] as unknown[];
      }
      const fm = this.lookup.forSlice(meta, originalKey);
      const strategy = extractRetainKeysPatchStrategy(fm.strategies);
      validatePatchWithSetOrderList(patchList, order, fm.mergeKey);

      let merged: unknown[];
      if (foundOriginal && !foundPatch) merged = originalList;
      else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList).value as unknown[];
      else if (foundOriginal && foundPatch) merged = strategy === 'merge' ? this.mergeSlice(originalList, patchList, fm, fm.mergeKey, false) : patchList;
      else continue;

      const { patchItems, serverOnly } = fm.mergeKey ? partitionMapsByPresentInList(merged, order, fm.mergeKey) : partitionPrimitivesByPresentInList(merged, order);
      const kind = sliceElementType(originalList, patchList);
      original[originalKey] = normalizeElementOrder(patchItems, serverOnly, order, originalList, fm.mergeKey, kind);
      delete patch[originalKey];
    }
  }

  private mergeSlice(originalIn: unknown[], patchIn: unknown[], meta: Meta, mergeKey: string, isDeleteList: boolean): unknown[] {
    if (originalIn.length === 0 && patchIn.length === 0) return originalIn;
    const kind = sliceElementType(originalIn, patchIn);
    let original = originalIn;
    let patch = patchIn;
    let merged: unknown[];
    if (kind !== 'object') {
      if (isDeleteList) return deleteFromSlice(original, patch);
      merged = deduplicateScalars([...original, ...patch]);
    } else {
      if (!mergeKey) throw new StrategicMergePatchError(`cannot merge lists without merge key for ${meta.name}`);
      [original, patch] = mergeSliceWithSpecialElements(original, patch, mergeKey);
      merged = this.mergeSliceWithoutSpecialElements(original, patch, mergeKey, meta);
    }
    const { patchItems, serverOnly } = mergeKey ? partitionMapsByPresentInList(merged, patch, mergeKey) : partitionPrimitivesByPresentInList(merged, patch);
    return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
  }

  private mergeSliceWithoutSpecialElements(originalIn: unknown[], patch: unknown[], mergeKey: string, meta: Meta): unknown[] {
    const original = [...originalIn];
    for (const v of patch) {
      const typed = v as JsonObject;
      if (!has(typed, mergeKey)) throw errNoMergeKey(typed, mergeKey);
      const found = findMapInSlice(original, mergeKey, typed[mergeKey]);
      if (found) original[found.index] = this.mergeMap(found.map, typed, meta);
      else original.push(v);
    }
    return original;
  }
}

function sliceElementType(...slices: unknown[][]): string {
  let prev: string | undefined;
  for (const s of slices) {
    for (const v of s) {
      const k = kindOf(v);
      if (prev === undefined) {
        prev = k;
        if (k === 'array') throw new StrategicMergePatchError(ERR_NO_LIST_OF_LISTS, 'Invalid');
      } else if (prev !== k) {
        throw new StrategicMergePatchError(`list element types are not identical: ${goFormat(slices)}`);
      }
    }
  }
  if (prev === undefined) throw new StrategicMergePatchError('no elements in any of the given slices');
  return prev;
}

function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  const del = new Set(toDelete);
  return current.filter((v) => !del.has(v));
}

/** Upstream's de-duplication, including its habit of moving the last element into a duplicate's slot. */
function deduplicateScalars(s: unknown[]): unknown[] {
  const a = [...s];
  let length = a.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (a[i] === a[j]) {
        a[j] = a[length];
        a.length = length;
        length--;
        j--;
      }
    }
  }
  return a;
}

function findMapInSlice(list: unknown[], key: string, value: unknown): { map: JsonObject; index: number } | undefined {
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (!isJsonObject(m)) throw new StrategicMergePatchError(`value for key ${i} is not a map`);
    if (has(m, key) && m[key] === value) return { map: m, index: i };
  }
  return undefined;
}

function mergeSliceWithSpecialElements(originalIn: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  let original = originalIn;
  const plain: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const typed = v as JsonObject;
    if (!has(typed, DIRECTIVE)) {
      plain.push(v);
      continue;
    }
    const directive = typed[DIRECTIVE];
    if (directive === 'delete') {
      if (!has(typed, mergeKey)) throw errNoMergeKey(typed, mergeKey);
      const value = typed[mergeKey];
      original = original.filter((o) => {
        if (!isJsonObject(o)) throw new StrategicMergePatchError(`value for key ${original.indexOf(o)} is not a map`);
        return !(has(o, mergeKey) && o[mergeKey] === value);
      });
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw new StrategicMergePatchError('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(directive, typed);
    }
  }
  return replace ? [plain, []] : [original, plain];
}

function partitionPrimitivesByPresentInList(original: unknown[], by: unknown[]): { patchItems: unknown[]; serverOnly: unknown[] } {
  const inPatch = new Set(by);
  const patchItems: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of original) (inPatch.has(v) ? patchItems : serverOnly).push(v);
  return { patchItems, serverOnly };
}

function partitionMapsByPresentInList(original: unknown[], by: unknown[], mergeKey: string): { patchItems: unknown[]; serverOnly: unknown[] } {
  const patchItems: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of original) {
    if (!isJsonObject(v)) throw errBadArgType(MAP_TYPE, v);
    if (!has(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (findMapInSlice(by, mergeKey, v[mergeKey]) ? patchItems : serverOnly).push(v);
  }
  return { patchItems, serverOnly };
}

function mergeKeyValue(item: unknown, mergeKey: string, kind: string): unknown {
  if (kind !== 'object') return item;
  return isJsonObject(item) ? (item[mergeKey] ?? null) : null;
}

function indexIn(list: unknown[], item: unknown, mergeKey: string, kind: string): number {
  const v = mergeKeyValue(item, mergeKey, kind);
  return list.findIndex((x) => mergeKeyValue(x, mergeKey, kind) === v);
}

function validateMergeKeyInLists(mergeKey: string, ...lists: unknown[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isJsonObject(item)) throw errBadArgType(MAP_TYPE, item);
      if (!has(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

/** Sorts toSort by position in order, exactly as upstream's stable sort with its lenient comparator. */
function normalizeSliceOrder(toSortIn: unknown[], order: unknown[], mergeKey: string, kind: string): unknown[] {
  let toSort = [...toSortIn];
  let toDelete: unknown[] = [];
  if (kind === 'object') {
    validateMergeKeyInLists(mergeKey, toSort, order);
    toDelete = toSort.filter((v) => (v as JsonObject)[DIRECTIVE] === 'delete');
    toSort = toSort.filter((v) => (v as JsonObject)[DIRECTIVE] !== 'delete');
  }
  const less = (a: unknown, b: unknown): boolean => {
    const ia = indexIn(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexIn(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  };
  // Go's SliceStable is an insertion sort for short slices; the comparator is not a strict order, so mirror it.
  for (let i = 1; i < toSort.length; i++) {
    for (let j = i; j > 0 && less(toSort[j], toSort[j - 1]); j--) [toSort[j], toSort[j - 1]] = [toSort[j - 1], toSort[j]];
  }
  return [...toSort, ...toDelete];
}

function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: string): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function normalizeElementOrder(patch: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string, kind: string): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

function validatePatchWithSetOrderList(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let nonDelete = patchList;
  if (mergeKey) {
    nonDelete = patchList.filter((v) => {
      if (!isJsonObject(v)) throw errBadArgType(MAP_TYPE, v);
      return v[DIRECTIVE] !== 'delete';
    });
  }
  let pi = 0;
  let oi = 0;
  while (pi < nonDelete.length && oi < order.length) {
    const p = nonDelete[pi];
    if (isJsonObject(p) && has(p, DIRECTIVE)) {
      pi++;
      continue;
    }
    if (mergeKeyEqual(p, order[oi], mergeKey)) pi++;
    oi++;
  }
  if (pi < nonDelete.length && oi >= order.length) {
    throw new StrategicMergePatchError(`the order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}`);
  }
}

function mergeKeyEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isJsonObject(left)) throw errBadArgType(MAP_TYPE, left);
  if (!isJsonObject(right)) throw errBadArgType(MAP_TYPE, right);
  if (!has(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!has(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/**
 * Applies a strategic merge patch to a copy of original. Throws
 * StrategicMergePatchError; use `applyStrategicMergePatch` for the
 * StatusError the server answers with.
 */
export function strategicMergePatch(original: unknown, patch: unknown, schema: Schema | undefined, resolver: SchemaResolver | undefined, opts: { inPlace?: boolean } = {}): unknown {
  if (patch === null || patch === undefined) return opts.inPlace ? original : deepClone(original);
  if (!isJsonObject(patch)) throw badRequestError(`json: cannot unmarshal ${kindOf(patch) === 'boolean' ? 'bool' : kindOf(patch)} into Go value of type map[string]interface {}`);
  const lookup = new Lookup(resolver);
  const orig = isJsonObject(original) ? (opts.inPlace ? original : deepClone(original)) : null;
  return new Merger(lookup).mergeMap(orig, deepClone(patch), lookup.meta(schema));
}

/** strategicMergePatch with failures translated to the StatusError kube-apiserver would answer. */
export function applyStrategicMergePatch(original: unknown, patch: unknown, schema: Schema | undefined, resolver: SchemaResolver | undefined, opts: { inPlace?: boolean } = {}): unknown {
  try {
    return strategicMergePatch(original, patch, schema, resolver, opts);
  } catch (err) {
    if (err instanceof StrategicMergePatchError) throw err.toStatusError();
    throw err;
  }
}
