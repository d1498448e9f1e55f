/**
 * One scheduling profile: plugin instances per extension point and the
 * runners that drive them, following kube-scheduler's frameworkImpl and
 * schedulePod: PreFilter -> Filter (per node) -> PostFilter on failure, or
 * PreScore -> Score (weighted sum) -> select host.
 */
import type { PodT } from '../../api/core/v1/types.js';
import { CycleState } from './cycle-state.js';
import type { ClusterEventWithHint } from './events.js';
import { FitError, deferRejections, newDiagnosis, type Diagnosis } from './fit-error.js';
import {
  EXTENSION_POINTS, MAX_NODE_SCORE, MIN_NODE_SCORE, implementsPoint, isEnqueueExtensions,
  type BindPlugin, type ExtensionPoint, type FilterPlugin, type Handle, type NodeScore, type PermitPlugin, type Plugin,
  type ClaimAPI, type PodBinder, type PostBindPlugin, type PostFilterOutput, type PostFilterPlugin, type PreBindPlugin, type PreEnqueuePlugin,
  type PreFilterPlugin, type PreFilterResult, type PreScorePlugin, type QueueSortPlugin, type QueuedPodInfo, type ReservePlugin, type ScorePlugin,
  type PostFilterResult,
} from './interface.js';
import { NodeInfo, podKey } from './node-info.js';
import type { Snapshot } from './snapshot.js';
import { Code, Status } from './status.js';

export interface PluginRef {
  name: string;
  weight?: number;
}

export interface PluginSet {
  enabled?: PluginRef[];
  disabled?: { name: string }[];
}

export type Plugins = Partial<Record<ExtensionPoint | 'multiPoint', PluginSet>>;

export interface Profile {
  schedulerName: string;
  plugins: Plugins;
  /** Plugin args by plugin name. */
  pluginConfig?: Record<string, unknown>;
  percentageOfNodesToScore?: number;
}

export type PluginFactoryResult = { ok: true; plugin: Plugin } | { ok: false; errors: string[] };
export type PluginFactory = (args: unknown, handle: Handle) => PluginFactoryResult;
export type Registry = Readonly<Record<string, PluginFactory>>;

/** Pods nominated to nodes by preemption; their resources count as taken. */
export interface Nominator {
  nominatedPodsForNode(nodeName: string): readonly PodT[];
  /** Whether any pod is nominated anywhere (a cycle skips the per-node question when none is). */
  hasNominatedPods?(): boolean;
}

export interface FrameworkOptions {
  registry: Registry;
  /** A uniform integer in [0, n); breaks ties between best nodes. */
  randomInt?: (n: number) => number;
  binder?: PodBinder;
  claims?: ClaimAPI;
  nominator?: Nominator;
}

export interface PluginScore {
  plugin: string;
  /** Normalized score times the plugin weight. */
  score: number;
}

export interface NodePluginScores {
  name: string;
  scores: PluginScore[];
  totalScore: number;
}

export type ScheduleResult =
  | { kind: 'scheduled'; nodeName: string; evaluatedNodes: number; feasibleNodes: number; scores: NodePluginScores[]; diagnosis: Diagnosis; state: CycleState }
  | { kind: 'unschedulable'; fitError: FitError; postFilter?: PostFilterResult; state: CycleState }
  | { kind: 'error'; status: Status };

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** How many feasible nodes to look for before stopping, as upstream's adaptive percentage. */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentageOfNodesToScore;
  if (pct <= 0) pct = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - Math.trunc(numAllNodes / 125));
  if (pct >= 100) return numAllNodes;
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.trunc((numAllNodes * pct) / 100));
}

interface Points {
  preEnqueue: PreEnqueuePlugin[];
  queueSort: QueueSortPlugin[];
  preFilter: PreFilterPlugin[];
  filter: FilterPlugin[];
  postFilter: PostFilterPlugin[];
  preScore: PreScorePlugin[];
  score: ScorePlugin[];
  reserve: ReservePlugin[];
  permit: PermitPlugin[];
  preBind: PreBindPlugin[];
  bind: BindPlugin[];
  postBind: PostBindPlugin[];
}

/** Builds a profile's framework; configuration mistakes come back as errors, not exceptions. */
export function newFramework(profile: Profile, opts: FrameworkOptions): { ok: true; framework: Framework } | { ok: false; errors: string[] } {
  const fw = new Framework(profile, opts);
  const errors = fw.init();
  return errors.length ? { ok: false, errors } : { ok: true, framework: fw };
}

export class Framework implements Handle {
  readonly schedulerName: string;
  readonly binder?: PodBinder;
  readonly claims?: ClaimAPI;
  private readonly instances = new Map<string, Plugin>();
  private readonly points: Points = {
    preEnqueue: [], queueSort: [], preFilter: [], filter: [], postFilter: [], preScore: [], score: [], reserve: [], permit: [], preBind: [], bind: [], postBind: [],
  };
  private readonly scoreWeights = new Map<string, number>();
  private readonly activeFilters = new WeakMap<CycleState, { skipped: number; plugins: FilterPlugin[] }>();
  private nextStartNodeIndex = 0;
  private readonly randomInt: (n: number) => number;

  constructor(
    private readonly profile: Profile,
    private readonly opts: FrameworkOptions,
  ) {
    this.schedulerName = profile.schedulerName;
    this.binder = opts.binder;
    this.claims = opts.claims;
    this.randomInt = opts.randomInt ?? ((n) => Math.floor(Math.random() * n));
  }

  /** @internal Instantiates and orders plugins; returns configuration errors. */
  init(): string[] {
    const errors: string[] = [];
    const plugins = this.profile.plugins;
    const wanted = new Set<string>();
    for (const key of ['multiPoint', ...EXTENSION_POINTS] as const) for (const r of plugins[key]?.enabled ?? []) wanted.add(r.name);
    for (const name of wanted) {
      const factory = this.opts.registry[name];
      if (!factory) {
        errors.push(`plugin "${name}" does not exist`);
        continue;
      }
      const res = factory(this.profile.pluginConfig?.[name], this);
      if (!res.ok) errors.push(...res.errors.map((e) => `initializing plugin "${name}": ${e}`));
      else this.instances.set(name, res.plugin);
    }
    for (const name of Object.keys(this.profile.pluginConfig ?? {})) {
      if (!wanted.has(name) && !this.opts.registry[name]) errors.push(`plugin "${name}" in pluginConfig does not exist`);
    }
    if (errors.length) return errors;
    for (const point of EXTENSION_POINTS) {
      const refs = this.expand(point);
      for (const ref of refs) {
        const p = this.instances.get(ref.name)!;
        if (!implementsPoint(p, point)) {
          errors.push(`plugin "${ref.name}" does not extend ${point} plugin`);
          continue;
        }
        (this.points[point] as Plugin[]).push(p);
        if (point === 'score') this.scoreWeights.set(ref.name, ref.weight && ref.weight > 0 ? ref.weight : 1);
      }
    }
    if (this.points.queueSort.length !== 1) errors.push(`one queueSort plugin required for profile with scheduler name "${this.schedulerName}"`);
    if (this.points.bind.length === 0) errors.push(`at least one bind plugin is needed for profile with scheduler name "${this.schedulerName}"`);
    return errors;
  }

  /**
   * A point's plugins with multiPoint expanded as upstream orders them:
   * plugins both in multiPoint and named at the point (in the point's
   * order, its weight winning), then the other multiPoint plugins, then
   * the point's remaining plugins.
   */
  private expand(point: ExtensionPoint): PluginRef[] {
    const plugins = this.profile.plugins;
    const specific = plugins[point]?.enabled ?? [];
    const disabled = new Set((plugins[point]?.disabled ?? []).map((d) => d.name));
    const multi = (plugins.multiPoint?.enabled ?? []).filter((r) => {
      const p = this.instances.get(r.name);
      return p && implementsPoint(p, point) && !disabled.has(r.name) && !disabled.has('*');
    });
    const multiNames = new Set(multi.map((r) => r.name));
    const specificNames = new Set(specific.map((r) => r.name));
    const overrides = specific.filter((r) => multiNames.has(r.name));
    const rest = specific.filter((r) => !multiNames.has(r.name));
    const seen = new Set<string>();
    const out: PluginRef[] = [];
    for (const r of [...overrides, ...multi.filter((m) => !specificNames.has(m.name)), ...rest]) {
      if (seen.has(r.name)) continue;
      seen.add(r.name);
      out.push(r);
    }
    return out;
  }

  pluginsAt(point: ExtensionPoint): string[] {
    return this.points[point].map((p) => p.name);
  }

  scoreWeight(plugin: string): number | undefined {
    return this.scoreWeights.get(plugin);
  }

  /** Events each plugin registered, for the queue's move decisions. */
  eventsToRegister(): Map<string, ClusterEventWithHint[]> {
    const m = new Map<string, ClusterEventWithHint[]>();
    for (const [name, p] of this.instances) if (isEnqueueExtensions(p)) m.set(name, p.eventsToRegister());
    return m;
  }

  // ---- queue-side points

  runPreEnqueue(pod: PodT): Status {
    for (const p of this.points.preEnqueue) {
      const st = p.preEnqueue(pod);
      if (!st.isSuccess()) return st.withPlugin(p.name);
    }
    return Status.success();
  }

  queueSortLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    return this.points.queueSort[0]!.less(a, b);
  }

  // ---- scheduling cycle

  runPreFilter(state: CycleState, pod: PodT, snapshot: Snapshot): { status: Status; result?: PreFilterResult } {
    let result: PreFilterResult | undefined;
    const narrowing: string[] = [];
    for (const p of this.points.preFilter) {
      const out = p.preFilter(state, pod, snapshot);
      if (out.status.isSkip()) {
        state.skipFilterPlugins.add(p.name);
        continue;
      }
      if (!out.status.isSuccess()) {
        return { status: out.status.code === Code.Error ? Status.error(`running PreFilter plugin "${p.name}": ${out.status.message()}`).withPlugin(p.name) : out.status.withPlugin(p.name) };
      }
      if (out.result?.nodeNames) {
        narrowing.push(p.name);
        const prev: ReadonlySet<string> | undefined = result?.nodeNames;
        result = { nodeNames: prev ? new Set([...prev].filter((n) => out.result!.nodeNames!.has(n))) : out.result.nodeNames };
        if (result.nodeNames!.size === 0) {
          return { status: Status.unresolvable(`node(s) didn't satisfy plugin(s) [${narrowing.join(' ')}] simultaneously`).withPlugin(p.name), result };
        }
      }
    }
    return { status: Status.success(), result };
  }

  /** The Filter plugins PreFilter did not skip, in configured order (worked out once per cycle, not per node). */
  private activeFilterPlugins(state: CycleState): FilterPlugin[] {
    let active = this.activeFilters.get(state);
    if (!active || active.skipped !== state.skipFilterPlugins.size) {
      active = { skipped: state.skipFilterPlugins.size, plugins: this.points.filter.filter((p) => !state.skipFilterPlugins.has(p.name)) };
      this.activeFilters.set(state, active);
    }
    return active.plugins;
  }

  runFilterPlugins(state: CycleState, pod: PodT, nodeInfo: NodeInfo): Status {
    return runFilters(this.activeFilterPlugins(state), state, pod, nodeInfo).status;
  }

  /**
   * Filters with higher-or-equal priority nominated pods counted on the
   * node, then (if any were added and it passed) without them, so that
   * neither their resources nor their absence (for affinity) is ignored.
   */
  runFilterWithNominatedPods(state: CycleState, pod: PodT, nodeInfo: NodeInfo): Status {
    const onNode = this.opts.nominator?.nominatedPodsForNode(nodeInfo.name);
    if (!onNode?.length) return this.runFilterPlugins(state, pod, nodeInfo);
    const nominated = onNode.filter(
      (np) => podKey(np) !== podKey(pod) && (np.spec?.priority ?? 0) >= (pod.spec?.priority ?? 0),
    );
    if (nominated.length === 0) return this.runFilterPlugins(state, pod, nodeInfo);
    const withNominated = nodeInfo.clone();
    for (const np of nominated) withNominated.addPod(np);
    const st = this.runFilterPlugins(state, pod, withNominated);
    if (!st.isSuccess()) return st;
    return this.runFilterPlugins(state, pod, nodeInfo);
  }

  runFilterOnNode(pod: PodT, snapshot: Snapshot, nodeName: string): Status {
    const ni = snapshot.get(nodeName);
    if (!ni) return Status.error(`node "${nodeName}" not found`);
    const state = new CycleState();
    const pre = this.runPreFilter(state, pod, snapshot);
    if (!pre.status.isSuccess()) return pre.status;
    if (pre.result?.nodeNames && !pre.result.nodeNames.has(nodeName)) return Status.unresolvable(`node(s) didn't satisfy plugin(s) [PreFilter]`);
    return this.runFilterPlugins(state, pod, ni);
  }

  runPostFilter(state: CycleState, pod: PodT, snapshot: Snapshot, nodeToStatus: ReadonlyMap<string, Status>): PostFilterOutput {
    const reasons: string[] = [];
    for (const p of this.points.postFilter) {
      const out = p.postFilter(state, pod, snapshot, nodeToStatus);
      if (out.status.isSuccess()) return out;
      if (out.status.code !== Code.Unschedulable) return { status: out.status.withPlugin(p.name), result: out.result };
      reasons.push(...out.status.reasons);
    }
    return { status: new Status(Code.Unschedulable, reasons) };
  }

  runPreScore(state: CycleState, pod: PodT, nodes: readonly NodeInfo[], snapshot: Snapshot): Status {
    for (const p of this.points.preScore) {
      const st = p.preScore(state, pod, nodes, snapshot);
      if (st.isSkip()) {
        state.skipScorePlugins.add(p.name);
        continue;
      }
      if (!st.isSuccess()) return Status.error(`running PreScore plugin "${p.name}": ${st.message()}`).withPlugin(p.name);
    }
    return Status.success();
  }

  /**
   * Every score plugin on every node, normalized and weighted. Each node's per-plugin
   * breakdown is kept only with `breakdown` (explain-schedule): a cycle needs the totals.
   */
  runScore(state: CycleState, pod: PodT, nodes: readonly NodeInfo[], opts: { breakdown?: boolean } = {}): { status: Status; scores: NodePluginScores[] } {
    // Totals accumulate in place; only plugins that normalize need their scores as a list first.
    const totals = new Float64Array(nodes.length);
    const detail = opts.breakdown ? nodes.map((): { plugin: string; score: number }[] => []) : undefined;
    for (const p of this.points.score) {
      if (state.skipScorePlugins.has(p.name)) continue;
      const weight = this.scoreWeights.get(p.name) ?? 1;
      const add = (i: number, s: number): Status | undefined => {
        if (s > MAX_NODE_SCORE || s < MIN_NODE_SCORE) {
          return Status.error(`plugin "${p.name}" returns an invalid score ${s}, it should in the range of [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}] after normalizing`);
        }
        totals[i] += s * weight;
        detail?.[i]!.push({ plugin: p.name, score: s * weight });
        return undefined;
      };
      if (!p.normalizeScore) {
        for (let i = 0; i < nodes.length; i++) {
          const r = p.score(state, pod, nodes[i]!);
          if (r.status && !r.status.isSuccess()) return { status: Status.error(`running Score plugin "${p.name}": ${r.status.message()}`).withPlugin(p.name), scores: [] };
          const bad = add(i, r.score);
          if (bad) return { status: bad, scores: [] };
        }
        continue;
      }
      const list: NodeScore[] = [];
      for (const n of nodes) {
        const r = p.score(state, pod, n);
        if (r.status && !r.status.isSuccess()) return { status: Status.error(`running Score plugin "${p.name}": ${r.status.message()}`).withPlugin(p.name), scores: [] };
        list.push({ name: n.name, score: r.score });
      }
      const st = p.normalizeScore(state, pod, list);
      if (!st.isSuccess()) return { status: Status.error(`running Normalize on Score plugin "${p.name}": ${st.message()}`).withPlugin(p.name), scores: [] };
      for (let i = 0; i < list.length; i++) {
        const bad = add(i, list[i]!.score);
        if (bad) return { status: bad, scores: [] };
      }
    }
    return { status: Status.success(), scores: nodes.map((n, i) => ({ name: n.name, scores: detail?.[i] ?? [], totalScore: totals[i]! })) };
  }

  /** The highest total; ties broken uniformly at random (reservoir sampling, as upstream). */
  selectHost(scores: readonly NodePluginScores[]): string | undefined {
    let best: NodePluginScores | undefined;
    let count = 0;
    for (const s of scores) {
      if (!best || s.totalScore > best.totalScore) {
        best = s;
        count = 1;
      } else if (s.totalScore === best.totalScore) {
        count++;
        if (this.randomInt(count) === 0) best = s;
      }
    }
    return best?.name;
  }

  /**
   * Filter nodes, starting where the last cycle stopped, until enough feasible ones are found.
   *
   * Which nodes pass does not depend on the order the Filter plugins run in, only which plugin a
   * rejection is reported under does. So within a cycle the plugin that rejected the last node runs
   * first on the next (a spread constraint that rules out whole zones then turns most nodes away
   * before the resource and affinity checks run), and if the pod fits nowhere the rejections are
   * settled in configured order before anyone sees them, as upstream reports them.
   */
  findNodesThatFit(state: CycleState, pod: PodT, snapshot: Snapshot, diagnosis: Diagnosis, preFilterResult?: PreFilterResult): { feasible: NodeInfo[]; evaluated: number; error?: Status } {
    let nodes = snapshot.list();
    if (preFilterResult?.nodeNames) {
      const allowed = preFilterResult.nodeNames;
      nodes = nodes.filter((n) => allowed.has(n.name));
    }
    const want = numFeasibleNodesToFind(nodes.length, this.profile.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    const configured = this.activeFilterPlugins(state);
    const quick = configured.slice();
    const rejectedNames: string[] = [];
    const rejections: Status[] = [];
    /** Positions in `rejections` given under a plugin that may not be the first to fail in configured order. */
    const unsettled: number[] = [];
    const unsettledBy: FilterPlugin[] = [];
    const unsettledNodes: NodeInfo[] = [];
    let evaluated = 0;
    const start = nodes.length ? this.nextStartNodeIndex % nodes.length : 0;
    const nominations = this.opts.nominator?.hasNominatedPods?.() ?? true;
    for (let i = 0; i < nodes.length && feasible.length < want; i++) {
      const ni = nodes[(start + i) % nodes.length]!;
      evaluated++;
      let st: Status;
      if (nominations && this.hasNominatedPods(ni)) st = this.runFilterWithNominatedPods(state, pod, ni);
      else {
        const r = runFilters(quick, state, pod, ni);
        st = r.status;
        // A plugin that errs counts only if every plugin configured before it passes, as upstream runs them.
        if (st.code === Code.Error) {
          const before = runFilters(configured.slice(0, configured.indexOf(quick[r.index]!)), state, pod, ni).status;
          if (!before.isSuccess()) st = before;
        } else if (!st.isSuccess()) {
          const p = quick[r.index]!;
          if (r.index > 0) {
            quick.splice(r.index, 1);
            quick.unshift(p);
          }
          if (p !== configured[0]) {
            unsettled.push(rejections.length);
            unsettledBy.push(p);
            unsettledNodes.push(ni);
          }
        }
      }
      if (st.isSuccess()) feasible.push(ni);
      else {
        if (st.code === Code.Error) return { feasible: [], evaluated, error: st };
        rejectedNames.push(ni.name);
        rejections.push(st);
      }
    }
    this.nextStartNodeIndex = (start + evaluated) % Math.max(1, nodes.length);
    if (feasible.length > 0) {
      deferRejections(diagnosis, rejectedNames, rejections);
      return { feasible, evaluated };
    }
    // The pod fits nowhere: its diagnosis (the event, preemption, requeueing) names each node's first failing
    // plugin in configured order, so the plugins configured before the one that turned a node away run now.
    for (let k = 0; k < unsettled.length; k++) {
      const r = runFilters(configured.slice(0, configured.indexOf(unsettledBy[k]!)), state, pod, unsettledNodes[k]!);
      if (r.status.code === Code.Error) return { feasible: [], evaluated, error: r.status };
      if (!r.status.isSuccess()) rejections[unsettled[k]!] = r.status;
    }
    for (let k = 0; k < rejections.length; k++) {
      diagnosis.nodeToStatus.set(rejectedNames[k]!, rejections[k]!);
      diagnosis.unschedulablePlugins.add(rejections[k]!.plugin);
    }
    return { feasible, evaluated };
  }

  private hasNominatedPods(ni: NodeInfo): boolean {
    return !!this.opts.nominator?.nominatedPodsForNode(ni.name)?.length;
  }

  /** One scheduling attempt for the pod against the snapshot, including preemption on failure. */
  scheduleOne(pod: PodT, snapshot: Snapshot, opts: { breakdown?: boolean } = {}): ScheduleResult {
    const state = new CycleState();
    const diagnosis = newDiagnosis();
    const numAll = snapshot.numNodes();
    if (numAll === 0) return { kind: 'unschedulable', fitError: new FitError(pod, 0, { ...diagnosis, preFilterMsg: '' }), state };
    const pre = this.runPreFilter(state, pod, snapshot);
    if (pre.status.code === Code.Error) return { kind: 'error', status: pre.status };
    if (!pre.status.isSuccess()) {
      diagnosis.preFilterMsg = pre.status.message();
      diagnosis.unschedulablePlugins.add(pre.status.plugin);
      for (const ni of snapshot.list()) diagnosis.nodeToStatus.set(ni.name, pre.status);
      return this.failed(state, pod, snapshot, diagnosis);
    }
    const allowed = pre.result?.nodeNames;
    if (allowed) {
      for (const ni of snapshot.list()) {
        if (!allowed.has(ni.name)) diagnosis.nodeToStatus.set(ni.name, Status.unresolvable(`node(s) didn't satisfy plugin(s) [PreFilter]`));
      }
    }
    const found = this.findNodesThatFit(state, pod, snapshot, diagnosis, pre.result);
    if (found.error) return { kind: 'error', status: found.error };
    if (found.feasible.length === 0) return this.failed(state, pod, snapshot, diagnosis);
    if (found.feasible.length === 1) {
      return { kind: 'scheduled', nodeName: found.feasible[0]!.name, evaluatedNodes: found.evaluated, feasibleNodes: 1, scores: [], diagnosis, state };
    }
    const ps = this.runPreScore(state, pod, found.feasible, snapshot);
    if (!ps.isSuccess()) return { kind: 'error', status: ps };
    const sc = this.runScore(state, pod, found.feasible, opts);
    if (!sc.status.isSuccess()) return { kind: 'error', status: sc.status };
    const nodeName = this.selectHost(sc.scores)!;
    return { kind: 'scheduled', nodeName, evaluatedNodes: found.evaluated, feasibleNodes: found.feasible.length, scores: sc.scores, diagnosis, state };
  }

  private failed(state: CycleState, pod: PodT, snapshot: Snapshot, diagnosis: Diagnosis): ScheduleResult {
    const fitError = new FitError(pod, snapshot.numNodes(), diagnosis);
    const pf = this.runPostFilter(state, pod, snapshot, diagnosis.nodeToStatus);
    if (pf.status.code === Code.Error) return { kind: 'error', status: pf.status };
    diagnosis.postFilterMsg = pf.status.message();
    return { kind: 'unschedulable', fitError, postFilter: pf.status.isSuccess() ? pf.result : undefined, state };
  }

  // ---- after a node is chosen

  runReserve(state: CycleState, pod: PodT, nodeName: string): Status {
    for (const p of this.points.reserve) {
      const st = p.reserve(state, pod, nodeName);
      if (!st.isSuccess()) {
        this.runUnreserve(state, pod, nodeName);
        return st.code === Code.Error ? Status.error(`running Reserve plugin "${p.name}": ${st.message()}`).withPlugin(p.name) : st.withPlugin(p.name);
      }
    }
    return Status.success();
  }

  /** Unreserve runs in reverse order, and for every plugin, as upstream. */
  runUnreserve(state: CycleState, pod: PodT, nodeName: string): void {
    for (const p of [...this.points.reserve].reverse()) p.unreserve(state, pod, nodeName);
  }

  /** Success, Wait (with the shortest timeout among waiting plugins) or the first rejection. */
  runPermit(state: CycleState, pod: PodT, nodeName: string): { status: Status; timeoutMs?: number } {
    let wait: number | undefined;
    for (const p of this.points.permit) {
      const out = p.permit(state, pod, nodeName);
      if (out.status.code === Code.Wait) {
        wait = Math.min(wait ?? Infinity, out.timeoutMs ?? 15 * 60_000);
        continue;
      }
      if (!out.status.isSuccess()) return { status: out.status.withPlugin(p.name) };
    }
    return wait === undefined ? { status: Status.success() } : { status: new Status(Code.Wait), timeoutMs: wait };
  }

  async runPreBind(state: CycleState, pod: PodT, nodeName: string): Promise<Status> {
    for (const p of this.points.preBind) {
      const st = await p.preBind(state, pod, nodeName);
      if (!st.isSuccess()) return st.withPlugin(p.name);
    }
    return Status.success();
  }

  async runBind(state: CycleState, pod: PodT, nodeName: string): Promise<Status> {
    for (const p of this.points.bind) {
      const st = await p.bind(state, pod, nodeName);
      if (st.isSkip()) continue;
      return st.isSuccess() ? st : st.withPlugin(p.name);
    }
    return new Status(Code.Skip);
  }

  runPostBind(state: CycleState, pod: PodT, nodeName: string): void {
    for (const p of this.points.postBind) p.postBind(state, pod, nodeName);
  }

  /** PreBind, Bind and PostBind; on failure the reservation is undone. */
  async runBindingCycle(state: CycleState, pod: PodT, nodeName: string): Promise<Status> {
    let st = await this.runPreBind(state, pod, nodeName);
    if (st.isSuccess()) st = await this.runBind(state, pod, nodeName);
    if (!st.isSuccess()) {
      this.runUnreserve(state, pod, nodeName);
      return st;
    }
    this.runPostBind(state, pod, nodeName);
    return st;
  }
}

/** Runs Filter plugins in the given order until one does not succeed; `index` is that plugin's (or -1). */
function runFilters(plugins: readonly FilterPlugin[], state: CycleState, pod: PodT, nodeInfo: NodeInfo): { status: Status; index: number } {
  for (let i = 0; i < plugins.length; i++) {
    const p = plugins[i]!;
    const st = p.filter(state, pod, nodeInfo);
    if (!st.isSuccess()) {
      if (st.code === Code.Error) return { status: Status.error(`running "${p.name}" filter plugin: ${st.message()}`).withPlugin(p.name), index: i };
      return { status: st.withPlugin(p.name), index: i };
    }
  }
  return { status: Status.success(), index: -1 };
}
