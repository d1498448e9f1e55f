/**
 * Registers this agent's Node and keeps it alive, as kubelet does with
 * lease-based heartbeats: the Lease in kube-node-lease is renewed every
 * 10 s; the status is recomputed every 10 s and posted when it changed, or
 * every 5 minutes otherwise, or at once when someone else (the node lifecycle
 * controller) changed our Ready condition. The podCIDR is assigned by the
 * server's node IPAM controller; `waitForPodCIDR` resolves once it is set.
 */
import { SharedInformer } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { type Clock, rfc3339Micro, type Timer } from '../../machinery/clock.js';
import { isAlreadyExists, isNotFound } from '../../machinery/errors/index.js';
import type { Logger } from '../../machinery/log.js';
import type { GroupVersionResource, KubeObject } from '../../machinery/meta/types.js';
import type { ImageService, RuntimeService } from '../runtime/interface.js';
import { type NodeCondition, type NodeSignals, type RuntimeHealth, type Thresholds, conditionsChanged, nodeConditions, readNodeSignals } from './conditions.js';
import { type HostInfo, filesystemStats, firstIPv4, nodeCapacity, readHostInfo } from './host-info.js';
import type { Taint } from './node-flags.js';

export const KUBELET_VERSION = 'v1.32.0-k8ts';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const INSTANCE_TYPE = 'k8ts';

const NODES: GroupVersionResource = { group: '', version: 'v1', resource: 'nodes' };
const LEASES: GroupVersionResource = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
const FIELD_MANAGER = 'kubelet';

export interface Node extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[]; taints?: Taint[]; [k: string]: unknown };
  status?: { conditions?: NodeCondition[]; [k: string]: unknown };
}

export interface NodeStatusManagerOptions {
  rest: RESTClient;
  nodeName: string;
  runtime: RuntimeService;
  /** For status.images (what the scheduler's ImageLocality scores); none reported without it. */
  images?: ImageService;
  clock: Clock;
  logger: Logger;
  /** The agent's data dir: its filesystem is the node's ephemeral storage. */
  dataDir: string;
  /** InternalIP; the host's first non-loopback IPv4 unless given. */
  nodeIP?: string;
  labels?: Record<string, string>;
  /** Applied when the Node is created (kubelet's registerWithTaints), not forced later. */
  taints?: Taint[];
  /** The agent's HTTPS port, published as daemonEndpoints.kubeletEndpoint.Port. */
  kubeletPort: number;
  host?: HostInfo;
  /** Pressure signals; the host's /proc and statfs unless given. */
  signals?: () => NodeSignals;
  thresholds?: Thresholds;
  leaseDurationSeconds?: number;
  leaseRenewIntervalMs?: number;
  statusUpdateIntervalMs?: number;
  statusReportIntervalMs?: number;
}

export class NodeStatusManager {
  private readonly nodes: ResourceClient<Node>;
  private readonly leases: ResourceClient;
  private readonly host: HostInfo;
  private readonly informer: SharedInformer<Node>;
  private posted?: { conditions: NodeCondition[]; at: number };
  private nodeUID = '';
  private readonly cidrWaiters = new Set<(cidr: string) => void>();
  private kubeletPort: number;

  constructor(private readonly opts: NodeStatusManagerOptions) {
    this.nodes = new ResourceClient<Node>(opts.rest, NODES);
    this.leases = new ResourceClient(opts.rest, LEASES, NODE_LEASE_NAMESPACE);
    this.host = opts.host ?? readHostInfo();
    this.kubeletPort = opts.kubeletPort;
    this.informer = new SharedInformer<Node>({
      listerWatcher: this.nodes,
      clock: opts.clock,
      fieldSelector: `metadata.name=${opts.nodeName}`,
      onError: (err) => opts.logger.debug('node watch failed', { err }),
    });
    this.informer.addEventHandler({ onAdd: (n) => this.observe(n), onUpdate: (_o, n) => this.observe(n) });
  }

  get nodeIP(): string {
    return this.opts.nodeIP ?? firstIPv4();
  }

  /** The port the agent's endpoint really listens on (when it was asked for any free one); posted at the next sync. */
  setKubeletPort(port: number): void {
    this.kubeletPort = port;
  }

  /** The node's podCIDR as last seen, if assigned. */
  get podCIDR(): string | undefined {
    return podCIDROf(this.informer.lister().get('', this.opts.nodeName));
  }

  /** Resolves with the podCIDR once the node has one (or rejects when `signal` aborts). */
  waitForPodCIDR(signal: AbortSignal): Promise<string> {
    const now = this.podCIDR;
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const done = (cidr: string) => {
        signal.removeEventListener('abort', onAbort);
        this.cidrWaiters.delete(done);
        resolve(cidr);
      };
      const onAbort = () => {
        this.cidrWaiters.delete(done);
        reject(signal.reason ?? new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.cidrWaiters.add(done);
    });
  }

  /** Registers (retrying until it works), then heartbeats until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const watching = this.informer.run(signal);
    let delay = 500;
    while (!signal.aborted) {
      try {
        await this.register(signal);
        break;
      } catch (err) {
        if (signal.aborted) break;
        this.opts.logger.warn('unable to register node with API server', { node: this.opts.nodeName, err });
        await this.opts.clock.sleep(delay, signal).catch(() => undefined);
        delay = Math.min(delay * 2, 7_000);
      }
    }
    const timers: Timer[] = [];
    const every = (ms: number, fn: () => Promise<void>) => {
      const tick = () => {
        if (signal.aborted) return;
        void fn().finally(() => {
          if (!signal.aborted) timers[i] = this.opts.clock.setTimeout(tick, ms);
        });
      };
      const i = timers.length;
      timers.push(this.opts.clock.setTimeout(tick, ms));
    };
    if (!signal.aborted) {
      every(this.opts.leaseRenewIntervalMs ?? 10_000, () => this.renewLease(signal));
      every(this.opts.statusUpdateIntervalMs ?? 10_000, async () => void (await this.syncStatus({ signal })));
    }
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    for (const t of timers) t.cancel();
    await watching;
  }

  /** The Node object this agent registers. */
  desiredNode(): Node {
    const h = this.host;
    const labels: Record<string, string> = {
      ...this.opts.labels,
      'beta.kubernetes.io/arch': h.architecture,
      'beta.kubernetes.io/os': h.operatingSystem,
      'kubernetes.io/arch': h.architecture,
      'kubernetes.io/hostname': this.opts.nodeName,
      'kubernetes.io/os': h.operatingSystem,
      'node.kubernetes.io/instance-type': INSTANCE_TYPE,
    };
    const spec: Node['spec'] = {};
    if (this.opts.taints?.length) spec.taints = this.opts.taints;
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: this.opts.nodeName,
        labels,
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec,
    };
  }

  /** Creates the Node, or adopts the existing one (labels refreshed), then posts a full status and the Lease. */
  async register(signal?: AbortSignal): Promise<Node> {
    const desired = this.desiredNode();
    let node: Node;
    try {
      node = await this.nodes.create(desired, { fieldManager: FIELD_MANAGER, signal });
      this.opts.logger.info('successfully registered node', { node: this.opts.nodeName });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      node = await this.nodes.patch(this.opts.nodeName, 'merge', { metadata: { labels: desired.metadata.labels, annotations: desired.metadata.annotations } }, { fieldManager: FIELD_MANAGER, signal });
      this.opts.logger.info('node already registered; adopted it', { node: this.opts.nodeName });
    }
    this.nodeUID = node.metadata.uid ?? '';
    this.observe(node);
    await this.syncStatus({ force: true, signal });
    await this.renewLease(signal);
    return node;
  }

  private observe(node: Node): void {
    if (node.metadata.name !== this.opts.nodeName) return;
    if (node.metadata.uid) this.nodeUID = node.metadata.uid;
    const cidr = podCIDROf(node);
    if (cidr) for (const w of [...this.cidrWaiters]) w(cidr);
    // Someone else (the lifecycle controller after a missed heartbeat) rewrote Ready: say again what we see.
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    const ours = this.posted?.conditions.find((c) => c.type === 'Ready');
    if (ready && ours && ready.status !== ours.status) void this.syncStatus({ force: true });
  }

  private async runtimeHealth(): Promise<RuntimeHealth> {
    try {
      return { ok: true, status: await this.opts.runtime.status() };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  }

  private async runtimeVersion(): Promise<string> {
    try {
      const v = await this.opts.runtime.version();
      return `${v.runtimeName}://${v.runtimeVersion}`;
    } catch {
      return 'unknown://unknown';
    }
  }

  private async imageList(): Promise<{ names: string[]; sizeBytes: number }[] | undefined> {
    if (!this.opts.images) return undefined;
    try {
      const images = await this.opts.images.listImages();
      // Upstream reports at most 50, largest first.
      return images
        .sort((a, b) => b.size - a.size)
        .slice(0, 50)
        .map((i) => ({ names: [...i.repoDigests, ...i.repoTags], sizeBytes: i.size }));
    } catch {
      return undefined;
    }
  }

  /** Computes the status; posts it when forced, changed, or due. Never throws. */
  async syncStatus(o: { force?: boolean; signal?: AbortSignal } = {}): Promise<boolean> {
    const now = this.opts.clock.now();
    try {
      const conditions = nodeConditions(await this.runtimeHealth(), (this.opts.signals ?? (() => readNodeSignals(this.opts.dataDir)))(), this.opts.thresholds);
      const changed = conditionsChanged(this.posted?.conditions, conditions);
      const due = !this.posted || now - this.posted.at >= (this.opts.statusReportIntervalMs ?? 300_000);
      if (!o.force && !changed && !due) return false;
      const stamp = new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
      const previous = this.posted?.conditions;
      const withTimes = conditions.map((c) => {
        const before = previous?.find((p) => p.type === c.type);
        const transition = before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : stamp;
        return { ...c, lastHeartbeatTime: stamp, lastTransitionTime: transition };
      });
      await this.nodes.patch(this.opts.nodeName, 'merge', { status: await this.status(withTimes) }, { subresource: 'status', fieldManager: FIELD_MANAGER, signal: o.signal });
      this.posted = { conditions: withTimes, at: now };
      return true;
    } catch (err) {
      if (!o.signal?.aborted) this.opts.logger.warn('error updating node status', { node: this.opts.nodeName, err });
      return false;
    }
  }

  private async status(conditions: NodeCondition[]): Promise<Record<string, unknown>> {
    const h = this.host;
    let fsTotal = 0;
    try {
      fsTotal = filesystemStats(this.opts.dataDir).totalBytes;
    } catch {
      // Reported as zero until the data dir exists.
    }
    const { capacity, allocatable } = nodeCapacity({ cpus: h.cpus, memTotalBytes: h.memTotalBytes, fsTotalBytes: fsTotal });
    const status: Record<string, unknown> = {
      capacity,
      allocatable,
      conditions,
      addresses: [
        { type: 'InternalIP', address: this.nodeIP },
        { type: 'Hostname', address: this.opts.nodeName },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: this.kubeletPort } },
      nodeInfo: {
        machineID: h.machineID,
        systemUUID: h.systemUUID,
        bootID: h.bootID,
        kernelVersion: h.kernelVersion,
        osImage: h.osImage,
        containerRuntimeVersion: await this.runtimeVersion(),
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: h.operatingSystem,
        architecture: h.architecture,
      },
    };
    const images = await this.imageList();
    if (images) status.images = images;
    return status;
  }

  /** Renews (or creates) the node's Lease; failures are logged and retried on the next tick. */
  async renewLease(signal?: AbortSignal): Promise<void> {
    const now = rfc3339Micro(this.opts.clock.now());
    const name = this.opts.nodeName;
    try {
      try {
        await this.leases.patch(name, 'merge', { spec: { holderIdentity: name, leaseDurationSeconds: this.opts.leaseDurationSeconds ?? 40, renewTime: now } }, { fieldManager: FIELD_MANAGER, signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const metadata: KubeObject['metadata'] = { name, namespace: NODE_LEASE_NAMESPACE };
        if (this.nodeUID) metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name, uid: this.nodeUID }];
        await this.leases.create(
          { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec: { holderIdentity: name, leaseDurationSeconds: this.opts.leaseDurationSeconds ?? 40, renewTime: now } },
          { fieldManager: FIELD_MANAGER, signal },
        );
      }
    } catch (err) {
      if (!signal?.aborted) this.opts.logger.warn('failed to update lease', { node: name, err });
    }
  }
}

function podCIDROf(node: Node | undefined): string | undefined {
  return node?.spec?.podCIDRs?.[0] ?? node?.spec?.podCIDR ?? undefined;
}
