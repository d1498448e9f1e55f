/** The networking.k8s.io/v1 resources as upstream discovery lists them. */
import type { KubeObject } from '../../../machinery/meta/types.js';
import { ALL_VERBS, type ResourceType } from '../../scheme.js';
import { defaultIngressClass, defaultNetworkPolicy } from './defaults.js';
import { GROUP, VERSION, Ingress, IngressClass, NetworkPolicy, type IngressClassT, type IngressT, type NetworkPolicyT } from './types.js';
import { validateIngress, validateIngressClass, validateNetworkPolicy } from './validation.js';

export const ingresses: ResourceType<IngressT & KubeObject> = {
  group: GROUP,
  version: VERSION,
  kind: 'Ingress',
  resource: 'ingresses',
  singular: 'ingress',
  namespaced: true,
  shortNames: ['ing'],
  verbs: ALL_VERBS,
  subresources: [{ name: 'status', kind: 'Ingress', verbs: ['get', 'patch', 'update'] }],
  hasStatus: true,
  storageVersion: true,
  definition: Ingress,
  validate: (obj, old, ctx) => validateIngress(obj, old, { subresource: ctx.subresource }),
};

export const ingressClasses: ResourceType<IngressClassT & KubeObject> = {
  group: GROUP,
  version: VERSION,
  kind: 'IngressClass',
  resource: 'ingressclasses',
  singular: 'ingressclass',
  namespaced: false,
  verbs: ALL_VERBS,
  storageVersion: true,
  definition: IngressClass,
  defaults: defaultIngressClass,
  validate: (obj, old) => validateIngressClass(obj, old),
};

export const networkPolicies: ResourceType<NetworkPolicyT & KubeObject> = {
  group: GROUP,
  version: VERSION,
  kind: 'NetworkPolicy',
  resource: 'networkpolicies',
  singular: 'networkpolicy',
  namespaced: true,
  shortNames: ['netpol'],
  verbs: ALL_VERBS,
  storageVersion: true,
  definition: NetworkPolicy,
  defaults: defaultNetworkPolicy,
  validate: (obj) => validateNetworkPolicy(obj),
};

export const networkingResources = [ingresses, ingressClasses, networkPolicies] as const;
