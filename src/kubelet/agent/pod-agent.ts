/**
 * The node agent's pod engine: watches the pods bound to this node, runs one
 * PodWorker per pod, wakes workers when the runtime's containers change
 * (a periodic relist, like kubelet's PLEG), and in housekeeping removes what
 * runs here for pods that are gone (orphans, e.g. deleted while the agent was
 * down). Stopping the agent leaves containers running: the next agent adopts
 * them.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { PodT, ServiceT } from '../../api/core/v1/types.js';
import { EventRecorder, type CoreEvent } from '../../client/events/event-recorder.js';
import { SharedInformer } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import type { RESTClient } from '../../client/rest/rest-client.js';
import type { Clock, Timer } from '../../machinery/clock.js';
import type { Logger } from '../../machinery/log.js';
import type { GroupVersionResource, KubeObject } from '../../machinery/meta/types.js';
import type { ResourceList } from '../env/index.js';
import { VolumeManager } from '../volumes/index.js';
import { type ContainerRuntime, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from '../runtime/interface.js';
import { Backoff } from './backoff.js';
import { type DNSSettings, parseResolvConf } from './dns.js';
import { APIEnvResolver, ProbeWorkersFactory, VolumeManagerHost } from './adapters/index.js';
import type { EnvResolver, ProberFactory, VolumeHost } from './interfaces.js';
import { type Pod, PodWorker, type WorkerContext } from './pod-worker.js';

const podsGVR: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
const eventsGVR: GroupVersionResource = { group: '', version: 'v1', resource: 'events' };
const servicesGVR: GroupVersionResource = { group: '', version: 'v1', resource: 'services' };

export interface PodAgentOptions {
  rest: RESTClient;
  nodeName: string;
  runtime: ContainerRuntime;
  clock: Clock;
  logger: Logger;
  /** The agent's data directory: pod logs and per-pod files live under `<rootDir>/pods`. */
  rootDir: string;
  /** Pod volumes; by default a VolumeManager under rootDir reading sources through `rest`. */
  volumes?: VolumeHost;
  /** Container probes; by default ProbeWorkers probing through the runtime and the pod network. */
  prober?: ProberFactory;
  /** Container environments; by default resolved through `rest`, with service links from a service informer. */
  envResolver?: EnvResolver;
  clusterDNS?: string[];
  clusterDomain?: string;
  /** The node's address (status.hostIP); by default the Node's InternalIP, else the host's first IPv4. */
  nodeIP?: string;
  /** The node's resolver configuration for dnsPolicy Default (default /etc/resolv.conf). */
  resolvConfPath?: string;
  /** How often the runtime is relisted to notice exits (default 1 s). */
  relistPeriodMs?: number;
  /** How often orphans are looked for (default 10 s). */
  housekeepingPeriodMs?: number;
  /** How often every pod is synced even without a change (default 60 s). */
  resyncPeriodMs?: number;
  /** How often config map, secret, downward API and projected volumes of running pods are refreshed (default 60 s). */
  volumeResyncPeriodMs?: number;
  /** Container restart back-off (default 10 s doubling to 5 min). */
  backoff?: { initialMs?: number; maxMs?: number };
}

function firstIPv4(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export class PodAgent {
  private readonly workers = new Map<string, PodWorker>();
  private readonly pods: ResourceClient<Pod>;
  private informer?: SharedInformer<Pod>;
  private hostIP = '';
  private scheme: string;
  private dnsSettings: DNSSettings;
  private lastSeen = new Map<string, { state: string; uid: string }>();
  private timers: Timer[] = [];
  private stopped = false;
  private readonly crashBackoff: Backoff;
  private readonly pullBackoff: Backoff;
  private readonly volumes: VolumeHost;
  private allocatable?: ResourceList;
  private services?: SharedInformer<ServiceT & KubeObject>;

  constructor(private readonly opts: PodAgentOptions) {
    this.pods = new ResourceClient<Pod>(opts.rest, podsGVR);
    this.scheme = opts.runtime.name;
    this.crashBackoff = new Backoff(opts.backoff);
    this.pullBackoff = new Backoff(opts.backoff);
    this.volumes = opts.volumes ?? new VolumeManagerHost({
      manager: new VolumeManager({ rootDir: opts.rootDir, client: opts.rest, clock: opts.clock }),
      nodeAllocatable: () => this.allocatable,
    });
    this.dnsSettings = { clusterDNS: opts.clusterDNS ?? [], clusterDomain: opts.clusterDomain ?? 'cluster.local', host: { servers: [], searches: [], options: [] } };
  }

  /** Runs until `signal` aborts; containers keep running afterwards. */
  async run(signal: AbortSignal): Promise<void> {
    const { opts } = this;
    const log = opts.logger;
    try {
      this.dnsSettings.host = parseResolvConf(readFileSync(opts.resolvConfPath ?? '/etc/resolv.conf', 'utf8'));
    } catch {
      // No resolver on the node: dnsPolicy Default pods get an empty one, as upstream.
    }
    if (opts.runtime.name === 'cri') {
      const v = await opts.runtime.runtime.version();
      this.scheme = v.runtimeName;
    }
    const node = await this.nodeInfo(signal);
    this.allocatable = node?.allocatable;
    this.hostIP = opts.nodeIP ?? node?.internalIP ?? firstIPv4();

    const recorder = new EventRecorder({
      events: new ResourceClient<CoreEvent>(opts.rest, eventsGVR),
      component: 'kubelet',
      host: opts.nodeName,
      clock: opts.clock,
      onError: (err) => log.debug('recording event failed', { err }),
    });
    const informer = new SharedInformer<Pod>({
      listerWatcher: this.pods,
      clock: opts.clock,
      fieldSelector: `spec.nodeName=${opts.nodeName}`,
      onError: (err) => log.warn('pod watch failed', { err }),
    });
    this.informer = informer;
    const ctx: WorkerContext = {
      runtime: opts.runtime,
      clock: opts.clock,
      logger: log,
      rootDir: opts.rootDir,
      pods: this.pods,
      recorder,
      volumes: this.volumes,
      prober: opts.prober ?? new ProbeWorkersFactory({ runtime: opts.runtime.runtime, clock: opts.clock }),
      env: opts.envResolver ?? this.defaultEnvResolver(),
      dns: () => this.dnsSettings,
      hostIP: () => this.hostIP,
      runtimeScheme: () => this.scheme,
      crashBackoff: this.crashBackoff,
      pullBackoff: this.pullBackoff,
      resyncPeriodMs: opts.resyncPeriodMs ?? 60_000,
      volumeResyncPeriodMs: opts.volumeResyncPeriodMs ?? 60_000,
      getPod: (ns, name, uid) => {
        const p = informer.indexer.getByKey(`${ns}/${name}`);
        return p && p.metadata.uid === uid ? p : undefined;
      },
      finished: (uid) => this.workers.delete(uid),
    };
    const wake = (p: Pod) => {
      if (this.stopped) return;
      this.workerFor(ctx, p.metadata.uid ?? '', p.metadata.namespace ?? '', p.metadata.name ?? '').trigger();
    };
    informer.addEventHandler({
      onAdd: wake,
      // As kubelet: the status this agent writes back is no reason to sync again (it would cut back-offs short).
      onUpdate: (o, p) => {
        if (!statusOnlyChange(o, p)) wake(p);
      },
      onDelete: (p) => wake(('obj' in p && 'key' in p ? p.obj : p) as Pod),
    });
    // Containers need the service link variables: services are read before any pod is synced.
    const servicesRun = this.services?.run(signal);
    if (this.services && !(await this.services.waitForSync(signal))) {
      await servicesRun;
      return;
    }
    const informerRun = informer.run(signal);
    if (!(await informer.waitForSync(signal))) {
      await Promise.all([informerRun, servicesRun]);
      return;
    }
    log.info('pod agent running', { node: opts.nodeName, runtime: opts.runtime.name });
    await this.housekeeping(ctx);
    this.every(opts.relistPeriodMs ?? 1000, () => this.relist());
    this.every(opts.housekeepingPeriodMs ?? 10_000, () => this.housekeeping(ctx));

    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    const workers = [...this.workers.values()];
    for (const w of workers) w.stop();
    await Promise.all(workers.map((w) => w.idle()));
    await Promise.all([informerRun, servicesRun]);
  }

  /** Resolves through the API, with a service informer (run alongside the pod informer) for the service links. */
  private defaultEnvResolver(): EnvResolver {
    const log = this.opts.logger;
    const services = new SharedInformer<ServiceT & KubeObject>({
      listerWatcher: new ResourceClient<ServiceT & KubeObject>(this.opts.rest, servicesGVR),
      clock: this.opts.clock,
      onError: (err) => log.warn('service watch failed', { err }),
    });
    this.services = services;
    return new APIEnvResolver({
      rest: this.opts.rest,
      nodeName: this.opts.nodeName,
      services: () => (services.hasSynced() ? services.indexer.list() : undefined),
      nodeAllocatable: () => this.allocatable,
    });
  }

  /** Why a container of a pod is waiting (ContainerCreating, ErrImagePull, CrashLoopBackOff...), as last reported. */
  waitingReason(namespace: string, name: string, container: string): string | undefined {
    const pod = this.informer?.indexer.getByKey(`${namespace}/${name}`);
    const w = pod?.metadata.uid ? this.workers.get(pod.metadata.uid) : undefined;
    if (w) {
      const why = w.waitingReason(container);
      if (why) return why;
    }
    const statuses = [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])];
    return statuses.find((s) => s.name === container)?.state?.waiting?.reason;
  }

  /** Pods with a running worker (tests and diagnostics). */
  workerCount(): number {
    return this.workers.size;
  }

  private workerFor(ctx: WorkerContext, uid: string, namespace: string, name: string): PodWorker {
    let w = this.workers.get(uid);
    if (!w) {
      w = new PodWorker(ctx, uid, namespace, name);
      this.workers.set(uid, w);
    }
    return w;
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const tick = () => {
      if (this.stopped) return;
      void fn()
        .catch((err) => this.opts.logger.warn('periodic agent task failed', { err }))
        .finally(() => {
          if (!this.stopped) this.timers.push(this.opts.clock.setTimeout(tick, ms));
        });
    };
    this.timers.push(this.opts.clock.setTimeout(tick, ms));
  }

  /** The Node's InternalIP and allocatable resources, when it is registered. */
  private async nodeInfo(signal: AbortSignal): Promise<{ internalIP?: string; allocatable?: ResourceList } | undefined> {
    try {
      const node = await new ResourceClient<KubeObject>(this.opts.rest, { group: '', version: 'v1', resource: 'nodes' }).get(this.opts.nodeName, { signal });
      const status = node.status as { addresses?: { type: string; address: string }[]; allocatable?: ResourceList } | undefined;
      return { internalIP: status?.addresses?.find((a) => a.type === 'InternalIP')?.address, allocatable: status?.allocatable };
    } catch {
      return undefined;
    }
  }

  /** Wakes the worker of every pod whose containers changed state (or went away) since the last relist. */
  private async relist(): Promise<void> {
    const containers = await this.opts.runtime.runtime.listContainers();
    const seen = new Map<string, { state: string; uid: string }>();
    const changed = new Set<string>();
    for (const c of containers) {
      const uid = c.labels[LABEL_POD_UID];
      if (!uid) continue;
      seen.set(c.id, { state: c.state, uid });
      if (this.lastSeen.get(c.id)?.state !== c.state) changed.add(uid);
    }
    for (const [id, prev] of this.lastSeen) if (!seen.has(id)) changed.add(prev.uid);
    this.lastSeen = seen;
    for (const uid of changed) this.workers.get(uid)?.trigger();
  }

  /** Anything running for a pod that is no longer bound here gets a worker, which tears it down. */
  private async housekeeping(ctx: WorkerContext): Promise<void> {
    const rt = this.opts.runtime.runtime;
    const [sandboxes, containers] = await Promise.all([rt.listPodSandbox(), rt.listContainers()]);
    const known = new Set((this.informer?.indexer.list() ?? []).map((p: PodT) => p.metadata?.uid));
    const orphans = new Map<string, { ns: string; name: string }>();
    for (const x of [...sandboxes, ...containers]) {
      const uid = x.labels[LABEL_POD_UID];
      if (!uid || known.has(uid) || this.workers.has(uid)) continue;
      orphans.set(uid, { ns: x.labels[LABEL_POD_NAMESPACE] ?? '', name: x.labels[LABEL_POD_NAME] ?? '' });
    }
    for (const [uid, o] of orphans) {
      this.opts.logger.info('removing containers of a pod no longer bound here', { pod: `${o.ns}/${o.name}`, podUID: uid });
      this.workerFor(ctx, uid, o.ns, o.name).trigger();
    }
    this.crashBackoff.gc(this.opts.clock.now());
    this.pullBackoff.gc(this.opts.clock.now());
  }
}

/** Whether two versions of a pod differ in nothing the agent acts on (status and bookkeeping only). */
function statusOnlyChange(a: Pod, b: Pod): boolean {
  const m = (p: Pod) => p.metadata;
  return (
    m(a).uid === m(b).uid &&
    m(a).deletionTimestamp === m(b).deletionTimestamp &&
    m(a).deletionGracePeriodSeconds === m(b).deletionGracePeriodSeconds &&
    JSON.stringify(m(a).labels ?? {}) === JSON.stringify(m(b).labels ?? {}) &&
    JSON.stringify(m(a).annotations ?? {}) === JSON.stringify(m(b).annotations ?? {}) &&
    JSON.stringify(a.spec ?? {}) === JSON.stringify(b.spec ?? {})
  );
}
