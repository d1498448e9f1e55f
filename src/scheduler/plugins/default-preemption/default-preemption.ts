/**
 * DefaultPreemption (PostFilter): when a pod fits nowhere, find nodes where
 * evicting lower-priority pods would make it fit, keep as many of them as
 * possible (PDB-protected ones first), and pick the node upstream would:
 * fewest PDB violations, lowest top victim priority, lowest priority sum,
 * fewest victims, latest start among top victims.
 */
import type { PodT } from '../../../api/core/v1/types.js';
import type { PodDisruptionBudgetT } from '../../../api/policy/v1/types.js';
import { labelSelectorAsSelector } from '../../../machinery/labels/selector.js';
import type { CycleState } from '../../framework/cycle-state.js';
import { FitError, newDiagnosis } from '../../framework/fit-error.js';
import type { Handle, PostFilterOutput, PostFilterPlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import { Code, Status } from '../../framework/status.js';

export const NAME = 'DefaultPreemption';
export const MSG_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const MSG_NO_VICTIMS = 'No preemption victims found for incoming pod';

export interface DefaultPreemptionArgs {
  minCandidateNodesPercentage?: number;
  minCandidateNodesAbsolute?: number;
}

export interface Candidate {
  nodeName: string;
  victims: PodT[];
  numPDBViolations: number;
}

const priorityOf = (p: PodT): number => p.spec?.priority ?? 0;
const startOf = (p: PodT): number => {
  const t = p.status?.startTime ? Date.parse(p.status.startTime) : NaN;
  return Number.isNaN(t) ? Infinity : t;
};

/** Higher priority first; equal priority: the one running longer first. */
export function moreImportantPod(a: PodT, b: PodT): boolean {
  const pa = priorityOf(a);
  const pb = priorityOf(b);
  return pa !== pb ? pa > pb : startOf(a) < startOf(b);
}

export function validateDefaultPreemptionArgs(args: DefaultPreemptionArgs, path: string): string[] {
  const errs: string[] = [];
  const pct = args.minCandidateNodesPercentage ?? 10;
  const abs = args.minCandidateNodesAbsolute ?? 100;
  if (pct < 0 || pct > 100) errs.push(`${path}.minCandidateNodesPercentage: Invalid value: ${pct}: not in valid range [0, 100]`);
  if (abs < 0) errs.push(`${path}.minCandidateNodesAbsolute: Invalid value: ${abs}: not in valid range [0, inf)`);
  if (pct === 0 && abs === 0) errs.push(`${path}.minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute`);
  return errs;
}

/** Splits pods (in order) into those whose eviction would breach a budget and the rest. */
export function filterPodsWithPDBViolation(pods: readonly PodT[], pdbs: readonly PodDisruptionBudgetT[]): { violating: PodT[]; nonViolating: PodT[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map((p) => {
    try {
      return labelSelectorAsSelector(p.spec?.selector);
    } catch {
      return undefined;
    }
  });
  const violating: PodT[] = [];
  const nonViolating: PodT[] = [];
  for (const pod of pods) {
    let violated = false;
    const labels = pod.metadata?.labels;
    if (labels && Object.keys(labels).length) {
      pdbs.forEach((pdb, i) => {
        const sel = selectors[i];
        if (pdb.metadata?.namespace !== pod.metadata?.namespace || !sel || sel.isEmpty() || !sel.matches(labels)) return;
        if (pod.metadata?.name && pdb.status?.disruptedPods && pod.metadata.name in pdb.status.disruptedPods) return;
        allowed[i]!--;
        if (allowed[i]! < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(pod);
  }
  return { violating, nonViolating };
}

/** Upstream's pickOneNodeForPreemption criteria, in order. */
export function pickOneNodeForPreemption(candidates: readonly Candidate[]): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  const noVictims = candidates.find((c) => c.victims.length === 0);
  if (noVictims) return noVictims;
  const highest = (c: Candidate) => Math.max(...c.victims.map(priorityOf));
  const criteria: ((c: Candidate) => number)[] = [
    (c) => c.numPDBViolations,
    highest,
    // Offset so negative priorities still add up to a positive, comparable sum.
    (c) => c.victims.reduce((s, v) => s + priorityOf(v) + 2 ** 31, 0),
    (c) => c.victims.length,
    (c) => {
      const top = highest(c);
      return -Math.min(...c.victims.filter((v) => priorityOf(v) === top).map(startOf));
    },
  ];
  let left = [...candidates];
  for (const f of criteria) {
    const best = Math.min(...left.map(f));
    left = left.filter((c) => f(c) === best);
    if (left.length === 1) break;
  }
  return left[0];
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = NAME;

  constructor(
    private readonly handle: Handle,
    readonly args: DefaultPreemptionArgs = {},
  ) {}

  postFilter(_state: CycleState, pod: PodT, snapshot: Snapshot, nodeToStatus: ReadonlyMap<string, Status>): PostFilterOutput {
    const res = this.preempt(pod, snapshot, nodeToStatus);
    const msg = res.status.message();
    if (msg && !res.status.isSuccess()) return { status: new Status(res.status.code, [`preemption: ${msg}`]), result: res.result };
    return res;
  }

  private eligible(pod: PodT, snapshot: Snapshot, nodeToStatus: ReadonlyMap<string, Status>): string | undefined {
    if (pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
    const nominated = pod.status?.nominatedNodeName;
    if (nominated && nodeToStatus.get(nominated)?.code !== Code.UnschedulableAndUnresolvable) {
      const ni = snapshot.get(nominated);
      if (ni?.pods.some((p) => p.pod.metadata?.deletionTimestamp && priorityOf(p.pod) < priorityOf(pod))) {
        return 'not eligible due to a terminating pod on the nominated node.';
      }
    }
    return undefined;
  }

  preempt(pod: PodT, snapshot: Snapshot, nodeToStatus: ReadonlyMap<string, Status>): PostFilterOutput {
    const notEligible = this.eligible(pod, snapshot, nodeToStatus);
    if (notEligible) return { status: Status.unschedulable(notEligible) };
    const statuses = new Map<string, Status>();
    const potential: NodeInfo[] = [];
    for (const ni of snapshot.list()) {
      if (nodeToStatus.get(ni.name)?.code === Code.UnschedulableAndUnresolvable) statuses.set(ni.name, Status.unresolvable(MSG_NOT_HELPFUL));
      else potential.push(ni);
    }
    const candidates: Candidate[] = [];
    for (const ni of potential) {
      const r = this.selectVictimsOnNode(pod, ni, snapshot);
      if ('status' in r) statuses.set(ni.name, r.status);
      else candidates.push(r.candidate);
    }
    const best = pickOneNodeForPreemption(candidates);
    if (!best) {
      const d = newDiagnosis();
      d.nodeToStatus = statuses;
      return { status: Status.unschedulable(new FitError(pod, statuses.size, d).message) };
    }
    return { status: Status.success(), result: { nominatedNodeName: best.nodeName, victims: best.victims } };
  }

  /** The fewest lower-priority pods whose eviction lets the pod fit on the node. */
  selectVictimsOnNode(pod: PodT, ni: NodeInfo, snapshot: Snapshot): { candidate: Candidate } | { status: Status } {
    const prio = priorityOf(pod);
    const lower = ni.pods.map((p) => p.pod).filter((p) => priorityOf(p) < prio);
    if (lower.length === 0) return { status: Status.unresolvable(MSG_NO_VICTIMS) };
    const trial = ni.clone();
    for (const p of lower) trial.removePod(p);
    const fits = () => this.handle.runFilterOnNode(pod, snapshot.withNodeInfo(trial), ni.name);
    const first = fits();
    if (!first.isSuccess()) return { status: first };
    lower.sort((a, b) => (moreImportantPod(a, b) ? -1 : moreImportantPod(b, a) ? 1 : 0));
    const { violating, nonViolating } = filterPodsWithPDBViolation(lower, snapshot.pdbs());
    const victims: PodT[] = [];
    let numPDBViolations = 0;
    const reprieve = (p: PodT): boolean => {
      trial.addPod(p);
      if (fits().isSuccess()) return false;
      trial.removePod(p);
      victims.push(p);
      return true;
    };
    for (const p of violating) if (reprieve(p)) numPDBViolations++;
    for (const p of nonViolating) reprieve(p);
    victims.sort((a, b) => (moreImportantPod(a, b) ? -1 : moreImportantPod(b, a) ? 1 : 0));
    return { candidate: { nodeName: ni.name, victims, numPDBViolations } };
  }
}
