/**
 * Zone-aware eviction pacing, as upstream's node lifecycle controller does
 * it ("Rate limits on eviction"): nodes are grouped by region and zone, each
 * zone's state follows the share of its nodes that are not Ready, and the
 * state sets how fast the zone's nodes get NoExecute taints:
 * - Normal: `nodeEvictionRate` nodes a second;
 * - PartialDisruption (more than two not-ready nodes making up at least
 *   `unhealthyZoneThreshold` of the zone): `secondaryNodeEvictionRate` in a
 *   zone larger than `largeClusterSizeThreshold`, else no tainting at all;
 * - FullDisruption (no Ready node): `nodeEvictionRate` again, since the zone
 *   is down rather than cut off;
 * - every zone in FullDisruption: the control plane is probably the one cut
 *   off, so all tainting stops and the controller's NoExecute taints go.
 */
import type { Clock } from '../../machinery/clock.js';
import { RateLimitedTimedQueue } from './rate-limited-timed-queue.js';
import type { Node, NodeCondition } from './types.js';

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';
export const LABEL_TOPOLOGY_REGION = 'topology.kubernetes.io/region';
export const LABEL_FAILURE_DOMAIN_BETA_ZONE = 'failure-domain.beta.kubernetes.io/zone';
export const LABEL_FAILURE_DOMAIN_BETA_REGION = 'failure-domain.beta.kubernetes.io/region';
/** Nodes with this label (any value) do not count towards their zone's state. */
export const LABEL_EXCLUDE_DISRUPTION = 'node.kubernetes.io/exclude-disruption';

/**
 * The zone a node belongs to: region and zone joined by a NUL-guarded
 * separator so a colon in either cannot make two zones collide; the empty
 * string for nodes without topology labels (one zone for all of them).
 */
export function zoneKey(node: Node): string {
  const labels = node.metadata.labels ?? {};
  const zone = labels[LABEL_TOPOLOGY_ZONE] ?? labels[LABEL_FAILURE_DOMAIN_BETA_ZONE] ?? '';
  const region = labels[LABEL_TOPOLOGY_REGION] ?? labels[LABEL_FAILURE_DOMAIN_BETA_REGION] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}

export function isExcludedFromDisruptionChecks(node: Node): boolean {
  return node.metadata.labels?.[LABEL_EXCLUDE_DISRUPTION] !== undefined;
}

export interface ZoneEvictionSettings {
  nodeEvictionRate: number;
  secondaryNodeEvictionRate: number;
  largeClusterSizeThreshold: number;
  unhealthyZoneThreshold: number;
}

/** A zone's state from its nodes' Ready conditions (undefined: never posted, counts as not ready). */
export function computeZoneState(ready: readonly (NodeCondition | undefined)[], unhealthyZoneThreshold: number): { notReady: number; state: ZoneState } {
  let readyNodes = 0;
  let notReady = 0;
  for (const c of ready) {
    if (c?.status === 'True') readyNodes++;
    else notReady++;
  }
  if (readyNodes === 0 && notReady > 0) return { notReady, state: 'FullDisruption' };
  // float32 in upstream: compare at that precision so a threshold like 0.55 cuts where it cuts there.
  if (notReady > 2 && Math.fround(notReady / (notReady + readyNodes)) >= Math.fround(unhealthyZoneThreshold)) return { notReady, state: 'PartialDisruption' };
  return { notReady, state: 'Normal' };
}

/** Nodes a second a zone of `zoneSize` nodes in `state` may have tainted. */
export function zoneEvictionQPS(state: ZoneState, zoneSize: number, s: ZoneEvictionSettings): number {
  if (state === 'PartialDisruption') return zoneSize > s.largeClusterSizeThreshold ? s.secondaryNodeEvictionRate : 0;
  return s.nodeEvictionRate;
}

/**
 * What a disruption pass changed cluster-wide: entering "every zone fully
 * disrupted" means the controller's NoExecute taints must be lifted from
 * every node; leaving it means every node gets a fresh grace period.
 */
export type DisruptionTransition = 'none' | 'entered-full-disruption' | 'exited-full-disruption';

/** Per-zone states and taint queues, driven once per monitor pass by `handleDisruption`. */
export class ZoneTainters {
  private readonly states = new Map<string, ZoneState>();
  private readonly tainters = new Map<string, RateLimitedTimedQueue>();

  constructor(
    private readonly settings: ZoneEvictionSettings,
    private readonly clock: Clock,
  ) {}

  /** The zone's queue; a zone seen for the first time starts in state Initial at the normal rate. */
  tainter(zone: string): RateLimitedTimedQueue {
    let q = this.tainters.get(zone);
    if (!q) {
      q = new RateLimitedTimedQueue(this.clock, this.settings.nodeEvictionRate);
      this.tainters.set(zone, q);
    }
    if (!this.states.has(zone)) this.states.set(zone, 'Initial');
    return q;
  }

  state(zone: string): ZoneState | undefined {
    return this.states.get(zone);
  }

  /** Every zone fully disrupted (and at least one zone): no NoExecute tainting anywhere. */
  allFullyDisrupted(): boolean {
    if (this.states.size === 0) return false;
    for (const s of this.states.values()) if (s !== 'FullDisruption') return false;
    return true;
  }

  /** Every zone's queue, without touching zone states. */
  queues(): RateLimitedTimedQueue[] {
    return [...this.tainters.values()];
  }

  /**
   * Moves every zone to the state its nodes' Ready conditions give, swapping
   * queue rates accordingly; `readyByZone` holds the zones that still have
   * nodes (those not excluded from disruption checks).
   */
  handleDisruption(readyByZone: ReadonlyMap<string, readonly (NodeCondition | undefined)[]>): DisruptionTransition {
    const next = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const [zone, conditions] of readyByZone) {
      const { state } = computeZoneState(conditions, this.settings.unhealthyZoneThreshold);
      if (state !== 'FullDisruption') allAreFullyDisrupted = false;
      next.set(zone, state);
      this.tainter(zone);
    }
    let allWereFullyDisrupted = true;
    for (const [zone, state] of [...this.states]) {
      if (!readyByZone.has(zone)) {
        this.states.delete(zone);
        continue;
      }
      if (state !== 'FullDisruption') allWereFullyDisrupted = false;
    }
    // Nothing was responding before and nothing is now: no change of regime.
    if (allAreFullyDisrupted && allWereFullyDisrupted) return 'none';
    if (allAreFullyDisrupted) {
      for (const zone of this.states.keys()) {
        this.tainter(zone).swapLimiter(0);
        this.states.set(zone, 'FullDisruption');
      }
      return 'entered-full-disruption';
    }
    if (allWereFullyDisrupted) {
      for (const zone of this.states.keys()) this.setZoneState(zone, next.get(zone)!, readyByZone.get(zone)!.length);
      return 'exited-full-disruption';
    }
    for (const [zone, state] of this.states) {
      const now = next.get(zone)!;
      if (state !== now) this.setZoneState(zone, now, readyByZone.get(zone)!.length);
    }
    return 'none';
  }

  private setZoneState(zone: string, state: ZoneState, size: number): void {
    this.tainter(zone).swapLimiter(zoneEvictionQPS(state, size, this.settings));
    this.states.set(zone, state);
  }
}
