/**
 * Node selector matching (v1.NodeSelector, nodeSelector maps, node
 * affinity) with upstream's semantics: terms are ORed, an empty term
 * matches nothing, matchFields knows only metadata.name.
 */
import type { NodeSelectorRequirementT, NodeSelectorT, NodeSelectorTermT, NodeT, PodT } from '../../../api/core/v1/types.js';

function parseIntStrict(s: string): number | undefined {
  return /^-?\d+$/.test(s) ? Number(s) : undefined;
}

export function requirementMatches(r: NodeSelectorRequirementT, values: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(values, r.key);
  const v = values[r.key];
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && vals.includes(v!);
    case 'NotIn':
      return !has || !vals.includes(v!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || vals.length !== 1) return false;
      const a = parseIntStrict(v!);
      const b = parseIntStrict(vals[0]!);
      if (a === undefined || b === undefined) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

export function termMatches(term: NodeSelectorTermT, node: NodeT): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  if (!exprs.every((r) => requirementMatches(r, labels))) return false;
  const fieldValues = { 'metadata.name': node.metadata?.name ?? '' };
  return fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, fieldValues));
}

export function nodeSelectorMatches(sel: NodeSelectorT | undefined, node: NodeT): boolean {
  if (!sel) return true;
  return (sel.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}

/** The pod's nodeSelector and required node affinity (the RequiredNodeAffinity upstream builds). */
export function podMatchesNodeSelectorAndAffinity(pod: PodT, node: NodeT): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  return nodeSelectorMatches(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, node);
}
