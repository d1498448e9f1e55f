/**
 * N simulated nodes in one process, KWOK-like: they register Nodes, keep
 * their Leases fresh, and play the kubelet for the pods bound to them by
 * walking each pod through the declarative stages.
 *
 * Heartbeats are what makes thousands of nodes expensive. Each node renews its
 * Lease once per period and posts its status only on the slow report period
 * when nothing changed; the nodes due in the same tick of a timing wheel send
 * theirs together, so the server takes them in bursts (see heartbeat-wheel.ts).
 */
import { setMaxListeners } from 'node:events';
import { SharedInformer } from '../client/informers/shared-informer.js';
import { nodeNameIndexFunc } from '../client/cache/store.js';
import { ResourceClient } from '../client/rest/resource-client.js';
import type { RESTClient } from '../client/rest/rest-client.js';
import { type Clock, rfc3339Micro, type Timer } from '../machinery/clock.js';
import { isAlreadyExists, isNotFound } from '../machinery/errors/index.js';
import type { Logger } from '../machinery/log.js';
import type { GroupVersionResource, KubeObject } from '../machinery/meta/types.js';
import { addressIn, podCIDRFor } from './cidr.js';
import { HeartbeatWheel } from './heartbeat-wheel.js';
import { completedStatus, readinessStatus, runningStatus, type PodStatus, type SimPod } from './pod-status.js';
import { ANNOTATION_NODE_DOWN, defaultStages, matchStage, type Stage, stageDelayMs } from './stages.js';

export const SIMULATED_LABEL = 'k8ts.io/simulated';
export const KUBELET_VERSION = 'v1.32.0-k8ts';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const FIELD_MANAGER = 'k8ts-sim';
const NODE_INDEX = 'nodeName';

const nodesGVR: GroupVersionResource = { group: '', version: 'v1', resource: 'nodes' };
const podsGVR: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
const leasesGVR: GroupVersionResource = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface SimulatedNodesOptions {
  rest: RESTClient;
  clock: Clock;
  logger: Logger;
  count: number;
  prefix?: string;
  capacity?: { cpu?: string; memory?: string; pods?: string };
  labels?: Record<string, string>;
  taints?: Taint[];
  /** Each node gets the /24 of this range at its index. */
  clusterCIDR?: string;
  /** Nodes' InternalIPs are taken from this range by index. */
  nodeCIDR?: string;
  /** The first node's index, so several simulators can share a cluster. */
  startIndex?: number;
  stages?: readonly Stage[];
  leaseDurationSeconds?: number;
  /** How often each node renews its Lease. */
  leaseRenewIntervalMs?: number;
  /** How often an unchanged node status is posted (upstream: 5 minutes). */
  statusReportIntervalMs?: number;
  /** Heartbeats of the nodes due within one tick go out together (default 1 s). */
  heartbeatTickMs?: number;
  /** Nodes registered at once. */
  registerConcurrency?: number;
}

interface SimNode {
  name: string;
  index: number;
  podCIDR: string;
  internalIP: string;
  down: boolean;
  /** Address offsets in the podCIDR taken by pods, by pod key. */
  ips: Map<string, number>;
}

interface PendingStage {
  stage: string;
  timer: Timer;
}

type Pod = KubeObject &
  SimPod & {
    metadata: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number };
    spec?: { nodeName?: string; restartPolicy?: string };
  };

const podKey = (p: { metadata: { namespace?: string; name?: string } }) => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;

export class SimulatedNodes {
  private readonly nodes = new Map<string, SimNode>();
  private readonly pending = new Map<string, PendingStage>();
  /** The resourceVersion a stage was last applied against, so a stale event does not apply it twice. */
  private readonly applied = new Map<string, string>();
  private readonly stages: readonly Stage[];
  private readonly nodeClient: ResourceClient;
  private readonly podClient: ResourceClient<Pod>;
  private readonly leaseClient: ResourceClient;
  private podInformer?: SharedInformer<Pod>;
  private wheels: HeartbeatWheel<SimNode>[] = [];
  private stopped = false;

  constructor(private readonly opts: SimulatedNodesOptions) {
    this.stages = opts.stages ?? defaultStages;
    this.nodeClient = new ResourceClient(opts.rest, nodesGVR);
    this.podClient = new ResourceClient<Pod>(opts.rest, podsGVR);
    this.leaseClient = new ResourceClient(opts.rest, leasesGVR, NODE_LEASE_NAMESPACE);
    const prefix = opts.prefix ?? 'sim-node-';
    const start = opts.startIndex ?? 0;
    for (let i = start; i < start + opts.count; i++) {
      const podCIDR = podCIDRFor(opts.clusterCIDR ?? '10.244.0.0/16', i);
      const internalIP = addressIn(opts.nodeCIDR ?? '172.18.0.0/16', i + 2);
      if (!podCIDR || !internalIP) throw new Error(`node index ${i} does not fit in the cluster or node CIDR`);
      const name = `${prefix}${i}`;
      this.nodes.set(name, { name, index: i, podCIDR, internalIP, down: false, ips: new Map() });
    }
  }

  /** The names of the simulated nodes, in index order. */
  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  /** Whether the simulator has seen `sim.k8ts.io/down=true` on the node (undefined: not one of ours). */
  nodeDown(name: string): boolean | undefined {
    return this.nodes.get(name)?.down;
  }

  /** Registers the nodes, then heartbeats and runs pods until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const log = this.opts.logger;
    // Every registration worker's request and both informers listen on this signal at once:
    // more than Node's default of 10 is expected here, not a leak.
    setMaxListeners(Math.max(10, (this.opts.registerConcurrency ?? 16) + 8), signal);
    const nodeInformer = new SharedInformer<KubeObject>({
      listerWatcher: this.nodeClient,
      clock: this.opts.clock,
      labelSelector: `${SIMULATED_LABEL}=true`,
      onError: (err) => log.warn('node watch failed', { err }),
    });
    nodeInformer.addEventHandler({
      onAdd: (n) => this.observeNode(n),
      onUpdate: (_o, n) => this.observeNode(n),
    });
    const podInformer = new SharedInformer<Pod>({
      listerWatcher: this.podClient,
      clock: this.opts.clock,
      fieldSelector: 'spec.nodeName!=',
      indexers: { [NODE_INDEX]: nodeNameIndexFunc },
      onError: (err) => log.warn('pod watch failed', { err }),
    });
    this.podInformer = podInformer;
    podInformer.addEventHandler({
      onAdd: (p) => this.syncPod(p),
      onUpdate: (_o, p) => this.syncPod(p),
      onDelete: (p) => this.forgetPod('obj' in p && 'key' in p ? (p.obj as Pod) : (p as Pod)),
    });

    await this.registerAll(signal);
    if (signal.aborted) return;
    const runs = [nodeInformer.run(signal), podInformer.run(signal)];
    this.startHeartbeats();
    log.info('simulated nodes running', { count: this.nodes.size });
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.stopped = true;
    for (const w of this.wheels) w.stop();
    for (const p of this.pending.values()) p.timer.cancel();
    this.pending.clear();
    await Promise.all(runs);
  }

  // ---- nodes ----------------------------------------------------------------

  private async registerAll(signal: AbortSignal): Promise<void> {
    const queue = [...this.nodes.values()];
    const workers = Array.from({ length: Math.min(this.opts.registerConcurrency ?? 16, queue.length) }, async () => {
      for (let n = queue.shift(); n && !signal.aborted; n = queue.shift()) {
        try {
          await this.register(n, signal);
        } catch (err) {
          if (signal.aborted) return;
          // A kubelet keeps trying to register: back to the end of the queue after a pause.
          this.opts.logger.warn('registering node failed; will retry', { node: n.name, err });
          await this.opts.clock.sleep(1000, signal).catch(() => undefined);
          queue.push(n);
        }
      }
    });
    await Promise.all(workers);
  }

  private nodeObject(n: SimNode): KubeObject {
    const cap = this.opts.capacity ?? {};
    const resources = { cpu: cap.cpu ?? '32', memory: cap.memory ?? '256Gi', pods: cap.pods ?? '110', 'ephemeral-storage': '100Gi' };
    const spec: Record<string, unknown> = { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] };
    if (this.opts.taints?.length) spec.taints = this.opts.taints;
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: n.name,
        labels: {
          ...this.opts.labels,
          'kubernetes.io/hostname': n.name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'beta.kubernetes.io/arch': 'amd64',
          [SIMULATED_LABEL]: 'true',
        },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
      },
      spec,
      status: {
        capacity: resources,
        allocatable: resources,
        conditions: this.nodeConditions(this.opts.clock.nowRFC3339()),
        addresses: [
          { type: 'InternalIP', address: n.internalIP },
          { type: 'Hostname', address: n.name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: n.name,
          systemUUID: n.name,
          bootID: n.name,
          kernelVersion: 'sim',
          osImage: 'k8ts simulated node',
          containerRuntimeVersion: 'sim://1',
          kubeletVersion: KUBELET_VERSION,
          kubeProxyVersion: KUBELET_VERSION,
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    };
  }

  private nodeConditions(now: string, transition = now): Record<string, string>[] {
    const c = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: now, lastTransitionTime: transition, reason, message });
    return [
      c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    ];
  }

  private async register(n: SimNode, signal: AbortSignal): Promise<void> {
    const desired = this.nodeObject(n);
    let node: KubeObject;
    let created = true;
    try {
      node = await this.nodeClient.create(desired, { fieldManager: FIELD_MANAGER, signal });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      created = false;
      node = await this.nodeClient.get(n.name, { signal });
      n.down = node.metadata.annotations?.[ANNOTATION_NODE_DOWN] === 'true';
    }
    const conditions = (node.status as { conditions?: unknown[] } | undefined)?.conditions;
    // A node that existed before (the simulator restarted) gets a fresh status at once,
    // as does a new one whose status the server did not keep on create.
    if (!n.down && (!created || !conditions?.length)) await this.postStatus(n, desired.status as Record<string, unknown>, signal);
    if (!n.down) await this.renewLease(n, node.metadata.uid ?? '', signal);
  }

  private async postStatus(n: SimNode, status: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
    await this.nodeClient.patch(n.name, 'merge', { status }, { subresource: 'status', fieldManager: FIELD_MANAGER, signal });
  }

  private observeNode(node: KubeObject): void {
    const n = this.nodes.get(node.metadata.name ?? '');
    if (!n) return;
    const down = node.metadata.annotations?.[ANNOTATION_NODE_DOWN] === 'true';
    if (down === n.down) {
      // The node lifecycle controller marked a live node Unknown (a late heartbeat): a kubelet
      // sees its status differ from what it would post, and posts it again.
      const ready = (node.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions?.find((c) => c.type === 'Ready');
      if (!down && !this.stopped && ready && ready.status !== 'True') void this.reportStatus(n, { transition: true });
      return;
    }
    n.down = down;
    this.opts.logger.info(down ? 'simulated node down' : 'simulated node up', { node: n.name });
    if (!down && !this.stopped) {
      // Coming back is a change worth reporting at once, as a restarted kubelet does.
      void this.heartbeat(n, node.metadata.uid ?? '');
      void this.reportStatus(n, { transition: true });
      for (const pod of this.podInformer?.indexer.byIndex(NODE_INDEX, n.name) ?? []) this.syncPod(pod);
    }
  }

  private leaseObject(n: SimNode, nodeUID: string, now: string): KubeObject {
    const meta: KubeObject['metadata'] = { name: n.name, namespace: NODE_LEASE_NAMESPACE };
    if (nodeUID) meta.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: n.name, uid: nodeUID }];
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: meta,
      spec: { holderIdentity: n.name, leaseDurationSeconds: this.opts.leaseDurationSeconds ?? 40, renewTime: now },
    };
  }

  private async renewLease(n: SimNode, nodeUID: string, signal?: AbortSignal): Promise<void> {
    const now = rfc3339Micro(this.opts.clock.now());
    try {
      await this.leaseClient.patch(n.name, 'merge', { spec: { holderIdentity: n.name, renewTime: now } }, { fieldManager: FIELD_MANAGER, signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.leaseClient.create(this.leaseObject(n, nodeUID, now), { fieldManager: FIELD_MANAGER, signal });
    }
  }

  private startHeartbeats(): void {
    const { clock } = this.opts;
    const tickMs = this.opts.heartbeatTickMs ?? 1000;
    // A quarter of the 40 s lease, as kubelets renew.
    const leases = new HeartbeatWheel<SimNode>({
      clock,
      periodMs: this.opts.leaseRenewIntervalMs ?? 10_000,
      tickMs,
      fire: (due) => {
        for (const n of due) if (!n.down && !this.stopped) void this.heartbeat(n, '');
      },
    });
    const statuses = new HeartbeatWheel<SimNode>({
      clock,
      periodMs: this.opts.statusReportIntervalMs ?? 300_000,
      tickMs,
      fire: (due) => {
        for (const n of due) if (!n.down && !this.stopped) void this.reportStatus(n);
      },
    });
    for (const n of this.nodes.values()) {
      leases.add(n);
      statuses.add(n);
    }
    this.wheels = [leases, statuses];
    for (const w of this.wheels) w.start();
  }

  private async heartbeat(n: SimNode, nodeUID: string): Promise<void> {
    try {
      await this.renewLease(n, nodeUID);
    } catch (err) {
      if (!this.stopped) this.opts.logger.warn('renewing node lease failed', { node: n.name, err });
    }
  }

  private async reportStatus(n: SimNode, opts: { transition?: boolean } = {}): Promise<void> {
    const now = this.opts.clock.nowRFC3339();
    try {
      // Transition times stay as the server has them unless the status changes now.
      const conditions = this.nodeConditions(now).map(({ lastTransitionTime, ...rest }) => (opts.transition ? { ...rest, lastTransitionTime } : rest));
      await this.nodeClient.patch(n.name, 'strategic', { status: { conditions } }, { subresource: 'status', fieldManager: FIELD_MANAGER });
    } catch (err) {
      if (!this.stopped) this.opts.logger.warn('reporting node status failed', { node: n.name, err });
    }
  }

  // ---- pods -----------------------------------------------------------------

  private syncPod(pod: Pod): void {
    if (this.stopped) return;
    const n = this.nodes.get(pod.spec?.nodeName ?? '');
    if (!n) return;
    const key = podKey(pod);
    this.trackIP(n, key, pod);
    // A down node's kubelet is gone: its pods stay as they are until it comes back.
    if (n.down) return;
    if (this.applied.get(key) === pod.metadata.resourceVersion) return;
    const stage = matchStage(this.stages, pod);
    const current = this.pending.get(key);
    if (current && current.stage === stage?.name) return;
    current?.timer.cancel();
    this.pending.delete(key);
    if (!stage) return;
    const timer = this.opts.clock.setTimeout(() => void this.fire(key, stage), stageDelayMs(stage, pod));
    this.pending.set(key, { stage: stage.name, timer });
  }

  private forgetPod(pod: Pod): void {
    const key = podKey(pod);
    this.pending.get(key)?.timer.cancel();
    this.pending.delete(key);
    this.applied.delete(key);
    this.nodes.get(pod.spec?.nodeName ?? '')?.ips.delete(key);
  }

  private async fire(key: string, stage: Stage): Promise<void> {
    const [ns, name] = key.split('/') as [string, string];
    const pod = this.podInformer?.lister().get(ns, name);
    const entry = this.pending.get(key);
    if (entry?.stage === stage.name) this.pending.delete(key);
    if (!pod || this.stopped) return;
    if (matchStage(this.stages, pod)?.name !== stage.name) return this.syncPod(pod);
    const n = this.nodes.get(pod.spec?.nodeName ?? '');
    if (!n || n.down) return;
    const rv = pod.metadata.resourceVersion ?? '';
    this.applied.set(key, rv);
    try {
      await this.apply(stage, pod, n);
    } catch (err) {
      if (this.stopped) return;
      if (isNotFound(err)) return;
      this.opts.logger.warn('pod stage failed', { pod: key, stage: stage.name, err });
      // Retry from the cache's view a little later: the next event may have fixed it.
      this.applied.delete(key);
      const timer = this.opts.clock.setTimeout(() => {
        const latest = this.podInformer?.lister().get(ns, name);
        if (this.pending.get(key)?.timer === timer) this.pending.delete(key);
        if (latest) this.syncPod(latest);
      }, 1000);
      this.pending.set(key, { stage: `${stage.name}/retry`, timer });
    }
  }

  private async apply(stage: Stage, pod: Pod, n: SimNode): Promise<void> {
    const key = podKey(pod);
    const now = this.opts.clock.nowRFC3339();
    let status: PodStatus;
    switch (stage.action) {
      case 'delete':
        await this.podClient.inNamespace(pod.metadata.namespace ?? '').delete(pod.metadata.name ?? '', {
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata.uid },
        });
        return;
      case 'running': {
        const podIP = this.allocateIP(n, key);
        if (!podIP) throw new Error(`no free pod address in ${n.podCIDR}`);
        status = runningStatus(pod, { podIP, hostIP: n.internalIP, now });
        break;
      }
      case 'completed':
        status = completedStatus(pod, { now });
        break;
      case 'readiness':
        status = readinessStatus(pod, { now });
        break;
    }
    await this.podClient.inNamespace(pod.metadata.namespace ?? '').patch(pod.metadata.name ?? '', 'merge', { status }, { subresource: 'status', fieldManager: FIELD_MANAGER });
  }

  /** Remembers addresses pods already have (e.g. after a restart of the simulator). */
  private trackIP(n: SimNode, key: string, pod: Pod): void {
    const ip = pod.status?.podIP;
    if (!ip || n.ips.has(key)) return;
    const base = addressIn(n.podCIDR, 0);
    if (!base) return;
    const offset = Number(ip.split('.')[3]);
    if (ip.split('.').slice(0, 3).join('.') === base.split('.').slice(0, 3).join('.')) n.ips.set(key, offset);
  }

  private allocateIP(n: SimNode, key: string): string | undefined {
    let offset = n.ips.get(key);
    if (offset === undefined) {
      const used = new Set(n.ips.values());
      // .0 is the network, .1 the node's bridge, .255 the broadcast address.
      for (let o = 2; o < 255; o++) {
        if (!used.has(o)) {
          offset = o;
          break;
        }
      }
      if (offset === undefined) return undefined;
      n.ips.set(key, offset);
    }
    return addressIn(n.podCIDR, offset);
  }
}
