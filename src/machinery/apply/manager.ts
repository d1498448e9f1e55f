/**
 * Field ownership for writes: `updateManagedFields` records what a
 * create/update/patch changed, `apply` performs a server-side apply. Both are
 * pure: inputs (often cached objects) are never mutated and results share
 * unchanged subtrees with them.
 */
import type { KubeObject, ManagedFieldsEntry } from '../meta/types.js';
import { isObject } from '../meta/types.js';
import type { Schema, SchemaResolver } from '../schema/types.js';
import { type ApplyConflict, newConflict } from './conflict.js';
import { FieldSet, fieldSetOfNames } from './fieldset.js';
import { type ManagerEntry, capUpdateManagers, decodeManagedFields, encodeManagedFields, isResetManagedFields, managerId } from './managed-fields.js';
import { type TypeRef, addedFieldsV1, compare, deepEqual, ensureNamedFieldsAreMembers, fieldKey, fieldTypeOf, merge, objectAtom, removeItems, toFieldSet } from './typed.js';

/**
 * Fields no manager ever owns: identity and bookkeeping the server sets.
 * Only the exact paths go, so children of `metadata` stay tracked.
 */
const STRIPPED = fieldSetOfNames([
  ['apiVersion'],
  ['kind'],
  ['metadata'],
  ['metadata', 'name'],
  ['metadata', 'namespace'],
  ['metadata', 'creationTimestamp'],
  ['metadata', 'selfLink'],
  ['metadata', 'uid'],
  ['metadata', 'clusterName'],
  ['metadata', 'generation'],
  ['metadata', 'managedFields'],
  ['metadata', 'resourceVersion'],
  ['metadata', 'deletionTimestamp'],
  ['metadata', 'deletionGracePeriodSeconds'],
]);

/** The manager that receives every existing field when an untracked object is first applied. */
export const BEFORE_FIRST_APPLY_MANAGER = 'before-first-apply';

export interface TrackingOptions {
  manager: string;
  /** apiVersion of the request (the main resource's version, also for subresources). */
  apiVersion: string;
  subresource?: string;
  /** RFC 3339 time recorded on entries this write touches. */
  time: string;
  schema: Schema;
  resolver: SchemaResolver;
  /**
   * Field-name paths whose whole subtrees nobody owns through this endpoint
   * (upstream's reset fields). Defaults: `status` for the main resource,
   * `spec` for the status subresource, nothing for other subresources.
   */
  ignoredPaths?: ReadonlyArray<readonly string[]>;
  /**
   * The value a new object is compared against, as the typed empty object
   * upstream starts from: built-ins decode with their non-pointer structs
   * present and their slices null (`{ metadata: {}, spec: { containers: null } }`),
   * so creating them does not make `spec` or `containers` itself a member. Defaults to `{}` (custom resources).
   */
  zero?: Record<string, unknown>;
}

export interface UpdateOptions extends TrackingOptions {
  old: KubeObject | undefined;
  updated: KubeObject;
}

export interface ApplyOptions extends TrackingOptions {
  live: KubeObject | undefined;
  config: KubeObject;
  force: boolean;
}

export type ApplyResult =
  | { ok: true; object: KubeObject }
  | { ok: false; reason: 'Conflict'; conflicts: ApplyConflict[] }
  /**
   * The configuration cannot be used: `BadRequest` (it carries managedFields) or `Invalid` (it cannot be
   * typed, e.g. a map-list item without its key; upstream answers that with an untyped error). `message` is upstream's text.
   */
  | { ok: false; reason: 'BadRequest' | 'Invalid'; message: string };

function ignoredSet(o: TrackingOptions): FieldSet {
  if (o.ignoredPaths) return fieldSetOfNames(o.ignoredPaths);
  if (!o.subresource) return fieldSetOfNames([['status']]);
  if (o.subresource === 'status') return fieldSetOfNames([['spec']]);
  return fieldSetOfNames([]);
}

function typeRef(o: TrackingOptions): TypeRef {
  return { schema: o.schema, resolver: o.resolver };
}

/** The object as structured merge sees it: without its own managedFields. */
function withoutManagedFields(obj: Record<string, unknown>): Record<string, unknown> {
  const meta = obj.metadata;
  if (!isObject(meta) || !('managedFields' in meta)) return obj;
  return { ...obj, metadata: copyWithout(meta, 'managedFields') };
}

/** A shallow copy without one key (written out: rest destructuring is slow on hot paths). */
function copyWithout(o: Record<string, unknown>, drop: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in o) if (k !== drop) out[k] = o[k];
  return out;
}

/** Adds the zero value's structs where `v` lacks them, for comparisons only. Exported for tests. */
export function fillZero(v: unknown, zero: unknown): unknown {
  if (v === undefined) return zero;
  if (!isObject(zero) || !isObject(v)) return v;
  let out: Record<string, unknown> | undefined;
  for (const [k, z] of Object.entries(zero)) {
    const filled = fillZero(v[k], z);
    if (filled !== v[k]) {
      out ??= { ...v };
      out[k] = filled;
    }
  }
  return out ?? v;
}

function withManagedFields(obj: Record<string, unknown>, entries: readonly ManagerEntry[]): KubeObject {
  const encoded = encodeManagedFields(capUpdateManagers(entries));
  const metadata = isObject(obj.metadata) ? copyWithout(obj.metadata, 'managedFields') : {};
  if (encoded.length) metadata.managedFields = encoded;
  return { ...obj, metadata } as KubeObject;
}

function managedFieldsOf(obj: KubeObject | undefined): ManagedFieldsEntry[] | undefined {
  return obj?.metadata?.managedFields;
}

function decodeOrEmpty(list: ManagedFieldsEntry[] | undefined): ManagerEntry[] {
  const d = decodeManagedFields(list);
  return d.ok ? d.entries : [];
}

/** Which managers the write starts from, as upstream picks them (request, then live). */
function startingEntries(o: UpdateOptions): ManagerEntry[] {
  const live = managedFieldsOf(o.old);
  // Subresources cannot rewrite managedFields: a status writer sends whatever it read.
  if (o.subresource) return decodeOrEmpty(live);
  const sent = managedFieldsOf(o.updated);
  if (isResetManagedFields(sent)) return [];
  const d = decodeManagedFields(sent);
  if (!d.ok || d.entries.length === 0) return decodeOrEmpty(live);
  return d.entries;
}

interface Changes {
  changed: FieldSet;
  removed: FieldSet;
}

/**
 * `fillZero` of both sides of a comparison, filling only where one side lacks what the other has:
 * where both lack a field, its zero value would compare equal to itself, and the copies are saved.
 * Exported for tests.
 */
export function fillZeroPair(l: unknown, r: unknown, zero: unknown): [unknown, unknown] {
  if (l === undefined && r === undefined) return [l, r];
  if (!isObject(zero) || !isObject(l) || !isObject(r)) return [fillZero(l, zero), fillZero(r, zero)];
  let lo: Record<string, unknown> | undefined;
  let ro: Record<string, unknown> | undefined;
  for (const k in zero) {
    const [a, b] = fillZeroPair(l[k], r[k], zero[k]);
    if (a !== l[k]) (lo ??= { ...l })[k] = a;
    if (b !== r[k]) (ro ??= { ...r })[k] = b;
  }
  return [lo ?? l, ro ?? r];
}

function changesBetween(lhs: Record<string, unknown>, rhs: Record<string, unknown>, o: TrackingOptions, ignored: FieldSet): Changes {
  const [l, r] = fillZeroPair(lhs, rhs, o.zero ?? {});
  const c = compare(l, r, typeRef(o));
  const filter = (s: FieldSet): FieldSet => s.difference(STRIPPED).recursiveDifference(ignored);
  return { changed: filter(c.modified.union(c.added)), removed: filter(c.removed) };
}

/**
 * Records a create, update or patch (operation `Update`) in managedFields.
 * Fields the write added or changed move to `manager`; removed fields leave
 * every set; the manager's entry for this (operation, apiVersion,
 * subresource) is merged and re-timed only when it gained fields.
 */
export function updateManagedFields(o: UpdateOptions): KubeObject {
  return (o.old === undefined && createdManagedFields(o)) || trackWrite(o);
}

/** `updateManagedFields` the general way: every write, through field sets. Exported for tests. */
export function trackWrite(o: UpdateOptions): KubeObject {
  let entries = startingEntries(o);
  // Upstream stops tracking an existing object whose managedFields were cleared.
  if (o.old && entries.length === 0) return withManagedFields(o.updated, []);
  const ignored = ignoredSet(o);
  const lhs = withoutManagedFields(o.old ?? {});
  const rhs = withoutManagedFields(o.updated);
  const { changed, removed } = changesBetween(lhs, rhs, o, ignored);
  const id = changed.empty ? undefined : managerId({ manager: o.manager, operation: 'Update', apiVersion: o.apiVersion, subresource: o.subresource });
  let own: ManagerEntry | undefined;
  entries = entries.map((e) => {
    // The writer's own entry gets what changed back below: taking it out first would only make a set
    // equal to the one it had, but new, and re-encoded (a lease renewal changes a field its renewer owns).
    if (id !== undefined && !own && managerId(e) === id) return (own = { ...e, set: e.set.difference(removed).difference(STRIPPED) });
    return { ...e, set: e.set.difference(changed).difference(removed).difference(STRIPPED) };
  });
  if (!changed.empty) {
    if (own) {
      own.set = own.set.union(changed);
      own.time = o.time;
    } else {
      entries.push({ manager: o.manager, operation: 'Update', apiVersion: o.apiVersion, subresource: o.subresource, time: o.time, set: changed });
    }
  }
  return withManagedFields(o.updated, entries.filter((e) => !e.set.empty));
}

/** The metadata fields of STRIPPED, which no manager owns when they are leaves. */
const STRIPPED_METADATA = new Set(['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds']);
const STRIPPED_ROOT = new Set(['apiVersion', 'kind', 'metadata']);

/** A FieldsV1 node without its own membership: what `difference` leaves of a stripped path. */
function withoutSelf(node: Record<string, unknown>, stripped: boolean): Record<string, unknown> | undefined {
  if (!stripped) return node;
  if (!('.' in node)) return undefined;
  const out = copyWithout(node, '.');
  for (const _ in out) return out;
  return undefined;
}

/**
 * A create recorded without field sets: the one entry of the writer, its FieldsV1 written straight
 * from the object (`addedFieldsV1`), in the shape `trackWrite` gives. Undefined where that shortcut
 * does not hold (managedFields sent, custom ignored paths, a subresource, a value whose shape
 * contradicts the zero value), and the general path decides.
 */
function createdManagedFields(o: UpdateOptions): KubeObject | undefined {
  const obj = o.updated;
  if (o.subresource || o.ignoredPaths || !isObject(obj)) return undefined;
  const sent = managedFieldsOf(obj);
  if (sent !== undefined && !isResetManagedFields(sent)) return undefined;
  const zero = o.zero ?? {};
  const filled = fillZero(obj, zero);
  const root = objectAtom(typeRef(o), filled);
  if (!root || !isObject(filled)) return undefined;
  const keys: string[] = [];
  for (const k in filled) if (filled[k] !== undefined && k !== 'status') keys.push(k);
  keys.sort();
  const fields: Record<string, unknown> = {};
  let any = false;
  for (const k of keys) {
    let v = filled[k];
    const type = fieldTypeOf(root, k);
    const z = zero[k];
    let node: Record<string, unknown> | undefined;
    if (k === 'metadata' && isObject(v) && 'managedFields' in v) v = copyWithout(v, 'managedFields');
    if (z === undefined) {
      node = addedFieldsV1(v, type);
    } else {
      // A field of the zero value: compared with it, its own fields are added but it is not.
      if (deepEqual(z, v)) continue;
      if (!isObject(z) || Object.keys(z).length > 0 || !isObject(v) || !objectAtom(type, v)) return undefined;
      node = addedFieldsV1(v, type);
      if ('.' in node) node = copyWithout(node, '.');
    }
    if (k === 'metadata') {
      // `metadata` is stripped as a member (never its children), and so are some of its fields.
      const meta: Record<string, unknown> = {};
      for (const f in node) {
        const child = f === '.' ? node[f] : withoutSelf(node[f] as Record<string, unknown>, STRIPPED_METADATA.has(f.slice(2)));
        if (child !== undefined) meta[f] = child;
      }
      node = withoutSelf(meta, z === undefined);
      if (node && Object.keys(node).length === 0) node = undefined;
    } else if (STRIPPED_ROOT.has(k)) {
      node = withoutSelf(node, true);
    }
    if (node === undefined) continue;
    fields[fieldKey(k)] = node;
    any = true;
  }
  const metadata = isObject(obj.metadata) ? copyWithout(obj.metadata, 'managedFields') : {};
  if (any) {
    const entry: ManagedFieldsEntry = { manager: o.manager, operation: 'Update', apiVersion: o.apiVersion };
    if (o.time) entry.time = o.time;
    entry.fieldsType = 'FieldsV1';
    entry.fieldsV1 = fields;
    metadata.managedFields = [entry];
  }
  return { ...obj, metadata } as KubeObject;
}

/** An object as upstream names it in apply errors: `namespace/name; group/version, Kind=Kind` (`/v1` for the core group). */
function objectGVKNN(obj: KubeObject): string {
  const gv = obj.apiVersion ?? '';
  const gvText = gv.includes('/') ? gv : `/${gv}`;
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  return `${typeof meta.namespace === 'string' ? meta.namespace : ''}/${typeof meta.name === 'string' ? meta.name : ''}; ${gvText}, Kind=${obj.kind ?? ''}`;
}

function invalidTyping(config: KubeObject, errors: { path: string; message: string }[]): ApplyResult {
  const e = errors[0]!;
  const detail = e.path ? `${e.path}: ${e.message}` : e.message;
  return { ok: false, reason: 'Invalid', message: `failed to create typed patch object (${objectGVKNN(config)}): ${detail}` };
}

/**
 * Server-side apply. Merges `config` into `live`, removes what this manager
 * applied before and no longer applies (unless someone else owns it), and
 * reports conflicts with other managers over values the config changes;
 * `force` takes those fields over instead.
 */
export function apply(o: ApplyOptions): ApplyResult {
  if (managedFieldsOf(o.config) !== undefined) return { ok: false, reason: 'BadRequest', message: 'metadata.managedFields must be nil' };
  const t = typeRef(o);
  const ignored = ignoredSet(o);
  const liveValue = withoutManagedFields(o.live ?? {});
  let entries = decodeOrEmpty(managedFieldsOf(o.live));
  if (o.live && entries.length === 0) {
    // An object nobody tracked yet: its current fields belong to a stand-in updater.
    const existing = toFieldSet(liveValue, t).set.difference(STRIPPED).recursiveDifference(ignored);
    if (!existing.empty) entries = [{ manager: BEFORE_FIRST_APPLY_MANAGER, operation: 'Update', apiVersion: o.apiVersion, time: o.time, set: existing }];
  }

  const configValue = o.config as Record<string, unknown>;
  const typed = toFieldSet(configValue, t);
  if (typed.errors.length) return invalidTyping(o.config, typed.errors);
  // Identity fields stay in the set while pruning so `metadata` is never pruned away.
  const configSet = typed.set.recursiveDifference(ignored);

  const merged = merge(liveValue, configValue, t);
  if (merged.errors.length) return invalidTyping(o.config, merged.errors);

  const selfId = managerId({ manager: o.manager, operation: 'Apply', apiVersion: o.apiVersion, subresource: o.subresource });
  const previous = entries.find((e) => managerId(e) === selfId);
  const others = entries.filter((e) => managerId(e) !== selfId);
  const self: ManagerEntry = { manager: o.manager, operation: 'Apply', apiVersion: o.apiVersion, subresource: o.subresource, time: previous?.time, set: configSet };

  let result = merged.value as Record<string, unknown>;
  if (previous && !previous.set.empty) result = prune(result, [...others, self], previous.set, t);

  const { changed, removed } = changesBetween(liveValue, result, o, ignored);
  const conflicts: ApplyConflict[] = [];
  for (const e of others) {
    for (const p of e.set.intersection(changed)) conflicts.push(newConflict(e, p));
  }
  if (conflicts.length && !o.force) {
    conflicts.sort((a, b) => (managerId(a) < managerId(b) ? -1 : managerId(a) > managerId(b) ? 1 : 0));
    return { ok: false, reason: 'Conflict', conflicts };
  }
  const updatedOthers = others.map((e) => ({ ...e, set: e.set.difference(changed).difference(removed) }));
  self.set = configSet.difference(STRIPPED);
  if (!previous || !self.time || !deepEqual(liveValue, result)) self.time = o.time;
  return { ok: true, object: withManagedFields(result, [...updatedOthers, self].filter((e) => !e.set.empty)) };
}

/**
 * Drops what the applier owned last time and omits now. Items go only when
 * no manager (nor the new configuration) owns them and the applier did own
 * them, so defaulted or updater-owned values survive.
 */
function prune(merged: Record<string, unknown>, managers: readonly ManagerEntry[], lastSet: FieldSet, t: TypeRef): Record<string, unknown> {
  const ens = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, t);
  const setOf = (v: unknown): FieldSet => ens(toFieldSet(v, t).set);
  const last = ens(lastSet);
  const owned = ens(managers.reduce<FieldSet>((acc, m) => acc.union(m.set), FieldSet.EMPTY));
  const mergedSet = setOf(merged);
  const firstCut = removeItems(merged, last, t);
  const keptBack = removeItems(merged, mergedSet.difference(setOf(firstCut).union(owned)), t);
  const dangling = mergedSet.difference(setOf(keptBack)).intersection(last);
  return (removeItems(merged, dangling, t) ?? {}) as Record<string, unknown>;
}
