/**
 * RFC 6902 JSON Patch with the behaviour of the library kube-apiserver uses
 * (evanphx/json-patch v4): `replace` of a missing object member adds it,
 * negative array indices count from the end, `-` appends, RFC 6901 `~0`/`~1`
 * escapes. A patch that does not decode is a 400; one that fails to apply is
 * upstream's generic 422 (the detailed text is kept as the error's cause).
 */
import { StatusError, badRequest } from '../errors/status-error.js';
import { type JsonObject, deepClone, deepEqual, isJsonObject, kindOf } from './json-value.js';

export interface JsonPatchOperation {
  op: string;
  path?: string;
  from?: string;
  value?: unknown;
  [extra: string]: unknown;
}

export const MAX_JSON_PATCH_OPERATIONS = 10000;
export const JSON_PATCH_APPLY_FAILED = 'the server rejected our request due to an error in our request';

/** The library's own failure text (what a 422's cause carries). */
export class JsonPatchApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPatchApplyError';
  }
}

const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';
const TEST_FAILED = 'test failed';

function fail(msg: string, cause?: string): never {
  throw new JsonPatchApplyError(cause ? `${msg}: ${cause}` : msg);
}

function goUnmarshalKind(v: unknown): string {
  const k = kindOf(v);
  return k === 'boolean' ? 'bool' : k;
}

/** Validates the patch document's shape as Go's json.Unmarshal into []Operation would. */
export function decodeJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (patch === null || patch === undefined) return [];
  if (!Array.isArray(patch)) throw badRequest(`json: cannot unmarshal ${goUnmarshalKind(patch)} into Go value of type jsonpatch.Patch`);
  for (const op of patch) {
    if (op !== null && !isJsonObject(op)) throw badRequest(`json: cannot unmarshal ${goUnmarshalKind(op)} into Go value of type jsonpatch.Operation`);
  }
  return patch.map((op) => (op ?? {}) as JsonPatchOperation);
}

type Container = { kind: 'object'; obj: JsonObject } | { kind: 'array'; parent: { get(): unknown[]; set(a: unknown[]): void } };

function decodeKey(k: string): string {
  return k.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** strconv.Atoi */
function atoi(key: string): number | undefined {
  if (!/^[+-]?\d+$/.test(key)) return undefined;
  const n = Number(key);
  return Number.isSafeInteger(n) ? n : undefined;
}

interface Located {
  con: Container;
  key: string;
}

function containerOf(value: unknown, set: (a: unknown[]) => void): Container | undefined {
  if (isJsonObject(value)) return { kind: 'object', obj: value };
  if (Array.isArray(value)) {
    let current = value;
    return {
      kind: 'array',
      parent: {
        get: () => current,
        set: (a) => {
          current = a;
          set(a);
        },
      },
    };
  }
  return undefined;
}

class Doc {
  constructor(public root: unknown) {}

  private rootContainer(): Container | undefined {
    return containerOf(this.root, (a) => (this.root = a));
  }

  find(path: string): Located | undefined {
    const split = path.split('/');
    if (split.length < 2) return undefined;
    let con = this.rootContainer();
    for (const part of split.slice(1, -1)) {
      if (!con) return undefined;
      const r = get(con, decodeKey(part));
      if (r.error !== undefined || r.value === undefined || r.value === null) return undefined;
      const holder = con;
      const key = decodeKey(part);
      con = containerOf(r.value, (a) => setRaw(holder, key, a));
    }
    return con ? { con, key: decodeKey(split[split.length - 1]!) } : undefined;
  }
}

function setRaw(con: Container, key: string, v: unknown): void {
  if (con.kind === 'object') con.obj[key] = v;
  else {
    const a = con.parent.get().slice();
    a[Number(key)] = v;
    con.parent.set(a);
  }
}

function get(con: Container, key: string): { value?: unknown; error?: string } {
  if (con.kind === 'object') return { value: Object.prototype.hasOwnProperty.call(con.obj, key) ? con.obj[key] : undefined };
  const a = con.parent.get();
  const idx = atoi(key);
  if (idx === undefined) return { error: `strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax` };
  if (idx >= a.length || idx < 0) return { error: `Unable to access invalid index: ${idx}: ${INVALID_INDEX}` };
  return { value: a[idx] };
}

function add(con: Container, key: string, v: unknown): string | undefined {
  if (con.kind === 'object') {
    con.obj[key] = v;
    return undefined;
  }
  const a = con.parent.get();
  if (key === '-') {
    con.parent.set([...a, v]);
    return undefined;
  }
  let idx = atoi(key);
  if (idx === undefined) return `value was not a proper array index: '${key}': strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`;
  const size = a.length + 1;
  if (idx >= size || idx < -size) return `Unable to access invalid index: ${idx}: ${INVALID_INDEX}`;
  if (idx < 0) idx += size;
  con.parent.set([...a.slice(0, idx), v, ...a.slice(idx)]);
  return undefined;
}

function remove(con: Container, key: string): string | undefined {
  if (con.kind === 'object') {
    if (!Object.prototype.hasOwnProperty.call(con.obj, key)) return `Unable to remove nonexistent key: ${key}: ${MISSING}`;
    delete con.obj[key];
    return undefined;
  }
  const a = con.parent.get();
  let idx = atoi(key);
  if (idx === undefined) return `strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`;
  if (idx >= a.length || idx < -a.length) return `Unable to access invalid index: ${idx}: ${INVALID_INDEX}`;
  if (idx < 0) idx += a.length;
  con.parent.set([...a.slice(0, idx), ...a.slice(idx + 1)]);
  return undefined;
}

function stringField(op: JsonPatchOperation, name: 'path' | 'from'): string | undefined {
  const v = op[name];
  return typeof v === 'string' ? v : undefined;
}

function applyOne(doc: Doc, op: JsonPatchOperation): void {
  const kind = typeof op.op === 'string' ? op.op : 'unknown';
  const path = stringField(op, 'path');
  const value = deepClone(op.value);
  switch (kind) {
    case 'add': {
      if (path === undefined) fail('add operation failed to decode path', MISSING);
      const loc = doc.find(path);
      if (!loc) fail(`add operation does not apply: doc is missing path: "${path}"`, MISSING);
      const err = add(loc.con, loc.key, value === undefined ? null : value);
      if (err) fail(`error in add for path: '${path}'`, err);
      return;
    }
    case 'remove': {
      if (path === undefined) fail('remove operation failed to decode path', MISSING);
      const loc = doc.find(path);
      if (!loc) fail(`remove operation does not apply: doc is missing path: "${path}"`, MISSING);
      const err = remove(loc.con, loc.key);
      if (err) fail(`error in remove for path: '${path}'`, err);
      return;
    }
    case 'replace': {
      if (path === undefined) fail('replace operation failed to decode path', `operation missing path field: ${MISSING}`);
      const loc = doc.find(path);
      if (!loc) fail(`replace operation does not apply: doc is missing path: ${path}`, MISSING);
      if (get(loc.con, loc.key).error !== undefined) fail(`replace operation does not apply: doc is missing key: ${path}`, MISSING);
      setRaw(loc.con, loc.key, value === undefined ? null : value);
      return;
    }
    case 'move': {
      const from = stringField(op, 'from');
      if (from === undefined) fail('move operation failed to decode from', `operation, missing from field: ${MISSING}`);
      const src = doc.find(from);
      if (!src) fail(`move operation does not apply: doc is missing from path: ${from}`, MISSING);
      const got = get(src.con, src.key);
      if (got.error !== undefined) fail(`error in move for path: '${src.key}'`, got.error);
      const rmErr = remove(src.con, src.key);
      if (rmErr) fail(`error in move for path: '${src.key}'`, rmErr);
      if (path === undefined) fail('move operation failed to decode path', `operation missing path field: ${MISSING}`);
      const dst = doc.find(path);
      if (!dst) fail(`move operation does not apply: doc is missing destination path: ${path}`, MISSING);
      const err = add(dst.con, dst.key, got.value ?? null);
      if (err) fail(`error in move for path: '${path}'`, err);
      return;
    }
    case 'copy': {
      const from = stringField(op, 'from');
      if (from === undefined) fail('copy operation failed to decode from', `operation, missing from field: ${MISSING}`);
      const src = doc.find(from);
      if (!src) fail(`copy operation does not apply: doc is missing from path: ${from}`, MISSING);
      const got = get(src.con, src.key);
      if (got.error !== undefined) fail(`error in copy for from: '${from}'`, got.error);
      if (path === undefined) fail('copy operation failed to decode path', MISSING);
      const dst = doc.find(path);
      if (!dst) fail(`copy operation does not apply: doc is missing destination path: ${path}`, MISSING);
      const err = add(dst.con, dst.key, deepClone(got.value ?? null));
      if (err) fail('error while adding value during copy', err);
      return;
    }
    case 'test': {
      if (path === undefined) fail('test operation failed to decode path', `operation missing path field: ${MISSING}`);
      const loc = doc.find(path);
      if (!loc) fail(`test operation does not apply: is missing path: ${path}`, MISSING);
      const got = get(loc.con, loc.key);
      if (got.error !== undefined) fail(`error in test for path: '${path}'`, got.error);
      const actual = got.value ?? null;
      const expected = op.value ?? null;
      if (!deepEqual(actual, expected)) fail(`testing value ${path} failed`, TEST_FAILED);
      return;
    }
    default:
      fail(`Unexpected kind: ${kind}`);
  }
}

/**
 * Applies a JSON patch to a copy of doc. Throws a 400 StatusError for an
 * undecodable patch, 413 for too many operations, and upstream's 422 when an
 * operation does not apply (cause: a JsonPatchApplyError with the detail).
 */
export function applyJsonPatch(doc: unknown, patch: unknown, opts: { inPlace?: boolean } = {}): unknown {
  const ops = decodeJsonPatch(patch);
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  const d = new Doc(opts.inPlace ? doc : deepClone(doc));
  try {
    for (const op of ops) applyOne(d, op);
  } catch (err) {
    if (err instanceof JsonPatchApplyError) throw new StatusError(422, 'Invalid', JSON_PATCH_APPLY_FAILED, undefined, { cause: err });
    throw err;
  }
  return d.root;
}

/** The same application reporting the library's detailed text as a value (for tests and logs). */
export function tryApplyJsonPatch(doc: unknown, patch: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const ops = decodeJsonPatch(patch);
  const d = new Doc(deepClone(doc));
  try {
    for (const op of ops) applyOne(d, op);
    return { ok: true, value: d.root };
  } catch (err) {
    if (err instanceof JsonPatchApplyError) return { ok: false, message: err.message };
    throw err;
  }
}
