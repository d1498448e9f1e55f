/** The core group, version v1. */
import type { Def } from '../../schema/dsl.js';
import type { GroupVersionModule } from '../../scheme.js';
import { coreV1Resources } from './resources.js';
import * as types from './types.js';

function isDef(v: unknown): v is Def<any> {
  return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' && 'definition' in v;
}

/** Every core/v1 definition, ordered by name so OpenAPI output is stable. */
export const coreV1Definitions: readonly Def<any>[] = (Object.values(types) as unknown[])
  .filter(isDef)
  .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

export const coreV1: GroupVersionModule = { group: '', version: 'v1', definitions: coreV1Definitions, resources: coreV1Resources };

export * from './types.js';
export * from './defaults.js';
export * from './validation.js';
export * from './resources.js';
