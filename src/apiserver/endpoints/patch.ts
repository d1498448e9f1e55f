/**
 * The four PATCH flavours by Content-Type, and applying the non-apply ones
 * (server-side apply goes through the field manager instead).
 */
import type { Schema, SchemaResolver } from '../../machinery/schema/types.js';
import { applyJsonPatch } from '../../machinery/patch/json-patch.js';
import { applyMergePatch } from '../../machinery/patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../machinery/patch/strategic-merge.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const byContentType: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return byContentType[ct];
}

/** Applies a patch; with `inPlace` the caller's `doc` is private and becomes (part of) the result. */
export function applyPatch(type: Exclude<PatchType, 'apply'> | PatchType, doc: unknown, patch: unknown, opts: { schema: Schema; resolver: SchemaResolver; inPlace?: boolean }): unknown {
  const how = { inPlace: opts.inPlace };
  switch (type) {
    case 'json':
      return applyJsonPatch(doc, patch, how);
    case 'merge':
      return applyMergePatch(doc, patch, how);
    case 'strategic':
      return applyStrategicMergePatch(doc, patch, opts.schema, opts.resolver, how);
    default:
      throw new Error(`patch type ${type} is applied by the field manager`);
  }
}
