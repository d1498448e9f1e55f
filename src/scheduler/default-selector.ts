/**
 * The selector of the workloads a pod belongs to, which PodTopologySpread's
 * default constraints spread by (upstream's DefaultSelector): every Service
 * whose selector matches the pod, plus the ReplicationController, ReplicaSet
 * or StatefulSet that controls it. All their terms are ANDed together.
 */
import type { PodT } from '../api/core/v1/types.js';
import type { LabelSelectorT } from '../api/meta/v1.js';

type LabelSelectorRequirementT = NonNullable<LabelSelectorT['matchExpressions']>[number];

interface SelectorOwner {
  metadata?: { name?: string; namespace?: string };
  spec?: { selector?: unknown };
}

export interface WorkloadLookup {
  services(namespace: string): readonly SelectorOwner[];
  controller(kind: 'ReplicationController' | 'ReplicaSet' | 'StatefulSet', namespace: string, name: string): SelectorOwner | undefined;
}

const CONTROLLER_KINDS = new Set(['ReplicationController', 'ReplicaSet', 'StatefulSet']);

function matchesSet(set: Record<string, string>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(set).every(([k, v]) => labels[k] === v);
}

export function defaultSelector(pod: PodT, lookup: WorkloadLookup): LabelSelectorT | undefined {
  const ns = pod.metadata?.namespace ?? '';
  const labels = pod.metadata?.labels ?? {};
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirementT[] = [];
  for (const svc of lookup.services(ns)) {
    const sel = svc.spec?.selector as Record<string, string> | undefined;
    if (sel && Object.keys(sel).length && matchesSet(sel, labels)) Object.assign(matchLabels, sel);
  }
  const ref = (pod.metadata?.ownerReferences ?? []).find((r) => r.controller);
  if (ref && CONTROLLER_KINDS.has(ref.kind)) {
    const owner = lookup.controller(ref.kind as 'ReplicationController' | 'ReplicaSet' | 'StatefulSet', ns, ref.name);
    const sel = owner?.spec?.selector;
    if (ref.kind === 'ReplicationController') Object.assign(matchLabels, (sel as Record<string, string> | undefined) ?? {});
    else if (sel) {
      const ls = sel as LabelSelectorT;
      Object.assign(matchLabels, ls.matchLabels ?? {});
      matchExpressions.push(...(ls.matchExpressions ?? []));
    }
  }
  if (!Object.keys(matchLabels).length && !matchExpressions.length) return undefined;
  return { matchLabels, ...(matchExpressions.length ? { matchExpressions } : {}) };
}
