/** The status a DaemonSet reports (upstream's updateDaemonSetStatus). */
import { type Pod, isPodAvailable, isPodReady } from '../framework/pods.js';
import type { NodeFit } from './eligibility.js';
import { compareOldestFirst, isPodUpdated } from './node-pods.js';
import type { DaemonSet, DaemonSetStatus } from './types.js';

export interface StatusInput {
  ds: DaemonSet;
  nodes: readonly string[];
  nodeToPods: ReadonlyMap<string, readonly Pod[]>;
  fit: (node: string) => NodeFit;
  hash: string;
  now: number;
  collisionCount?: number;
}

export function calculateStatus(input: StatusInput): DaemonSetStatus {
  const minReadySeconds = input.ds.spec?.minReadySeconds ?? 0;
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const node of input.nodes) {
    const pods = input.nodeToPods.get(node) ?? [];
    const scheduled = pods.length > 0;
    if (!input.fit(node).shouldRun) {
      if (scheduled) misscheduled++;
      continue;
    }
    desired++;
    if (!scheduled) continue;
    current++;
    // The oldest pod speaks for the node, as upstream.
    const pod = [...pods].sort(compareOldestFirst)[0]!;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, input.now)) available++;
    }
    if (isPodUpdated(pod, input.hash)) updated++;
  }
  const status: DaemonSetStatus = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: input.ds.metadata.generation,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
  };
  const collisionCount = input.collisionCount ?? input.ds.status?.collisionCount;
  if (collisionCount !== undefined) status.collisionCount = collisionCount;
  if (input.ds.status?.conditions) status.conditions = input.ds.status.conditions;
  return status;
}

const FIELDS: (keyof DaemonSetStatus)[] = ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'];

export function statusEqual(a: DaemonSetStatus | undefined, b: DaemonSetStatus): boolean {
  if (!a) return false;
  // The API server drops zero-valued optional counters, so absent and 0 are the same.
  return FIELDS.every((f) => (a[f] ?? 0) === (b[f] ?? 0));
}
