/**
 * Patch media types and which resources accept which. Custom resources have
 * no patch metadata, so upstream refuses strategic merge patch for them with
 * 415; the server uses these helpers to answer the same way.
 */
import { StatusError } from '../errors/status-error.js';

export const JSON_PATCH_TYPE = 'application/json-patch+json';
export const MERGE_PATCH_TYPE = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH_TYPE = 'application/strategic-merge-patch+json';
export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';
export const APPLY_PATCH_CBOR_TYPE = 'application/apply-patch+cbor';

export type PatchType = typeof JSON_PATCH_TYPE | typeof MERGE_PATCH_TYPE | typeof STRATEGIC_MERGE_PATCH_TYPE | typeof APPLY_PATCH_TYPE;

/** The patch types a resource accepts: everything for built-ins, no strategic merge for custom resources. */
export function supportedPatchTypes(opts: { customResource: boolean }): string[] {
  const types = [JSON_PATCH_TYPE, MERGE_PATCH_TYPE, APPLY_PATCH_TYPE];
  if (!opts.customResource) types.push(STRATEGIC_MERGE_PATCH_TYPE);
  return types;
}

export function supportsStrategicMerge(opts: { customResource: boolean }): boolean {
  return !opts.customResource;
}

/** upstream's 415 for a patch type the resource does not accept (accepted list sorted, as upstream's set). */
export function unsupportedPatchType(accepted: string[]): StatusError {
  const list = [...accepted].sort().join(', ');
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${list}`);
}
