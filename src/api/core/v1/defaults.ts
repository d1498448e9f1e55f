/**
 * Upstream SetDefaults_* for core/v1: each function mutates a freshly decoded
 * object so the stored form matches what an upstream server would store.
 */
import type { ContainerT, EphemeralContainerT, ProbeT, LifecycleHandlerT } from './types/container.js';
import type { PodSpecT, PodT, PodTemplateSpecT, PodTemplateT } from './types/pod.js';
import type { VolumeT } from './types/volume.js';
import { VOLUME_SOURCE_FIELDS } from './types/volume.js';
import type { ServiceT } from './types/service.js';
import type { EndpointsT } from './types/service.js';
import type { SecretT } from './types/config.js';
import type { NamespaceT } from './types/namespace.js';
import type { NodeT } from './types/node.js';
import type { PersistentVolumeT, PersistentVolumeClaimT, PersistentVolumeClaimSpecT } from './types/persistent-volume.js';
import type { LimitRangeT } from './types/policy.js';
import type { ReplicationControllerT } from './types/replication-controller.js';

/** 0644: the file mode upstream gives projected files unless told otherwise. */
export const DEFAULT_FILE_MODE = 0o644;
export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10800;
export const DEFAULT_SERVICE_ACCOUNT_TOKEN_EXPIRATION_SECONDS = 3600;
/** The label upstream puts on every namespace so selectors can pick namespaces by name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * The tag of an image reference as upstream's image name parser sees it:
 * `latest` when neither tag nor digest is given, '' for digest-only references.
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

export function defaultImagePullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  if (!image) return 'IfNotPresent';
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: LifecycleHandlerT | undefined): void {
  if (!h?.httpGet) return;
  h.httpGet.path ??= '/';
  h.httpGet.scheme ??= 'HTTP';
}

export function defaultProbe(p: ProbeT | undefined): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet) {
    p.httpGet.path ??= '/';
    p.httpGet.scheme ??= 'HTTP';
  }
}

export function defaultContainer(c: ContainerT | EphemeralContainerT): void {
  c.imagePullPolicy ??= defaultImagePullPolicy(c.image);
  c.terminationMessagePath ??= DEFAULT_TERMINATION_MESSAGE_PATH;
  c.terminationMessagePolicy ??= 'File';
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

export function defaultPersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpecT | undefined): void {
  if (!spec) return;
  spec.volumeMode ??= 'Filesystem';
}

export function defaultVolume(v: VolumeT): void {
  const rec = v as Record<string, unknown>;
  // A volume with no source is implied to be an empty directory.
  if (!VOLUME_SOURCE_FIELDS.some((f) => rec[f] !== undefined && rec[f] !== null)) v.emptyDir = {};
  if (v.hostPath) v.hostPath.type ??= '';
  if (v.secret) v.secret.defaultMode ??= DEFAULT_FILE_MODE;
  if (v.configMap) v.configMap.defaultMode ??= DEFAULT_FILE_MODE;
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= DEFAULT_FILE_MODE;
    for (const f of v.downwardAPI.items ?? []) if (f.fieldRef) f.fieldRef.apiVersion ??= 'v1';
  }
  if (v.projected) {
    v.projected.defaultMode ??= DEFAULT_FILE_MODE;
    for (const s of v.projected.sources ?? []) {
      if (s.serviceAccountToken) s.serviceAccountToken.expirationSeconds ??= DEFAULT_SERVICE_ACCOUNT_TOKEN_EXPIRATION_SECONDS;
      for (const f of s.downwardAPI?.items ?? []) if (f.fieldRef) f.fieldRef.apiVersion ??= 'v1';
    }
  }
  if (v.ephemeral?.volumeClaimTemplate) defaultPersistentVolumeClaimSpec(v.ephemeral.volumeClaimTemplate.spec);
}

/** SetDefaults_PodSpec plus the nested defaults of everything a pod spec holds. */
export function defaultPodSpec(spec: PodSpecT): void {
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.restartPolicy ??= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  spec.schedulerName ??= DEFAULT_SCHEDULER_NAME;
  for (const v of spec.volumes ?? []) defaultVolume(v);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
}

export function defaultPodTemplateSpec(tpl: PodTemplateSpecT): void {
  tpl.spec ??= { containers: [] };
  defaultPodSpec(tpl.spec);
}

function defaultRequestsFromLimits(c: ContainerT): void {
  const limits = c.resources?.limits;
  if (!limits || !c.resources) return;
  const requests = (c.resources.requests ??= {});
  for (const [k, q] of Object.entries(limits)) if (!(k in requests)) requests[k] = q;
}

/** SetDefaults_Pod: only real pods (not templates) get these. */
export function defaultPod(pod: PodT): void {
  pod.spec ??= { containers: [] };
  const spec = pod.spec;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) defaultRequestsFromLimits(c);
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
  defaultPodSpec(spec);
}

export function defaultPodTemplate(pt: PodTemplateT): void {
  if (pt.template) defaultPodTemplateSpec(pt.template);
}

export function defaultService(svc: ServiceT): void {
  const spec = (svc.spec ??= {});
  spec.sessionAffinity ??= 'None';
  spec.type ??= 'ClusterIP';
  for (const p of spec.ports ?? []) {
    p.protocol ??= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const externallyAccessible = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);
  if (externallyAccessible) spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = (spec.sessionAffinityConfig ??= {});
    const clientIP = (cfg.clientIP ??= {});
    clientIP.timeoutSeconds ??= DEFAULT_CLIENT_IP_TIMEOUT_SECONDS;
  }
}

export function defaultEndpoints(ep: EndpointsT): void {
  for (const s of ep.subsets ?? []) for (const p of s.ports ?? []) p.protocol ??= 'TCP';
}

/**
 * Defaults the type and folds the write-only stringData into data, as
 * upstream's conversion does, so stringData is never stored.
 */
export function defaultSecret(s: SecretT): void {
  if (!s.type) s.type = 'Opaque';
  if (s.stringData) {
    const data = (s.data ??= {});
    for (const [k, v] of Object.entries(s.stringData)) data[k] = Buffer.from(v ?? '', 'utf8').toString('base64');
    delete s.stringData;
  }
}

export function defaultNamespace(ns: NamespaceT): void {
  const name = ns.metadata?.name;
  if (name && ns.metadata) {
    const labels = (ns.metadata.labels ??= {});
    labels[NAMESPACE_NAME_LABEL] = name;
  }
  const status = (ns.status ??= {});
  status.phase ??= 'Active';
}

export function defaultNode(node: NodeT): void {
  const status = node.status;
  if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
}

export function defaultPersistentVolume(pv: PersistentVolumeT): void {
  const spec = (pv.spec ??= {});
  spec.persistentVolumeReclaimPolicy ??= 'Retain';
  spec.volumeMode ??= 'Filesystem';
  const status = (pv.status ??= {});
  status.phase ??= 'Pending';
}

export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaimT): void {
  defaultPersistentVolumeClaimSpec((pvc.spec ??= {}));
  const status = (pvc.status ??= {});
  status.phase ??= 'Pending';
}

export function defaultLimitRange(lr: LimitRangeT): void {
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    const def = (item.default ??= {});
    const req = (item.defaultRequest ??= {});
    // An unset default limit falls back to max; an unset default request to the default limit, then to min.
    for (const [k, q] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = q;
    for (const [k, q] of Object.entries(def)) if (!(k in req)) req[k] = q;
    for (const [k, q] of Object.entries(item.min ?? {})) if (!(k in req)) req[k] = q;
  }
}

export function defaultReplicationController(rc: ReplicationControllerT): void {
  const spec = (rc.spec ??= {});
  const labels = spec.template?.metadata?.labels;
  if (labels && Object.keys(labels).length) {
    if (!spec.selector || !Object.keys(spec.selector).length) spec.selector = { ...labels };
    if (rc.metadata && (!rc.metadata.labels || !Object.keys(rc.metadata.labels).length)) rc.metadata.labels = { ...labels };
  }
  spec.replicas ??= 1;
  if (spec.template) defaultPodTemplateSpec(spec.template);
}
