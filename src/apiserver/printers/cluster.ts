/** Printers for networking, rbac, storage, coordination, scheduling, node and admission kinds. */
import { age, ageColumn, column, formatLabelSelector, int, loadBalancerIngress, nameColumn, nameOf } from './format.js';
import type { Printer } from './types.js';

function ingressHosts(rules: any[] | undefined): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of rules ?? []) {
    if (list.length === max) more = true;
    if (!more && rule?.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${(rules ?? []).length - max} more...` : list.join(',');
}

export const ingressPrinter: Printer = {
  columns: [
    nameColumn,
    column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn,
  ],
  cells: (obj, ctx) => [
    nameOf(obj),
    obj?.spec?.ingressClassName ?? '<none>',
    ingressHosts(obj?.spec?.rules),
    loadBalancerIngress(obj?.status?.loadBalancer?.ingress),
    (obj?.spec?.tls ?? []).length > 0 ? '80, 443' : '80',
    age(obj, ctx),
  ],
};

export const ingressClassPrinter: Printer = {
  columns: [
    nameColumn,
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn,
  ],
  cells(obj, ctx) {
    const p = obj?.spec?.parameters;
    const parameters = p ? `${p.kind ?? ''}${p.apiGroup != null ? `.${p.apiGroup}` : ''}/${p.name ?? ''}` : '<none>';
    return [nameOf(obj), obj?.spec?.controller ?? '', parameters, age(obj, ctx)];
  },
};

export const networkPolicyPrinter: Printer = {
  columns: [nameColumn, column('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies.'), ageColumn],
  cells: (obj, ctx) => [nameOf(obj), formatLabelSelector(obj?.spec?.podSelector ?? {}), age(obj, ctx)],
};

/** rbac.SubjectsStrings: users, groups and "namespace:name" service accounts. */
export function subjectsStrings(subjects: any[] | undefined): [string[], string[], string[]] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects ?? []) {
    if (s?.kind === 'User') users.push(s.name);
    else if (s?.kind === 'Group') groups.push(s.name);
    else if (s?.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}:${s.name}`);
  }
  return [users, groups, sas];
}

const bindingPrinter = (kind: string): Printer => ({
  columns: [
    nameColumn,
    column('Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
    ageColumn,
    column('Users', 'string', `Users in the ${kind}`, { priority: 1 }),
    column('Groups', 'string', `Groups in the ${kind}`, { priority: 1 }),
    column('ServiceAccounts', 'string', `ServiceAccounts in the ${kind}`, { priority: 1 }),
  ],
  cells(obj, ctx) {
    const [users, groups, sas] = subjectsStrings(obj?.subjects);
    return [nameOf(obj), `${obj?.roleRef?.kind ?? ''}/${obj?.roleRef?.name ?? ''}`, age(obj, ctx), users.join(', '), groups.join(', '), sas.join(', ')];
  },
});
export const roleBindingPrinter = bindingPrinter('roleBinding');
export const clusterRoleBindingPrinter = bindingPrinter('clusterRoleBinding');

export function isDefaultStorageClass(obj: any): boolean {
  const a = obj?.metadata?.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

export const storageClassPrinter: Printer = {
  columns: [
    nameColumn,
    column('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    column('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
    column('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used.'),
    column('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    ageColumn,
  ],
  cells: (obj, ctx) => [
    isDefaultStorageClass(obj) ? `${nameOf(obj)} (default)` : nameOf(obj),
    obj?.provisioner ?? '',
    obj?.reclaimPolicy ?? 'Delete',
    obj?.volumeBindingMode ?? 'Immediate',
    obj?.allowVolumeExpansion === true,
    age(obj, ctx),
  ],
};

export const leasePrinter: Printer = {
  columns: [nameColumn, column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn],
  cells: (obj, ctx) => [nameOf(obj), obj?.spec?.holderIdentity ?? '', age(obj, ctx)],
};

export const priorityClassPrinter: Printer = {
  columns: [
    nameColumn,
    column('Value', 'integer', 'value represents the integer value of this priority class.'),
    column('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.'),
    ageColumn,
    column('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
  ],
  cells: (obj, ctx) => [nameOf(obj), int(obj?.value), obj?.globalDefault === true, age(obj, ctx), obj?.preemptionPolicy ?? ''],
};

export const runtimeClassPrinter: Printer = {
  columns: [nameColumn, column('Handler', 'string', 'handler specifies the underlying runtime and configuration that the CRI implementation will use.'), ageColumn],
  cells: (obj, ctx) => [nameOf(obj), obj?.handler ?? '', age(obj, ctx)],
};

export const csiDriverPrinter: Printer = {
  columns: [
    nameColumn,
    column('AttachRequired', 'boolean', 'attachRequired indicates this CSI volume driver requires an attach operation.'),
    column('PodInfoOnMount', 'boolean', 'podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations.'),
    column('StorageCapacity', 'boolean', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report.'),
    column('TokenRequests', 'string', 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for to do necessary authentication.'),
    column('RequiresRepublish', 'boolean', 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.'),
    column('Modes', 'string', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.'),
    ageColumn,
  ],
  cells(obj, ctx) {
    const spec = obj?.spec ?? {};
    const tokenRequests = Array.isArray(spec.tokenRequests) ? spec.tokenRequests.map((t: any) => t?.audience ?? '').join(',') : '<unset>';
    const modes = ((spec.volumeLifecycleModes ?? []) as string[]).join(',') || '<none>';
    return [
      nameOf(obj), spec.attachRequired ?? true, spec.podInfoOnMount ?? false, spec.storageCapacity ?? false, tokenRequests,
      spec.requiresRepublish ?? false, modes, age(obj, ctx),
    ];
  },
};

export const csiNodePrinter: Printer = {
  columns: [nameColumn, column('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'), ageColumn],
  cells: (obj, ctx) => [nameOf(obj), (obj?.spec?.drivers ?? []).length, age(obj, ctx)],
};

export const volumeAttachmentPrinter: Printer = {
  columns: [
    nameColumn,
    column('Attacher', 'string', 'attacher indicates the name of the volume driver that MUST handle this request.', { format: 'name' }),
    column('PV', 'string', 'persistentVolumeName represents the name of the persistent volume to attach.'),
    column('Node', 'string', 'nodeName represents the node that the volume should be attached to.'),
    column('Attached', 'boolean', 'attached indicates the volume is successfully attached.'),
    ageColumn,
  ],
  cells: (obj, ctx) => [
    nameOf(obj), obj?.spec?.attacher ?? '', obj?.spec?.source?.persistentVolumeName ?? '', obj?.spec?.nodeName ?? '',
    obj?.status?.attached === true, age(obj, ctx),
  ],
};

export const webhookConfigurationPrinter: Printer = {
  columns: [nameColumn, column('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration'), ageColumn],
  cells: (obj, ctx) => [nameOf(obj), (obj?.webhooks ?? []).length, age(obj, ctx)],
};
