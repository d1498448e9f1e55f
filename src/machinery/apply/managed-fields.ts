/**
 * metadata.managedFields decoded into per-manager field sets and encoded back
 * in upstream's order. A manager is identified by its name, operation,
 * subresource and — for updaters only — the apiVersion it wrote with, so an
 * applier keeps one entry across versions while updaters get one per version.
 */
import type { ManagedFieldsEntry } from '../meta/types.js';
import { FieldSet } from './fieldset.js';

export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** The identity upstream uses to tell managers apart (also the sort key of conflict messages). */
export function managerId(e: { manager: string; operation: 'Apply' | 'Update'; apiVersion: string; subresource?: string }): string {
  // The JSON of {manager, operation, apiVersion (updaters), subresource}, written out directly: it is asked for often.
  let id = `{"manager":${JSON.stringify(e.manager)},"operation":${JSON.stringify(e.operation)}`;
  if (e.operation === 'Update' && e.apiVersion) id += `,"apiVersion":${JSON.stringify(e.apiVersion)}`;
  if (e.subresource) id += `,"subresource":${JSON.stringify(e.subresource)}`;
  return id + '}';
}

export type DecodedManagedFields = { ok: true; entries: ManagerEntry[] } | { ok: false; error: string };

export function decodeManagedFields(list: readonly ManagedFieldsEntry[] | undefined): DecodedManagedFields {
  const byId = new Map<string, ManagerEntry>();
  for (const [i, e] of (list ?? []).entries()) {
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') return { ok: false, error: `.metadata.managedFields[${i}].fieldsType: unsupported fieldsType "${e.fieldsType}"` };
    if (e.operation !== 'Apply' && e.operation !== 'Update') return { ok: false, error: `.metadata.managedFields[${i}].operation: unsupported operation "${e.operation ?? ''}"` };
    const set = e.fieldsV1 === undefined ? { ok: true as const, value: FieldSet.EMPTY } : FieldSet.fromFieldsV1(e.fieldsV1);
    if (!set.ok) return { ok: false, error: `.metadata.managedFields[${i}].fieldsV1: ${set.error}` };
    const entry: ManagerEntry = { manager: e.manager ?? '', operation: e.operation, apiVersion: e.apiVersion ?? '', subresource: e.subresource || undefined, time: e.time, set: set.value };
    const id = managerId(entry);
    const prev = byId.get(id);
    if (prev) entry.set = prev.set.union(entry.set);
    byId.set(id, entry);
  }
  return { ok: true, entries: [...byId.values()] };
}

function seconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** Entries sorted as upstream stores them: Apply before Update, then time (seconds), manager, apiVersion, subresource. */
export function encodeManagedFields(entries: readonly ManagerEntry[]): ManagedFieldsEntry[] {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = entries
    .filter((e) => !e.set.empty)
    .slice()
    .sort((p, q) => cmp(p.operation, q.operation) || seconds(p.time) - seconds(q.time) || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource ?? '', q.subresource ?? ''));
  return sorted.map((e) => {
    const out: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = e.set.toFieldsV1();
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** A managedFields value a client sends to clear tracking: `[]` or `[{}]`. */
export function isResetManagedFields(list: readonly ManagedFieldsEntry[] | undefined): boolean {
  if (!list) return false;
  if (list.length === 0) return true;
  return list.length === 1 && Object.keys(list[0]!).length === 0;
}

/** How many Update entries an object keeps before the oldest are folded together (upstream's default). */
export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';

/**
 * Keeps managedFields bounded: when there are more updaters than `max`, the
 * oldest are merged, per apiVersion, into an `ancient-changes` entry carrying
 * the time of the newest update folded into it.
 */
export function capUpdateManagers(entries: readonly ManagerEntry[], max = MAX_UPDATE_MANAGERS): ManagerEntry[] {
  const updaters = entries.filter((e) => e.operation === 'Update');
  if (updaters.length <= max) return [...entries];
  const order = updaters.slice().sort((a, b) => seconds(a.time) - seconds(b.time) || (managerId(a) < managerId(b) ? -1 : managerId(a) > managerId(b) ? 1 : 0));
  const byId = new Map(entries.map((e) => [managerId(e), e] as const));
  const firstOfVersion = new Map<string, string>();
  let count = updaters.length;
  for (const e of order) {
    if (count <= max) break;
    const bucket: ManagerEntry = { manager: ANCIENT_CHANGES_MANAGER, operation: 'Update', apiVersion: e.apiVersion, set: e.set };
    const bucketId = managerId(bucket);
    const first = firstOfVersion.get(e.apiVersion);
    // An existing bucket is never folded into itself.
    if (first === undefined || managerId(e) === bucketId) {
      firstOfVersion.set(e.apiVersion, first ?? managerId(e));
      continue;
    }
    let current = byId.get(bucketId);
    if (!current) {
      // The first entry of this version becomes the bucket.
      const firstEntry = byId.get(first)!;
      byId.delete(first);
      current = { ...firstEntry, manager: ANCIENT_CHANGES_MANAGER, subresource: undefined };
    }
    byId.set(bucketId, { ...current, set: e.set.union(current.set), time: e.time });
    byId.delete(managerId(e));
    count--;
  }
  return [...byId.values()];
}
