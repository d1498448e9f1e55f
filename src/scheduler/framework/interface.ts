/**
 * The extension points of a scheduling profile, as kube-scheduler's
 * framework/interface.go: a plugin implements any subset; the framework
 * runs each point's plugins in configured order.
 */
import type { PersistentVolumeClaimT, PodT } from '../../api/core/v1/types.js';
import type { CycleState } from './cycle-state.js';
import type { ClusterEventWithHint } from './events.js';
import type { NodeInfo } from './node-info.js';
import type { Snapshot } from './snapshot.js';
import type { Status } from './status.js';

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export interface Plugin {
  readonly name: string;
}

/** A pod waiting in the queue, with its bookkeeping. */
export interface QueuedPodInfo {
  pod: PodT;
  /** When the pod was (last) added to the queue; QueueSort's tie-breaker. */
  timestamp: number;
  /** When the pod first entered the queue. */
  initialAttemptTimestamp: number;
  attempts: number;
  /** Plugins that rejected the pod in its last attempt. */
  unschedulablePlugins: Set<string>;
  /** Plugins whose PreEnqueue is holding the pod back. */
  gatedBy?: string;
}

export interface PreEnqueuePlugin extends Plugin {
  /** Success lets the pod into activeQ; anything else keeps it waiting (no back-off). */
  preEnqueue(pod: PodT): Status;
}

export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

/** Nodes a PreFilter plugin already knows are the only candidates; undefined means all. */
export interface PreFilterResult {
  nodeNames?: ReadonlySet<string>;
}

export interface PreFilterOutput {
  status: Status;
  result?: PreFilterResult;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodT, snapshot: Snapshot): PreFilterOutput;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodT, nodeInfo: NodeInfo): Status;
}

export interface PostFilterResult {
  nominatedNodeName: string;
  /** Pods to evict so the pod fits on the nominated node. */
  victims: PodT[];
}

export interface PostFilterOutput {
  status: Status;
  result?: PostFilterResult;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodT, snapshot: Snapshot, nodeToStatus: ReadonlyMap<string, Status>): PostFilterOutput;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodT, nodes: readonly NodeInfo[], snapshot: Snapshot): Status;
}

export interface NodeScore {
  name: string;
  score: number;
}

export interface ScoreOutput {
  score: number;
  status?: Status;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodT, nodeInfo: NodeInfo): ScoreOutput;
  /** Rescales raw scores into [0, MAX_NODE_SCORE] in place. */
  normalizeScore?(state: CycleState, pod: PodT, scores: NodeScore[]): Status;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodT, nodeName: string): Status;
  unreserve(state: CycleState, pod: PodT, nodeName: string): void;
}

export interface PermitOutput {
  status: Status;
  /** For Wait: how long to wait for an allow before rejecting. */
  timeoutMs?: number;
}

export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: PodT, nodeName: string): PermitOutput;
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodT, nodeName: string): Promise<Status>;
}

/** Skip means "not mine": the next bind plugin is tried. */
export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: PodT, nodeName: string): Promise<Status>;
}

export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: PodT, nodeName: string): void;
}

export interface EnqueueExtensions extends Plugin {
  /** Events that could make a pod this plugin rejected schedulable. */
  eventsToRegister(): ClusterEventWithHint[];
}

/** Writes the binding; implemented over the API client by the scheduler's wiring. */
export interface PodBinder {
  bind(pod: PodT, nodeName: string): Promise<Status>;
}

/** What plugins may ask of the framework that runs them. */
export interface Handle {
  /** PreFilter then Filter for one node of the given snapshot, as in a scheduling cycle. */
  runFilterOnNode(pod: PodT, snapshot: Snapshot, nodeName: string): Status;
  /** Filter plugins only, on a node info, reusing a state from runPreFilter. */
  runFilterPlugins(state: CycleState, pod: PodT, nodeInfo: NodeInfo): Status;
  binder?: PodBinder;
  /** Claims as VolumeBinding's PreBind reads and annotates them; absent in dry runs. */
  claims?: ClaimAPI;
}

/** The claim operations a binding cycle needs from the API. */
export interface ClaimAPI {
  get(namespace: string, name: string): Promise<PersistentVolumeClaimT | undefined>;
  /** Records the chosen node on a WaitForFirstConsumer claim (`volume.kubernetes.io/selected-node`). */
  selectNode(namespace: string, name: string, nodeName: string): Promise<void>;
}

export type ExtensionPoint =
  | 'preEnqueue' | 'queueSort' | 'preFilter' | 'filter' | 'postFilter' | 'preScore' | 'score'
  | 'reserve' | 'permit' | 'preBind' | 'bind' | 'postBind';

export const EXTENSION_POINTS: readonly ExtensionPoint[] = [
  'preEnqueue', 'queueSort', 'preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'permit', 'preBind', 'bind', 'postBind',
];

/** Whether a plugin implements an extension point (by its method). */
export function implementsPoint(p: Plugin, point: ExtensionPoint): boolean {
  const method: Record<ExtensionPoint, string> = {
    preEnqueue: 'preEnqueue', queueSort: 'less', preFilter: 'preFilter', filter: 'filter', postFilter: 'postFilter',
    preScore: 'preScore', score: 'score', reserve: 'reserve', permit: 'permit', preBind: 'preBind', bind: 'bind', postBind: 'postBind',
  };
  return typeof (p as unknown as Record<string, unknown>)[method[point]] === 'function';
}

export function isEnqueueExtensions(p: Plugin): p is EnqueueExtensions {
  return typeof (p as Partial<EnqueueExtensions>).eventsToRegister === 'function';
}
