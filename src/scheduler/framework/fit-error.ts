/**
 * Why a pod fits nowhere, and the message upstream prints for it (the
 * FailedScheduling event text users grep for):
 *   0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint {k: v}. preemption: ...
 */
import type { PodT } from '../../api/core/v1/types.js';
import type { Status } from './status.js';

export interface Diagnosis {
  /** Every evaluated node's rejection, with the plugin that gave it. */
  nodeToStatus: Map<string, Status>;
  /** Plugins that rejected the pod somewhere: the queue moves it back on their events. */
  unschedulablePlugins: Set<string>;
  /** The message of a PreFilter rejection (then nodeToStatus is not itemised). */
  preFilterMsg: string;
  /** The PostFilter (preemption) message, appended after the filter reasons. */
  postFilterMsg: string;
}

export function newDiagnosis(): Diagnosis {
  return { nodeToStatus: new Map(), unschedulablePlugins: new Set(), preFilterMsg: '', postFilterMsg: '' };
}

/**
 * Adds rejections to a diagnosis without building its map and set until someone reads them: a pod that
 * got scheduled has thousands of them, and nobody reads that diagnosis but tools and tests.
 */
export function deferRejections(d: Diagnosis, names: readonly string[], statuses: readonly Status[]): void {
  if (!names.length) return;
  const map = d.nodeToStatus;
  const plugins = d.unschedulablePlugins;
  let built = false;
  const build = () => {
    if (built) return;
    built = true;
    for (let i = 0; i < names.length; i++) {
      map.set(names[i]!, statuses[i]!);
      plugins.add(statuses[i]!.plugin);
    }
  };
  Object.defineProperty(d, 'nodeToStatus', { enumerable: true, configurable: true, get: () => (build(), map) });
  Object.defineProperty(d, 'unschedulablePlugins', { enumerable: true, configurable: true, get: () => (build(), plugins) });
}

export function noNodeAvailableMsg(numAllNodes: number): string {
  return `0/${numAllNodes} nodes are available`;
}

/** "<count> <reason>" per distinct reason, sorted as strings (so "10 x" sorts before "2 y", as upstream). */
export function reasonHistogram(nodeToStatus: ReadonlyMap<string, Status>): string[] {
  const counts = new Map<string, number>();
  for (const st of nodeToStatus.values()) for (const r of st.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export class FitError {
  constructor(
    readonly pod: PodT,
    readonly numAllNodes: number,
    readonly diagnosis: Diagnosis,
  ) {}

  get message(): string {
    let msg = `${noNodeAvailableMsg(this.numAllNodes)}:`;
    const d = this.diagnosis;
    if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
    else {
      const h = reasonHistogram(d.nodeToStatus);
      if (h.length) msg += ` ${h.join(', ')}.`;
    }
    // The preemption message is itself a FitError message ending in '.'; upstream prints one period.
    if (d.postFilterMsg) msg += ` ${d.postFilterMsg.replace(/\.$/, '')}.`;
    return msg;
  }

  toString(): string {
    return this.message;
  }
}
