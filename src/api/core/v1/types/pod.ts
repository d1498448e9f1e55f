/** Pod: its spec, status, templates and the binding that assigns it to a node. */
import { def, t, type Static } from '../../../schema/dsl.js';
import { ObjectMeta, Time } from '../../../meta/v1.js';
import { AppArmorProfile, Container, EphemeralContainer, ResourceRequirements, SELinuxOptions, SeccompProfile, WindowsSecurityContextOptions } from './container.js';
import { LocalObjectReference, ObjectReference } from './references.js';
import { Affinity, Toleration, TopologySpreadConstraint } from './scheduling.js';
import { Volume } from './volume.js';
import { CORE, bool, gvk, i32, i64, resourceList, str, strList } from './fields.js';

export const Sysctl = def(CORE + 'Sysctl', t.object({ name: str('Name of the kernel parameter.'), value: str('Value to set.') }, { required: ['name', 'value'], description: 'A namespaced kernel parameter.' }));

export const PodSecurityContext = def(
  CORE + 'PodSecurityContext',
  t.object({
    appArmorProfile: t.ref(AppArmorProfile, { description: 'AppArmor profile for every container.' }),
    fsGroup: i64('Supplementary group owning volumes and added to every container process.'),
    fsGroupChangePolicy: t.enum(['Always', 'OnRootMismatch'], { description: 'When volume ownership is changed to fsGroup.' }),
    runAsGroup: i64('GID of container entrypoints unless a container overrides it.'),
    runAsNonRoot: bool('Refuses to start containers as UID 0.'),
    runAsUser: i64('UID of container entrypoints unless a container overrides it.'),
    seLinuxChangePolicy: str('How SELinux labels are applied to volumes: Recursive or MountOption.'),
    seLinuxOptions: t.ref(SELinuxOptions, { description: 'SELinux context for every container.' }),
    seccompProfile: t.ref(SeccompProfile, { description: 'Seccomp profile for every container.' }),
    supplementalGroups: t.array(t.int64(), { listType: 'atomic', description: 'Extra groups of every container process.' }),
    supplementalGroupsPolicy: t.enum(['Merge', 'Strict'], { description: 'How supplementary groups of the first process are computed.' }),
    sysctls: t.array(t.ref(Sysctl), { listType: 'atomic', description: 'Namespaced kernel parameters for the pod.' }),
    windowsOptions: t.ref(WindowsSecurityContextOptions, { description: 'Windows-specific options for every container.' }),
  }, { description: 'Pod-level security attributes and container defaults.' }),
);

export const PodDNSConfigOption = def(CORE + 'PodDNSConfigOption', t.object({ name: str('Option name.'), value: str('Option value.') }, { description: 'A resolver option.' }));

export const PodDNSConfig = def(
  CORE + 'PodDNSConfig',
  t.object({
    nameservers: strList('Name server IPs added to those of the DNS policy.'),
    options: t.array(t.ref(PodDNSConfigOption), { listType: 'atomic', description: 'Resolver options merged with those of the DNS policy.' }),
    searches: strList('Search domains added to those of the DNS policy.'),
  }, { description: 'DNS settings added to those produced by the DNS policy.' }),
);

export const HostAlias = def(
  CORE + 'HostAlias',
  t.object({ hostnames: strList('Host names for the IP.'), ip: str('IP address of the entry.') }, { required: ['ip'], description: 'An entry of the pod /etc/hosts.' }),
);

export const PodReadinessGate = def(
  CORE + 'PodReadinessGate',
  t.object({ conditionType: str('Pod condition type that must be True for the pod to be ready.') }, { required: ['conditionType'], description: 'An extra condition required for readiness.' }),
);

export const PodOS = def(CORE + 'PodOS', t.object({ name: str('Operating system: linux or windows.') }, { required: ['name'], description: 'The operating system the pod needs.' }));

export const PodSchedulingGate = def(
  CORE + 'PodSchedulingGate',
  t.object({ name: str('Name of the gate.') }, { required: ['name'], description: 'A gate that holds the pod back from scheduling until removed.' }),
);

export const PodResourceClaim = def(
  CORE + 'PodResourceClaim',
  t.object(
    {
      name: str('Name containers use to refer to this claim.'),
      resourceClaimName: str('Existing resource claim in the pod namespace.'),
      resourceClaimTemplateName: str('Template from which a claim is created for the pod.'),
    },
    { required: ['name'], description: 'A resource claim available to the pod containers.' },
  ),
);

export const PodSpec = def(
  CORE + 'PodSpec',
  t.object(
    {
      activeDeadlineSeconds: i64('Seconds the pod may be active before the system fails it.'),
      affinity: t.ref(Affinity, { description: 'Scheduling constraints.' }),
      automountServiceAccountToken: bool('Whether a service account token is mounted automatically.'),
      containers: t.array(t.ref(Container), { listType: 'map', mapKeys: ['name'], mergeKey: 'name', patchStrategy: 'merge', description: 'Containers of the pod; at least one.' }),
      dnsConfig: t.ref(PodDNSConfig, { description: 'Extra DNS settings.' }),
      dnsPolicy: t.enum(['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'], { description: 'How the pod resolves names; defaults to ClusterFirst.' }),
      enableServiceLinks: bool('Whether service environment variables are injected; defaults to true.'),
      ephemeralContainers: t.array(t.ref(EphemeralContainer), { listType: 'map', mapKeys: ['name'], mergeKey: 'name', patchStrategy: 'merge', description: 'Debugging containers added to the running pod.' }),
      hostAliases: t.array(t.ref(HostAlias), { mergeKey: 'ip', patchStrategy: 'merge', description: 'Entries added to /etc/hosts.' }),
      hostIPC: bool('Uses the host IPC namespace.'),
      hostNetwork: bool('Uses the host network namespace.'),
      hostPID: bool('Uses the host PID namespace.'),
      hostUsers: bool('Uses the host user namespace; false gives the pod its own.'),
      hostname: str('Host name of the pod; defaults to the pod name.'),
      imagePullSecrets: t.array(t.ref(LocalObjectReference), { mergeKey: 'name', patchStrategy: 'merge', description: 'Secrets in the namespace used to pull images.' }),
      initContainers: t.array(t.ref(Container), { listType: 'map', mapKeys: ['name'], mergeKey: 'name', patchStrategy: 'merge', description: 'Containers run in order before the app containers; restartPolicy Always makes a sidecar.' }),
      nodeName: str('Node the pod is bound to; set by the scheduler.'),
      nodeSelector: t.map(t.string(), { mapType: 'atomic', description: 'Labels a node must have to run the pod.' }),
      os: t.ref(PodOS, { description: 'Operating system the pod needs.' }),
      overhead: resourceList('Resources used by the pod sandbox, set from the runtime class.'),
      preemptionPolicy: t.enum(['Never', 'PreemptLowerPriority'], { description: 'Whether the pod may preempt lower-priority pods.' }),
      priority: i32('Priority value, resolved from priorityClassName.'),
      priorityClassName: str('Name of the pod priority class.'),
      readinessGates: t.array(t.ref(PodReadinessGate), { listType: 'atomic', description: 'Extra conditions required for readiness.' }),
      resourceClaims: t.array(t.ref(PodResourceClaim), { listType: 'map', mapKeys: ['name'], mergeKey: 'name', patchStrategy: 'merge,retainKeys', description: 'Dynamic resource claims of the pod.' }),
      resources: t.ref(ResourceRequirements, { description: 'Resources for the pod as a whole.' }),
      restartPolicy: t.enum(['Always', 'Never', 'OnFailure'], { description: 'Restart policy of the containers; defaults to Always.' }),
      runtimeClassName: str('Runtime class used to run the pod.'),
      schedulerName: str('Scheduler that places the pod; defaults to default-scheduler.'),
      schedulingGates: t.array(t.ref(PodSchedulingGate), { listType: 'map', mapKeys: ['name'], mergeKey: 'name', patchStrategy: 'merge', description: 'Gates holding the pod back from scheduling.' }),
      securityContext: t.ref(PodSecurityContext, { description: 'Pod-level security attributes.' }),
      serviceAccount: str('Deprecated alias of serviceAccountName.'),
      serviceAccountName: str('Service account the pod runs as.'),
      setHostnameAsFQDN: bool('Sets the host name to the fully qualified domain name.'),
      shareProcessNamespace: bool('Shares one PID namespace between the containers.'),
      subdomain: str('Subdomain giving the pod a fully qualified host name under a headless service.'),
      terminationGracePeriodSeconds: i64('Seconds between the termination signal and the kill; defaults to 30.'),
      tolerations: t.array(t.ref(Toleration), { listType: 'atomic', description: 'Taints the pod tolerates.' }),
      topologySpreadConstraints: t.array(t.ref(TopologySpreadConstraint), {
        listType: 'map',
        mapKeys: ['topologyKey', 'whenUnsatisfiable'],
        mergeKey: 'topologyKey',
        patchStrategy: 'merge',
        description: 'How pods spread across topology domains.',
      }),
      volumes: t.array(t.ref(Volume), { listType: 'map', mapKeys: ['name'], mergeKey: 'name', patchStrategy: 'merge,retainKeys', description: 'Volumes the containers can mount.' }),
    },
    { required: ['containers'], description: 'The desired state of a pod.' },
  ),
);

export const PodCondition = def(
  CORE + 'PodCondition',
  t.object(
    {
      lastProbeTime: t.ref(Time, { description: 'When the condition was last probed.' }),
      lastTransitionTime: t.ref(Time, { description: 'When the condition last changed status.' }),
      message: str('Human-readable detail.'),
      reason: str('Machine-readable reason for the last transition.'),
      status: str('True, False or Unknown.'),
      type: str('Type of the condition, e.g. Ready.'),
    },
    { required: ['type', 'status'], description: 'A condition of a pod.' },
  ),
);

export const PodIP = def(CORE + 'PodIP', t.object({ ip: str('An IP address of the pod.') }, { required: ['ip'], description: 'An IP address assigned to the pod.' }));
export const HostIP = def(CORE + 'HostIP', t.object({ ip: str('An IP address of the host.') }, { required: ['ip'], description: 'An IP address of the node running the pod.' }));

export const ContainerStateWaiting = def(
  CORE + 'ContainerStateWaiting',
  t.object({ message: str('Why the container is not running yet.'), reason: str('Short reason, e.g. ContainerCreating.') }, { description: 'A container that is not yet running.' }),
);

export const ContainerStateRunning = def(
  CORE + 'ContainerStateRunning',
  t.object({ startedAt: t.ref(Time, { description: 'When the container last started.' }) }, { description: 'A running container.' }),
);

export const ContainerStateTerminated = def(
  CORE + 'ContainerStateTerminated',
  t.object(
    {
      containerID: str('ID of the container, as <type>://<id>.'),
      exitCode: i32('Exit status of the last run.'),
      finishedAt: t.ref(Time, { description: 'When the container last terminated.' }),
      message: str('Message about the termination.'),
      reason: str('Short reason for the termination.'),
      signal: i32('Signal that terminated the container.'),
      startedAt: t.ref(Time, { description: 'When the last run started.' }),
    },
    { required: ['exitCode'], description: 'A container that ran and exited.' },
  ),
);

export const ContainerState = def(
  CORE + 'ContainerState',
  t.object({
    running: t.ref(ContainerStateRunning, { description: 'Set while the container runs.' }),
    terminated: t.ref(ContainerStateTerminated, { description: 'Set after the container exits.' }),
    waiting: t.ref(ContainerStateWaiting, { description: 'Set while the container waits to run.' }),
  }, { description: 'State of a container; at most one field is set.' }),
);

export const VolumeMountStatus = def(
  CORE + 'VolumeMountStatus',
  t.object(
    { mountPath: str('Where the volume is mounted.'), name: str('Name of the volume.'), readOnly: bool('Whether the mount is read-only.'), recursiveReadOnly: str('Whether read-only applies recursively: Disabled or Enabled.') },
    { required: ['name', 'mountPath'], description: 'The observed state of a volume mount.' },
  ),
);

export const LinuxContainerUser = def(
  CORE + 'LinuxContainerUser',
  t.object(
    { gid: i64('Primary GID of the first process.'), supplementalGroups: t.array(t.int64(), { listType: 'atomic', description: 'Supplementary GIDs of the first process.' }), uid: i64('UID of the first process.') },
    { required: ['uid', 'gid'], description: 'The identity of the first process of a Linux container.' },
  ),
);

export const ContainerUser = def(CORE + 'ContainerUser', t.object({ linux: t.ref(LinuxContainerUser, { description: 'Identity on Linux.' }) }, { description: 'The identity the first process runs as.' }));

export const ResourceHealth = def(
  CORE + 'ResourceHealth',
  t.object({ health: str('Healthy, Unhealthy or Unknown.'), resourceID: str('ID of the device.') }, { required: ['resourceID'], description: 'Health of one device.' }),
);

export const ResourceStatus = def(
  CORE + 'ResourceStatus',
  t.object(
    { name: str('Resource name, a key of allocatedResources.'), resources: t.array(t.ref(ResourceHealth), { listType: 'map', mapKeys: ['resourceID'], description: 'Health of each device.' }) },
    { required: ['name'], description: 'Health of the devices behind an allocated resource.' },
  ),
);

export const ContainerStatus = def(
  CORE + 'ContainerStatus',
  t.object(
    {
      allocatedResources: resourceList('Resources the node allocated to the container.'),
      allocatedResourcesStatus: t.array(t.ref(ResourceStatus), { listType: 'map', mapKeys: ['name'], description: 'Health of allocated devices.' }),
      containerID: str('ID of the container, as <type>://<id>.'),
      image: str('Image the container runs.'),
      imageID: str('Resolved ID of the image.'),
      lastState: t.ref(ContainerState, { description: 'State of the previous run.' }),
      name: str('Name of the container.'),
      ready: bool('Whether the readiness probe passes.'),
      resources: t.ref(ResourceRequirements, { description: 'Resources actually configured.' }),
      restartCount: i32('Number of restarts.'),
      started: bool('Whether the startup probe passed.'),
      state: t.ref(ContainerState, { description: 'Current state.' }),
      user: t.ref(ContainerUser, { description: 'Identity of the first process.' }),
      volumeMounts: t.array(t.ref(VolumeMountStatus), { listType: 'map', mapKeys: ['mountPath'], mergeKey: 'mountPath', patchStrategy: 'merge', description: 'Observed volume mounts.' }),
    },
    { required: ['name', 'ready', 'restartCount', 'image', 'imageID'], description: 'The observed state of a container.' },
  ),
);

export const PodResourceClaimStatus = def(
  CORE + 'PodResourceClaimStatus',
  t.object({ name: str('Entry of spec.resourceClaims.'), resourceClaimName: str('Claim generated for the pod.') }, { required: ['name'], description: 'Which claim was generated for a pod resource claim.' }),
);

export const PodStatus = def(
  CORE + 'PodStatus',
  t.object({
    conditions: t.array(t.ref(PodCondition), { listType: 'map', mapKeys: ['type'], mergeKey: 'type', patchStrategy: 'merge', description: 'Current conditions of the pod.' }),
    containerStatuses: t.array(t.ref(ContainerStatus), { listType: 'atomic', description: 'One status per app container.' }),
    ephemeralContainerStatuses: t.array(t.ref(ContainerStatus), { listType: 'atomic', description: 'One status per ephemeral container.' }),
    hostIP: str('Primary IP of the node running the pod.'),
    hostIPs: t.array(t.ref(HostIP), { listType: 'atomic', mergeKey: 'ip', patchStrategy: 'merge', description: 'IPs of the node running the pod.' }),
    initContainerStatuses: t.array(t.ref(ContainerStatus), { listType: 'atomic', description: 'One status per init container.' }),
    message: str('Human-readable detail about the phase.'),
    nominatedNodeName: str('Node the pod may run on once preemption finishes.'),
    phase: t.enum(['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'], { description: 'Where the pod is in its lifecycle.' }),
    podIP: str('Primary IP of the pod.'),
    podIPs: t.array(t.ref(PodIP), { listType: 'map', mapKeys: ['ip'], mergeKey: 'ip', patchStrategy: 'merge', description: 'IPs of the pod, at most one per family.' }),
    qosClass: t.enum(['BestEffort', 'Burstable', 'Guaranteed'], { description: 'Quality of service class from the resource requirements.' }),
    reason: str('Short reason for the phase, e.g. Evicted.'),
    resize: str('State of an in-place resize.'),
    resourceClaimStatuses: t.array(t.ref(PodResourceClaimStatus), { listType: 'map', mapKeys: ['name'], mergeKey: 'name', patchStrategy: 'merge,retainKeys', description: 'Claims generated for the pod.' }),
    startTime: t.ref(Time, { description: 'When the kubelet accepted the pod.' }),
  }, { description: 'The observed state of a pod.' }),
);

const objectFields = {
  apiVersion: str('Versioned schema of this object.'),
  kind: str('Kind of this object.'),
  metadata: t.ref(ObjectMeta),
};

export const Pod = def(
  CORE + 'Pod',
  t.object({ ...objectFields, spec: t.ref(PodSpec, { description: 'Desired state of the pod.' }), status: t.ref(PodStatus, { description: 'Observed state of the pod.' }) }, { description: 'A group of containers scheduled together onto one node.' }),
  gvk('Pod'),
);

export const PodTemplateSpec = def(
  CORE + 'PodTemplateSpec',
  t.object({ metadata: t.ref(ObjectMeta, { description: 'Metadata of pods created from the template.' }), spec: t.ref(PodSpec, { description: 'Spec of pods created from the template.' }) }, { description: 'A template for pods.' }),
);

export const PodTemplate = def(
  CORE + 'PodTemplate',
  t.object({ ...objectFields, template: t.ref(PodTemplateSpec, { description: 'The pod template.' }) }, { description: 'A stored pod template.' }),
  gvk('PodTemplate'),
);

export const Binding = def(
  CORE + 'Binding',
  t.object({ ...objectFields, target: t.ref(ObjectReference, { description: 'The node to bind to.' }) }, { required: ['target'], description: 'Binds a pod to a node.' }),
  gvk('Binding'),
);

export type SysctlT = Static<typeof Sysctl>;
export type PodSecurityContextT = Static<typeof PodSecurityContext>;
export type PodDNSConfigT = Static<typeof PodDNSConfig>;
export type HostAliasT = Static<typeof HostAlias>;
export type PodResourceClaimT = Static<typeof PodResourceClaim>;
export type PodSpecT = Static<typeof PodSpec>;
export type PodConditionT = Static<typeof PodCondition>;
export type ContainerStateT = Static<typeof ContainerState>;
export type ContainerStatusT = Static<typeof ContainerStatus>;
export type PodStatusT = Static<typeof PodStatus>;
export type PodT = Static<typeof Pod>;
export type PodTemplateSpecT = Static<typeof PodTemplateSpec>;
export type PodTemplateT = Static<typeof PodTemplate>;
export type BindingT = Static<typeof Binding>;
