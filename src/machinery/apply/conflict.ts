/**
 * Apply conflicts and the 409 upstream answers with when an applier would
 * change a field another manager owns.
 */
import { StatusError, type StatusCause } from '../errors/status-error.js';
import { type FieldPath, pathToString } from './fieldset.js';
import { managerId } from './managed-fields.js';

export interface ApplyConflict {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  path: FieldPath;
  /** The path as printed: `.spec.replicas`. */
  field: string;
}

export function newConflict(m: { manager: string; operation: 'Apply' | 'Update'; apiVersion: string; subresource?: string }, path: FieldPath): ApplyConflict {
  const c: ApplyConflict = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion, path, field: pathToString(path) };
  if (m.subresource) c.subresource = m.subresource;
  return c;
}

/** `"kubectl" with subresource "status" using apps/v1`: appliers are named alone, updaters with their version. */
export function describeManager(c: Pick<ApplyConflict, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let s = JSON.stringify(c.manager);
  if (c.subresource) s += ` with subresource ${JSON.stringify(c.subresource)}`;
  if (c.operation === 'Update') s += ` using ${c.apiVersion}`;
  return s;
}

function conflictMessage(conflicts: readonly ApplyConflict[]): string {
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return `Apply failed with 1 conflict: conflict with ${describeManager(c)}: ${c.field}`;
  }
  const byManager = new Map<string, ApplyConflict[]>();
  for (const c of conflicts) {
    const id = managerId(c);
    const list = byManager.get(id) ?? [];
    list.push(c);
    byManager.set(id, list);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const list = byManager.get(id)!;
    lines.push(`conflicts with ${describeManager(list[0]!)}:`);
    for (const c of list) lines.push(`- ${c.field}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/**
 * The 409 for apply conflicts. Upstream leaves the details without name and
 * kind, so `gk` and `name` only document the call site and are not echoed.
 */
export function applyConflictError(conflicts: readonly ApplyConflict[], _gk: { group: string; kind: string }, _name: string): StatusError {
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c)}`, field: c.field }));
  return new StatusError(409, 'Conflict', conflictMessage(conflicts), { causes });
}
