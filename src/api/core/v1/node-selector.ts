/**
 * v1.NodeSelector matching with upstream's semantics: terms are ORed, an
 * empty term matches nothing, matchFields knows only metadata.name, Gt/Lt
 * compare one integer value. The scheduler, the DaemonSet controller and
 * the volume binder must all agree on it, so it lives with the types.
 */
import type { NodeSelectorRequirementT, NodeSelectorT, NodeSelectorTermT } from './types.js';

/** The part of a Node a selector reads. */
export interface NodeSelectorTarget {
  metadata?: { name?: string; labels?: Record<string, string> };
}

/** The part of a pod spec that constrains its node. */
export interface NodeSelectionSpec {
  nodeSelector?: Record<string, string>;
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: NodeSelectorT } };
}

function parseIntStrict(s: string): number | undefined {
  return /^-?\d+$/.test(s) ? Number(s) : undefined;
}

export function nodeSelectorRequirementMatches(r: NodeSelectorRequirementT, values: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(values, r.key);
  const v = values[r.key] ?? '';
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && vals.includes(v);
    case 'NotIn':
      return !has || !vals.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || vals.length !== 1) return false;
      const a = parseIntStrict(v);
      const b = parseIntStrict(vals[0]!);
      if (a === undefined || b === undefined) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

export function nodeSelectorTermMatches(term: NodeSelectorTermT, node: NodeSelectorTarget): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  // Terms are ORed, so an empty one must not select every node.
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  if (!exprs.every((r) => nodeSelectorRequirementMatches(r, labels))) return false;
  const fieldValues = { 'metadata.name': node.metadata?.name ?? '' };
  return fields.every((r) => r.key === 'metadata.name' && nodeSelectorRequirementMatches(r, fieldValues));
}

/** No selector reaches every node. */
export function nodeSelectorMatches(sel: NodeSelectorT | undefined, node: NodeSelectorTarget): boolean {
  if (!sel) return true;
  return (sel.nodeSelectorTerms ?? []).some((t) => nodeSelectorTermMatches(t, node));
}

/** A pod spec's nodeSelector map and required node affinity (upstream's RequiredNodeAffinity). */
export function matchesNodeSelectorAndAffinity(spec: NodeSelectionSpec | undefined, node: NodeSelectorTarget): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  return nodeSelectorMatches(spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, node);
}
