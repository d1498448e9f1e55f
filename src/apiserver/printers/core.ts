/** Printers for the core (legacy) group and discovery.k8s.io. */
import {
  accessModes, age, ageColumn, column, formatLabels, int, listWithMore, loadBalancerIngress, nameColumn, nameOf, parseTime, since,
} from './format.js';
import type { Printer, PrintContext } from './types.js';

function serviceExternalIP(svc: any): string {
  const spec = svc?.spec ?? {};
  const external: string[] = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc?.status?.loadBalancer?.ingress);
      if (external.length > 0) return [...(lb ? lb.split(',') : []), ...external].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export function servicePorts(ports: any[] | undefined): string {
  return (ports ?? [])
    .map((p) => (p?.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p?.port}/${p?.protocol ?? 'TCP'}`))
    .join(',');
}

export const servicePrinter: Printer = {
  columns: [
    nameColumn,
    column('Type', 'string', 'type determines how the Service is exposed.'),
    column('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    column('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    column('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    ageColumn,
    column('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', { priority: 1 }),
  ],
  cells(svc, ctx) {
    const spec = svc?.spec ?? {};
    return [
      nameOf(svc), spec.type ?? '', spec.clusterIPs?.[0] ?? '<none>', serviceExternalIP(svc), servicePorts(spec.ports) || '<none>',
      age(svc, ctx), formatLabels(spec.selector),
    ];
  },
};

/** Up to three ip:port pairs across subsets, then "+ N more...". */
export function formatEndpoints(ep: any): string {
  const subsets: any[] = ep?.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  for (const ss of subsets) {
    const addresses: any[] = ss?.addresses ?? [];
    const ports: any[] = ss?.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a?.ip ?? '');
      }
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(hostPort(a?.ip ?? '', p?.port ?? 0));
      }
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

export const endpointsPrinter: Printer = {
  columns: [nameColumn, column('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'), ageColumn],
  cells: (obj, ctx) => [nameOf(obj), formatEndpoints(obj), age(obj, ctx)],
};

export const endpointSlicePrinter: Printer = {
  columns: [
    nameColumn,
    column('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    column('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    ageColumn,
  ],
  cells(obj, ctx) {
    const ports = ((obj?.ports ?? []) as any[]).map((p) => (typeof p?.port === 'number' ? String(p.port) : p?.name ?? '*'));
    const addrs = ((obj?.endpoints ?? []) as any[]).flatMap((e) => (e?.addresses ?? []) as string[]);
    return [nameOf(obj), obj?.addressType ?? '', listWithMore(ports), listWithMore(addrs), age(obj, ctx)];
  },
};

export const configMapPrinter: Printer = {
  columns: [nameColumn, column('Data', 'string', 'Data contains the configuration data.'), ageColumn],
  cells: (obj, ctx) => [nameOf(obj), Object.keys(obj?.data ?? {}).length + Object.keys(obj?.binaryData ?? {}).length, age(obj, ctx)],
};

export const secretPrinter: Printer = {
  columns: [
    nameColumn,
    column('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
    column('Data', 'string', 'Data contains the secret data.'),
    ageColumn,
  ],
  cells: (obj, ctx) => [nameOf(obj), obj?.type ?? '', Object.keys(obj?.data ?? {}).length, age(obj, ctx)],
};

export const serviceAccountPrinter: Printer = {
  columns: [nameColumn, column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageColumn],
  cells: (obj, ctx) => [nameOf(obj), (obj?.secrets ?? []).length, age(obj, ctx)],
};

export const namespacePrinter: Printer = {
  columns: [nameColumn, column('Status', 'string', 'The status of the namespace'), ageColumn],
  cells: (obj, ctx) => [nameOf(obj), obj?.status?.phase ?? '', age(obj, ctx)],
};

/** Roles from node-role.kubernetes.io/<role> keys and the kubernetes.io/role value, sorted. */
export function nodeRoles(labels: Record<string, string> | undefined): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

export const nodePrinter: Printer = {
  columns: [
    nameColumn,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    ageColumn,
    column('Version', 'string', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'string', 'List of addresses reachable to the node.', { priority: 1 }),
    column('External-IP', 'string', 'List of addresses reachable to the node.', { priority: 1 }),
    column('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { priority: 1 }),
    column('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { priority: 1 }),
    column('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { priority: 1 }),
  ],
  cells(node, ctx) {
    // Later duplicates of a condition type win, as upstream's map does.
    const ready = ((node?.status?.conditions ?? []) as any[]).filter((c) => c?.type === 'Ready').pop();
    const status: string[] = [];
    if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
    else status.push('Unknown');
    if (node?.spec?.unschedulable) status.push('SchedulingDisabled');
    const roles = nodeRoles(node?.metadata?.labels).join(',') || '<none>';
    const info = node?.status?.nodeInfo ?? {};
    const address = (type: string) => ((node?.status?.addresses ?? []) as any[]).find((a) => a?.type === type)?.address ?? '<none>';
    return [
      nameOf(node), status.join(','), roles, age(node, ctx), info.kubeletVersion ?? '',
      address('InternalIP'), address('ExternalIP'), info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

/** events.k8s.io/v1 names the same fields differently; print both alike. */
function asCoreEvent(e: any): any {
  if (!e || e.involvedObject || !e.regarding) return e;
  return {
    ...e,
    involvedObject: e.regarding,
    message: e.note,
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    count: e.deprecatedCount,
    source: e.deprecatedSource,
    reportingComponent: e.reportingController,
  };
}

function eventSource(e: any): string {
  const component = e?.source?.component || e?.reportingComponent || '';
  const instance = e?.source?.host || e?.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

export const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    column('Object', 'string', 'The object that this event is about.'),
    column('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', { priority: 1 }),
    column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', { priority: 1 }),
    column('Message', 'string', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { priority: 1 }),
    column('Count', 'string', 'The number of times this event has occurred.', { priority: 1 }),
    column('Name', 'string', 'Name must be unique within a namespace.', { priority: 1, format: 'name' }),
  ],
  cells(obj, ctx: PrintContext) {
    const e = asCoreEvent(obj);
    const first = parseTime(e?.firstTimestamp) !== undefined ? since(e.firstTimestamp, ctx) : since(e?.eventTime, ctx);
    let last = parseTime(e?.lastTimestamp) !== undefined ? since(e.lastTimestamp, ctx) : first;
    let count = int(e?.count);
    if (e?.series) {
      last = since(e.series.lastObservedTime, ctx);
      count = int(e.series.count);
    } else if (count === 0) {
      // Events from events.k8s.io that happened once carry no count.
      count = 1;
    }
    const kind = String(e?.involvedObject?.kind ?? '').toLowerCase();
    const target = e?.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
    return [
      last, e?.type ?? '', e?.reason ?? '', target, e?.involvedObject?.fieldPath ?? '', eventSource(e),
      String(e?.message ?? '').trim(), first, count, nameOf(e),
    ];
  },
};

const storageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

export const persistentVolumePrinter: Printer = {
  columns: [
    nameColumn,
    column('Capacity', 'string', "capacity is the description of the persistent volume's resources and capacity."),
    column('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
    column('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    column('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    column('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    column('StorageClass', 'string', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    column('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    ageColumn,
    column('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', { priority: 1 }),
  ],
  cells(pv, ctx) {
    const spec = pv?.spec ?? {};
    const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
    const phase = pv?.metadata?.deletionTimestamp ? 'Terminating' : pv?.status?.phase ?? '';
    const storageClass = pv?.metadata?.annotations?.[storageClassAnnotation] ?? spec.storageClassName ?? '';
    return [
      nameOf(pv), String(spec.capacity?.storage ?? '0'), accessModes(spec.accessModes), spec.persistentVolumeReclaimPolicy ?? '', phase, claim,
      storageClass, spec.volumeAttributesClassName ?? '<unset>', pv?.status?.reason ?? '', age(pv, ctx), spec.volumeMode ?? '<unset>',
    ];
  },
};

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    nameColumn,
    column('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    column('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    column('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    column('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    column('StorageClass', 'string', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageColumn,
    column('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', { priority: 1 }),
  ],
  cells(pvc, ctx) {
    const spec = pvc?.spec ?? {};
    const phase = pvc?.metadata?.deletionTimestamp ? 'Terminating' : pvc?.status?.phase ?? '';
    const bound = !!spec.volumeName;
    const capacity = bound ? String(pvc?.status?.capacity?.storage ?? '0') : '';
    const modes = bound ? accessModes(pvc?.status?.accessModes) : '';
    const storageClass = pvc?.metadata?.annotations?.[storageClassAnnotation] ?? spec.storageClassName ?? '';
    return [
      nameOf(pvc), phase, spec.volumeName ?? '', capacity, modes, storageClass, spec.volumeAttributesClassName ?? '<unset>', age(pvc, ctx),
      spec.volumeMode ?? '<unset>',
    ];
  },
};

export const resourceQuotaPrinter: Printer = {
  columns: [
    nameColumn,
    column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    ageColumn,
  ],
  cells(rq, ctx) {
    const hard: Record<string, string> = rq?.status?.hard ?? {};
    const used: Record<string, string> = rq?.status?.used ?? {};
    const requests: string[] = [];
    const limits: string[] = [];
    for (const r of Object.keys(hard).sort()) {
      const text = `${r}: ${used[r] ?? '0'}/${hard[r]}`;
      const pieces = r.split('.');
      (pieces.length > 1 && pieces[0] === 'limits' ? limits : requests).push(text);
    }
    return [nameOf(rq), requests.join(', '), limits.join(', '), age(rq, ctx)];
  },
};

export const componentStatusPrinter: Printer = {
  columns: [
    nameColumn,
    column('Status', 'string', 'Status of the component conditions'),
    column('Message', 'string', 'Message of the component conditions'),
    column('Error', 'string', 'Error of the component conditions'),
  ],
  cells(cs) {
    const healthy = ((cs?.conditions ?? []) as any[]).find((c) => c?.type === 'Healthy');
    const status = healthy ? (healthy.status === 'True' ? 'Healthy' : 'Unhealthy') : 'Unknown';
    return [nameOf(cs), status, healthy?.message ?? '', healthy?.error ?? ''];
  },
};
