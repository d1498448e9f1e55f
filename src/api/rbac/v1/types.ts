/** rbac.authorization.k8s.io/v1: roles, bindings and the rules they grant. */
import { def, t, type Static, type T } from '../../schema/dsl.js';
import { LabelSelector, ObjectMeta } from '../../meta/v1.js';

export const GROUP = 'rbac.authorization.k8s.io';
export const VERSION = 'v1';
const R = 'io.k8s.api.rbac.v1.';
const gvk = (kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind }] });
const str = (description: string): T<string> => t.string({ description });
const strList = (description: string): T<string[]> => t.array(t.string(), { listType: 'atomic', description });
const typeMeta = {
  apiVersion: str('The versioned schema of this representation of the object.'),
  kind: str('The REST resource this object represents, in CamelCase.'),
};

export const PolicyRule = def(
  R + 'PolicyRule',
  t.object(
    {
      apiGroups: strList('API groups of the resources; "" is the core group and "*" every group.'),
      nonResourceURLs: strList('URL paths (not resources) the rule grants, such as /healthz; "*" as a final segment matches a prefix. Only for cluster roles.'),
      resourceNames: strList('Names of the objects the rule is limited to; empty means every object.'),
      resources: strList('Resources the rule applies to, e.g. "pods" or "pods/log"; "*" matches every resource.'),
      verbs: strList('Verbs the rule grants, such as get, list, create; "*" grants every verb.'),
    },
    { required: ['verbs'], description: 'A set of actions allowed on resources or non-resource URLs.' },
  ),
);

export const Subject = def(
  R + 'Subject',
  t.object(
    {
      apiGroup: str('API group of the subject: "" for ServiceAccount, "rbac.authorization.k8s.io" for User and Group.'),
      kind: str('Kind of subject: User, Group or ServiceAccount.'),
      name: str('Name of the user, group or service account.'),
      namespace: str('Namespace of a ServiceAccount subject; empty for users and groups.'),
    },
    { required: ['kind', 'name'], structType: 'atomic', description: 'A user, group or service account a binding grants a role to.' },
  ),
);

export const RoleRef = def(
  R + 'RoleRef',
  t.object(
    {
      apiGroup: str('API group of the referenced role.'),
      kind: str('Kind of the referenced role: Role or ClusterRole.'),
      name: str('Name of the referenced role.'),
    },
    { required: ['apiGroup', 'kind', 'name'], structType: 'atomic', description: 'The role a binding grants.' },
  ),
);

export const AggregationRule = def(
  R + 'AggregationRule',
  t.object(
    { clusterRoleSelectors: t.array(t.ref(LabelSelector), { listType: 'atomic', description: 'Cluster roles whose rules are merged into this one; any matching selector adds a role.' }) },
    { description: 'How the rules of a cluster role are computed from other cluster roles.' },
  ),
);

export const Role = def(
  R + 'Role',
  t.object({
    ...typeMeta,
    metadata: t.ref(ObjectMeta),
    rules: t.array(t.ref(PolicyRule), { listType: 'atomic', description: 'The permissions this role grants within its namespace.' }),
  }, { description: 'A namespaced set of permissions, granted by a RoleBinding.' }),
  gvk('Role'),
);

export const ClusterRole = def(
  R + 'ClusterRole',
  t.object({
    ...typeMeta,
    aggregationRule: t.ref(AggregationRule, { description: 'When set, the controller computes rules from the selected cluster roles and overwrites them.' }),
    metadata: t.ref(ObjectMeta),
    rules: t.array(t.ref(PolicyRule), { listType: 'atomic', description: 'The permissions this cluster role grants.' }),
  }, { description: 'A cluster-wide set of permissions, granted by a RoleBinding or ClusterRoleBinding.' }),
  gvk('ClusterRole'),
);

export const RoleBinding = def(
  R + 'RoleBinding',
  t.object(
    {
      ...typeMeta,
      metadata: t.ref(ObjectMeta),
      roleRef: t.ref(RoleRef, { description: 'The Role or ClusterRole granted; cannot be changed.' }),
      subjects: t.array(t.ref(Subject), { listType: 'atomic', description: 'Who is granted the role.' }),
    },
    { required: ['roleRef'], description: 'Grants a role to subjects within one namespace.' },
  ),
  gvk('RoleBinding'),
);

export const ClusterRoleBinding = def(
  R + 'ClusterRoleBinding',
  t.object(
    {
      ...typeMeta,
      metadata: t.ref(ObjectMeta),
      roleRef: t.ref(RoleRef, { description: 'The ClusterRole granted; cannot be changed.' }),
      subjects: t.array(t.ref(Subject), { listType: 'atomic', description: 'Who is granted the role.' }),
    },
    { required: ['roleRef'], description: 'Grants a cluster role to subjects across the whole cluster.' },
  ),
  gvk('ClusterRoleBinding'),
);

export const rbacDefinitions = [PolicyRule, Subject, RoleRef, AggregationRule, Role, ClusterRole, RoleBinding, ClusterRoleBinding] as const;

export type PolicyRuleT = Static<typeof PolicyRule>;
export type SubjectT = Static<typeof Subject>;
export type RoleRefT = Static<typeof RoleRef>;
export type AggregationRuleT = Static<typeof AggregationRule>;
export type RoleT = Static<typeof Role>;
export type ClusterRoleT = Static<typeof ClusterRole>;
export type RoleBindingT = Static<typeof RoleBinding>;
export type ClusterRoleBindingT = Static<typeof ClusterRoleBinding>;
