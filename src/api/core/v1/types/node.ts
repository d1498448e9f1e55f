/** Node: a machine that runs pods, and what it reports about itself. */
import { def, t, type Static } from '../../../schema/dsl.js';
import { ObjectMeta, Time } from '../../../meta/v1.js';
import { Taint } from './scheduling.js';
import { CORE, bool, gvk, i32, i64, resourceList, str, strList } from './fields.js';

export const ConfigMapNodeConfigSource = def(
  CORE + 'ConfigMapNodeConfigSource',
  t.object(
    {
      kubeletConfigKey: str('Key of the config map holding the kubelet configuration.'),
      name: str('Name of the config map.'),
      namespace: str('Namespace of the config map.'),
      resourceVersion: str('Resource version of the config map; status only.'),
      uid: str('UID of the config map; status only.'),
    },
    { required: ['namespace', 'name', 'kubeletConfigKey'], description: 'A config map used as node configuration (deprecated).' },
  ),
);

export const NodeConfigSource = def(
  CORE + 'NodeConfigSource',
  t.object({ configMap: t.ref(ConfigMapNodeConfigSource, { description: 'Config map source.' }) }, { description: 'Source of dynamic node configuration (deprecated).' }),
);

export const NodeSpec = def(
  CORE + 'NodeSpec',
  t.object({
    configSource: t.ref(NodeConfigSource, { description: 'Deprecated dynamic kubelet configuration.' }),
    externalID: str('Deprecated.'),
    podCIDR: str('Pod IP range assigned to the node.'),
    podCIDRs: t.array(t.string(), { listType: 'set', patchStrategy: 'merge', description: 'Pod IP ranges assigned to the node, at most one per family.' }),
    providerID: str('ID of the node at its cloud provider.'),
    taints: t.array(t.ref(Taint), { listType: 'atomic', description: 'Taints of the node.' }),
    unschedulable: bool('Keeps new pods off the node.'),
  }, { description: 'The desired state of a node.' }),
);

export const NodeCondition = def(
  CORE + 'NodeCondition',
  t.object(
    {
      lastHeartbeatTime: t.ref(Time, { description: 'When the condition was last reported.' }),
      lastTransitionTime: t.ref(Time, { description: 'When the condition last changed status.' }),
      message: str('Human-readable detail.'),
      reason: str('Machine-readable reason for the last transition.'),
      status: str('True, False or Unknown.'),
      type: str('Type of the condition, e.g. Ready.'),
    },
    { required: ['type', 'status'], description: 'A condition of a node.' },
  ),
);

export const NodeAddress = def(
  CORE + 'NodeAddress',
  t.object({ address: str('The address.'), type: str('Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.') }, { required: ['type', 'address'], description: 'An address of a node.' }),
);

export const DaemonEndpoint = def(CORE + 'DaemonEndpoint', t.object({ Port: i32('Port number.') }, { required: ['Port'], description: 'A port a node daemon listens on.' }));

export const NodeDaemonEndpoints = def(
  CORE + 'NodeDaemonEndpoints',
  t.object({ kubeletEndpoint: t.ref(DaemonEndpoint, { description: 'Port of the kubelet.' }) }, { description: 'Ports of the daemons on a node.' }),
);

export const NodeSystemInfo = def(
  CORE + 'NodeSystemInfo',
  t.object(
    {
      architecture: str('CPU architecture.'),
      bootID: str('Boot ID of the node.'),
      containerRuntimeVersion: str('Container runtime and version, as <runtime>://<version>.'),
      kernelVersion: str('Kernel version.'),
      kubeProxyVersion: str('Deprecated; not reliable.'),
      kubeletVersion: str('Kubelet version.'),
      machineID: str('Machine ID of the node.'),
      operatingSystem: str('Operating system.'),
      osImage: str('OS image, from /etc/os-release.'),
      systemUUID: str('System UUID of the node.'),
    },
    { required: ['machineID', 'systemUUID', 'bootID', 'kernelVersion', 'osImage', 'containerRuntimeVersion', 'kubeletVersion', 'kubeProxyVersion', 'operatingSystem', 'architecture'], description: 'Identity of the node software.' },
  ),
);

export const ContainerImage = def(
  CORE + 'ContainerImage',
  t.object({ names: strList('Names of the image.'), sizeBytes: i64('Size of the image in bytes.') }, { description: 'An image present on a node.' }),
);

export const AttachedVolume = def(
  CORE + 'AttachedVolume',
  t.object({ devicePath: str('Where the device appears on the node.'), name: str('Name of the volume.') }, { required: ['name', 'devicePath'], description: 'A volume attached to a node.' }),
);

export const NodeConfigStatus = def(
  CORE + 'NodeConfigStatus',
  t.object({
    active: t.ref(NodeConfigSource, { description: 'Configuration in use.' }),
    assigned: t.ref(NodeConfigSource, { description: 'Configuration assigned.' }),
    error: str('Error applying the configuration.'),
    lastKnownGood: t.ref(NodeConfigSource, { description: 'Configuration to fall back to.' }),
  }, { description: 'State of dynamic node configuration (deprecated).' }),
);

export const NodeRuntimeHandlerFeatures = def(
  CORE + 'NodeRuntimeHandlerFeatures',
  t.object({ recursiveReadOnlyMounts: bool('Supports recursive read-only mounts.'), userNamespaces: bool('Supports user namespaces.') }, { description: 'Features of a runtime handler.' }),
);

export const NodeRuntimeHandler = def(
  CORE + 'NodeRuntimeHandler',
  t.object({ features: t.ref(NodeRuntimeHandlerFeatures, { description: 'Supported features.' }), name: str('Handler name; empty for the default.') }, { description: 'A runtime handler of a node.' }),
);

export const NodeFeatures = def(
  CORE + 'NodeFeatures',
  t.object({ supplementalGroupsPolicy: bool('Supports the supplementalGroupsPolicy pod field.') }, { description: 'Features a node supports.' }),
);

export const NodeStatus = def(
  CORE + 'NodeStatus',
  t.object({
    addresses: t.array(t.ref(NodeAddress), { listType: 'map', mapKeys: ['type'], mergeKey: 'type', patchStrategy: 'merge', description: 'Addresses of the node.' }),
    allocatable: resourceList('Resources available to pods.'),
    capacity: resourceList('Total resources of the node.'),
    conditions: t.array(t.ref(NodeCondition), { listType: 'map', mapKeys: ['type'], mergeKey: 'type', patchStrategy: 'merge', description: 'Current conditions of the node.' }),
    config: t.ref(NodeConfigStatus, { description: 'Dynamic configuration state.' }),
    daemonEndpoints: t.ref(NodeDaemonEndpoints, { description: 'Ports of the node daemons.' }),
    features: t.ref(NodeFeatures, { description: 'Features the node supports.' }),
    images: t.array(t.ref(ContainerImage), { listType: 'atomic', description: 'Images on the node.' }),
    nodeInfo: t.ref(NodeSystemInfo, { description: 'Software identity of the node.' }),
    phase: t.enum(['Pending', 'Running', 'Terminated'], { description: 'Deprecated lifecycle phase.' }),
    runtimeHandlers: t.array(t.ref(NodeRuntimeHandler), { listType: 'atomic', description: 'Runtime handlers available.' }),
    volumesAttached: t.array(t.ref(AttachedVolume), { listType: 'atomic', description: 'Volumes attached to the node.' }),
    volumesInUse: strList('Volumes in use by the node.'),
  }, { description: 'The observed state of a node.' }),
);

export const Node = def(
  CORE + 'Node',
  t.object({
    apiVersion: str('Versioned schema of this object.'),
    kind: str('Kind of this object.'),
    metadata: t.ref(ObjectMeta),
    spec: t.ref(NodeSpec, { description: 'Desired state of the node.' }),
    status: t.ref(NodeStatus, { description: 'Observed state of the node.' }),
  }, { description: 'A worker machine of the cluster.' }),
  gvk('Node'),
);

export type NodeSpecT = Static<typeof NodeSpec>;
export type NodeConditionT = Static<typeof NodeCondition>;
export type NodeAddressT = Static<typeof NodeAddress>;
export type NodeSystemInfoT = Static<typeof NodeSystemInfo>;
export type NodeStatusT = Static<typeof NodeStatus>;
export type NodeT = Static<typeof Node>;
