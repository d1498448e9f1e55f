/**
 * One step of a DaemonSet RollingUpdate (upstream's rollingUpdate): which
 * old pods to delete now and, with maxSurge, on which nodes to start a new
 * pod beside the old one. The manage pass recreates deleted pods with the
 * current template, so deleting an old pod is how a node gets updated.
 */
import { intOrPercentValue } from '../../api/apps/v1/int-or-percent.js';
import { type Pod, isPodAvailable } from '../framework/pods.js';
import { isPodUpdated } from './node-pods.js';

export interface RollingUpdateInput {
  nodeToPods: ReadonlyMap<string, readonly Pod[]>;
  hash: string;
  maxSurge: number;
  maxUnavailable: number;
  minReadySeconds: number;
  now: number;
  /** Whether a new daemon pod may run on the node (surge only replaces unavailable pods where it may). */
  shouldRun: (node: string) => boolean;
  desiredNumberScheduled: number;
}

export interface RollingUpdateStep {
  delete: Pod[];
  createOn: string[];
}

/** An int-or-percent of `total`, percentages rounded up (upstream GetScaledValueFromIntOrPercent). */
export function scaledValue(v: number | string | undefined, total: number, fallback: number): number {
  if (v === undefined) return fallback;
  const p = intOrPercentValue(v);
  if (!p) return fallback;
  return p.percent ? Math.ceil((p.value * total) / 100) : p.value;
}

/** maxSurge and maxUnavailable for `desired` nodes; both zero would stall, so one may be unavailable. */
export function updateBudget(rollingUpdate: { maxSurge?: number | string; maxUnavailable?: number | string } | undefined, desired: number): { maxSurge: number; maxUnavailable: number } {
  const maxSurge = scaledValue(rollingUpdate?.maxSurge, desired, 0);
  let maxUnavailable = scaledValue(rollingUpdate?.maxUnavailable, desired, 1);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/** The one updated and one old pod of a node; `ok` false when a node holds more (the manage pass prunes them). */
function updatedAndOld(pods: readonly Pod[], hash: string): { ok: boolean; updated?: Pod; old?: Pod } {
  let updated: Pod | undefined;
  let old: Pod | undefined;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    if (isPodUpdated(p, hash)) {
      if (updated) return { ok: false };
      updated = p;
    } else {
      if (old) return { ok: false };
      old = p;
    }
  }
  return { ok: true, updated, old };
}

export function rollingUpdateStep(input: RollingUpdateInput): RollingUpdateStep {
  const available = (p: Pod) => isPodAvailable(p, input.minReadySeconds, input.now);
  const nodes = [...input.nodeToPods.keys()].sort();
  if (input.maxSurge === 0) {
    let unavailable = 0;
    const replace: Pod[] = [];
    const candidates: Pod[] = [];
    for (const node of nodes) {
      const { ok, updated, old } = updatedAndOld(input.nodeToPods.get(node)!, input.hash);
      if (!ok || (!updated && !old) || (updated && old)) {
        unavailable++;
      } else if (updated) {
        if (!available(updated)) unavailable++;
      } else if (old && !available(old)) {
        // An old pod that is not serving costs nothing to replace.
        replace.push(old);
        unavailable++;
      } else if (old && unavailable < input.maxUnavailable) {
        candidates.push(old);
      }
    }
    const room = Math.min(Math.max(0, input.maxUnavailable - unavailable), candidates.length);
    return { delete: [...replace, ...candidates.slice(0, room)], createOn: [] };
  }

  let surging = 0;
  let numAvailable = 0;
  const oldToDelete: Pod[] = [];
  const misplaced: Pod[] = [];
  const candidateNodes: string[] = [];
  const allowedNodes: string[] = [];
  for (const node of nodes) {
    const { ok, updated, old } = updatedAndOld(input.nodeToPods.get(node)!, input.hash);
    if (!ok) {
      surging++;
      continue;
    }
    if ((old && available(old)) || (!old && updated && available(updated))) numAvailable++;
    if (!old) continue;
    if (!updated) {
      if (!available(old)) {
        if (!input.shouldRun(node)) misplaced.push(old);
        else allowedNodes.push(node);
      } else {
        candidateNodes.push(node);
      }
      continue;
    }
    if (!available(updated)) {
      surging++;
      continue;
    }
    oldToDelete.push(old);
  }
  // With surge the owner expects full availability: a misplaced pod goes only once others cover for it.
  const deletable = Math.max(0, numAvailable - input.desiredNumberScheduled);
  const room = Math.min(Math.max(0, input.maxSurge - surging), candidateNodes.length);
  return { delete: [...oldToDelete, ...misplaced.slice(0, deletable)], createOn: [...allowedNodes, ...candidateNodes.slice(0, room)] };
}
