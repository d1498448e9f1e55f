/** Affinity, tolerations, taints and topology spread, as upstream validates them. */
import { type FieldError, FieldPath, field } from '../../../../machinery/errors/field.js';
import { isDNS1123Label, isValidLabelValue } from '../../../../machinery/validation/names.js';
import type { AffinityT, NodeSelectorRequirementT, NodeSelectorT, NodeSelectorTermT, PodAffinityTermT, TaintT, TolerationT, TopologySpreadConstraintT, WeightedPodAffinityTermT } from '../types/scheduling.js';
import { labelName } from './common.js';
import { validateLabelSelector } from './label-selector.js';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTaintEffect(effect: string | undefined, allowEmpty: boolean, path: FieldPath): FieldError[] {
  if (!effect) return allowEmpty ? [] : [field.required(path.text, '')];
  return TAINT_EFFECTS.includes(effect) ? [] : [field.notSupported(path.text, effect, TAINT_EFFECTS)];
}

export function validateTolerations(tolerations: TolerationT[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((tol, i) => {
    const p = path.index(i);
    if (tol.key) errs.push(...labelName(tol.key, p.child('key')));
    if (!tol.key && tol.operator !== 'Exists') {
      errs.push(field.invalid(p.child('operator').text, tol.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (tol.tolerationSeconds !== undefined && tol.tolerationSeconds !== null && tol.effect !== 'NoExecute') {
      errs.push(field.invalid(p.child('effect').text, tol.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (tol.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(tol.value ?? '');
        if (msgs.length) errs.push(field.invalid(p.child('operator').text, tol.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if (tol.value) errs.push(field.invalid(p.child('operator').text, tol, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(field.notSupported(p.child('operator').text, tol.operator, ['Equal', 'Exists']));
    }
    if (tol.effect) errs.push(...validateTaintEffect(tol.effect, true, p.child('effect')));
  });
  return errs;
}

export function validateTaints(taints: TaintT[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((taint, i) => {
    const p = path.index(i);
    errs.push(...labelName(taint.key ?? '', p.child('key')));
    const msgs = isValidLabelValue(taint.value ?? '');
    if (msgs.length) errs.push(field.invalid(p.child('value').text, taint.value ?? '', msgs.join(';')));
    errs.push(...validateTaintEffect(taint.effect, false, p.child('effect')));
    const k = `${taint.effect}\u0000${taint.key}`;
    if (seen.has(k)) errs.push({ ...field.duplicate(p.text, taint), detail: 'taints must be unique by key and effect pair' });
    seen.add(k);
  });
  return errs;
}

export function validateNodeSelectorRequirement(rq: NodeSelectorRequirementT, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const n = rq.values?.length ?? 0;
  switch (rq.operator) {
    case 'In':
    case 'NotIn':
      if (n === 0) errs.push(field.required(path.child('values').text, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (n > 0) errs.push(field.forbidden(path.child('values').text, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (n !== 1) errs.push(field.required(path.child('values').text, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(field.invalid(path.child('operator').text, rq.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...labelName(rq.key ?? '', path.child('key')));
  return errs;
}

export function validateNodeSelectorTerm(term: NodeSelectorTermT, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (term.matchExpressions ?? []).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(r, path.child('matchExpressions').index(j))));
  (term.matchFields ?? []).forEach((r, j) => {
    const p = path.child('matchFields').index(j);
    if (r.key !== 'metadata.name') errs.push(field.invalid(p.child('key').text, r.key, 'not a valid field selector key'));
    else if (r.operator !== 'In' && r.operator !== 'NotIn') errs.push(field.invalid(p.child('operator').text, r.operator, 'not a valid selector operator'));
    else if ((r.values?.length ?? 0) !== 1) errs.push(field.required(p.child('values').text, 'must be only one value when `operator` is \'In\' or \'NotIn\' for node field selector'));
  });
  return errs;
}

export function validateNodeSelector(sel: NodeSelectorT | undefined, path: FieldPath): FieldError[] {
  if (!sel) return [];
  const termPath = path.child('nodeSelectorTerms');
  if (!sel.nodeSelectorTerms?.length) return [field.required(termPath.text, 'must have at least one node selector term')];
  return sel.nodeSelectorTerms.flatMap((t, i) => validateNodeSelectorTerm(t, termPath.index(i)));
}

function validateWeight(weight: number | undefined, path: FieldPath): FieldError[] {
  return typeof weight !== 'number' || weight <= 0 || weight > 100 ? [field.invalid(path.text, weight ?? 0, 'must be in the range 1-100')] : [];
}

function validatePodAffinityTerm(term: PodAffinityTermT, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (term.labelSelector) errs.push(...validateLabelSelector(term.labelSelector, path.child('labelSelector')));
  if (term.namespaceSelector) errs.push(...validateLabelSelector(term.namespaceSelector, path.child('namespaceSelector')));
  // Upstream reports bad namespaces under the singular `namespace`.
  for (const ns of term.namespaces ?? []) for (const m of isDNS1123Label(ns)) errs.push(field.invalid(path.child('namespace').text, ns, m));
  if (!term.topologyKey) errs.push(field.required(path.child('topologyKey').text, 'can not be empty'));
  else errs.push(...labelName(term.topologyKey, path.child('topologyKey')));
  return errs;
}

function validatePodAffinityTerms(terms: PodAffinityTermT[] | undefined, path: FieldPath): FieldError[] {
  return (terms ?? []).flatMap((t, i) => validatePodAffinityTerm(t, path.index(i)));
}

function validateWeightedPodAffinityTerms(terms: WeightedPodAffinityTermT[] | undefined, path: FieldPath): FieldError[] {
  return (terms ?? []).flatMap((t, i) => [
    ...validateWeight(t.weight, path.index(i).child('weight')),
    ...(t.podAffinityTerm ? validatePodAffinityTerm(t.podAffinityTerm, path.index(i).child('podAffinityTerm')) : [field.required(path.index(i).child('podAffinityTerm').text, '')]),
  ]);
}

const REQUIRED = 'requiredDuringSchedulingIgnoredDuringExecution';
const PREFERRED = 'preferredDuringSchedulingIgnoredDuringExecution';

export function validateAffinity(a: AffinityT | undefined, path: FieldPath): FieldError[] {
  if (!a) return [];
  const errs: FieldError[] = [];
  if (a.nodeAffinity) {
    const p = path.child('nodeAffinity');
    errs.push(...validateNodeSelector(a.nodeAffinity[REQUIRED], p.child(REQUIRED)));
    (a.nodeAffinity[PREFERRED] ?? []).forEach((t, i) => {
      const tp = p.child(PREFERRED).index(i);
      errs.push(...validateWeight(t.weight, tp.child('weight')));
      if (t.preference) errs.push(...validateNodeSelectorTerm(t.preference, tp.child('preference')));
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = a[kind];
    if (!pa) continue;
    const p = path.child(kind);
    errs.push(...validatePodAffinityTerms(pa[REQUIRED], p.child(REQUIRED)), ...validateWeightedPodAffinityTerms(pa[PREFERRED], p.child(PREFERRED)));
  }
  return errs;
}

export function validateTopologySpreadConstraints(cs: TopologySpreadConstraintT[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (cs ?? []).forEach((c, i) => {
    const p = path.index(i);
    if (typeof c.maxSkew !== 'number' || c.maxSkew <= 0) errs.push(field.invalid(p.child('maxSkew').text, c.maxSkew ?? 0, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(field.required(p.child('topologyKey').text, 'can not be empty'));
    else errs.push(...labelName(c.topologyKey, p.child('topologyKey')));
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(c.whenUnsatisfiable ?? '')) {
      errs.push(field.notSupported(p.child('whenUnsatisfiable').text, c.whenUnsatisfiable ?? '', ['DoNotSchedule', 'ScheduleAnyway']));
    }
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (c.minDomains <= 0) errs.push(field.invalid(p.child('minDomains').text, c.minDomains, 'must be greater than zero'));
      else if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errs.push(field.invalid(p.child('minDomains').text, c.minDomains, 'can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway'));
      }
    }
    for (const pol of ['nodeAffinityPolicy', 'nodeTaintsPolicy'] as const) {
      const v = c[pol];
      if (v !== undefined && v !== null && v !== 'Honor' && v !== 'Ignore') errs.push(field.notSupported(p.child(pol).text, v, ['Honor', 'Ignore']));
    }
    if (c.labelSelector) errs.push(...validateLabelSelector(c.labelSelector, p.child('labelSelector')));
    const k = `{${c.topologyKey}, ${c.whenUnsatisfiable}}`;
    if (seen.has(k)) errs.push(field.duplicate(p.text, k));
    seen.add(k);
  });
  return errs;
}
