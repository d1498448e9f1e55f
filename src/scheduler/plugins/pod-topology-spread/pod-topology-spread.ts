/**
 * PodTopologySpread: keep matching pods spread across topology domains.
 * DoNotSchedule constraints filter (skew = matches in the node's domain +
 * self - global minimum must stay within maxSkew); ScheduleAnyway
 * constraints (and the profile's default constraints) score.
 */
import { matchesNodeSelectorAndAffinity } from '../../../api/core/v1/node-selector.js';
import type { PodT, TopologySpreadConstraintT } from '../../../api/core/v1/types.js';
import { labelSelectorAsSelector, type Selector } from '../../../machinery/labels/selector.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import { ActionType, type ClusterEventWithHint } from '../../framework/events.js';
import {
  MAX_NODE_SCORE, type EnqueueExtensions, type FilterPlugin, type NodeScore, type PreFilterOutput, type PreFilterPlugin,
  type PreScorePlugin, type ScoreOutput, type ScorePlugin,
} from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import { Status } from '../../framework/status.js';
import { KeptFigures, NodeLabelFigures, selectorKey } from '../shared/kept-counts.js';
import { findUntoleratedTaint } from '../shared/taints.js';

export const NAME = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + ' (missing required label)';
const PRE_FILTER_KEY = 'PreFilter' + NAME;
// The filter's answers for the nodes it rejects, made once: it runs on thousands of nodes per cycle.
const NODE_LABEL_NOT_MATCH = Status.unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
const CONSTRAINTS_NOT_MATCH = Status.unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
const PRE_SCORE_KEY = 'PreScore' + NAME;

export type DefaultConstraint = Omit<TopologySpreadConstraintT, 'labelSelector'>;

export interface PodTopologySpreadArgs {
  defaultConstraints?: DefaultConstraint[];
  /** System: upstream's built-in defaults; List: defaultConstraints as given. */
  defaultingType?: 'System' | 'List';
}

export const SYSTEM_DEFAULT_CONSTRAINTS: DefaultConstraint[] = [
  { topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorNodeTaints: boolean;
}

export function validatePodTopologySpreadArgs(args: PodTopologySpreadArgs, path: string): string[] {
  const errs: string[] = [];
  const type = args.defaultingType ?? 'System';
  if (type !== 'System' && type !== 'List') errs.push(`${path}.defaultingType: Unsupported value: "${type}": supported values: "List", "System"`);
  if (type === 'System' && args.defaultConstraints?.length) errs.push(`${path}.defaultConstraints: Invalid value: "${JSON.stringify(args.defaultConstraints)}": when .defaultingType is "System", .defaultConstraints must be empty`);
  (args.defaultConstraints ?? []).forEach((c, i) => {
    const p = `${path}.defaultConstraints[${i}]`;
    if (!(c.maxSkew > 0)) errs.push(`${p}.maxSkew: Invalid value: ${c.maxSkew}: must be greater than zero`);
    if (!c.topologyKey) errs.push(`${p}.topologyKey: Required value: can not be empty`);
    if (c.whenUnsatisfiable !== 'DoNotSchedule' && c.whenUnsatisfiable !== 'ScheduleAnyway') errs.push(`${p}.whenUnsatisfiable: Unsupported value: "${c.whenUnsatisfiable}": supported values: "DoNotSchedule", "ScheduleAnyway"`);
    if ((c as TopologySpreadConstraintT).labelSelector) errs.push(`${p}.labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod`);
  });
  return errs;
}

function podCountsOn(ni: NodeInfo, pod: PodT, selector: Selector): number {
  let n = 0;
  const ns = pod.metadata?.namespace;
  for (const pi of ni.pods) {
    if (pi.pod.metadata?.namespace !== ns || pi.pod.metadata?.deletionTimestamp) continue;
    if (selector.matches(pi.pod.metadata?.labels ?? {})) n++;
  }
  return n;
}

/** Whether the pod restricts its nodes by selector or required node affinity (most pods do not). */
function hasNodeConstraints(pod: PodT): boolean {
  const sel = pod.spec?.nodeSelector;
  return (!!sel && Object.keys(sel).length > 0) || !!pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
}

/**
 * Whether a node counts for a constraint. `nodeConstrained` is hasNodeConstraints(pod), worked out
 * once per cycle: these checks run for every node of the cluster.
 */
function nodeIncluded(c: Constraint, pod: PodT, ni: NodeInfo, nodeConstrained: boolean): boolean {
  if (c.honorNodeAffinity && nodeConstrained && !matchesNodeSelectorAndAffinity(pod.spec, ni.node)) return false;
  if (c.honorNodeTaints && ni.node.spec?.taints?.length && findUntoleratedTaint(ni.node.spec.taints, pod.spec?.tolerations, ['NoSchedule', 'NoExecute'])) return false;
  return true;
}

/** Adds each node's matching pods to its domain's count; a node whose domain is wanted but has no pods still makes the domain known. */
function countDomains(cs: readonly Constraint[], pod: PodT, nodes: readonly NodeInfo[], opts: { requireAllKeys: boolean; wanted?: readonly Set<string>[] }): Map<string, number>[] {
  const counts = cs.map(() => new Map<string, number>());
  const nodeConstrained = hasNodeConstraints(pod);
  for (const ni of nodes) {
    const labels = ni.labels;
    if (opts.requireAllKeys) {
      let all = true;
      for (const c of cs) {
        if (labels[c.topologyKey] === undefined) {
          all = false;
          break;
        }
      }
      if (!all) continue;
    }
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i]!;
      const v = labels[c.topologyKey];
      if (v === undefined || (opts.wanted && !opts.wanted[i]!.has(v)) || !nodeIncluded(c, pod, ni, nodeConstrained)) continue;
      const m = counts[i]!;
      m.set(v, (m.get(v) ?? 0) + (ni.pods.length ? podCountsOn(ni, pod, c.selector) : 0));
    }
  }
  return counts;
}

/** How many selectors' counts are kept between cycles (one per workload being scheduled, typically). */
const KEPT_COUNTS_LIMIT = 64;

/** Which nodes carry every one of some topology keys, and their values: what the counts are grouped by. */
interface DomainIndex {
  /** Per node carrying all the keys, its value for each key. */
  nodeValues: Map<string, string[]>;
  /** Per key, every value those nodes have. */
  domains: Set<string>[];
}

function buildDomainIndex(keys: readonly string[], nodes: readonly NodeInfo[]): DomainIndex {
  const nodeValues = new Map<string, string[]>();
  const domains = keys.map(() => new Set<string>());
  for (const ni of nodes) {
    const labels = ni.labels;
    const values: string[] = [];
    for (const k of keys) {
      const v = labels[k];
      if (v === undefined) break;
      values.push(v);
    }
    if (values.length !== keys.length) continue;
    nodeValues.set(ni.name, values);
    values.forEach((v, i) => domains[i]!.add(v));
  }
  return { nodeValues, domains };
}

class FilterState implements StateData {
  /**
   * Per constraint, the most matching pods a domain may hold for the pod to go there: the skew
   * `count + (1 if the pod matches its own selector) - min` may not exceed maxSkew. Nothing in it
   * depends on the node, so it is worked out once per cycle.
   */
  readonly limits: number[];
  constructor(
    readonly constraints: Constraint[],
    readonly counts: Map<string, number>[],
    readonly minMatch: number[],
    readonly domains: number[],
    podLabels: Record<string, string>,
  ) {
    this.limits = constraints.map((c, i) => {
      const min = domains[i]! < c.minDomains ? 0 : minMatch[i]!;
      return c.maxSkew - (c.selector.matches(podLabels) ? 1 : 0) + min;
    });
  }
  clone(): StateData {
    return this;
  }
}

class ScoreState implements StateData {
  constructor(
    readonly constraints: Constraint[],
    readonly counts: Map<string, number>[],
    readonly weights: number[],
    readonly ignored: Set<string>,
  ) {}
  clone(): StateData {
    return this;
  }
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  private readonly defaults: DefaultConstraint[];
  private readonly systemDefaulted: boolean;
  /** Domain indexes by topology keys, valid while the snapshots' node labels generation stays the same. */
  private readonly domainIndexes = new NodeLabelFigures<DomainIndex>();
  /** Counts kept from cycle to cycle (with the cache's feed), by namespace, selectors and keys. */
  private readonly kept = new KeptFigures<Map<string, number>[]>(KEPT_COUNTS_LIMIT);

  constructor(args: PodTopologySpreadArgs = {}) {
    this.systemDefaulted = (args.defaultingType ?? 'System') === 'System';
    this.defaults = this.systemDefaulted ? SYSTEM_DEFAULT_CONSTRAINTS : (args.defaultConstraints ?? []);
  }

  /** The pod's own constraints of one kind, or the defaults over its workload selector. */
  private constraintsFor(pod: PodT, snapshot: Snapshot, when: 'DoNotSchedule' | 'ScheduleAnyway'): { ok: true; constraints: Constraint[] } | { ok: false; message: string } {
    try {
      const own = pod.spec?.topologySpreadConstraints ?? [];
      const labels = pod.metadata?.labels ?? {};
      if (own.length) {
        return {
          ok: true,
          constraints: own.filter((c) => c.whenUnsatisfiable === when).map((c) => {
            let selector = labelSelectorAsSelector(c.labelSelector);
            for (const k of c.matchLabelKeys ?? []) if (k in labels) selector = selector.add({ key: k, operator: 'in', values: [labels[k]!] });
            return { maxSkew: c.maxSkew, topologyKey: c.topologyKey, selector, minDomains: c.minDomains ?? 1, honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor', honorNodeTaints: c.nodeTaintsPolicy === 'Honor' };
          }),
        };
      }
      const defaults = this.defaults.filter((c) => c.whenUnsatisfiable === when);
      if (defaults.length === 0) return { ok: true, constraints: [] };
      const ls = snapshot.defaultSelectorFor(pod);
      const selector = ls ? labelSelectorAsSelector(ls) : undefined;
      if (!selector || selector.isEmpty() || selector.isNothing()) return { ok: true, constraints: [] };
      return { ok: true, constraints: defaults.map((c) => ({ maxSkew: c.maxSkew, topologyKey: c.topologyKey, selector, minDomains: c.minDomains ?? 1, honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor', honorNodeTaints: c.nodeTaintsPolicy === 'Honor' })) };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  preFilter(state: CycleState, pod: PodT, snapshot: Snapshot): PreFilterOutput {
    const res = this.constraintsFor(pod, snapshot, 'DoNotSchedule');
    if (!res.ok) return { status: Status.unresolvable(res.message) };
    const cs = res.constraints;
    if (cs.length === 0) return { status: Status.skip() };
    // Node eligibility depends on the pod only through its node affinity and, when honoured, taints. Without
    // either, the counts come from the namespace's pods grouped by a domain index kept across cycles, instead
    // of a walk over every node of the cluster on every cycle.
    const perNode = hasNodeConstraints(pod) || cs.some((c) => c.honorNodeTaints);
    const counts = perNode ? countDomains(cs, pod, snapshot.list(), { requireAllKeys: true }) : this.countByPods(cs, pod, snapshot);
    const minMatch = counts.map((m) => (m.size ? Math.min(...m.values()) : Number.MAX_SAFE_INTEGER));
    state.write(PRE_FILTER_KEY, new FilterState(cs, counts, minMatch, counts.map((m) => m.size), pod.metadata?.labels ?? {}));
    return { status: Status.success() };
  }

  private domainIndex(keys: readonly string[], snapshot: Snapshot): DomainIndex {
    return this.domainIndexes.of(snapshot, keys.join('\n'), () => buildDomainIndex(keys, snapshot.list()));
  }

  /**
   * The counts of countDomains(requireAllKeys) for a pod whose eligible nodes are every node with the
   * keys. With the cache's change feed they are kept between cycles and only the changes are applied;
   * what is returned then is that kept state, valid (and never to be changed) until the next cycle.
   */
  private countByPods(cs: readonly Constraint[], pod: PodT, snapshot: Snapshot): Map<string, number>[] {
    const ns = pod.metadata?.namespace ?? '';
    const key = [ns, ...cs.map((c) => `${c.topologyKey}\n${selectorKey(c.selector)}`)].join('\n\n');
    return this.kept.get(snapshot, key, {
      recount: () => this.recount(cs, pod, snapshot),
      apply: (counts, changes) => {
        const idx = this.domainIndex(cs.map((c) => c.topologyKey), snapshot);
        for (const ch of changes) {
          const p = ch.info.pod;
          if ((p.metadata?.namespace ?? '') !== ns || p.metadata?.deletionTimestamp) continue;
          const values = idx.nodeValues.get(ch.nodeName);
          if (!values) continue;
          const labels = p.metadata?.labels ?? {};
          for (let i = 0; i < cs.length; i++) {
            if (!cs[i]!.selector.matches(labels)) continue;
            const m = counts[i]!;
            m.set(values[i]!, m.get(values[i]!)! + ch.delta);
          }
        }
      },
    });
  }

  private recount(cs: readonly Constraint[], pod: PodT, snapshot: Snapshot): Map<string, number>[] {
    const idx = this.domainIndex(cs.map((c) => c.topologyKey), snapshot);
    const counts = idx.domains.map((d) => new Map([...d].map((v) => [v, 0] as [string, number])));
    for (const { info, nodeName } of snapshot.podsInNamespace(pod.metadata?.namespace ?? '')) {
      const p = info.pod;
      if (p.metadata?.deletionTimestamp) continue;
      const values = idx.nodeValues.get(nodeName);
      if (!values || !snapshot.get(nodeName)) continue;
      const labels = p.metadata?.labels ?? {};
      for (let i = 0; i < cs.length; i++) {
        if (!cs[i]!.selector.matches(labels)) continue;
        const m = counts[i]!;
        m.set(values[i]!, m.get(values[i]!)! + 1);
      }
    }
    return counts;
  }

  filter(state: CycleState, pod: PodT, nodeInfo: NodeInfo): Status {
    const s = state.read<FilterState>(PRE_FILTER_KEY);
    if (!s) return Status.error('reading "PreFilterPodTopologySpread" from cycleState: not found');
    for (let i = 0; i < s.constraints.length; i++) {
      const v = nodeInfo.labels[s.constraints[i]!.topologyKey];
      if (v === undefined) return NODE_LABEL_NOT_MATCH;
      if ((s.counts[i]!.get(v) ?? 0) > s.limits[i]!) return CONSTRAINTS_NOT_MATCH;
    }
    return Status.success();
  }

  preScore(state: CycleState, pod: PodT, filtered: readonly NodeInfo[], snapshot: Snapshot): Status {
    const res = this.constraintsFor(pod, snapshot, 'ScheduleAnyway');
    if (!res.ok) return Status.error(res.message);
    const cs = res.constraints;
    if (cs.length === 0) return Status.skip();
    const requireAll = (pod.spec?.topologySpreadConstraints?.length ?? 0) > 0 || !this.systemDefaulted;
    const ignored = new Set<string>();
    const values = cs.map(() => new Set<string>());
    for (const ni of filtered) {
      if (requireAll && !cs.every((c) => ni.labels[c.topologyKey] !== undefined)) {
        ignored.add(ni.name);
        continue;
      }
      cs.forEach((c, i) => {
        const v = ni.labels[c.topologyKey];
        if (v !== undefined) values[i]!.add(v);
      });
    }
    const counts = countDomains(cs, pod, snapshot.list(), { requireAllKeys: false, wanted: values });
    const weights = values.map((v) => Math.log(v.size + 2));
    state.write(PRE_SCORE_KEY, new ScoreState(cs, counts, weights, ignored));
    return Status.success();
  }

  score(state: CycleState, _pod: PodT, nodeInfo: NodeInfo): ScoreOutput {
    const s = state.read<ScoreState>(PRE_SCORE_KEY);
    if (!s || s.ignored.has(nodeInfo.name)) return { score: 0 };
    let score = 0;
    s.constraints.forEach((c, i) => {
      const v = nodeInfo.labels[c.topologyKey];
      if (v === undefined) return;
      score += (s.counts[i]!.get(v) ?? 0) * s.weights[i]! + (c.maxSkew - 1);
    });
    return { score: Math.round(score) };
  }

  /** Fewer matching pods is better: invert against the max, ignored nodes get 0. */
  normalizeScore(state: CycleState, _pod: PodT, scores: NodeScore[]): Status {
    const s = state.read<ScoreState>(PRE_SCORE_KEY);
    const ignored = s?.ignored ?? new Set<string>();
    let min = Infinity;
    let max = 0;
    for (const x of scores) {
      if (ignored.has(x.name)) continue;
      min = Math.min(min, x.score);
      max = Math.max(max, x.score);
    }
    for (const x of scores) {
      if (ignored.has(x.name)) x.score = 0;
      else if (max === 0) x.score = MAX_NODE_SCORE;
      else x.score = Math.trunc((MAX_NODE_SCORE * (max + min - x.score)) / max);
    }
    return Status.success();
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Pod', actionType: ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete } },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint } },
    ];
  }
}
