/** Upstream SetDefaults_* for rbac.authorization.k8s.io/v1: fill the API groups users leave out. */
import { GROUP, type ClusterRoleBindingT, type RoleBindingT, type SubjectT } from './types.js';

function defaultSubject(s: SubjectT): void {
  if (s.apiGroup) return;
  if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = GROUP;
  // Upstream defaults a ServiceAccount's group to "", which omitempty leaves off the wire.
  else delete s.apiGroup;
}

export function defaultBinding(b: RoleBindingT | ClusterRoleBindingT): void {
  if (b.roleRef && !b.roleRef.apiGroup) b.roleRef.apiGroup = GROUP;
  for (const s of b.subjects ?? []) defaultSubject(s);
}
