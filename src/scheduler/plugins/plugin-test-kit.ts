/**
 * Shared code for plugin tests: a framework holding just the plugins
 * under test (plus the queue sort and binder every profile needs), and
 * one-call filter / score runs over a snapshot.
 */
import type { NodeT, PodT } from '../../api/core/v1/types.js';
import { CycleState } from '../framework/cycle-state.js';
import { newFramework, type Framework, type PluginRef, type Plugins } from '../framework/framework.js';
import { Snapshot, type SnapshotOptions } from '../framework/snapshot.js';
import type { Status } from '../framework/status.js';
import { inTreeRegistry } from './registry.js';

export function frameworkWith(plugins: (string | PluginRef)[], pluginConfig: Record<string, unknown> = {}): Framework {
  const refs = plugins.map((p) => (typeof p === 'string' ? { name: p } : p));
  const all: Plugins = { multiPoint: { enabled: [{ name: 'PrioritySort' }, ...refs, { name: 'DefaultBinder' }] } };
  const res = newFramework({ schedulerName: 'test', plugins: all, pluginConfig }, { registry: inTreeRegistry, randomInt: () => 1 });
  if (!res.ok) throw new Error(res.errors.join('; '));
  return res.framework;
}

/** PreFilter then Filter on every node; a PreFilter rejection is reported for every node. */
export function filterAll(fw: Framework, pod: PodT, snapshot: Snapshot): Map<string, Status> {
  const state = new CycleState();
  const out = new Map<string, Status>();
  const pre = fw.runPreFilter(state, pod, snapshot);
  for (const ni of snapshot.list()) {
    if (!pre.status.isSuccess()) out.set(ni.name, pre.status);
    else out.set(ni.name, fw.runFilterPlugins(state, pod, ni));
  }
  return out;
}

/** Names of the nodes that pass, in snapshot order. */
export function feasible(fw: Framework, pod: PodT, snapshot: Snapshot): string[] {
  return [...filterAll(fw, pod, snapshot)].filter(([, s]) => s.isSuccess()).map(([n]) => n);
}

/** Normalized, weighted scores per node for the feasible nodes. */
export function scores(fw: Framework, pod: PodT, snapshot: Snapshot): Record<string, number> {
  const state = new CycleState();
  fw.runPreFilter(state, pod, snapshot);
  const nodes = snapshot.list().filter((n) => fw.runFilterPlugins(state, pod, n).isSuccess());
  fw.runPreScore(state, pod, nodes, snapshot);
  const res = fw.runScore(state, pod, nodes);
  if (!res.status.isSuccess()) throw new Error(res.status.message());
  return Object.fromEntries(res.scores.map((s) => [s.name, s.totalScore]));
}

export function snapshotOf(nodes: NodeT[], pods: PodT[] = [], opts: SnapshotOptions = {}): Snapshot {
  return Snapshot.from(nodes, pods, opts);
}
