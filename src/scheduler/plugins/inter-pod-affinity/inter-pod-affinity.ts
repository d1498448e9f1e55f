/**
 * InterPodAffinity: required pod affinity and anti-affinity of the incoming
 * pod, the required anti-affinity of pods already running, and preferred
 * terms of both for scoring. Counts are kept per topology pair (key, value).
 */
import type { PodT } from '../../../api/core/v1/types.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import { ActionType, type ClusterEventWithHint } from '../../framework/events.js';
import {
  MAX_NODE_SCORE, type EnqueueExtensions, type FilterPlugin, type NodeScore, type PreFilterOutput, type PreFilterPlugin,
  type PreScorePlugin, type ScoreOutput, type ScorePlugin,
} from '../../framework/interface.js';
import type { NodeInfo, PodInfo } from '../../framework/node-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import { Status } from '../../framework/status.js';
import { KeptFigures, NodeValues, selectorKey } from '../shared/kept-counts.js';
import { existingPodTerm, newAffinityTerm, termMatchesPod, type AffinityTerm } from '../shared/pod-terms.js';

export const NAME = 'InterPodAffinity';
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
const PRE_FILTER_KEY = 'PreFilter' + NAME;
const PRE_SCORE_KEY = 'PreScore' + NAME;

export interface InterPodAffinityArgs {
  /** Score weight of an existing pod's required affinity term that matches the incoming pod (0-100). */
  hardPodAffinityWeight?: number;
  ignorePreferredTermsOfExistingPods?: boolean;
}

const pair = (key: string, value: string): string => `${key}\u0000${value}`;

type Counts = Map<string, number>;

function inc(m: Counts, key: string, by = 1): void {
  m.set(key, (m.get(key) ?? 0) + by);
}

/** Matching pods per topology key, then per value of that key. */
type CountsByKey = Map<string, ReadonlyMap<string, number>>;

/**
 * Adds `counts` (pods per value of `key`) into `target`. A map is shared, not copied, while it is the
 * only one for its key: these are kept figures, read and never changed during the cycle.
 */
function addCounts(target: CountsByKey, merged: Set<ReadonlyMap<string, number>>, key: string, counts: ReadonlyMap<string, number>): void {
  const cur = target.get(key);
  if (!cur) {
    target.set(key, counts);
    return;
  }
  let m = cur as Map<string, number>;
  if (!merged.has(cur)) {
    m = new Map(cur);
    merged.add(m);
    target.set(key, m);
  }
  for (const [v, c] of counts) if (c) m.set(v, (m.get(v) ?? 0) + c);
}

const termSignatures = new WeakMap<AffinityTerm, string>();

/** What makes two terms match the same pods in the same topology: they share their counts. */
function termSignature(t: AffinityTerm): string {
  let s = termSignatures.get(t);
  if (s === undefined) {
    s = [t.topologyKey, [...t.namespaces].sort().join(','), t.namespaceSelector ? selectorKey(t.namespaceSelector) : '-', selectorKey(t.selector)].join('\n');
    termSignatures.set(t, s);
  }
  return s;
}

/** Placed pods' required anti-affinity terms that resolve alike, and how many there are per topology value. */
interface ExistingTermGroup {
  term: AffinityTerm;
  counts: Map<string, number>;
  total: number;
}

/** How many of these figures a scheduler keeps between cycles (one per workload being scheduled, typically). */
const KEPT_LIMIT = 64;

class PreFilterState implements StateData {
  constructor(
    readonly affinityTerms: AffinityTerm[],
    readonly antiAffinityTerms: AffinityTerm[],
    readonly existingAntiAffinity: CountsByKey,
    readonly affinityCounts: Counts,
    readonly antiAffinity: CountsByKey,
    readonly podMatchesOwnAffinity: boolean,
  ) {}
  clone(): StateData {
    return this;
  }
}

class ScoreState implements StateData {
  constructor(readonly topologyScore: Map<string, Map<string, number>>) {}
  clone(): StateData {
    return this;
  }
}

function resolveTerms(owner: PodT, terms: readonly { term: Parameters<typeof newAffinityTerm>[1]; weight: number }[]): { ok: true; terms: AffinityTerm[] } | { ok: false; message: string } {
  const out: AffinityTerm[] = [];
  for (const t of terms) {
    const r = newAffinityTerm(owner, t.term, t.weight);
    if (!r.ok) return r;
    out.push(r.term);
  }
  return { ok: true, terms: out };
}

export function validateInterPodAffinityArgs(args: InterPodAffinityArgs, path: string): string[] {
  const w = args.hardPodAffinityWeight;
  if (w !== undefined && !(w >= 0 && w <= 100)) return [`${path}.hardPodAffinityWeight: Invalid value: ${w}: not in valid range [0, 100]`];
  return [];
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  private readonly hardWeight: number;

  private readonly nodeValues = new NodeValues();
  private readonly existingGroups = new KeptFigures<Map<string, ExistingTermGroup>>(1);
  private readonly antiCounts = new KeptFigures<Map<string, number>>(KEPT_LIMIT);

  constructor(private readonly args: InterPodAffinityArgs = {}) {
    this.hardWeight = args.hardPodAffinityWeight ?? 1;
  }

  /** Adds a placed pod's required anti-affinity terms to the groups (delta -1 takes them away). */
  private addExisting(groups: Map<string, ExistingTermGroup>, snapshot: Snapshot, pi: PodInfo, nodeName: string, delta: number): void {
    for (const raw of pi.requiredAntiAffinityTerms) {
      const r = existingPodTerm(pi.pod, raw);
      if (!r.ok) continue;
      const v = this.nodeValues.of(snapshot, r.term.topologyKey).get(nodeName);
      if (v === undefined) continue;
      const sig = termSignature(r.term);
      let g = groups.get(sig);
      if (!g) groups.set(sig, (g = { term: r.term, counts: new Map(), total: 0 }));
      g.counts.set(v, (g.counts.get(v) ?? 0) + delta);
      g.total += delta;
    }
  }

  /** Every placed pod's required anti-affinity, grouped: kept between cycles, walked only to start over. */
  private existingAntiAffinityGroups(snapshot: Snapshot): Map<string, ExistingTermGroup> {
    return this.existingGroups.get(snapshot, 'existing', {
      recount: () => {
        const groups = new Map<string, ExistingTermGroup>();
        for (const ni of snapshot.havePodsWithRequiredAntiAffinity) for (const pi of ni.podsWithRequiredAntiAffinity) this.addExisting(groups, snapshot, pi, ni.name, 1);
        return groups;
      },
      apply: (groups, changes) => {
        for (const ch of changes) if (ch.info.requiredAntiAffinityTerms.length) this.addExisting(groups, snapshot, ch.info, ch.nodeName, ch.delta);
      },
    });
  }

  /** Placed pods matching one of the incoming pod's terms, per value of its topology key. */
  private matchingPods(t: AffinityTerm, snapshot: Snapshot): ReadonlyMap<string, number> {
    const values = () => this.nodeValues.of(snapshot, t.topologyKey);
    const recount = () => {
      const counts = new Map<string, number>();
      const add = (pod: PodT, nodeName: string) => {
        const v = values().get(nodeName);
        if (v !== undefined && termMatchesPod(t, pod, snapshot)) counts.set(v, (counts.get(v) ?? 0) + 1);
      };
      if (t.namespaceSelector) for (const ni of snapshot.list()) for (const pi of ni.pods) add(pi.pod, ni.name);
      else for (const ns of t.namespaces) for (const placed of snapshot.podsInNamespace(ns)) add(placed.info.pod, placed.nodeName);
      return counts;
    };
    // Which namespaces a namespaceSelector picks can change between cycles: such terms are counted afresh.
    if (t.namespaceSelector) return recount();
    return this.antiCounts.get(snapshot, termSignature(t), {
      recount,
      apply: (counts, changes) => {
        for (const ch of changes) {
          const v = values().get(ch.nodeName);
          if (v !== undefined && termMatchesPod(t, ch.info.pod, snapshot)) counts.set(v, (counts.get(v) ?? 0) + ch.delta);
        }
      },
    });
  }

  preFilter(state: CycleState, pod: PodT, snapshot: Snapshot): PreFilterOutput {
    const a = pod.spec?.affinity;
    const aff = resolveTerms(pod, (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((term) => ({ term, weight: 1 })));
    const anti = resolveTerms(pod, (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((term) => ({ term, weight: 1 })));
    if (!aff.ok) return { status: Status.unresolvable(aff.message) };
    if (!anti.ok) return { status: Status.unresolvable(anti.message) };

    const existing: CountsByKey = new Map();
    const merged = new Set<ReadonlyMap<string, number>>();
    for (const g of this.existingAntiAffinityGroups(snapshot).values()) {
      if (g.total > 0 && termMatchesPod(g.term, pod, snapshot)) addCounts(existing, merged, g.term.topologyKey, g.counts);
    }
    const affinityCounts: Counts = new Map();
    if (aff.terms.length) {
      for (const ni of snapshot.list()) {
        for (const pi of ni.pods) {
          if (!aff.terms.every((t) => termMatchesPod(t, pi.pod, snapshot))) continue;
          for (const t of aff.terms) {
            const v = ni.labels[t.topologyKey];
            if (v !== undefined) inc(affinityCounts, pair(t.topologyKey, v));
          }
        }
      }
    }
    const antiCounts: CountsByKey = new Map();
    for (const t of anti.terms) addCounts(antiCounts, merged, t.topologyKey, this.matchingPods(t, snapshot));
    if (existing.size === 0 && aff.terms.length === 0 && anti.terms.length === 0) return { status: Status.skip() };
    const selfMatch = aff.terms.every((t) => termMatchesPod(t, pod, snapshot));
    state.write(PRE_FILTER_KEY, new PreFilterState(aff.terms, anti.terms, existing, affinityCounts, antiCounts, selfMatch));
    return { status: Status.success() };
  }

  filter(state: CycleState, _pod: PodT, nodeInfo: NodeInfo): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) return Status.error('reading "PreFilterInterPodAffinity" from cycleState: not found');
    if (!this.satisfiesAffinity(s, nodeInfo)) return Status.unresolvable(ERR_REASON_AFFINITY);
    const labels = nodeInfo.labels;
    for (const t of s.antiAffinityTerms) {
      const v = labels[t.topologyKey];
      if (v !== undefined && (s.antiAffinity.get(t.topologyKey)?.get(v) ?? 0) > 0) return Status.unschedulable(ERR_REASON_ANTI_AFFINITY);
    }
    for (const [key, byValue] of s.existingAntiAffinity) {
      const v = labels[key];
      if (v !== undefined && (byValue.get(v) ?? 0) > 0) return Status.unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
    }
    return Status.success();
  }

  private satisfiesAffinity(s: PreFilterState, nodeInfo: NodeInfo): boolean {
    let podsExist = true;
    for (const t of s.affinityTerms) {
      const v = nodeInfo.labels[t.topologyKey];
      if (v === undefined) return false;
      if ((s.affinityCounts.get(pair(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
    }
    if (podsExist) return true;
    // The first pod of a group whose terms select itself may go anywhere the topology keys exist.
    return s.affinityCounts.size === 0 && s.podMatchesOwnAffinity;
  }

  preScore(state: CycleState, pod: PodT, _nodes: readonly NodeInfo[], snapshot: Snapshot): Status {
    const a = pod.spec?.affinity;
    const prefAff = resolveTerms(pod, (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ term: w.podAffinityTerm, weight: w.weight })));
    const prefAnti = resolveTerms(pod, (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ term: w.podAffinityTerm, weight: w.weight })));
    if (!prefAff.ok) return Status.error(prefAff.message);
    if (!prefAnti.ok) return Status.error(prefAnti.message);
    const hasOwn = prefAff.terms.length + prefAnti.terms.length > 0;
    const nodes = hasOwn ? snapshot.list() : snapshot.havePodsWithAffinity;
    const topologyScore = new Map<string, Map<string, number>>();
    const add = (key: string, value: string | undefined, w: number) => {
      if (value === undefined || w === 0) return;
      const m = topologyScore.get(key) ?? new Map<string, number>();
      m.set(value, (m.get(value) ?? 0) + w);
      topologyScore.set(key, m);
    };
    for (const ni of nodes) {
      const pods: readonly PodInfo[] = hasOwn ? ni.pods : ni.podsWithAffinity;
      for (const pi of pods) {
        for (const t of prefAff.terms) if (termMatchesPod(t, pi.pod, snapshot)) add(t.topologyKey, ni.labels[t.topologyKey], t.weight);
        for (const t of prefAnti.terms) if (termMatchesPod(t, pi.pod, snapshot)) add(t.topologyKey, ni.labels[t.topologyKey], -t.weight);
        if (this.hardWeight > 0) {
          for (const raw of pi.requiredAffinityTerms) {
            const t = existingPodTerm(pi.pod, raw);
            if (t.ok && termMatchesPod(t.term, pod, snapshot)) add(t.term.topologyKey, ni.labels[t.term.topologyKey], this.hardWeight);
          }
        }
        if (this.args.ignorePreferredTermsOfExistingPods) continue;
        for (const w of pi.preferredAffinityTerms) {
          const t = existingPodTerm(pi.pod, w.podAffinityTerm, w.weight);
          if (t.ok && termMatchesPod(t.term, pod, snapshot)) add(t.term.topologyKey, ni.labels[t.term.topologyKey], w.weight);
        }
        for (const w of pi.preferredAntiAffinityTerms) {
          const t = existingPodTerm(pi.pod, w.podAffinityTerm, w.weight);
          if (t.ok && termMatchesPod(t.term, pod, snapshot)) add(t.term.topologyKey, ni.labels[t.term.topologyKey], -w.weight);
        }
      }
    }
    if (topologyScore.size === 0) return Status.skip();
    state.write(PRE_SCORE_KEY, new ScoreState(topologyScore));
    return Status.success();
  }

  score(state: CycleState, _pod: PodT, nodeInfo: NodeInfo): ScoreOutput {
    const s = state.read<ScoreState>(PRE_SCORE_KEY);
    let score = 0;
    for (const [key, byValue] of s?.topologyScore ?? []) {
      const v = nodeInfo.labels[key];
      if (v !== undefined) score += byValue.get(v) ?? 0;
    }
    return { score };
  }

  /** Min-max scaling to [0, 100]; all equal gives 0. */
  normalizeScore(_state: CycleState, _pod: PodT, scores: NodeScore[]): Status {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      min = Math.min(min, s.score);
      max = Math.max(max, s.score);
    }
    const diff = max - min;
    for (const s of scores) s.score = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (s.score - min)) / diff) : 0;
    return Status.success();
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Pod', actionType: ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete } },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel } },
    ];
  }
}
