/**
 * Fluent builders for Node and Pod objects in tests. Each returns a plain
 * object ready to use; builders never share state between calls.
 */
import type {
  AffinityT, ContainerT, NodeSelectorRequirementT, NodeT, PodAffinityTermT, PodT, TaintT, TolerationT, TopologySpreadConstraintT,
} from '../api/core/v1/types.js';

type Resources = Record<string, string | number>;

export class NodeBuilder {
  private readonly n: NodeT;

  constructor(name: string) {
    this.n = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name } },
      spec: {},
      status: { capacity: { pods: '110' }, allocatable: { pods: '110' } },
    };
  }

  /** Sets allocatable (and capacity) entries, e.g. { cpu: '4', memory: '8Gi' }. */
  capacity(r: Resources): this {
    this.n.status!.allocatable = { ...this.n.status!.allocatable, ...r };
    this.n.status!.capacity = { ...this.n.status!.capacity, ...r };
    return this;
  }

  labels(l: Record<string, string>): this {
    this.n.metadata!.labels = { ...this.n.metadata!.labels, ...l };
    return this;
  }

  zone(z: string): this {
    return this.labels({ 'topology.kubernetes.io/zone': z });
  }

  taint(key: string, value: string | undefined, effect: TaintT['effect']): this {
    const t: TaintT = { key, effect };
    if (value !== undefined) t.value = value;
    this.n.spec!.taints = [...(this.n.spec!.taints ?? []), t];
    return this;
  }

  unschedulable(): this {
    this.n.spec!.unschedulable = true;
    return this;
  }

  image(names: string[], sizeBytes: number): this {
    this.n.status!.images = [...(this.n.status!.images ?? []), { names, sizeBytes }];
    return this;
  }

  build(): NodeT {
    return structuredClone(this.n);
  }
}

export class PodBuilder {
  private readonly p: PodT;

  constructor(name: string, namespace = 'default') {
    this.p = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, uid: `uid-${namespace}-${name}`, labels: {} },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
      status: { phase: 'Pending' },
    };
  }

  private get spec(): NonNullable<PodT['spec']> {
    return this.p.spec!;
  }

  /** Requests for the first container, e.g. { cpu: '500m' }. */
  req(r: Resources): this {
    const c = this.spec.containers[0]!;
    c.resources = { ...c.resources, requests: { ...c.resources?.requests, ...r } };
    return this;
  }

  container(c: Partial<ContainerT> & { requests?: Resources }): this {
    const { requests, ...rest } = c;
    this.spec.containers.push({ name: `c${this.spec.containers.length}`, image: 'busybox', ...rest, ...(requests ? { resources: { requests } } : {}) });
    return this;
  }

  initContainer(requests: Resources, opts: { sidecar?: boolean } = {}): this {
    const c: ContainerT = { name: `init${this.spec.initContainers?.length ?? 0}`, image: 'busybox', resources: { requests } };
    if (opts.sidecar) c.restartPolicy = 'Always';
    this.spec.initContainers = [...(this.spec.initContainers ?? []), c];
    return this;
  }

  overhead(r: Resources): this {
    this.spec.overhead = r;
    return this;
  }

  image(image: string): this {
    this.spec.containers[0]!.image = image;
    return this;
  }

  labels(l: Record<string, string>): this {
    this.p.metadata!.labels = { ...this.p.metadata!.labels, ...l };
    return this;
  }

  node(nodeName: string): this {
    this.spec.nodeName = nodeName;
    this.p.status!.phase = 'Running';
    return this;
  }

  priority(p: number): this {
    this.spec.priority = p;
    return this;
  }

  preemptionPolicy(p: 'Never' | 'PreemptLowerPriority'): this {
    this.spec.preemptionPolicy = p;
    return this;
  }

  startTime(iso: string): this {
    this.p.status!.startTime = iso;
    return this;
  }

  nodeSelector(s: Record<string, string>): this {
    this.spec.nodeSelector = s;
    return this;
  }

  toleration(t: TolerationT): this {
    this.spec.tolerations = [...(this.spec.tolerations ?? []), t];
    return this;
  }

  hostPort(port: number, opts: { ip?: string; protocol?: 'TCP' | 'UDP' | 'SCTP' } = {}): this {
    const c = this.spec.containers[0]!;
    c.ports = [...(c.ports ?? []), { containerPort: port, hostPort: port, ...(opts.ip ? { hostIP: opts.ip } : {}), ...(opts.protocol ? { protocol: opts.protocol } : {}) }];
    return this;
  }

  affinity(a: AffinityT): this {
    this.spec.affinity = { ...this.spec.affinity, ...a };
    return this;
  }

  requiredNodeAffinity(...terms: NodeSelectorRequirementT[][]): this {
    return this.affinity({ nodeAffinity: { ...this.spec.affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms.map((matchExpressions) => ({ matchExpressions })) } } });
  }

  preferredNodeAffinity(weight: number, matchExpressions: NodeSelectorRequirementT[]): this {
    const na = this.spec.affinity?.nodeAffinity ?? {};
    return this.affinity({ nodeAffinity: { ...na, preferredDuringSchedulingIgnoredDuringExecution: [...(na.preferredDuringSchedulingIgnoredDuringExecution ?? []), { weight, preference: { matchExpressions } }] } });
  }

  podAffinity(kind: 'affinity' | 'antiAffinity', term: PodAffinityTermT, weight?: number): this {
    const key = kind === 'affinity' ? 'podAffinity' : 'podAntiAffinity';
    const cur = this.spec.affinity?.[key] ?? {};
    const next = weight === undefined
      ? { ...cur, requiredDuringSchedulingIgnoredDuringExecution: [...(cur.requiredDuringSchedulingIgnoredDuringExecution ?? []), term] }
      : { ...cur, preferredDuringSchedulingIgnoredDuringExecution: [...(cur.preferredDuringSchedulingIgnoredDuringExecution ?? []), { weight, podAffinityTerm: term }] };
    return this.affinity({ [key]: next });
  }

  spread(c: TopologySpreadConstraintT): this {
    this.spec.topologySpreadConstraints = [...(this.spec.topologySpreadConstraints ?? []), c];
    return this;
  }

  schedulingGates(...names: string[]): this {
    this.spec.schedulingGates = names.map((name) => ({ name }));
    return this;
  }

  pvc(claimName: string): this {
    this.spec.volumes = [...(this.spec.volumes ?? []), { name: claimName, persistentVolumeClaim: { claimName } }];
    return this;
  }

  terminating(): this {
    this.p.metadata!.deletionTimestamp = '2025-01-01T00:00:00Z';
    return this;
  }

  build(): PodT {
    return structuredClone(this.p);
  }
}

export function node(name: string): NodeBuilder {
  return new NodeBuilder(name);
}

export function pod(name: string, namespace = 'default'): PodBuilder {
  return new PodBuilder(name, namespace);
}
