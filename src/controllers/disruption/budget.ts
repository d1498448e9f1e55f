/**
 * The arithmetic of a PodDisruptionBudget, as upstream's disruption
 * controller does it: how many pods are expected, how many must stay healthy,
 * how many are, and so how many may be disrupted now.
 */
import { type PodDisruptionBudgetCondition, withDisruptionAllowed } from '../../api/policy/v1/disruption-allowed.js';
import type { Pod } from '../framework/pods.js';
import { controllerRefOf, isPodReady } from '../framework/pods.js';
import type { OwnerReference } from '../../machinery/meta/types.js';
import type { LabelSelector } from '../../machinery/labels/selector.js';

/** An accepted eviction whose pod is still not gone after this long no longer counts as disrupted. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

export type IntOrString = number | string;

export type PDBCondition = PodDisruptionBudgetCondition;

export interface PDBStatus {
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  conditions?: PDBCondition[];
}

export interface PodDisruptionBudget {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; uid?: string; generation?: number; resourceVersion?: string; [k: string]: unknown };
  spec?: { minAvailable?: IntOrString; maxUnavailable?: IntOrString; selector?: LabelSelector; unhealthyPodEvictionPolicy?: string };
  status?: Partial<PDBStatus>;
}

/** Upstream GetScaledValueFromIntOrPercent with rounding up; an error text for a malformed value. */
export function scaledValue(v: IntOrString, total: number): { ok: true; value: number } | { ok: false; message: string } {
  if (typeof v === 'number') return { ok: true, value: v };
  const m = /^(\d+)%$/.exec(v);
  if (!m) return { ok: false, message: `invalid value for IntOrString: invalid type: string is not a percentage` };
  return { ok: true, value: Math.ceil((Number(m[1]) * total) / 100) };
}

/** The scale of the controller owning a pod (undefined: the owner cannot be found). */
export type ScaleOf = (namespace: string, ref: OwnerReference) => { uid: string; replicas: number } | undefined;

export type Expectation = { ok: true; expectedCount: number; desiredHealthy: number } | { ok: false; message: string };

/**
 * Expected pods come from the owning controllers' scales; a pod without a
 * controller stands for itself.
 */
export function expectedScale(pods: readonly Pod[], scaleOf: ScaleOf): { ok: true; count: number } | { ok: false; message: string } {
  const byController = new Map<string, number>();
  let unmanaged = 0;
  for (const pod of pods) {
    const ref = controllerRefOf(pod);
    if (!ref) {
      unmanaged++;
      continue;
    }
    const scale = scaleOf(pod.metadata.namespace ?? '', ref);
    if (!scale) return { ok: false, message: `found no controllers for pod "${pod.metadata.name}"` };
    byController.set(scale.uid, scale.replicas);
  }
  let count = unmanaged;
  for (const n of byController.values()) count += n;
  return { ok: true, count };
}

export function expectedPodCount(pdb: PodDisruptionBudget, pods: readonly Pod[], scaleOf: ScaleOf): Expectation {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const scale = expectedScale(pods, scaleOf);
    if (!scale.ok) return scale;
    const max = scaledValue(spec.maxUnavailable, scale.count);
    if (!max.ok) return max;
    return { ok: true, expectedCount: scale.count, desiredHealthy: Math.max(0, scale.count - max.value) };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === 'number') return { ok: true, expectedCount: pods.length, desiredHealthy: spec.minAvailable };
    const scale = expectedScale(pods, scaleOf);
    if (!scale.ok) return scale;
    const min = scaledValue(spec.minAvailable, scale.count);
    if (!min.ok) return min;
    return { ok: true, expectedCount: scale.count, desiredHealthy: min.value };
  }
  return { ok: true, expectedCount: pods.length, desiredHealthy: 0 };
}

/**
 * Accepted evictions still pending: pods named in status.disruptedPods that
 * exist, are not yet being deleted and were accepted less than the deletion
 * timeout ago. Also answers when the earliest of them expires.
 */
export function pendingDisruptions(pdb: PodDisruptionBudget, pods: readonly Pod[], nowMs: number): { pending: Record<string, string>; recheckAtMs?: number } {
  const recorded = pdb.status?.disruptedPods ?? {};
  const pending: Record<string, string> = {};
  let recheckAtMs: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = recorded[pod.metadata.name ?? ''];
    if (!at) continue;
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (expires < nowMs) continue;
    pending[pod.metadata.name!] = at;
    if (recheckAtMs === undefined || expires < recheckAtMs) recheckAtMs = expires;
  }
  return { pending, recheckAtMs };
}

export function countHealthy(pods: readonly Pod[], pending: Record<string, string>): number {
  return pods.filter((p) => !p.metadata.deletionTimestamp && !(p.metadata.name! in pending) && isPodReady(p)).length;
}

/** The status a budget should have, or the fail-safe one (nothing allowed) when expectations cannot be computed. */
export function computeStatus(pdb: PodDisruptionBudget, pods: readonly Pod[], scaleOf: ScaleOf, nowMs: number, nowRFC3339: string): { status: PDBStatus; recheckAtMs?: number; failure?: string } {
  const generation = pdb.metadata.generation ?? 0;
  const exp = expectedPodCount(pdb, pods, scaleOf);
  if (!exp.ok) {
    const prev = pdb.status ?? {};
    const status: PDBStatus = {
      disruptionsAllowed: 0,
      currentHealthy: prev.currentHealthy ?? 0,
      desiredHealthy: prev.desiredHealthy ?? 0,
      expectedPods: prev.expectedPods ?? 0,
      observedGeneration: generation,
      ...(prev.disruptedPods ? { disruptedPods: prev.disruptedPods } : {}),
    };
    status.conditions = withDisruptionAllowed(prev.conditions, { disruptionsAllowed: 0, observedGeneration: generation }, nowRFC3339, exp.message);
    return { status, failure: exp.message };
  }
  const { pending, recheckAtMs } = pendingDisruptions(pdb, pods, nowMs);
  const currentHealthy = countHealthy(pods, pending);
  let disruptionsAllowed = currentHealthy - exp.desiredHealthy;
  // A budget matching no pods yet must not allow disruptions the moment its first pods appear.
  if (exp.expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const status: PDBStatus = {
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy: exp.desiredHealthy,
    expectedPods: exp.expectedCount,
    observedGeneration: generation,
    ...(Object.keys(pending).length ? { disruptedPods: pending } : {}),
  };
  status.conditions = withDisruptionAllowed(pdb.status?.conditions, { disruptionsAllowed, observedGeneration: generation }, nowRFC3339);
  return { status, recheckAtMs };
}

/** Equal up to key order. */
export function statusEqual(a: Partial<PDBStatus> | undefined, b: PDBStatus): boolean {
  const norm = (s: Partial<PDBStatus> | undefined) =>
    JSON.stringify({
      disruptionsAllowed: s?.disruptionsAllowed ?? 0,
      currentHealthy: s?.currentHealthy ?? 0,
      desiredHealthy: s?.desiredHealthy ?? 0,
      expectedPods: s?.expectedPods ?? 0,
      observedGeneration: s?.observedGeneration ?? 0,
      disruptedPods: Object.entries(s?.disruptedPods ?? {}).sort(),
      conditions: (s?.conditions ?? []).map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '', c.observedGeneration ?? 0, c.lastTransitionTime ?? '']),
    });
  return norm(a) === norm(b);
}
