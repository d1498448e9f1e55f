/**
 * The objects a fresh cluster has before anyone asks: the system namespaces,
 * the `kubernetes` Service (first address of the service CIDR) with its
 * Endpoints and EndpointSlice pointing at this server, the default RBAC
 * roles and bindings, the system PriorityClasses and a default StorageClass.
 * Each is created only when absent, so restarts keep what users changed.
 */
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from '../api/rbac/v1/bootstrap-policy.js';
import { bootstrapPriorityClasses } from '../api/scheduling/v1/defaults.js';
import { StatusError } from '../machinery/errors/status-error.js';
import type { KubeObject } from '../machinery/meta/types.js';
import { systemContext } from './context.js';
import type { APIServer } from './server.js';
import { cidrRange } from './registry/core/allocator.js';

export interface BootstrapOptions {
  serviceCIDR: string;
  /** The address other components reach this server at (Endpoints of `kubernetes`). */
  advertiseAddress: string;
  port: number;
  /** Name of the default StorageClass's provisioner. */
  defaultStorageProvisioner?: string;
}

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function bootstrapCluster(server: APIServer, opts: BootstrapOptions): Promise<void> {
  const ctx = systemContext(server.opts.clock, { fieldManager: 'k8ts-bootstrap' });
  const create = async (group: string, version: string, resource: string, obj: Record<string, unknown>) => {
    const ep = server.registry.endpoints.get(group, version, resource);
    if (!ep) throw new Error(`bootstrap: ${group}/${version}/${resource} is not served`);
    const meta = (obj.metadata ?? {}) as { namespace?: string; name?: string };
    const ns = meta.namespace ?? '';
    try {
      await ep.store.get(ns, meta.name ?? '');
      return;
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
    }
    try {
      await server.handlers.createFromValue({ ...ctx, namespace: ns, warnings: [] }, ep, ns, obj);
    } catch (err) {
      if (err instanceof StatusError && err.reason === 'AlreadyExists') return;
      throw err;
    }
  };

  // Namespaces first (admission wants them for what goes inside); everything else is independent
  // and is created at once, so storage can take the writes together.
  await Promise.all(SYSTEM_NAMESPACES.map((name) => create('', 'v1', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } })));

  const first = cidrRange(opts.serviceCIDR).first;
  const service = create('', 'v1', 'services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: first, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.port }], sessionAffinity: 'None' },
  });
  const endpoints = create('', 'v1', 'endpoints', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: opts.advertiseAddress }], ports: [{ name: 'https', port: opts.port, protocol: 'TCP' }] }],
  });
  const slice = create('discovery.k8s.io', 'v1', 'endpointslices', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [opts.advertiseAddress], conditions: { ready: true } }],
    ports: [{ name: 'https', port: opts.port, protocol: 'TCP' }],
  });

  const roles = bootstrapClusterRoles().map((role) => create('rbac.authorization.k8s.io', 'v1', 'clusterroles', role as unknown as KubeObject));
  const bindings = bootstrapClusterRoleBindings().map((binding) => create('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', binding as unknown as KubeObject));
  const priorityClasses = bootstrapPriorityClasses().map((pc) => create('scheduling.k8s.io', 'v1', 'priorityclasses', pc as unknown as KubeObject));
  const storageClass = create('storage.k8s.io', 'v1', 'storageclasses', {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: opts.defaultStorageProvisioner ?? 'k8ts.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  });
  await Promise.all([service, endpoints, slice, ...roles, ...bindings, ...priorityClasses, storageClass]);
}
