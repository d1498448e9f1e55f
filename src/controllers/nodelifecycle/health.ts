/**
 * Node health as upstream's node lifecycle controller judges it: a node is
 * alive while its kubelet keeps changing something, either the Lease's
 * renewTime or the Ready condition's heartbeat. Staleness is measured on the
 * controller's own clock from when it last saw a change, so clock skew
 * between nodes and controller does not matter. Past the grace period the
 * node's conditions become Unknown, and taints follow the conditions.
 */
import type { Taint } from '../framework/taints.js';
import { type Lease, type Node, type NodeCondition, TAINT_DISK_PRESSURE, TAINT_MEMORY_PRESSURE, TAINT_NETWORK_UNAVAILABLE, TAINT_NOT_READY, TAINT_PID_PRESSURE, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE } from './types.js';

export interface HealthRecord {
  /** When (controller clock) a sign of life was last seen. */
  probeTimestamp: number;
  readyHeartbeat?: string;
  leaseRenewTime?: string;
}

/** The record after observing `node` and `lease` at `now`. */
export function observeHealth(prev: HealthRecord | undefined, node: Node, lease: Lease | undefined, now: number): HealthRecord {
  const readyHeartbeat = readyCondition(node)?.lastHeartbeatTime;
  const leaseRenewTime = lease?.spec?.renewTime;
  // First sight counts as alive: the node gets a full grace period from when we start watching.
  if (!prev) return { probeTimestamp: now, readyHeartbeat, leaseRenewTime };
  const changed = readyHeartbeat !== prev.readyHeartbeat || leaseRenewTime !== prev.leaseRenewTime;
  return { probeTimestamp: changed ? now : prev.probeTimestamp, readyHeartbeat, leaseRenewTime };
}

export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

/** The kubelet-owned conditions the controller marks Unknown when the kubelet goes silent. */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/**
 * The conditions with every monitored one Unknown (undefined: already so).
 * A condition the kubelet never posted is added with NodeStatusNeverUpdated.
 */
export function unknownConditions(node: Node, nowRFC3339: string): NodeCondition[] | undefined {
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const type of MONITORED_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata.creationTimestamp ?? nowRFC3339, lastTransitionTime: nowRFC3339 });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = nowRFC3339;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}

const MANAGED_TAINT_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, TAINT_MEMORY_PRESSURE, TAINT_DISK_PRESSURE, TAINT_PID_PRESSURE, TAINT_NETWORK_UNAVAILABLE]);

/** Upstream's TaintNodesByCondition table: condition type and status -> NoSchedule taint key. */
const conditionTaints: { type: string; status: string; key: string }[] = [
  { type: 'Ready', status: 'False', key: TAINT_NOT_READY },
  { type: 'Ready', status: 'Unknown', key: TAINT_UNREACHABLE },
  { type: 'MemoryPressure', status: 'True', key: TAINT_MEMORY_PRESSURE },
  { type: 'DiskPressure', status: 'True', key: TAINT_DISK_PRESSURE },
  { type: 'PIDPressure', status: 'True', key: TAINT_PID_PRESSURE },
  { type: 'NetworkUnavailable', status: 'True', key: TAINT_NETWORK_UNAVAILABLE },
];

/**
 * The node's taints as they should be: user taints untouched, the
 * controller's condition taints (NoSchedule, and NoExecute for not-ready /
 * unreachable, stamped with timeAdded) matching the current conditions.
 * Existing taints keep their timeAdded so eviction clocks do not restart.
 */
export function desiredTaints(node: Node, nowRFC3339: string): Taint[] {
  const current = node.spec?.taints ?? [];
  const want: Taint[] = [];
  const ready = readyCondition(node);
  for (const t of conditionTaints) {
    const c = t.type === 'Ready' ? ready : node.status?.conditions?.find((x) => x.type === t.type);
    if (c?.status === t.status) want.push({ key: t.key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) want.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  if (ready?.status === 'False') want.push({ key: TAINT_NOT_READY, effect: 'NoExecute', timeAdded: nowRFC3339 });
  if (ready?.status === 'Unknown') want.push({ key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: nowRFC3339 });
  const out = current.filter((t) => !MANAGED_TAINT_KEYS.has(t.key) || want.some((w) => w.key === t.key && w.effect === t.effect));
  for (const w of want) if (!out.some((t) => t.key === w.key && t.effect === w.effect)) out.push(w);
  return out;
}

export function taintsEqual(a: readonly Taint[] | undefined, b: readonly Taint[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}
