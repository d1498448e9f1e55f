/** Containers and what they carry: ports, environment, mounts, probes, hooks, security, resources. */
import { def, t, type Static } from '../../../schema/dsl.js';
import { IntOrString } from '../../../meta/v1.js';
import { ObjectFieldSelector, ResourceFieldSelector } from './volume-sources.js';
import { CORE, bool, i32, i64, resourceList, str, strList } from './fields.js';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

export const ContainerPort = def(
  CORE + 'ContainerPort',
  t.object(
    {
      containerPort: i32('Port number on the pod IP, 1 to 65535.'),
      hostIP: str('Host IP to bind the host port to.'),
      hostPort: i32('Port number exposed on the host, 1 to 65535; mostly unnecessary.'),
      name: str('IANA service name of the port, unique in the pod; services refer to it.'),
      protocol: t.enum(PROTOCOLS, { default: 'TCP', description: 'TCP, UDP or SCTP; defaults to TCP.' }),
    },
    { required: ['containerPort'], description: 'A network port of a container.' },
  ),
);

export const ConfigMapKeySelector = def(
  CORE + 'ConfigMapKeySelector',
  t.object(
    {
      key: str('The key to read.'),
      name: t.string({ default: '', description: 'Name of the config map.' }),
      optional: bool('Whether the config map or key may be missing.'),
    },
    { required: ['key'], structType: 'atomic', description: 'Selects a key of a config map.' },
  ),
);

export const SecretKeySelector = def(
  CORE + 'SecretKeySelector',
  t.object(
    {
      key: str('The key to read.'),
      name: t.string({ default: '', description: 'Name of the secret.' }),
      optional: bool('Whether the secret or key may be missing.'),
    },
    { required: ['key'], structType: 'atomic', description: 'Selects a key of a secret.' },
  ),
);

export const EnvVarSource = def(
  CORE + 'EnvVarSource',
  t.object({
    configMapKeyRef: t.ref(ConfigMapKeySelector, { description: 'A key of a config map.' }),
    fieldRef: t.ref(ObjectFieldSelector, { description: 'A field of the pod.' }),
    resourceFieldRef: t.ref(ResourceFieldSelector, { description: 'A resource limit or request of the container.' }),
    secretKeyRef: t.ref(SecretKeySelector, { description: 'A key of a secret.' }),
  }, { description: 'Where an environment variable value comes from; exactly one field is set.' }),
);

export const EnvVar = def(
  CORE + 'EnvVar',
  t.object(
    {
      name: str('Name of the variable.'),
      value: str('Value, with $(VAR) references to earlier variables expanded.'),
      valueFrom: t.ref(EnvVarSource, { description: 'Source of the value; not allowed with value.' }),
    },
    { required: ['name'], description: 'An environment variable of a container.' },
  ),
);

export const ConfigMapEnvSource = def(
  CORE + 'ConfigMapEnvSource',
  t.object({ name: t.string({ default: '', description: 'Name of the config map.' }), optional: bool('Whether the config map may be missing.') }, { description: 'Exposes the keys of a config map as environment variables.' }),
);

export const SecretEnvSource = def(
  CORE + 'SecretEnvSource',
  t.object({ name: t.string({ default: '', description: 'Name of the secret.' }), optional: bool('Whether the secret may be missing.') }, { description: 'Exposes the keys of a secret as environment variables.' }),
);

export const EnvFromSource = def(
  CORE + 'EnvFromSource',
  t.object({
    configMapRef: t.ref(ConfigMapEnvSource, { description: 'The config map to read.' }),
    prefix: str('Prefix added to every variable name.'),
    secretRef: t.ref(SecretEnvSource, { description: 'The secret to read.' }),
  }, { description: 'A set of environment variables taken from a config map or secret.' }),
);

export const ResourceClaim = def(
  CORE + 'ResourceClaim',
  t.object(
    {
      name: str('Name of an entry of the pod resourceClaims.'),
      request: str('Name of one request in the claim; empty means the whole claim.'),
    },
    { required: ['name'], description: 'A resource claim a container uses.' },
  ),
);

export const ResourceRequirements = def(
  CORE + 'ResourceRequirements',
  t.object({
    claims: t.array(t.ref(ResourceClaim), { listType: 'map', mapKeys: ['name'], description: 'Dynamic resource claims used by the container.' }),
    limits: resourceList('Maximum resources allowed.'),
    requests: resourceList('Minimum resources required; defaults to limits when omitted.'),
  }, { description: 'Compute resource requirements.' }),
);

export const ContainerResizePolicy = def(
  CORE + 'ContainerResizePolicy',
  t.object(
    {
      resourceName: str('Resource the policy applies to: cpu or memory.'),
      restartPolicy: str('NotRequired or RestartContainer when the resource is resized.'),
    },
    { required: ['resourceName', 'restartPolicy'], description: 'How a container reacts to an in-place resize.' },
  ),
);

export const VolumeMount = def(
  CORE + 'VolumeMount',
  t.object(
    {
      mountPath: str('Path in the container where the volume is mounted; may not contain ":".'),
      mountPropagation: t.enum(['Bidirectional', 'HostToContainer', 'None'], { description: 'How mounts propagate between host and container; defaults to None.' }),
      name: str('Name of a volume of the pod.'),
      readOnly: bool('Mounts read-only when true.'),
      recursiveReadOnly: str('Whether read-only mounts are recursive: Disabled, IfPossible or Enabled.'),
      subPath: str('Path inside the volume to mount instead of its root.'),
      subPathExpr: str('Like subPath with $(VAR) expansion from the environment.'),
    },
    { required: ['name', 'mountPath'], description: 'A volume mounted into a container.' },
  ),
);

export const VolumeDevice = def(
  CORE + 'VolumeDevice',
  t.object(
    { devicePath: str('Path of the device in the container.'), name: str('Name of a claim-backed volume of the pod.') },
    { required: ['name', 'devicePath'], description: 'A raw block volume mapped into a container.' },
  ),
);

export const ExecAction = def(
  CORE + 'ExecAction',
  t.object({ command: strList('Command line run in the container, not in a shell; exit 0 is success.') }, { description: 'Runs a command in the container.' }),
);

export const HTTPHeader = def(
  CORE + 'HTTPHeader',
  t.object({ name: str('Header name.'), value: str('Header value.') }, { required: ['name', 'value'], description: 'A header of an HTTP probe request.' }),
);

export const HTTPGetAction = def(
  CORE + 'HTTPGetAction',
  t.object(
    {
      host: str('Host to connect to; defaults to the pod IP.'),
      httpHeaders: t.array(t.ref(HTTPHeader), { listType: 'atomic', description: 'Extra request headers.' }),
      path: str('Path to request.'),
      port: t.ref(IntOrString, { description: 'Port number or name to connect to.' }),
      scheme: t.enum(['HTTP', 'HTTPS'], { description: 'Scheme to use; defaults to HTTP.' }),
    },
    { required: ['port'], description: 'An HTTP GET request; a status from 200 to 399 is success.' },
  ),
);

export const TCPSocketAction = def(
  CORE + 'TCPSocketAction',
  t.object(
    { host: str('Host to connect to; defaults to the pod IP.'), port: t.ref(IntOrString, { description: 'Port number or name to connect to.' }) },
    { required: ['port'], description: 'Opens a TCP connection; connecting is success.' },
  ),
);

export const GRPCAction = def(
  CORE + 'GRPCAction',
  t.object(
    { port: i32('Port of the gRPC health service.'), service: t.string({ default: '', description: 'Service name sent in the health check request.' }) },
    { required: ['port'], description: 'A gRPC health check.' },
  ),
);

export const SleepAction = def(
  CORE + 'SleepAction',
  t.object({ seconds: i64('Seconds to sleep.') }, { required: ['seconds'], description: 'Pauses for a number of seconds.' }),
);

export const Probe = def(
  CORE + 'Probe',
  t.object({
    exec: t.ref(ExecAction, { description: 'Run a command.' }),
    failureThreshold: i32('Consecutive failures that make the probe fail; defaults to 3.'),
    grpc: t.ref(GRPCAction, { description: 'Call a gRPC health service.' }),
    httpGet: t.ref(HTTPGetAction, { description: 'Send an HTTP GET request.' }),
    initialDelaySeconds: i32('Seconds after the container starts before probing begins.'),
    periodSeconds: i32('Seconds between probes; defaults to 10.'),
    successThreshold: i32('Consecutive successes that make the probe succeed after a failure; defaults to 1.'),
    tcpSocket: t.ref(TCPSocketAction, { description: 'Open a TCP connection.' }),
    terminationGracePeriodSeconds: i64('Grace period used when a failed probe kills the container.'),
    timeoutSeconds: i32('Seconds before a probe attempt times out; defaults to 1.'),
  }, { description: 'A periodic health check of a container.' }),
);

export const LifecycleHandler = def(
  CORE + 'LifecycleHandler',
  t.object({
    exec: t.ref(ExecAction, { description: 'Run a command.' }),
    httpGet: t.ref(HTTPGetAction, { description: 'Send an HTTP GET request.' }),
    sleep: t.ref(SleepAction, { description: 'Sleep.' }),
    tcpSocket: t.ref(TCPSocketAction, { description: 'Deprecated; kept for compatibility.' }),
  }, { description: 'An action run at a lifecycle hook; exactly one field is set.' }),
);

export const Lifecycle = def(
  CORE + 'Lifecycle',
  t.object({
    postStart: t.ref(LifecycleHandler, { description: 'Runs right after the container is created.' }),
    preStop: t.ref(LifecycleHandler, { description: 'Runs before the container is terminated.' }),
  }, { description: 'Actions the kubelet runs at container lifecycle events.' }),
);

export const Capabilities = def(
  CORE + 'Capabilities',
  t.object({ add: strList('Capabilities to add.'), drop: strList('Capabilities to remove.') }, { description: 'POSIX capabilities added to or removed from a container.' }),
);

export const SELinuxOptions = def(
  CORE + 'SELinuxOptions',
  t.object({ level: str('SELinux level label.'), role: str('SELinux role label.'), type: str('SELinux type label.'), user: str('SELinux user label.') }, { description: 'SELinux labels applied to a container.' }),
);

export const WindowsSecurityContextOptions = def(
  CORE + 'WindowsSecurityContextOptions',
  t.object({
    gmsaCredentialSpec: str('Content of the GMSA credential spec.'),
    gmsaCredentialSpecName: str('Name of the GMSA credential spec.'),
    hostProcess: bool('Runs the container as a Windows host process.'),
    runAsUserName: str('Windows user name to run the entrypoint as.'),
  }, { description: 'Windows-specific security options.' }),
);

const PROFILE_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'] as const;

export const SeccompProfile = def(
  CORE + 'SeccompProfile',
  t.object(
    {
      localhostProfile: str('Path of a profile on the node, relative to the kubelet seccomp directory; for Localhost only.'),
      type: t.enum(PROFILE_TYPES, { description: 'Kind of seccomp profile.' }),
    },
    { required: ['type'], description: 'A seccomp profile.' },
  ),
);

export const AppArmorProfile = def(
  CORE + 'AppArmorProfile',
  t.object(
    {
      localhostProfile: str('Name of a profile loaded on the node; for Localhost only.'),
      type: t.enum(PROFILE_TYPES, { description: 'Kind of AppArmor profile.' }),
    },
    { required: ['type'], description: 'An AppArmor profile.' },
  ),
);

export const SecurityContext = def(
  CORE + 'SecurityContext',
  t.object({
    allowPrivilegeEscalation: bool('Whether a process may gain more privileges than its parent (no_new_privs).'),
    appArmorProfile: t.ref(AppArmorProfile, { description: 'AppArmor profile of the container.' }),
    capabilities: t.ref(Capabilities, { description: 'Capabilities added or dropped.' }),
    privileged: bool('Runs the container privileged.'),
    procMount: t.enum(['Default', 'Unmasked'], { description: 'Which /proc mount to use.' }),
    readOnlyRootFilesystem: bool('Mounts the root filesystem read-only.'),
    runAsGroup: i64('GID of the entrypoint process.'),
    runAsNonRoot: bool('Refuses to start the container as UID 0.'),
    runAsUser: i64('UID of the entrypoint process.'),
    seLinuxOptions: t.ref(SELinuxOptions, { description: 'SELinux context of the container.' }),
    seccompProfile: t.ref(SeccompProfile, { description: 'Seccomp profile of the container.' }),
    windowsOptions: t.ref(WindowsSecurityContextOptions, { description: 'Windows-specific options.' }),
  }, { description: 'Security settings of a container; they override the pod security context.' }),
);

const containerFields = {
  args: strList('Arguments to the entrypoint; replaces the image CMD.'),
  command: strList('Entrypoint array, not run in a shell; replaces the image ENTRYPOINT.'),
  env: t.array(t.ref(EnvVar), { listType: 'map', mapKeys: ['name'], mergeKey: 'name', patchStrategy: 'merge', description: 'Environment variables.' }),
  envFrom: t.array(t.ref(EnvFromSource), { listType: 'atomic', description: 'Sources of environment variables; explicit env entries win.' }),
  image: str('Container image reference.'),
  imagePullPolicy: t.enum(PULL_POLICIES, { description: 'When to pull the image; defaults to Always for :latest or no tag, else IfNotPresent.' }),
  lifecycle: t.ref(Lifecycle, { description: 'Hooks run at lifecycle events.' }),
  livenessProbe: t.ref(Probe, { description: 'Restarts the container when it fails.' }),
  name: str('Name of the container, a DNS label unique in the pod.'),
  ports: t.array(t.ref(ContainerPort), { listType: 'map', mapKeys: ['containerPort', 'protocol'], mergeKey: 'containerPort', patchStrategy: 'merge', description: 'Ports the container exposes; informational.' }),
  readinessProbe: t.ref(Probe, { description: 'Removes the pod from service endpoints when it fails.' }),
  resizePolicy: t.array(t.ref(ContainerResizePolicy), { listType: 'atomic', description: 'How each resource may be resized.' }),
  resources: t.ref(ResourceRequirements, { description: 'Compute resources required.' }),
  restartPolicy: str('For init containers, Always makes it a sidecar that keeps running.'),
  securityContext: t.ref(SecurityContext, { description: 'Security settings.' }),
  startupProbe: t.ref(Probe, { description: 'Holds back the other probes until it succeeds.' }),
  stdin: bool('Allocates a stdin buffer for the container.'),
  stdinOnce: bool('Closes stdin after the first attach session ends.'),
  terminationMessagePath: str('File whose content becomes the termination message; defaults to /dev/termination-log.'),
  terminationMessagePolicy: t.enum(['FallbackToLogsOnError', 'File'], { description: 'How the termination message is found; defaults to File.' }),
  tty: bool('Allocates a TTY; needs stdin.'),
  volumeDevices: t.array(t.ref(VolumeDevice), { listType: 'map', mapKeys: ['devicePath'], mergeKey: 'devicePath', patchStrategy: 'merge', description: 'Block devices to map into the container.' }),
  volumeMounts: t.array(t.ref(VolumeMount), { listType: 'map', mapKeys: ['mountPath'], mergeKey: 'mountPath', patchStrategy: 'merge', description: 'Volumes to mount into the filesystem.' }),
  workingDir: str('Working directory; defaults to the image default.'),
};

export const Container = def(CORE + 'Container', t.object(containerFields, { required: ['name'], description: 'A container to run in a pod.' }));

export const EphemeralContainer = def(
  CORE + 'EphemeralContainer',
  t.object(
    { ...containerFields, targetContainerName: str('Container whose namespaces this one shares.') },
    { required: ['name'], description: 'A temporary container added to a running pod for debugging.' },
  ),
);

export type ContainerPortT = Static<typeof ContainerPort>;
export type EnvVarT = Static<typeof EnvVar>;
export type EnvVarSourceT = Static<typeof EnvVarSource>;
export type EnvFromSourceT = Static<typeof EnvFromSource>;
export type ResourceRequirementsT = Static<typeof ResourceRequirements>;
export type VolumeMountT = Static<typeof VolumeMount>;
export type VolumeDeviceT = Static<typeof VolumeDevice>;
export type ProbeT = Static<typeof Probe>;
export type HTTPGetActionT = Static<typeof HTTPGetAction>;
export type LifecycleHandlerT = Static<typeof LifecycleHandler>;
export type LifecycleT = Static<typeof Lifecycle>;
export type SecurityContextT = Static<typeof SecurityContext>;
export type SeccompProfileT = Static<typeof SeccompProfile>;
export type AppArmorProfileT = Static<typeof AppArmorProfile>;
export type ContainerT = Static<typeof Container>;
export type EphemeralContainerT = Static<typeof EphemeralContainer>;
