/** Upstream RBAC validation: policy rules, aggregation rules, bindings and their subjects. */
import { type FieldError, field } from '../../../machinery/errors/field.js';
import { isDNS1123Subdomain, nameIsPathSegment } from '../../../machinery/validation/names.js';
import { GROUP, type ClusterRoleBindingT, type ClusterRoleT, type PolicyRuleT, type RoleBindingT, type RoleT, type SubjectT } from './types.js';

export function validatePolicyRule(rule: PolicyRuleT, opts: { namespaced: boolean }, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (!rule.verbs || rule.verbs.length === 0) out.push(field.required(`${path}.verbs`, 'verbs must contain at least one value'));
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0) {
    if (opts.namespaced) out.push(field.invalid(`${path}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if ((rule.apiGroups ?? []).length > 0 || (rule.resources ?? []).length > 0) {
      out.push(field.invalid(`${path}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return out;
  }
  if (!rule.apiGroups || rule.apiGroups.length === 0) out.push(field.required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!rule.resources || rule.resources.length === 0) out.push(field.required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return out;
}

export function validateRole(role: RoleT): FieldError[] {
  return (role.rules ?? []).flatMap((r, i) => validatePolicyRule(r, { namespaced: true }, `rules[${i}]`));
}

export function validateClusterRole(role: ClusterRoleT): FieldError[] {
  const out = (role.rules ?? []).flatMap((r, i) => validatePolicyRule(r, { namespaced: false }, `rules[${i}]`));
  const agg = role.aggregationRule;
  if (agg && (!agg.clusterRoleSelectors || agg.clusterRoleSelectors.length === 0)) {
    out.push(field.required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
  }
  return out;
}

export function validateSubject(s: SubjectT, opts: { namespaced: boolean }, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (!s.name) out.push(field.required(`${path}.name`, ''));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) for (const m of isDNS1123Subdomain(s.name)) out.push(field.invalid(`${path}.name`, s.name, m));
      if (s.apiGroup) out.push(field.notSupported(`${path}.apiGroup`, s.apiGroup, ['']));
      if (!opts.namespaced && !s.namespace) out.push(field.required(`${path}.namespace`, ''));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== GROUP) out.push(field.notSupported(`${path}.apiGroup`, s.apiGroup ?? '', [GROUP]));
      break;
    default:
      out.push(field.notSupported(`${path}.kind`, s.kind, ['ServiceAccount', 'User', 'Group']));
  }
  return out;
}

function validateBinding(b: RoleBindingT | ClusterRoleBindingT, old: RoleBindingT | ClusterRoleBindingT | undefined, opts: { namespaced: boolean }): FieldError[] {
  const out: FieldError[] = [];
  const ref = b.roleRef ?? { apiGroup: '', kind: '', name: '' };
  if (ref.apiGroup !== GROUP) out.push(field.notSupported('roleRef.apiGroup', ref.apiGroup, [GROUP]));
  const kinds = opts.namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) out.push(field.notSupported('roleRef.kind', ref.kind, kinds));
  if (!ref.name) out.push(field.required('roleRef.name', ''));
  else for (const m of nameIsPathSegment(ref.name, false)) out.push(field.invalid('roleRef.name', ref.name, m));
  (b.subjects ?? []).forEach((s, i) => out.push(...validateSubject(s, opts, `subjects[${i}]`)));
  if (old?.roleRef) {
    const o = old.roleRef;
    if (o.apiGroup !== ref.apiGroup || o.kind !== ref.kind || o.name !== ref.name) out.push(field.invalid('roleRef', ref, 'cannot change roleRef'));
  }
  return out;
}

export function validateRoleBinding(b: RoleBindingT, old?: RoleBindingT): FieldError[] {
  return validateBinding(b, old, { namespaced: true });
}

export function validateClusterRoleBinding(b: ClusterRoleBindingT, old?: ClusterRoleBindingT): FieldError[] {
  return validateBinding(b, old, { namespaced: false });
}
