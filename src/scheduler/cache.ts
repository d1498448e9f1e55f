/**
 * The scheduler's incremental view of the cluster: one NodeInfo per node,
 * kept current from informer events and from the scheduler's own
 * assumptions, so a scheduling cycle costs what the plugins do and not a
 * rebuild of every node and pod. Cycles are synchronous, so the snapshot a
 * cycle gets cannot change under it; preemption dry runs clone what they
 * touch.
 */
import type { NodeT, PodT } from '../api/core/v1/types.js';
import { NodeInfo, newPodInfo, normalizedImageName, podKey, type PodInfo } from './framework/node-info.js';
import { type AffinityNodeLists, type PodChange, type PodChangeFeed, Snapshot, type SnapshotOptions, affinityNodeLists } from './framework/snapshot.js';

interface CachedPod {
  info: PodInfo;
  nodeName: string;
  assumed: boolean;
}

const terminal = (p: PodT) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, CachedPod>();
  /** Pods observed on nodes the cache does not know (yet): they join when the node appears. */
  private readonly waiting = new Map<string, Map<string, PodInfo>>();
  private ordered: NodeInfo[] | undefined;
  /** Pods (bound, assumed, or waiting for their node) by namespace, for PodTopologySpread's counts. */
  private readonly byNamespace = new Map<string, Map<string, CachedPod>>();
  private readonly changes = new PodChangeLog(CHANGE_LOG_LIMIT);
  /** Bumped when a node comes, goes or relabels (see SnapshotIndexes). */
  private nodeLabelsGeneration = 0;
  /** Recomputed only when a node, or a pod with affinity terms, comes or goes. */
  private affinity: AffinityNodeLists | undefined;
  private imagesDirty = false;

  addNode(node: NodeT): void {
    const name = node.metadata?.name ?? '';
    const ni = new NodeInfo(node);
    const old = this.nodes.get(name);
    if (!old || !sameLabels(old.node.metadata?.labels, node.metadata?.labels)) this.nodeLabelsGeneration++;
    const pods = old ? old.pods : [...(this.waiting.get(name)?.values() ?? [])];
    for (const pi of pods) ni.addPod(pi);
    this.waiting.delete(name);
    this.nodes.set(name, ni);
    this.ordered = undefined;
    this.affinity = undefined;
    if (old?.node.status?.images?.length || node.status?.images?.length) this.imagesDirty = true;
    else if (old) for (const [k, v] of old.imageStates) ni.imageStates.set(k, v);
  }

  updateNode(node: NodeT): void {
    this.addNode(node);
  }

  removeNode(node: NodeT): void {
    const name = node.metadata?.name ?? '';
    const old = this.nodes.get(name);
    if (!old) return;
    this.nodes.delete(name);
    this.nodeLabelsGeneration++;
    // Its pods stay known: a pod outlives its node until the pod GC deletes it.
    if (old.pods.length) this.waiting.set(name, new Map(old.pods.map((pi) => [podKey(pi.pod), pi])));
    this.ordered = undefined;
    this.affinity = undefined;
    if (old.node.status?.images?.length) this.imagesDirty = true;
  }

  /** An observed pod; only bound, non-terminal pods take room on a node. */
  addPod(pod: PodT): void {
    const key = podKey(pod);
    const prev = this.pods.get(key);
    if (prev) this.detach(key, prev);
    if (!pod.spec?.nodeName || terminal(pod)) {
      this.dropPod(key);
      return;
    }
    const cp: CachedPod = { info: newPodInfo(pod), nodeName: pod.spec.nodeName, assumed: false };
    this.keepPod(key, cp);
    this.attach(key, cp);
  }

  updatePod(pod: PodT): void {
    const prev = this.pods.get(podKey(pod));
    // An assumed pod stays assumed until the informer shows it bound.
    if (prev?.assumed && !pod.spec?.nodeName && !terminal(pod)) return;
    this.addPod(pod);
  }

  removePod(pod: PodT): void {
    const key = podKey(pod);
    const prev = this.pods.get(key);
    if (!prev) return;
    this.detach(key, prev);
    this.dropPod(key);
  }

  /** Records `pod` as running on `nodeName` until the binding is observed or forgotten. */
  assumePod(pod: PodT, nodeName: string): PodT {
    const assumed: PodT = { ...pod, spec: { ...pod.spec!, nodeName } };
    const key = podKey(pod);
    const prev = this.pods.get(key);
    if (prev) this.detach(key, prev);
    const cp: CachedPod = { info: newPodInfo(assumed), nodeName, assumed: true };
    this.keepPod(key, cp);
    this.attach(key, cp);
    return assumed;
  }

  /** Drops an assumption whose binding failed; observed pods are left alone. */
  forgetPod(pod: PodT): void {
    const key = podKey(pod);
    const prev = this.pods.get(key);
    if (!prev?.assumed) return;
    this.detach(key, prev);
    this.dropPod(key);
  }

  isAssumed(pod: PodT): boolean {
    return this.pods.get(podKey(pod))?.assumed ?? false;
  }

  assumedCount(): number {
    let n = 0;
    for (const p of this.pods.values()) if (p.assumed) n++;
    return n;
  }

  nodeCount(): number {
    return this.nodes.size;
  }

  /** The current view for one cycle. */
  snapshot(opts: SnapshotOptions = {}): Snapshot {
    if (this.imagesDirty) this.recomputeImages();
    this.ordered ??= [...this.nodes.values()];
    this.affinity ??= affinityNodeLists(this.ordered);
    return new Snapshot(this.ordered, opts, {
      byName: this.nodes,
      affinity: this.affinity,
      podsInNamespace: (ns) => this.byNamespace.get(ns)?.values() ?? [],
      nodeLabelsGeneration: this.nodeLabelsGeneration,
      podChanges: this.changes,
    });
  }

  private keepPod(key: string, cp: CachedPod): void {
    const prev = this.pods.get(key);
    if (prev) this.changes.push({ info: prev.info, nodeName: prev.nodeName, delta: -1 });
    this.changes.push({ info: cp.info, nodeName: cp.nodeName, delta: 1 });
    this.pods.set(key, cp);
    const ns = cp.info.pod.metadata?.namespace ?? '';
    let m = this.byNamespace.get(ns);
    if (!m) this.byNamespace.set(ns, (m = new Map()));
    m.set(key, cp);
  }

  private dropPod(key: string): void {
    const cp = this.pods.get(key);
    if (!cp) return;
    this.changes.push({ info: cp.info, nodeName: cp.nodeName, delta: -1 });
    this.pods.delete(key);
    const ns = cp.info.pod.metadata?.namespace ?? '';
    const m = this.byNamespace.get(ns);
    if (m?.delete(key) && m.size === 0) this.byNamespace.delete(ns);
  }

  private attach(key: string, cp: CachedPod): void {
    const ni = this.nodes.get(cp.nodeName);
    if (ni) {
      ni.addPod(cp.info);
      if (hasAffinityTerms(cp.info)) this.affinity = undefined;
      return;
    }
    const w = this.waiting.get(cp.nodeName) ?? new Map<string, PodInfo>();
    w.set(key, cp.info);
    this.waiting.set(cp.nodeName, w);
  }

  private detach(key: string, cp: CachedPod): void {
    const ni = this.nodes.get(cp.nodeName);
    if (ni?.removePod(cp.info.pod) && hasAffinityTerms(cp.info)) this.affinity = undefined;
    const w = this.waiting.get(cp.nodeName);
    if (w?.delete(key) && w.size === 0) this.waiting.delete(cp.nodeName);
  }

  /** Image spread (how many nodes hold an image) changes only when some node's image list does. */
  private recomputeImages(): void {
    const holders = new Map<string, Map<NodeInfo, number>>();
    for (const ni of this.nodes.values()) {
      ni.imageStates.clear();
      for (const img of ni.node.status?.images ?? []) {
        for (const name of img.names ?? []) {
          const key = normalizedImageName(name);
          const h = holders.get(key) ?? new Map<NodeInfo, number>();
          h.set(ni, img.sizeBytes ?? 0);
          holders.set(key, h);
        }
      }
    }
    for (const [name, h] of holders) for (const [ni, size] of h) ni.imageStates.set(name, { size, numNodes: h.size });
    this.imagesDirty = false;
  }
}

function hasAffinityTerms(pi: PodInfo): boolean {
  return pi.requiredAffinityTerms.length > 0 || pi.requiredAntiAffinityTerms.length > 0 || pi.preferredAffinityTerms.length > 0 || pi.preferredAntiAffinityTerms.length > 0;
}

function sameLabels(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => a![k] === b?.[k]);
}

/** How many pod changes the cache keeps for plugins that follow them; one further behind recounts. */
const CHANGE_LOG_LIMIT = 20_000;

/** A bounded log of pod changes with absolute positions. */
export class PodChangeLog implements PodChangeFeed {
  private entries: PodChange[] = [];
  /** Position of entries[0]. */
  private start = 0;

  constructor(private readonly limit: number) {}

  get position(): number {
    return this.start + this.entries.length;
  }

  push(c: PodChange): void {
    this.entries.push(c);
    if (this.entries.length > this.limit) {
      const drop = this.entries.length - Math.floor(this.limit / 2);
      this.entries = this.entries.slice(drop);
      this.start += drop;
    }
  }

  since(position: number): readonly PodChange[] | undefined {
    if (position < this.start || position > this.position) return undefined;
    return this.entries.slice(position - this.start);
  }
}
