/**
 * events.k8s.io/v1 Events are stored as core/v1 Events: the same objects
 * under other field names. Fields with the same name in both pass through.
 */
import type { KubeObject } from '../../../machinery/meta/types.js';
import { GROUP, VERSION } from './types.js';

/** events.k8s.io/v1 field name -> core/v1 field name. */
const RENAMED: readonly (readonly [string, string])[] = [
  ['note', 'message'],
  ['regarding', 'involvedObject'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['reportingController', 'reportingComponent'],
];

function rename(obj: KubeObject, pairs: readonly (readonly [string, string])[], apiVersion: string): KubeObject {
  const out: KubeObject = { ...obj, apiVersion, kind: 'Event' };
  for (const [from, to] of pairs) {
    delete out[from];
    if (obj[from] !== undefined) out[to] = obj[from];
  }
  return out;
}

export function convertEvent(obj: KubeObject, direction: 'toStorage' | 'fromStorage'): KubeObject {
  if (direction === 'toStorage') return rename(obj, RENAMED, 'v1');
  return rename(obj, RENAMED.map(([a, b]) => [b, a] as const), `${GROUP}/${VERSION}`);
}
