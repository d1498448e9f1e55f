/**
 * Terse builders for the field shapes core/v1 repeats hundreds of times, so
 * each definition reads as a list of fields and their one-line meaning.
 */
import { t, type T } from '../../../schema/dsl.js';
import { Quantity } from '../../../meta/v1.js';

export const str = (description: string): T<string> => t.string({ description });
export const i32 = (description: string): T<number> => t.int32({ description });
export const i64 = (description: string): T<number> => t.int64({ description });
export const bool = (description: string): T<boolean> => t.bool({ description });
/** A list of strings replaced whole by apply. */
export const strList = (description: string): T<string[]> => t.array(t.string(), { listType: 'atomic', description });
/** map[string]string */
export const strMap = (description: string): T<Record<string, string>> => t.map(t.string(), { description });
/** ResourceList: resource name to Quantity. */
export const resourceList = (description: string): T<Record<string, string | number>> => t.map(t.ref(Quantity), { description });

/** Vendor volume sources the system never mounts: kept as opaque objects under their upstream names. */
export const opaque = (description: string): T<Record<string, unknown>> =>
  t.object({}, { description, preserveUnknownFields: true }) as unknown as T<Record<string, unknown>>;

export const CORE = 'io.k8s.api.core.v1.';
export const gvk = (kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind }] });
