/**
 * Which available volume a claim binds to, as upstream's FindMatchingVolume:
 * a volume pre-bound to the claim wins; otherwise the smallest Available
 * volume of the claim's class whose access modes, size, volume mode, labels
 * (claim selector) and, for a known node, node affinity fit.
 */
import { nodeSelectorMatches } from '../../api/core/v1/node-selector.js';
import type { NodeSelectorT } from '../../api/core/v1/types.js';
import { type LabelSelector, labelSelectorAsSelector } from '../../machinery/labels/selector.js';
import { type Quantity, parseQuantity } from '../../machinery/quantity.js';
import { type PV, type PVC, claimClass, volumeClass } from './annotations.js';

export interface NodeLike {
  metadata: { name?: string; labels?: Record<string, string> };
}

export interface FindMatchOptions {
  /** The node the volume must be reachable from (the claim's selected node), when known. */
  node?: NodeLike;
  /**
   * The claim waits for its first consumer and no node is chosen yet: only a
   * volume pre-bound to it may be picked, the rest must wait for the node.
   */
  delayBinding?: boolean;
}

function quantityOf(v: string | number | undefined): Quantity | undefined {
  if (v === undefined) return undefined;
  try {
    return parseQuantity(v);
  } catch {
    return undefined;
  }
}

/** Every mode the claim asks for is offered by the volume. */
export function accessModesContain(offered: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  const have = new Set(offered ?? []);
  return (wanted ?? []).every((m) => have.has(m));
}

/** Filesystem is what an unset volumeMode means on either side. */
export function volumeModeMatches(pv: PV, pvc: PVC): boolean {
  return (pv.spec?.volumeMode ?? 'Filesystem') === (pvc.spec?.volumeMode ?? 'Filesystem');
}

/** A volume's required node affinity against a node (terms ORed; no affinity reaches every node). */
export function volumeNodeAffinityMatches(required: NodeSelectorT | undefined, node: NodeLike): boolean {
  return nodeSelectorMatches(required, node);
}

/** The volume's claimRef names this claim (and, when set, its uid). */
export function isVolumeBoundToClaim(pv: PV, pvc: PVC): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata.uid;
}

/** Size and volume mode: what even a volume pre-bound to the claim must satisfy. */
export function sizeAndModeFit(pv: PV, pvc: PVC): boolean {
  const request = quantityOf(pvc.spec?.resources?.requests?.storage);
  const capacity = quantityOf(pv.spec?.capacity?.storage);
  if (request && (!capacity || capacity.cmp(request) < 0)) return false;
  return volumeModeMatches(pv, pvc);
}

/** Upstream checkVolumeSatisfyClaim, used when a claim names its volume: size, modes, class. */
export function volumeSatisfiesClaim(pv: PV, pvc: PVC): string | undefined {
  if (!sizeAndModeFit(pv, pvc)) {
    if (!volumeModeMatches(pv, pvc)) return 'incompatible volumeMode';
    return 'requested PV is too small';
  }
  if (volumeClass(pv) !== claimClass(pvc)) return 'storageClassName does not match';
  if (!accessModesContain(pv.spec?.accessModes, pvc.spec?.accessModes)) return 'incompatible accessMode';
  return undefined;
}

export function findMatchingVolume(pvc: PVC, volumes: readonly PV[], opts: FindMatchOptions = {}): PV | undefined {
  let selector;
  try {
    selector = pvc.spec?.selector ? labelSelectorAsSelector(pvc.spec.selector as LabelSelector) : undefined;
  } catch {
    return undefined;
  }
  const requestedClass = claimClass(pvc);
  let best: PV | undefined;
  let bestSize: Quantity | undefined;
  for (const pv of volumes) {
    if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, pvc)) continue;
    if (!sizeAndModeFit(pv, pvc) || pv.metadata.deletionTimestamp) continue;
    const reachable = !opts.node || volumeNodeAffinityMatches(pv.spec?.nodeAffinity?.required, opts.node);
    // A volume already meant for this claim is the answer, or there is none.
    if (isVolumeBoundToClaim(pv, pvc)) return reachable ? pv : undefined;
    if (!reachable || !accessModesContain(pv.spec?.accessModes, pvc.spec?.accessModes)) continue;
    if ((pv.status?.phase ?? 'Pending') !== 'Available') continue;
    if (selector && !selector.matches(pv.metadata.labels ?? {})) continue;
    if (volumeClass(pv) !== requestedClass) continue;
    if (!opts.node && opts.delayBinding) continue;
    const size = quantityOf(pv.spec?.capacity?.storage);
    if (!best || (size && bestSize && size.cmp(bestSize) < 0)) {
      best = pv;
      bestSize = size;
    }
  }
  return best;
}
