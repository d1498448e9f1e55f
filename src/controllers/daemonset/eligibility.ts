/**
 * Which nodes a DaemonSet runs on, as upstream's NodeShouldRunDaemonPod:
 * the pod template (with the tolerations every daemon pod gets) must match
 * the node's labels and tolerate its taints. A NoSchedule taint keeps a new
 * pod off the node but lets a running one stay; NoExecute evicts it too.
 */
import { matchesNodeSelectorAndAffinity } from '../../api/core/v1/node-selector.js';
import type { NodeSelectorT, NodeSelectorTermT, TaintT, TolerationT } from '../../api/core/v1/types.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { Pod } from '../framework/pods.js';

export interface Node extends KubeObject {
  spec?: { taints?: TaintT[]; unschedulable?: boolean; [field: string]: unknown };
  status?: { [field: string]: unknown };
}

/** The slice of a pod spec eligibility reads. */
export interface DaemonPodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  hostNetwork?: boolean;
  tolerations?: TolerationT[];
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: NodeSelectorT; [f: string]: unknown }; [f: string]: unknown };
  [field: string]: unknown;
}

export interface NodeFit {
  /** A new daemon pod should be created on the node. */
  shouldRun: boolean;
  /** An existing daemon pod may stay on the node. */
  shouldContinueRunning: boolean;
}

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

export function toleratesTaint(t: TolerationT, taint: TaintT): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator ?? 'Equal';
  if (op === 'Exists') return true;
  // Equal with an empty key matches nothing: only Exists may leave the key out.
  return op === 'Equal' && !!t.key && (t.value ?? '') === (taint.value ?? '');
}

function untolerated(taints: readonly TaintT[], tolerations: readonly TolerationT[], effects: readonly string[]): boolean {
  return taints.some((taint) => effects.includes(taint.effect) && !tolerations.some((t) => toleratesTaint(t, taint)));
}

/** Adds a toleration unless one with the same key and effect is there already. */
function addToleration(list: TolerationT[], t: TolerationT): void {
  if (list.some((x) => x.key === t.key && x.effect === t.effect && (x.operator ?? 'Equal') === t.operator)) return;
  list.push(t);
}

/**
 * The tolerations upstream adds to every daemon pod: node problems must not
 * evict or block the one pod a node is meant to run.
 */
export function withDaemonTolerations(spec: DaemonPodSpec): DaemonPodSpec {
  const tolerations = [...(spec.tolerations ?? [])];
  addToleration(tolerations, { key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute' });
  addToleration(tolerations, { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' });
  addToleration(tolerations, { key: TAINT_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addToleration(tolerations, { key: TAINT_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addToleration(tolerations, { key: TAINT_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addToleration(tolerations, { key: TAINT_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' });
  if (spec.hostNetwork) addToleration(tolerations, { key: TAINT_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
  return { ...spec, tolerations };
}

/** Upstream NodeShouldRunDaemonPod for a DaemonSet's pod template spec. */
export function nodeShouldRunDaemonPod(node: Node, templateSpec: DaemonPodSpec | undefined): NodeFit {
  const spec = withDaemonTolerations(templateSpec ?? {});
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!matchesNodeSelectorAndAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints ?? [];
  const tolerations = spec.tolerations ?? [];
  if (untolerated(taints, tolerations, ['NoExecute'])) return { shouldRun: false, shouldContinueRunning: false };
  if (untolerated(taints, tolerations, ['NoSchedule'])) return { shouldRun: false, shouldContinueRunning: true };
  return { shouldRun: true, shouldContinueRunning: true };
}

/**
 * Pins a daemon pod to `nodeName` through required node affinity, so the
 * scheduler places it as upstream's does. The other required terms go: the
 * controller already checked the node matches them.
 */
export function withNodeNameAffinity(spec: DaemonPodSpec, nodeName: string): DaemonPodSpec {
  const affinity = { ...(spec.affinity ?? {}) };
  const nameTerm: NodeSelectorTermT = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  affinity.nodeAffinity = { ...(affinity.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [nameTerm] } };
  return { ...spec, affinity };
}

/** The node a daemon pod runs on or is pinned to (upstream GetTargetNodeName). */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const spec = pod.spec as DaemonPodSpec | undefined;
  for (const term of spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}
