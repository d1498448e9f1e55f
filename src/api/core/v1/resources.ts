/**
 * The core/v1 resources as upstream's discovery lists them: names, short
 * names, verbs, categories and subresources.
 */
import type { FieldError } from '../../../machinery/errors/field.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import { nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain } from '../../../machinery/validation/names.js';
import { ALL_VERBS, type ResourceType, type SubresourceInfo, type ValidationContext, type Verb } from '../../scheme.js';
import * as d from './defaults.js';
import * as ty from './types.js';
import * as v from './validation.js';

const group = '';
const version = 'v1';
const RW: Verb[] = ['get', 'patch', 'update'];
const PROXY_VERBS: Verb[] = ['create', 'delete', 'get', 'patch', 'update'];

const status = (kind: string): SubresourceInfo => ({ name: 'status', kind, verbs: RW });
const proxy = (kind: string): SubresourceInfo => ({ name: 'proxy', kind, verbs: PROXY_VERBS });

interface Rules<X> {
  create?: (obj: X) => FieldError[];
  update?: (obj: X, old: X) => FieldError[];
  /** Subresource updates (status, finalize, ephemeralcontainers...) by name; absent means no extra checks. */
  subresources?: Record<string, (obj: X, old: X) => FieldError[]>;
}

/**
 * Routes the server's validate call to the create, update or subresource
 * function. Status writes skip spec validation, as upstream's status strategies do.
 */
function dispatch<X>(rules: Rules<X>): (obj: KubeObject, old: KubeObject | undefined, ctx: ValidationContext) => FieldError[] {
  return (obj, old, ctx) => {
    const o = obj as unknown as X;
    if (ctx.subresource) {
      const fn = rules.subresources?.[ctx.subresource];
      return fn && old ? fn(o, old as unknown as X) : [];
    }
    if (ctx.operation === 'update' && old) return (rules.update ?? ((n) => rules.create?.(n) ?? []))(o, old as unknown as X);
    return rules.create?.(o) ?? [];
  };
}

function defaults<X>(fn: (obj: X) => void): (obj: KubeObject) => void {
  return (obj) => fn(obj as unknown as X);
}

const base = { group, version, storageVersion: true } as const;

export const pods: ResourceType = {
  ...base,
  kind: 'Pod',
  resource: 'pods',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: [
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'ephemeralcontainers', kind: 'Pod', verbs: RW },
    { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    proxy('PodProxyOptions'),
    status('Pod'),
  ],
  hasStatus: true,
  definition: ty.Pod,
  defaults: defaults(d.defaultPod),
  validate: dispatch<ty.PodT>({ create: v.validatePod, update: v.validatePodUpdate, subresources: { ephemeralcontainers: v.validateEphemeralContainersUpdate } }),
};

export const bindings: ResourceType = {
  ...base,
  kind: 'Binding',
  resource: 'bindings',
  singular: 'binding',
  namespaced: true,
  verbs: ['create'],
  definition: ty.Binding,
  validate: dispatch<ty.BindingT>({ create: v.validateBinding }),
};

export const podTemplates: ResourceType = {
  ...base,
  kind: 'PodTemplate',
  resource: 'podtemplates',
  singular: 'podtemplate',
  namespaced: true,
  verbs: ALL_VERBS,
  definition: ty.PodTemplate,
  defaults: defaults(d.defaultPodTemplate),
  validate: dispatch<ty.PodTemplateT>({ create: v.validatePodTemplate }),
};

export const replicationControllers: ResourceType = {
  ...base,
  kind: 'ReplicationController',
  resource: 'replicationcontrollers',
  singular: 'replicationcontroller',
  namespaced: true,
  shortNames: ['rc'],
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: [{ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: RW }, status('ReplicationController')],
  // RC selectors are plain label maps, which Scale reports as a selector string.
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  hasStatus: true,
  definition: ty.ReplicationController,
  defaults: defaults(d.defaultReplicationController),
  validate: dispatch<ty.ReplicationControllerT>({
    create: v.validateReplicationController,
    subresources: { status: v.validateReplicationControllerStatus },
  }),
};

export const services: ResourceType = {
  ...base,
  kind: 'Service',
  resource: 'services',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: [proxy('ServiceProxyOptions'), status('Service')],
  hasStatus: true,
  definition: ty.Service,
  nameValidator: nameIsDNS1035Label,
  defaults: defaults(d.defaultService),
  validate: dispatch<ty.ServiceT>({ create: v.validateService, update: v.validateServiceUpdate }),
};

export const endpoints: ResourceType = {
  ...base,
  kind: 'Endpoints',
  resource: 'endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  verbs: ALL_VERBS,
  definition: ty.Endpoints,
  defaults: defaults(d.defaultEndpoints),
  validate: dispatch<ty.EndpointsT>({ create: v.validateEndpoints }),
};

export const configMaps: ResourceType = {
  ...base,
  kind: 'ConfigMap',
  resource: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  verbs: ALL_VERBS,
  definition: ty.ConfigMap,
  validate: dispatch<ty.ConfigMapT>({ create: v.validateConfigMap, update: v.validateConfigMapUpdate }),
};

export const secrets: ResourceType = {
  ...base,
  kind: 'Secret',
  resource: 'secrets',
  singular: 'secret',
  namespaced: true,
  verbs: ALL_VERBS,
  definition: ty.Secret,
  defaults: defaults(d.defaultSecret),
  validate: dispatch<ty.SecretT>({ create: v.validateSecret, update: v.validateSecretUpdate }),
};

export const serviceAccounts: ResourceType = {
  ...base,
  kind: 'ServiceAccount',
  resource: 'serviceaccounts',
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  verbs: ALL_VERBS,
  subresources: [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }],
  definition: ty.ServiceAccount,
};

export const namespaces: ResourceType = {
  ...base,
  kind: 'Namespace',
  resource: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }, status('Namespace')],
  hasStatus: true,
  definition: ty.Namespace,
  nameValidator: nameIsDNSLabel,
  defaults: defaults(d.defaultNamespace),
  validate: dispatch<ty.NamespaceT>({
    create: v.validateNamespace,
    update: (n, o) => v.validateNamespaceUpdate(n, o),
    subresources: { finalize: (n, o) => v.validateNamespaceUpdate(n, o, 'finalize') },
  }),
};

export const nodes: ResourceType = {
  ...base,
  kind: 'Node',
  resource: 'nodes',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  verbs: ALL_VERBS,
  subresources: [proxy('NodeProxyOptions'), status('Node')],
  hasStatus: true,
  definition: ty.Node,
  nameValidator: nameIsDNSSubdomain,
  defaults: defaults(d.defaultNode),
  validate: dispatch<ty.NodeT>({ create: v.validateNode, update: v.validateNodeUpdate, subresources: { status: (n) => v.validateNode(n) } }),
};

export const events: ResourceType = {
  ...base,
  kind: 'Event',
  resource: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  verbs: ALL_VERBS,
  definition: ty.Event,
  validate: dispatch<ty.EventT>({ create: v.validateEvent }),
};

export const persistentVolumes: ResourceType = {
  ...base,
  kind: 'PersistentVolume',
  resource: 'persistentvolumes',
  singular: 'persistentvolume',
  namespaced: false,
  shortNames: ['pv'],
  verbs: ALL_VERBS,
  subresources: [status('PersistentVolume')],
  hasStatus: true,
  definition: ty.PersistentVolume,
  defaults: defaults(d.defaultPersistentVolume),
  validate: dispatch<ty.PersistentVolumeT>({ create: v.validatePersistentVolume, update: v.validatePersistentVolumeUpdate }),
};

export const persistentVolumeClaims: ResourceType = {
  ...base,
  kind: 'PersistentVolumeClaim',
  resource: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  namespaced: true,
  shortNames: ['pvc'],
  verbs: ALL_VERBS,
  subresources: [status('PersistentVolumeClaim')],
  hasStatus: true,
  definition: ty.PersistentVolumeClaim,
  defaults: defaults(d.defaultPersistentVolumeClaim),
  validate: dispatch<ty.PersistentVolumeClaimT>({ create: v.validatePersistentVolumeClaim, update: v.validatePersistentVolumeClaimUpdate }),
};

export const resourceQuotas: ResourceType = {
  ...base,
  kind: 'ResourceQuota',
  resource: 'resourcequotas',
  singular: 'resourcequota',
  namespaced: true,
  shortNames: ['quota'],
  verbs: ALL_VERBS,
  subresources: [status('ResourceQuota')],
  hasStatus: true,
  definition: ty.ResourceQuota,
  validate: dispatch<ty.ResourceQuotaT>({ create: v.validateResourceQuota, subresources: { status: (q) => v.validateResourceQuota(q) } }),
};

export const limitRanges: ResourceType = {
  ...base,
  kind: 'LimitRange',
  resource: 'limitranges',
  singular: 'limitrange',
  namespaced: true,
  shortNames: ['limits'],
  verbs: ALL_VERBS,
  definition: ty.LimitRange,
  defaults: defaults(d.defaultLimitRange),
  validate: dispatch<ty.LimitRangeT>({ create: v.validateLimitRange }),
};

export const componentStatuses: ResourceType = {
  ...base,
  kind: 'ComponentStatus',
  resource: 'componentstatuses',
  singular: 'componentstatus',
  namespaced: false,
  shortNames: ['cs'],
  verbs: ['get', 'list'],
  definition: ty.ComponentStatus,
};

export const coreV1Resources: readonly ResourceType[] = [
  bindings,
  componentStatuses,
  configMaps,
  endpoints,
  events,
  limitRanges,
  namespaces,
  nodes,
  persistentVolumeClaims,
  persistentVolumes,
  pods,
  podTemplates,
  replicationControllers,
  resourceQuotas,
  secrets,
  serviceAccounts,
  services,
];
