/**
 * Objects seen through their schema the way structured merge sees them:
 * which fields a value sets, how two values differ, how an applied
 * configuration merges into a live object and how items are removed.
 *
 * Element relationships follow upstream's schema conversion: lists are
 * atomic unless `x-kubernetes-list-type` says otherwise (built-ins fall back
 * to their strategic-merge patch strategy and merge key); structs and maps
 * are granular unless `x-kubernetes-map-type: atomic`; anything the schema
 * does not describe (no schema, `x-kubernetes-preserve-unknown-fields`) is
 * "deduced": scalars and lists are leaves, maps are granular with each key a
 * member.
 */
import { isObject } from '../meta/types.js';
import { type Schema, type SchemaResolver, deref } from '../schema/types.js';
import { type BuilderNode, type FieldPath, type PathElement, FieldSet, FieldSetBuilder, childOf, comparePathElements, encodePathElement, pathToString, pe } from './fieldset.js';

export type Atom =
  | { kind: 'scalar' }
  | { kind: 'list'; relationship: 'atomic' | 'set' | 'map'; keys: readonly string[]; item: TypeRef }
  | { kind: 'map'; atomic: boolean; fields: Readonly<Record<string, Schema>> | undefined; elem: TypeRef }
  | { kind: 'deduced' };

/** A schema node plus the resolver for its `$ref`s; `undefined` schema means deduced. */
export interface TypeRef {
  schema: Schema | undefined;
  resolver: SchemaResolver | undefined;
}

// Per resolver: the same schema node may resolve differently under another registry.
const atomCache = new WeakMap<object, WeakMap<Schema, Atom>>();
const NO_RESOLVER = {};

export function resolveAtom(t: TypeRef): Atom {
  const outer = t.schema;
  if (!outer) return { kind: 'deduced' };
  const scope = t.resolver ?? NO_RESOLVER;
  let cache = atomCache.get(scope);
  if (!cache) {
    cache = new WeakMap();
    atomCache.set(scope, cache);
  }
  const cached = cache.get(outer);
  if (cached) return cached;
  const atom = computeAtom(outer, t.resolver);
  cache.set(outer, atom);
  return atom;
}

function computeAtom(outer: Schema, resolver: SchemaResolver | undefined): Atom {
  const s = deref(outer, resolver);
  if (!s) return { kind: 'deduced' };
  // Extensions may sit beside a $ref on the referring property.
  const ext = <K extends keyof Schema>(k: K): Schema[K] => (outer[k] !== undefined ? outer[k] : s[k]);
  if (ext('x-kubernetes-int-or-string')) return { kind: 'scalar' };
  if (s.type === 'array' || s.items) {
    const item: TypeRef = { schema: s.items, resolver };
    const listType = ext('x-kubernetes-list-type');
    if (listType === 'map') return { kind: 'list', relationship: 'map', keys: ext('x-kubernetes-list-map-keys') ?? [], item };
    if (listType === 'set') return { kind: 'list', relationship: 'set', keys: [], item };
    if (listType === 'atomic') return { kind: 'list', relationship: 'atomic', keys: [], item };
    const strategy = ext('x-kubernetes-patch-strategy') ?? '';
    if (strategy.split(',').includes('merge')) {
      const key = ext('x-kubernetes-patch-merge-key');
      return key ? { kind: 'list', relationship: 'map', keys: [key], item } : { kind: 'list', relationship: 'set', keys: [], item };
    }
    return { kind: 'list', relationship: 'atomic', keys: [], item };
  }
  const atomic = ext('x-kubernetes-map-type') === 'atomic';
  if (s.type === 'object' || s.properties || s.additionalProperties !== undefined) {
    const ap = s.additionalProperties;
    const preserve = ext('x-kubernetes-preserve-unknown-fields') === true;
    let elem: TypeRef = { schema: undefined, resolver };
    if (typeof ap === 'object' && !preserve) elem = { schema: ap, resolver };
    if (!s.properties && ap === undefined && !preserve && !atomic) return { kind: 'deduced' };
    return { kind: 'map', atomic, fields: s.properties, elem };
  }
  if (s.type) return { kind: 'scalar' };
  if (ext('x-kubernetes-preserve-unknown-fields')) return { kind: 'deduced' };
  return { kind: 'deduced' };
}

type ValueKind = 'scalar' | 'list' | 'map' | 'null';

function kindOf(v: unknown): ValueKind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (isObject(v)) return 'map';
  return 'scalar';
}

const DEDUCED: TypeRef = { schema: undefined, resolver: undefined };

/**
 * The atom used for a concrete value: a deduced type takes the value's shape,
 * and a value that contradicts its schema is treated as deduced so one bad
 * field never aborts the whole walk (validation reports it elsewhere).
 */
function atomFor(t: TypeRef, a0?: unknown, a1?: unknown): Atom {
  const a = resolveAtom(t);
  // Written out for the one or two values every caller passes: this runs once per node of every walk.
  const p0 = a0 !== undefined && a0 !== null;
  const p1 = a1 !== undefined && a1 !== null;
  const expected = a.kind === 'list' ? 'list' : a.kind === 'map' ? 'map' : a.kind === 'scalar' ? 'scalar' : undefined;
  if (expected && (!p0 || kindOf(a0) === expected) && (!p1 || kindOf(a1) === expected)) return a;
  const shape = p1 ? kindOf(a1) : p0 ? kindOf(a0) : 'scalar';
  if (shape === 'list') return DEDUCED_LIST;
  if (shape === 'map') return DEDUCED_MAP;
  return SCALAR;
}

const DEDUCED_LIST: Atom = { kind: 'list', relationship: 'atomic', keys: [], item: DEDUCED };
const DEDUCED_MAP: Atom = { kind: 'map', atomic: false, fields: undefined, elem: DEDUCED };
const SCALAR: Atom = { kind: 'scalar' };

function fieldType(a: Extract<Atom, { kind: 'map' }>, key: string): { type: TypeRef; declared: boolean } {
  const f = a.fields?.[key];
  if (f) return { type: { schema: f, resolver: a.elem.resolver }, declared: true };
  return { type: a.elem, declared: false };
}

/** Why an item of a list has no identity (upstream's message text). */
export interface TypedError {
  path: string;
  message: string;
}

/** The identity of a list item, or an error text when a key field is missing. */
export function listItemElement(a: Extract<Atom, { kind: 'list' }>, index: number, item: unknown): { ok: true; pe: PathElement } | { ok: false; message: string } {
  if (a.relationship === 'set') return { ok: true, pe: pe.value(item) };
  if (a.relationship === 'map' && a.keys.length > 0) {
    if (!isObject(item)) return { ok: false, message: `element ${index}: associative list with keys may only have map elements` };
    const itemSchema = deref(a.item.schema, a.item.resolver);
    const fields: Record<string, unknown> = {};
    for (const k of a.keys) {
      if (item[k] !== undefined) fields[k] = item[k];
      else {
        const d = deref(itemSchema?.properties?.[k], a.item.resolver)?.default ?? itemSchema?.properties?.[k]?.default;
        if (d === undefined) return { ok: false, message: `element ${index}: associative list with keys has an element that omits key field "${k}" (and doesn't have default value)` };
        fields[k] = d;
      }
    }
    return { ok: true, pe: pe.key(fields) };
  }
  return { ok: true, pe: pe.index(index) };
}

interface Walk {
  set: FieldSetBuilder;
  errors: TypedError[];
}

/** Every leaf field and list/map item `value` sets, as the set an applier owns. */
export function toFieldSet(value: unknown, t: TypeRef): { set: FieldSet; errors: TypedError[] } {
  const w: Walk = { set: new FieldSetBuilder(), errors: [] };
  walkSet(w, [], value, t);
  return { set: w.set.build(), errors: w.errors };
}

function walkSet(w: Walk, path: PathElement[], v: unknown, t: TypeRef): void {
  const a = atomFor(t, v);
  switch (a.kind) {
    case 'scalar':
    case 'deduced':
      w.set.insert(path);
      return;
    case 'list': {
      if (a.relationship === 'atomic') {
        w.set.insert(path);
        return;
      }
      if (!Array.isArray(v)) return;
      v.forEach((item, i) => {
        const id = listItemElement(a, i, item);
        if (!id.ok) {
          w.errors.push({ path: pathToString(path), message: id.message });
          return;
        }
        const p = [...path, id.pe];
        walkSet(w, p, item, a.item);
        w.set.insert(p);
      });
      return;
    }
    case 'map': {
      if (a.atomic) {
        w.set.insert(path);
        return;
      }
      if (!isObject(v)) return;
      for (const [k, child] of Object.entries(v)) {
        if (child === undefined) continue;
        const { type, declared } = fieldType(a, k);
        const p = [...path, pe.field(k)];
        walkSet(w, p, child, type);
        if (child === null || (isObject(child) && Object.keys(child).length === 0) || !declared) w.set.insert(p);
      }
      return;
    }
  }
}

/** What changed between two values of one type, as paths. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    // Keys whose value is undefined do not count, on either side.
    let na = 0;
    for (const k in a) {
      const v = a[k];
      if (v === undefined) continue;
      na++;
      if (!deepEqual(v, b[k])) return false;
    }
    let nb = 0;
    for (const k in b) if (b[k] !== undefined) nb++;
    return na === nb;
  }
  return false;
}

interface CompareWalk {
  added: FieldSetBuilder;
  modified: FieldSetBuilder;
  removed: FieldSetBuilder;
  errors: TypedError[];
}

/**
 * Compares `lhs` (old) with `rhs` (new). Leaves are added, removed or
 * modified; containers (structs, maps, list items) that appear or vanish are
 * added or removed as a whole, which is what makes a created list item a
 * member of its creator's set.
 */
export function compare(lhs: unknown, rhs: unknown, t: TypeRef): Comparison & { errors: TypedError[] } {
  const w: CompareWalk = { added: new FieldSetBuilder(), modified: new FieldSetBuilder(), removed: new FieldSetBuilder(), errors: [] };
  walkCompare(w, [], lhs, rhs, t);
  return { added: w.added.build(), modified: w.modified.build(), removed: w.removed.build(), errors: w.errors };
}

function walkCompare(w: CompareWalk, path: PathElement[], lhs: unknown, rhs: unknown, t: TypeRef): void {
  // Equal values differ nowhere below, whatever their type: most of an updated object is unchanged.
  // Not asked of the root: its fields are each asked, and an update's root always differs somewhere.
  if (path.length > 0 && lhs !== undefined && rhs !== undefined && deepEqual(lhs, rhs)) return;
  // A new subtree (all of a created object) is added whole: one walk that builds its trie in place.
  if (lhs === undefined && path.length > 0) {
    walkAdded(w, w.added.nodeAt(path), [...path], rhs, t);
    return;
  }
  const a = atomFor(t, lhs, rhs);
  // Past the check above, values on both sides differ.
  const leaf = (): void => {
    if (lhs === undefined) w.added.insert(path);
    else if (rhs === undefined) w.removed.insert(path);
    else w.modified.insert(path);
  };
  const container = (): void => {
    if (lhs === undefined) w.added.insert(path);
    else if (rhs === undefined) w.removed.insert(path);
  };
  switch (a.kind) {
    case 'scalar':
    case 'deduced':
      leaf();
      return;
    case 'list': {
      const l = Array.isArray(lhs) ? lhs : undefined;
      const r = Array.isArray(rhs) ? rhs : undefined;
      if (a.relationship === 'atomic' || (!l?.length && !r?.length)) {
        leaf();
        return;
      }
      const li = indexItems(a, l, path, w.errors);
      const ri = indexItems(a, r, path, w.errors);
      const keys = new Set([...li.keys(), ...ri.keys()]);
      for (const k of keys) {
        const lc = li.get(k);
        const rc = ri.get(k);
        walkCompare(w, [...path, (lc ?? rc)!.pe], lc?.value, rc?.value, a.item);
      }
      container();
      return;
    }
    case 'map': {
      const l = isObject(lhs) ? lhs : undefined;
      const r = isObject(rhs) ? rhs : undefined;
      const emptyL = !l || Object.keys(l).length === 0;
      const emptyR = !r || Object.keys(r).length === 0;
      if (a.atomic || (emptyL && emptyR)) {
        leaf();
        return;
      }
      const field = (k: string): void => {
        const lv = l?.[k];
        const rv = r?.[k];
        if (lv === undefined && rv === undefined) return;
        walkCompare(w, [...path, pe.field(k)], lv, rv, fieldType(a, k).type);
      };
      if (l) for (const k in l) field(k);
      if (r) for (const k in r) if (!l || !(k in l)) field(k);
      container();
      return;
    }
  }
}

/**
 * `walkCompare` with nothing on the left: every leaf and every container of
 * `rhs` is added. `node` is the trie node of `path`; `path` is kept (pushed
 * and popped) only to name errors.
 */
function walkAdded(w: CompareWalk, node: BuilderNode, path: PathElement[], rhs: unknown, t: TypeRef): void {
  const a = atomFor(t, rhs);
  node.member = true;
  if (a.kind === 'list') {
    if (a.relationship === 'atomic' || !Array.isArray(rhs) || rhs.length === 0) return;
    for (const item of indexItems(a, rhs, path, w.errors).values()) {
      path.push(item.pe);
      walkAdded(w, childOf(node, item.pe), path, item.value, a.item);
      path.pop();
    }
  } else if (a.kind === 'map') {
    if (a.atomic || !isObject(rhs)) return;
    for (const k in rhs) {
      const v = rhs[k];
      if (v === undefined) continue;
      const e = pe.field(k);
      path.push(e);
      walkAdded(w, childOf(node, e), path, v, fieldType(a, k).type);
      path.pop();
    }
  }
}

// `f:<name>` keys, made once per name: a key built by concatenation is a new string each time,
// which the engine must look up in its string table before it can name a property.
const fieldKeys = new Map<string, string>();
const MAX_FIELD_KEYS = 50_000;

/** The FieldsV1 key of a field name. */
export function fieldKey(name: string): string {
  let k = fieldKeys.get(name);
  if (k === undefined) {
    k = 'f:' + name;
    if (fieldKeys.size < MAX_FIELD_KEYS) fieldKeys.set(name, k);
  }
  return k;
}

/**
 * What `walkAdded` marks for a new subtree, written straight out as the FieldsV1 value of its node:
 * `{}` for a leaf, `{".":{}, …children}` in upstream's order for a container that carries fields.
 * Equal to encoding the set `compare` adds (a create's whole object), without building the set.
 */
export function addedFieldsV1(rhs: unknown, t: TypeRef): Record<string, unknown> {
  const a = atomFor(t, rhs);
  if (a.kind === 'list') {
    if (a.relationship === 'atomic' || !Array.isArray(rhs) || rhs.length === 0) return {};
    const items = [...indexItems(a, rhs, [], []).values()];
    if (items.length === 0) return {};
    if (items.length > 1) items.sort((p, q) => comparePathElements(p.pe, q.pe));
    const out: Record<string, unknown> = { '.': {} };
    for (const item of items) out[encodePathElement(item.pe)] = addedFieldsV1(item.value, a.item);
    return out;
  }
  if (a.kind === 'map') {
    if (a.atomic || !isObject(rhs)) return {};
    let keys = Object.keys(rhs);
    for (const k of keys) {
      if (rhs[k] === undefined) {
        keys = keys.filter((x) => rhs[x] !== undefined);
        break;
      }
    }
    if (keys.length === 0) return {};
    keys.sort();
    const out: Record<string, unknown> = { '.': {} };
    for (const k of keys) out[fieldKey(k)] = addedFieldsV1(rhs[k], fieldType(a, k).type);
    return out;
  }
  return {};
}

/** The atom a whole object is walked with, when it is a granular map (the only shape objects have). */
export function objectAtom(t: TypeRef, value: unknown): Extract<Atom, { kind: 'map' }> | undefined {
  const a = atomFor(t, value);
  return a.kind === 'map' && !a.atomic ? a : undefined;
}

/** The type of a field of a map atom (declared, or the map's element type). */
export function fieldTypeOf(a: Extract<Atom, { kind: 'map' }>, key: string): TypeRef {
  return fieldType(a, key).type;
}

interface IndexedItem {
  pe: PathElement;
  value: unknown;
}

/** List items by identity in order; later duplicates are ignored as upstream does. */
function indexItems(a: Extract<Atom, { kind: 'list' }>, list: unknown[] | undefined, path: FieldPath, errors: TypedError[]): Map<string, IndexedItem> {
  const out = new Map<string, IndexedItem>();
  (list ?? []).forEach((item, i) => {
    const id = listItemElement(a, i, item);
    if (!id.ok) {
      errors.push({ path: pathToString(path), message: id.message });
      return;
    }
    const k = encodePathElement(id.pe);
    if (!out.has(k)) out.set(k, { pe: id.pe, value: item });
  });
  return out;
}

/**
 * Merges a partially specified object into a live one: leaves and atomic
 * values take `rhs`, structs and granular maps merge by key, map-lists by
 * item keys and set-lists by value. Items keep the live order except where
 * the applied order places them.
 */
export function merge(lhs: unknown, rhs: unknown, t: TypeRef): { value: unknown; errors: TypedError[] } {
  const errors: TypedError[] = [];
  return { value: walkMerge([], lhs, rhs, t, errors), errors };
}

function walkMerge(path: PathElement[], lhs: unknown, rhs: unknown, t: TypeRef, errors: TypedError[]): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined) return rhs;
  const a = atomFor(t, lhs, rhs);
  switch (a.kind) {
    case 'scalar':
    case 'deduced':
      return rhs;
    case 'list': {
      if (a.relationship === 'atomic' || !Array.isArray(lhs) || !Array.isArray(rhs)) return rhs;
      return mergeLists(a, path, lhs, rhs, errors);
    }
    case 'map': {
      if (a.atomic || !isObject(lhs) || !isObject(rhs)) return rhs;
      const out: Record<string, unknown> = { ...lhs };
      for (const [k, rv] of Object.entries(rhs)) {
        if (rv === undefined) continue;
        out[k] = walkMerge([...path, pe.field(k)], lhs[k], rv, fieldType(a, k).type, errors);
      }
      return out;
    }
  }
}

function mergeLists(a: Extract<Atom, { kind: 'list' }>, path: PathElement[], lhs: unknown[], rhs: unknown[], errors: TypedError[]): unknown[] {
  const li = indexItems(a, lhs, path, errors);
  const ri = indexItems(a, rhs, path, errors);
  const lOrder = [...li.keys()];
  const rOrder = [...ri.keys()];
  const shared = rOrder.filter((k) => li.has(k));
  let sharedAt = 0;
  const nextShared = (): string | undefined => shared[sharedAt];
  const out: unknown[] = [];
  const emit = (k: string): void => {
    const l = li.get(k);
    const r = ri.get(k);
    out.push(walkMerge([...path, (r ?? l)!.pe], l?.value, r?.value, a.item, errors));
  };
  let lI = 0;
  let rI = 0;
  while (lI < lOrder.length || rI < rOrder.length) {
    if (lI < lOrder.length && rI < rOrder.length) {
      const lk = lOrder[lI]!;
      if (lk === rOrder[rI]) {
        emit(lk);
        lI++;
        rI++;
        if (nextShared() === lk) sharedAt++;
        continue;
      }
      // A shared item that the applied order places later: it is emitted when reached there.
      if (ri.has(lk) && nextShared() !== undefined && nextShared() !== lk) {
        lI++;
        continue;
      }
    }
    if (lI < lOrder.length && !ri.has(lOrder[lI]!)) {
      emit(lOrder[lI]!);
      lI++;
      continue;
    }
    if (rI < rOrder.length) {
      const rk = rOrder[rI]!;
      emit(rk);
      rI++;
      if (nextShared() === rk) sharedAt++;
      continue;
    }
    // Only already-emitted shared items remain on the live side.
    lI++;
  }
  return out;
}

/**
 * Removes every item in `items` from `value`. Members are removed with their
 * subtree; a container left empty by the removal is dropped as upstream
 * turns it into null.
 */
export function removeItems(value: unknown, items: FieldSet, t: TypeRef): unknown {
  if (items.empty) return value;
  const a = atomFor(t, value);
  if (a.kind === 'list') {
    if (a.relationship === 'atomic' || !Array.isArray(value) || value.length === 0) return value;
    const out: unknown[] = [];
    value.forEach((item, i) => {
      const id = listItemElement(a, i, item);
      if (!id.ok) {
        out.push(item);
        return;
      }
      if (items.hasMember(id.pe)) return;
      const sub = items.withPrefix(id.pe);
      out.push(sub.empty ? item : removeItems(item, sub, a.item));
    });
    return out.length ? out : undefined;
  }
  if (a.kind === 'map') {
    if (a.atomic || !isObject(value) || Object.keys(value).length === 0) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const e = pe.field(k);
      if (items.hasMember(e)) continue;
      const sub = items.withPrefix(e);
      if (sub.empty) {
        out[k] = v;
        continue;
      }
      const nv = removeItems(v, sub, fieldType(a, k).type);
      if (nv !== undefined) out[k] = nv;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

/**
 * Adds struct fields that have owned descendants as members themselves, so
 * that set arithmetic over ownership keeps a struct whose children someone
 * still owns. Map keys and list items are not named fields and stay as they are.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, t: TypeRef): FieldSet {
  if (set.empty) return set;
  const a = resolveAtom(t);
  const b = new FieldSetBuilder();
  const addAll = (prefix: PathElement[], s: FieldSet): void => {
    for (const p of s) b.insert([...prefix, ...p]);
  };
  for (const e of set.topLevel()) {
    if (set.hasMember(e)) b.insert([e]);
    const sub = set.withPrefix(e);
    if (sub.empty) continue;
    let childType: TypeRef = DEDUCED;
    if (a.kind === 'map' && e.kind === 'field') {
      const f = fieldType(a, e.name);
      childType = f.type;
      if (f.declared && !a.atomic) b.insert([e]);
    } else if (a.kind === 'list') {
      childType = a.item;
    }
    addAll([e], ensureNamedFieldsAreMembers(sub, childType));
  }
  return b.build();
}
