/**
 * What the scheduler knows about one node: the node, the pods on it, the
 * sum of their requests and the host ports they hold. Rebuilt cheaply by
 * cloning for preemption dry runs.
 */
import type { NodeT, PodT, PodAffinityTermT, WeightedPodAffinityTermT } from '../../api/core/v1/types.js';
import { CPU, MEMORY, PODS, podRequests, resourceListAmounts, type ResourceMap } from './resource.js';

export interface ImageState {
  /** Image size in bytes. */
  size: number;
  /** How many nodes in the snapshot have the image. */
  numNodes: number;
}

/** A pod plus the derived facts plugins read again and again. */
export interface PodInfo {
  pod: PodT;
  requests: ResourceMap;
  nonZeroRequests: ResourceMap;
  requiredAffinityTerms: readonly PodAffinityTermT[];
  requiredAntiAffinityTerms: readonly PodAffinityTermT[];
  preferredAffinityTerms: readonly WeightedPodAffinityTermT[];
  preferredAntiAffinityTerms: readonly WeightedPodAffinityTermT[];
}

export function newPodInfo(pod: PodT): PodInfo {
  const a = pod.spec?.affinity;
  return {
    pod,
    requests: podRequests(pod),
    nonZeroRequests: podRequests(pod, { nonZero: true }),
    requiredAffinityTerms: a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
    requiredAntiAffinityTerms: a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
    preferredAffinityTerms: a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [],
    preferredAntiAffinityTerms: a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [],
  };
}

export function podKey(pod: PodT): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** Host ports a pod asks for: regular containers and sidecars, with upstream's defaults. */
export function podHostPorts(pod: PodT): HostPort[] {
  const out: HostPort[] = [];
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

export class NodeInfo {
  readonly pods: PodInfo[] = [];
  readonly podsWithAffinity: PodInfo[] = [];
  readonly podsWithRequiredAntiAffinity: PodInfo[] = [];
  /** Sum of the pods' effective requests. */
  readonly requested: ResourceMap = new Map();
  /** The same with the scoring defaults for unset CPU and memory. */
  readonly nonZeroRequested: ResourceMap = new Map();
  readonly usedPorts: HostPort[] = [];
  readonly allocatable: ResourceMap;
  /** Images present on the node, by normalized name. */
  readonly imageStates = new Map<string, ImageState>();

  // The resources every filter and score reads, out of the map: these lookups run per node per cycle.
  private readonly allocatableCPU: number;
  private readonly allocatableMemory: number;
  private readonly allocatablePods: number;

  constructor(readonly node: NodeT) {
    this.allocatable = resourceListAmounts(node.status?.allocatable);
    this.allocatableCPU = this.allocatable.get(CPU) ?? 0;
    this.allocatableMemory = this.allocatable.get(MEMORY) ?? 0;
    this.allocatablePods = this.allocatable.get(PODS) ?? 0;
  }

  get name(): string {
    return this.node.metadata?.name ?? '';
  }

  get labels(): Readonly<Record<string, string>> {
    return this.node.metadata?.labels ?? {};
  }

  allocatableOf(resource: string): number {
    if (resource === CPU) return this.allocatableCPU;
    if (resource === MEMORY) return this.allocatableMemory;
    return this.allocatable.get(resource) ?? 0;
  }

  /** Allowed pod count; upstream treats a missing "pods" allocatable as 0. */
  allowedPodNumber(): number {
    return this.allocatablePods;
  }

  addPod(pod: PodT | PodInfo): void {
    const pi = 'pod' in pod && 'requests' in pod ? pod : newPodInfo(pod as PodT);
    this.pods.push(pi);
    if (pi.requiredAffinityTerms.length || pi.requiredAntiAffinityTerms.length || pi.preferredAffinityTerms.length || pi.preferredAntiAffinityTerms.length) {
      this.podsWithAffinity.push(pi);
    }
    if (pi.requiredAntiAffinityTerms.length) this.podsWithRequiredAntiAffinity.push(pi);
    this.adjust(pi, 1);
  }

  /** Removes the pod with the same namespace/name; false when it was not here. */
  removePod(pod: PodT): boolean {
    const key = podKey(pod);
    const i = this.pods.findIndex((p) => podKey(p.pod) === key);
    if (i < 0) return false;
    const [pi] = this.pods.splice(i, 1);
    for (const list of [this.podsWithAffinity, this.podsWithRequiredAntiAffinity]) {
      const j = list.indexOf(pi!);
      if (j >= 0) list.splice(j, 1);
    }
    this.adjust(pi!, -1);
    return true;
  }

  private adjust(pi: PodInfo, sign: 1 | -1): void {
    for (const [k, v] of pi.requests) this.requested.set(k, (this.requested.get(k) ?? 0) + sign * v);
    for (const k of [CPU, MEMORY]) this.nonZeroRequested.set(k, (this.nonZeroRequested.get(k) ?? 0) + sign * (pi.nonZeroRequests.get(k) ?? 0));
    for (const hp of podHostPorts(pi.pod)) {
      if (sign > 0) this.usedPorts.push(hp);
      else {
        const j = this.usedPorts.findIndex((u) => u.ip === hp.ip && u.protocol === hp.protocol && u.port === hp.port);
        if (j >= 0) this.usedPorts.splice(j, 1);
      }
    }
  }

  clone(): NodeInfo {
    const c = new NodeInfo(this.node);
    for (const p of this.pods) c.addPod(p);
    for (const [k, v] of this.imageStates) c.imageStates.set(k, v);
    return c;
  }
}

/** Upstream's image name normalization: a name with neither tag nor digest gets ":latest". */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}
