/**
 * Pod affinity terms resolved against the incoming pod: the namespaces
 * they cover and their selector, with matchLabelKeys/mismatchLabelKeys
 * folded in as upstream does.
 */
import type { PodAffinityTermT, PodT } from '../../../api/core/v1/types.js';
import { labelSelectorAsSelector, type Selector } from '../../../machinery/labels/selector.js';
import type { Snapshot } from '../../framework/snapshot.js';

export interface AffinityTerm {
  topologyKey: string;
  selector: Selector;
  namespaces: ReadonlySet<string>;
  namespaceSelector?: Selector;
  weight: number;
}

/** Builds a term; invalid selectors come back as an error message. */
export function newAffinityTerm(owner: PodT, term: PodAffinityTermT, weight = 1): { ok: true; term: AffinityTerm } | { ok: false; message: string } {
  try {
    const labels = owner.metadata?.labels ?? {};
    const base = term.labelSelector ? { matchLabels: { ...term.labelSelector.matchLabels }, matchExpressions: [...(term.labelSelector.matchExpressions ?? [])] } : undefined;
    let ls = base;
    if (base) {
      for (const k of term.matchLabelKeys ?? []) if (k in labels) base.matchExpressions.push({ key: k, operator: 'In', values: [labels[k]!] });
      for (const k of term.mismatchLabelKeys ?? []) if (k in labels) base.matchExpressions.push({ key: k, operator: 'NotIn', values: [labels[k]!] });
      ls = base;
    }
    const selector = labelSelectorAsSelector(ls);
    const nsList = term.namespaces ?? [];
    const namespaces = new Set(nsList);
    const namespaceSelector = term.namespaceSelector ? labelSelectorAsSelector(term.namespaceSelector) : undefined;
    if (nsList.length === 0 && !term.namespaceSelector) namespaces.add(owner.metadata?.namespace ?? '');
    return { ok: true, term: { topologyKey: term.topologyKey, selector, namespaces, namespaceSelector, weight } };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

type TermResult = ReturnType<typeof newAffinityTerm>;
const existingTerms = new WeakMap<PodAffinityTermT, Map<number, TermResult>>();

/**
 * newAffinityTerm for a term of a pod already in the cluster. Every cycle checks the incoming pod
 * against the terms of existing pods; those pods' objects never change in the scheduler's cache (an
 * update brings a new object), so each term is resolved once, not once per cycle.
 */
export function existingPodTerm(owner: PodT, term: PodAffinityTermT, weight = 1): TermResult {
  let byWeight = existingTerms.get(term);
  if (!byWeight) existingTerms.set(term, (byWeight = new Map()));
  let r = byWeight.get(weight);
  if (!r) byWeight.set(weight, (r = newAffinityTerm(owner, term, weight)));
  return r;
}

export function termMatchesPod(term: AffinityTerm, pod: PodT, snapshot: Snapshot): boolean {
  const ns = pod.metadata?.namespace ?? '';
  let nsOk = term.namespaces.has(ns);
  if (!nsOk && term.namespaceSelector) nsOk = term.namespaceSelector.matches(snapshot.namespaceLabelsOf(ns) ?? {});
  return nsOk && term.selector.matches(pod.metadata?.labels ?? {});
}
