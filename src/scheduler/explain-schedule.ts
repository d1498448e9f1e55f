/**
 * Answers "why is this pod (not) there": runs the pod's profile against a
 * fresh snapshot of the cluster and reports, for every node, the plugin
 * that rejected it with its reason, or each score plugin's weighted score
 * and the total, best node first.
 */
import type { NamespaceT, NodeT, PersistentVolumeClaimT, PersistentVolumeT, PodT } from '../api/core/v1/types.js';
import type { PodDisruptionBudgetT } from '../api/policy/v1/types.js';
import type { StorageClassT } from '../api/storage/v1/types.js';
import { ResourceClient } from '../client/rest/resource-client.js';
import type { RESTClient } from '../client/rest/rest-client.js';
import type { GroupVersionResource } from '../machinery/meta/types.js';
import { defaultConfiguration, type KubeSchedulerConfiguration } from './config.js';
import { CycleState } from './framework/cycle-state.js';
import { newFramework, type Framework, type PluginScore, type Registry } from './framework/framework.js';
import type { Snapshot } from './framework/snapshot.js';
import { inTreeRegistry } from './plugins/registry.js';
import { GVR } from './scheduler.js';
import { buildSnapshot, staticClusterObjects } from './snapshot-source.js';

export type NodeVerdict =
  | { node: string; kind: 'rejected'; plugin: string; reasons: readonly string[] }
  | { node: string; kind: 'feasible'; scores: PluginScore[]; total: number };

export interface Explanation {
  pod: string;
  schedulerName: string;
  /** Feasible nodes by total score (best first), then rejected nodes by name. */
  nodes: NodeVerdict[];
}

export interface ExplainOptions {
  config?: KubeSchedulerConfiguration;
  registry?: Registry;
}

/** The verdict per node for `pod` against `snapshot`, filtering every node (no sampling). */
export function explainPod(fw: Framework, pod: PodT, snapshot: Snapshot): NodeVerdict[] {
  const state = new CycleState();
  const pre = fw.runPreFilter(state, pod, snapshot);
  const rejected: NodeVerdict[] = [];
  const feasibleInfos = [];
  for (const ni of snapshot.list()) {
    if (!pre.status.isSuccess()) {
      rejected.push({ node: ni.name, kind: 'rejected', plugin: pre.status.plugin || 'PreFilter', reasons: pre.status.reasons });
      continue;
    }
    if (pre.result?.nodeNames && !pre.result.nodeNames.has(ni.name)) {
      rejected.push({ node: ni.name, kind: 'rejected', plugin: 'PreFilter', reasons: ["node(s) didn't satisfy plugin(s) [PreFilter]"] });
      continue;
    }
    const st = fw.runFilterWithNominatedPods(state, pod, ni);
    if (st.isSuccess()) feasibleInfos.push(ni);
    else rejected.push({ node: ni.name, kind: 'rejected', plugin: st.plugin, reasons: st.reasons });
  }
  const feasible: (NodeVerdict & { kind: 'feasible' })[] = [];
  if (feasibleInfos.length) {
    const ps = fw.runPreScore(state, pod, feasibleInfos, snapshot);
    const sc = ps.isSuccess() ? fw.runScore(state, pod, feasibleInfos, { breakdown: true }) : { status: ps, scores: [] };
    if (!sc.status.isSuccess()) {
      for (const ni of feasibleInfos) rejected.push({ node: ni.name, kind: 'rejected', plugin: sc.status.plugin || 'Score', reasons: sc.status.reasons });
    } else {
      for (const s of sc.scores) feasible.push({ node: s.name, kind: 'feasible', scores: s.scores, total: s.totalScore });
    }
  }
  feasible.sort((a, b) => b.total - a.total || a.node.localeCompare(b.node));
  rejected.sort((a, b) => a.node.localeCompare(b.node));
  return [...feasible, ...rejected];
}

/** Plain text, one line per node. */
export function formatExplanation(e: Explanation): string {
  const feasible = e.nodes.filter((n) => n.kind === 'feasible').length;
  const lines = [`Pod ${e.pod} (scheduler ${e.schedulerName}): ${feasible}/${e.nodes.length} nodes feasible`];
  const width = Math.max(4, ...e.nodes.map((n) => n.node.length));
  for (const n of e.nodes) {
    const detail = n.kind === 'feasible'
      ? `score ${n.total}: ${n.scores.map((s) => `${s.plugin}=${s.score}`).join(' ')}`
      : `rejected by ${n.plugin}: ${n.reasons.join(', ')}`;
    lines.push(`${n.node.padEnd(width)}  ${detail}`);
  }
  return lines.join('\n') + '\n';
}

async function listAll<T>(rest: RESTClient, gvr: GroupVersionResource): Promise<T[]> {
  return (await new ResourceClient(rest, gvr).list()).items as unknown as T[];
}

/** Lists the cluster once, runs the pod's profile and formats the verdict per node. */
export async function explainSchedule(rest: RESTClient, namespace: string, name: string, opts: ExplainOptions = {}): Promise<string> {
  const pod = (await new ResourceClient(rest, GVR.pods, namespace).get(name)) as unknown as PodT;
  const config = opts.config ?? defaultConfiguration();
  const schedulerName = pod.spec?.schedulerName || 'default-scheduler';
  const profile = config.profiles.find((p) => p.schedulerName === schedulerName);
  if (!profile) return `Pod ${namespace}/${name}: no profile for scheduler "${schedulerName}"; this scheduler leaves it alone\n`;
  const res = newFramework(
    { ...profile, percentageOfNodesToScore: 100 },
    { registry: opts.registry ?? inTreeRegistry },
  );
  if (!res.ok) throw new Error(`scheduler profile "${schedulerName}": ${res.errors.join('; ')}`);
  const [nodes, pods, namespaces, pdbs, pvcs, pvs, storageClasses] = await Promise.all([
    listAll<NodeT>(rest, GVR.nodes),
    listAll<PodT>(rest, GVR.pods),
    listAll<NamespaceT>(rest, GVR.namespaces),
    listAll<PodDisruptionBudgetT>(rest, GVR.pdbs),
    listAll<PersistentVolumeClaimT>(rest, GVR.pvcs),
    listAll<PersistentVolumeT>(rest, GVR.pvs),
    listAll<StorageClassT>(rest, GVR.storageClasses),
  ]);
  const snapshot = buildSnapshot(staticClusterObjects({ nodes, pods, namespaces, pdbs, pvcs, pvs, storageClasses }), { excludePod: pod });
  return formatExplanation({ pod: `${namespace}/${name}`, schedulerName, nodes: explainPod(res.framework, pod, snapshot) });
}
