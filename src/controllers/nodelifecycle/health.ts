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
 * The node's taints as they should be right now: user taints untouched, the
 * controller's NoSchedule condition taints matching the current conditions.
 * Its NoExecute not-ready / unreachable taints are added only by the
 * rate-limited tainting pass (`noExecuteTaints`); here they are only lifted
 * (Ready again) or swapped at once for the other one when Ready moved between
 * False and Unknown, as the two are mutually exclusive. Existing taints keep
 * their timeAdded so eviction clocks do not restart. With `liftNoExecute`
 * (every zone fully disrupted) the NoExecute ones go whatever the conditions.
 */
export function desiredTaints(node: Node, nowRFC3339: string, opts: { liftNoExecute?: boolean } = {}): Taint[] {
  const current = node.spec?.taints ?? [];
  const want: Taint[] = [];
  const ready = readyCondition(node);
  for (const t of conditionTaints) {
    const c = t.type === 'Ready' ? ready : node.status?.conditions?.find((x) => x.type === t.type);
    if (c?.status === t.status) want.push({ key: t.key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) want.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const keepNoExecute = new Set<string>();
  if (opts.liftNoExecute) {
    // Nothing kept, nothing swapped in.
  } else if (!ready) {
    keepNoExecute.add(TAINT_NOT_READY).add(TAINT_UNREACHABLE);
  } else if (ready.status === 'False' || ready.status === 'Unknown') {
    const { key, opposite } = noExecuteKeys(ready.status);
    keepNoExecute.add(key);
    if (hasNoExecute(current, opposite)) want.push({ key, effect: 'NoExecute', timeAdded: nowRFC3339 });
  }
  const managed = (t: Taint) => MANAGED_TAINT_KEYS.has(t.key) && !(t.effect === 'NoExecute' && keepNoExecute.has(t.key));
  const out = current.filter((t) => !managed(t) || want.some((w) => w.key === t.key && w.effect === t.effect));
  for (const w of want) if (!out.some((t) => t.key === w.key && t.effect === w.effect)) out.push(w);
  return out;
}

/** The NoExecute taint key a Ready status calls for, and the one it excludes. */
function noExecuteKeys(status: 'False' | 'Unknown'): { key: string; opposite: string } {
  return status === 'False' ? { key: TAINT_NOT_READY, opposite: TAINT_UNREACHABLE } : { key: TAINT_UNREACHABLE, opposite: TAINT_NOT_READY };
}

function hasNoExecute(taints: readonly Taint[], key: string): boolean {
  return taints.some((t) => t.key === key && t.effect === 'NoExecute');
}

/** Whether the node is not Ready yet lacks the NoExecute taint that says so: it waits in its zone's queue. */
export function needsNoExecuteTaint(node: Node): boolean {
  const status = readyCondition(node)?.status;
  if (status !== 'False' && status !== 'Unknown') return false;
  return !hasNoExecute(node.spec?.taints ?? [], noExecuteKeys(status).key);
}

/**
 * The taints after the tainting pass got to the node: the NoExecute taint
 * its Ready condition calls for added (timeAdded now), the opposite one gone.
 * Undefined when the node is Ready again or never posted Ready: nothing to do.
 */
export function noExecuteTaints(node: Node, nowRFC3339: string): Taint[] | undefined {
  const status = readyCondition(node)?.status;
  if (status !== 'False' && status !== 'Unknown') return undefined;
  const { key, opposite } = noExecuteKeys(status);
  const current = node.spec?.taints ?? [];
  const out = current.filter((t) => !(t.effect === 'NoExecute' && t.key === opposite));
  if (!hasNoExecute(out, key)) out.push({ key, effect: 'NoExecute', timeAdded: nowRFC3339 });
  return out;
}

/** The taints without the controller's NoExecute not-ready / unreachable ones (upstream markNodeAsReachable). */
export function withoutNoExecuteTaints(node: Node): Taint[] {
  return (node.spec?.taints ?? []).filter((t) => !(t.effect === 'NoExecute' && (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE)));
}

export function taintsEqual(a: readonly Taint[] | undefined, b: readonly Taint[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}
