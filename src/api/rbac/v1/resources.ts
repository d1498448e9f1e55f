/** The rbac.authorization.k8s.io/v1 resources as upstream discovery lists them. */
import type { KubeObject } from '../../../machinery/meta/types.js';
import { nameIsPathSegment } from '../../../machinery/validation/names.js';
import { ALL_VERBS, type ResourceType } from '../../scheme.js';
import { defaultBinding } from './defaults.js';
import { GROUP, VERSION, ClusterRole, ClusterRoleBinding, Role, RoleBinding, type ClusterRoleBindingT, type ClusterRoleT, type RoleBindingT, type RoleT } from './types.js';
import { validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding } from './validation.js';

const common = { group: GROUP, version: VERSION, verbs: ALL_VERBS, storageVersion: true, nameValidator: nameIsPathSegment } as const;

export const roles: ResourceType<RoleT & KubeObject> = {
  ...common,
  kind: 'Role',
  resource: 'roles',
  singular: 'role',
  namespaced: true,
  definition: Role,
  validate: (obj) => validateRole(obj),
};

export const clusterRoles: ResourceType<ClusterRoleT & KubeObject> = {
  ...common,
  kind: 'ClusterRole',
  resource: 'clusterroles',
  singular: 'clusterrole',
  namespaced: false,
  definition: ClusterRole,
  validate: (obj) => validateClusterRole(obj),
};

export const roleBindings: ResourceType<RoleBindingT & KubeObject> = {
  ...common,
  kind: 'RoleBinding',
  resource: 'rolebindings',
  singular: 'rolebinding',
  namespaced: true,
  definition: RoleBinding,
  defaults: defaultBinding,
  validate: (obj, old) => validateRoleBinding(obj, old),
};

export const clusterRoleBindings: ResourceType<ClusterRoleBindingT & KubeObject> = {
  ...common,
  kind: 'ClusterRoleBinding',
  resource: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  namespaced: false,
  definition: ClusterRoleBinding,
  defaults: defaultBinding,
  validate: (obj, old) => validateClusterRoleBinding(obj, old),
};

export const rbacResources = [clusterRoleBindings, clusterRoles, roleBindings, roles] as const;
