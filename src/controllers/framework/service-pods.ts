/**
 * What the Endpoints and EndpointSlice controllers share about Services and
 * the pods behind them: which pods are published, which port a service port
 * resolves to on a given pod, and when a pod's last relevant change happened.
 */
import { metaNamespaceKey } from '../../client/cache/keys.js';
import { type ResourceEventHandler, isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { selectorFromSet } from '../../machinery/labels/selector.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { Pod } from './pods.js';

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port: number;
  /** A number, or the name of a container port. */
  targetPort?: number | string;
}

export interface Service extends KubeObject {
  spec?: {
    selector?: Record<string, string> | null;
    clusterIP?: string;
    ports?: ServicePort[];
    publishNotReadyAddresses?: boolean;
    type?: string;
  };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

/** The pod fields the endpoint controllers read. */
export interface EndpointPod extends Pod {
  spec?: Pod['spec'] & {
    hostname?: string;
    subdomain?: string;
    restartPolicy?: string;
    containers?: { name: string; ports?: ContainerPort[] }[];
    initContainers?: { name: string; restartPolicy?: string; ports?: ContainerPort[] }[];
  };
  status?: Pod['status'] & { podIP?: string; podIPs?: { ip: string }[] };
}

export const HEADLESS_SERVICE_LABEL = 'service.kubernetes.io/headless';
export const LAST_CHANGE_TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** Finished pods and pods without an IP are never endpoints; terminating ones only when asked for. */
export function shouldPodBeInEndpoints(pod: EndpointPod, opts: { includeTerminating: boolean }): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP) return false;
  if (!opts.includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** Upstream's ShouldSetHostname: the pod asked to be `<hostname>.<service>` in the service's namespace. */
export function shouldSetHostname(pod: EndpointPod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

/**
 * The container port `svcPort` targets on `pod`: a numeric targetPort as is,
 * a named one from the pod's container ports of the same protocol (sidecar
 * init containers included). Undefined when the pod has no such port.
 */
export function findPort(pod: EndpointPod, svcPort: ServicePort): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  const protocol = svcPort.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** When the pod last changed in a way endpoints show: its Ready condition's transition. */
export function podTriggerTime(pod: EndpointPod): string | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
}

/**
 * Upstream's TriggerTimeTracker: the earliest trigger time among the pods
 * (and the service) that changed since the last sync of a service, i.e. the
 * moment the oldest change not yet reflected in its endpoints happened.
 */
export class TriggerTimeTracker {
  private readonly seen = new Map<string, { service?: string; pods: Map<string, string> }>();

  /** Undefined when nothing changed since the previous call for this service. */
  compute(serviceKey: string, svc: Service, pods: readonly EndpointPod[]): string | undefined {
    const prev = this.seen.get(serviceKey);
    const next = { service: svc.metadata.creationTimestamp ?? undefined, pods: new Map<string, string>() };
    let min: string | undefined;
    const consider = (t: string | undefined) => {
      if (t && (min === undefined || Date.parse(t) < Date.parse(min))) min = t;
    };
    // A service seen for the first time counts from its creation.
    if (!prev) consider(next.service);
    for (const pod of pods) {
      const t = podTriggerTime(pod);
      if (!t) continue;
      const key = pod.metadata.name ?? '';
      next.pods.set(key, t);
      if (prev?.pods.get(key) !== t) consider(t);
    }
    this.seen.set(serviceKey, next);
    return min;
  }

  forget(serviceKey: string): void {
    this.seen.delete(serviceKey);
  }
}

/**
 * Pod handlers that enqueue (by `namespace/name`) every Service whose selector
 * matches the pod, before and after a label change: what the endpoints and
 * endpointslice controllers both react to.
 */
export function servicesOfPodHandler(
  services: { listInNamespace(namespace: string): readonly Service[] },
  enqueue: (serviceKey: string) => void,
): ResourceEventHandler<EndpointPod> {
  const enqueueServicesOf = (pod: EndpointPod) => {
    const labels = pod.metadata.labels ?? {};
    for (const svc of services.listInNamespace(pod.metadata.namespace ?? '')) {
      const sel = svc.spec?.selector;
      if (sel && selectorFromSet(sel).matches(labels)) enqueue(metaNamespaceKey(svc));
    }
  };
  return {
    onAdd: enqueueServicesOf,
    onUpdate: (o, n) => {
      if (o.metadata.resourceVersion === n.metadata.resourceVersion) return;
      enqueueServicesOf(n);
      if (JSON.stringify(o.metadata.labels ?? {}) !== JSON.stringify(n.metadata.labels ?? {})) enqueueServicesOf(o);
    },
    onDelete: (p) => enqueueServicesOf(isDeletedFinalStateUnknown(p) ? p.obj : p),
  };
}
