/**
 * An immutable view of the cluster for one scheduling cycle: node infos in
 * a stable order, lookups by name, the nodes holding pods with (anti-)affinity,
 * namespace labels for namespaceSelector, and image spread for ImageLocality.
 */
import type { NamespaceT, NodeT, PersistentVolumeClaimT, PersistentVolumeT, PodT } from '../../api/core/v1/types.js';
import type { LabelSelectorT } from '../../api/meta/v1.js';
import type { PodDisruptionBudgetT } from '../../api/policy/v1/types.js';
import { NodeInfo, normalizedImageName, type PodInfo } from './node-info.js';

export interface SnapshotOptions {
  namespaces?: readonly NamespaceT[];
  /**
   * The selector of the workloads (services, replica sets, ...) a pod belongs
   * to, which PodTopologySpread's default constraints spread by.
   */
  defaultSelectorFor?: (pod: PodT) => LabelSelectorT | undefined;
  /** Budgets preemption must try not to violate. */
  pdbs?: readonly PodDisruptionBudgetT[];
  /** Claims and volumes for VolumeBinding. */
  volumes?: VolumeLister;
}

export interface VolumeLister {
  pvc(namespace: string, name: string): PersistentVolumeClaimT | undefined;
  pv(name: string): PersistentVolumeT | undefined;
  /** The storage class's volumeBindingMode; undefined when the class is unknown. */
  bindingMode?(storageClassName: string): 'Immediate' | 'WaitForFirstConsumer' | undefined;
}

/** The nodes holding pods with (anti-)affinity terms, which InterPodAffinity checks on every cycle. */
export interface AffinityNodeLists {
  withAffinity: NodeInfo[];
  withRequiredAntiAffinity: NodeInfo[];
}

/** A pod the snapshot places on a node (bound or assumed). */
export interface PlacedPod {
  readonly info: PodInfo;
  readonly nodeName: string;
}

/** One pod placed (+1) on, or taken (-1) off, a node, in the order the scheduler cache saw it. */
export interface PodChange extends PlacedPod {
  readonly delta: 1 | -1;
}

/**
 * The cache's pod changes since some point: `since(position)` gives those after it, or undefined when
 * they are no longer kept (the caller starts over from the pods themselves); `position` is the end.
 */
export interface PodChangeFeed {
  readonly position: number;
  since(position: number): readonly PodChange[] | undefined;
}

/**
 * Indexes the scheduler cache keeps across cycles and hands to each snapshot, so that plugins
 * need not walk every node for them. A snapshot built without them works them out itself.
 */
export interface SnapshotIndexes {
  byName?: ReadonlyMap<string, NodeInfo>;
  affinity?: AffinityNodeLists;
  /** The pods placed on nodes, by namespace (pods whose node the snapshot lacks may be included). */
  podsInNamespace?: (namespace: string) => Iterable<PlacedPod>;
  /**
   * Changes whenever a node comes, goes or changes its labels; equal values promise the same node
   * names and labels, so what a plugin derives from them alone can be kept from cycle to cycle.
   */
  nodeLabelsGeneration?: number;
  /** Lets a plugin keep figures over the pods from cycle to cycle, applying only what changed. */
  podChanges?: PodChangeFeed;
}

export function affinityNodeLists(nodeInfos: readonly NodeInfo[]): AffinityNodeLists {
  return {
    withAffinity: nodeInfos.filter((n) => n.podsWithAffinity.length > 0),
    withRequiredAntiAffinity: nodeInfos.filter((n) => n.podsWithRequiredAntiAffinity.length > 0),
  };
}

export class Snapshot {
  private readonly byName: ReadonlyMap<string, NodeInfo>;
  private affinityNodes?: NodeInfo[];
  private antiAffinityNodes?: NodeInfo[];
  private namespaceLabels?: Map<string, Readonly<Record<string, string>>>;

  private podIndex?: Map<string, PlacedPod[]>;
  private readonly podsIn?: (namespace: string) => Iterable<PlacedPod>;
  readonly nodeLabelsGeneration?: number;
  readonly podChanges?: PodChangeFeed;

  constructor(
    readonly nodeInfos: readonly NodeInfo[],
    private readonly opts: SnapshotOptions = {},
    indexes: SnapshotIndexes = {},
  ) {
    this.byName = indexes.byName ?? new Map(nodeInfos.map((ni) => [ni.name, ni]));
    this.affinityNodes = indexes.affinity?.withAffinity;
    this.antiAffinityNodes = indexes.affinity?.withRequiredAntiAffinity;
    this.podsIn = indexes.podsInNamespace;
    this.nodeLabelsGeneration = indexes.nodeLabelsGeneration;
    this.podChanges = indexes.podChanges;
  }

  /** The pods of a namespace placed on nodes; some may name a node this snapshot does not have. */
  podsInNamespace(namespace: string): Iterable<PlacedPod> {
    if (this.podsIn) return this.podsIn(namespace);
    if (!this.podIndex) {
      this.podIndex = new Map();
      for (const ni of this.nodeInfos) {
        for (const info of ni.pods) {
          const ns = info.pod.metadata?.namespace ?? '';
          let list = this.podIndex.get(ns);
          if (!list) this.podIndex.set(ns, (list = []));
          list.push({ info, nodeName: ni.name });
        }
      }
    }
    return this.podIndex.get(namespace) ?? [];
  }

  /** Nodes holding pods with any (anti-)affinity term; computed on first use. */
  get havePodsWithAffinity(): readonly NodeInfo[] {
    return (this.affinityNodes ??= this.nodeInfos.filter((n) => n.podsWithAffinity.length > 0));
  }

  get havePodsWithRequiredAntiAffinity(): readonly NodeInfo[] {
    return (this.antiAffinityNodes ??= this.nodeInfos.filter((n) => n.podsWithRequiredAntiAffinity.length > 0));
  }

  /** Builds node infos from nodes and pods; pods without a known nodeName are ignored. */
  static from(nodes: readonly NodeT[], pods: readonly PodT[], opts: SnapshotOptions = {}): Snapshot {
    const infos = nodes.map((n) => new NodeInfo(n));
    const byName = new Map(infos.map((i) => [i.name, i]));
    for (const p of pods) {
      const ni = p.spec?.nodeName ? byName.get(p.spec.nodeName) : undefined;
      if (ni && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') ni.addPod(p);
    }
    // Size is what each node reports; numNodes is how many nodes hold the image.
    const imageNodes = new Map<string, Map<NodeInfo, number>>();
    for (const ni of infos) {
      for (const img of ni.node.status?.images ?? []) {
        for (const name of img.names ?? []) {
          const key = normalizedImageName(name);
          const holders = imageNodes.get(key) ?? new Map<NodeInfo, number>();
          holders.set(ni, img.sizeBytes ?? 0);
          imageNodes.set(key, holders);
        }
      }
    }
    for (const [name, holders] of imageNodes) for (const [ni, size] of holders) ni.imageStates.set(name, { size, numNodes: holders.size });
    return new Snapshot(infos, opts);
  }

  get(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  list(): readonly NodeInfo[] {
    return this.nodeInfos;
  }

  numNodes(): number {
    return this.nodeInfos.length;
  }

  /** Labels of a namespace; undefined when the snapshot does not know it. */
  namespaceLabelsOf(name: string): Readonly<Record<string, string>> | undefined {
    if (!this.namespaceLabels) {
      this.namespaceLabels = new Map();
      for (const ns of this.opts.namespaces ?? []) this.namespaceLabels.set(ns.metadata?.name ?? '', ns.metadata?.labels ?? {});
    }
    return this.namespaceLabels.get(name);
  }

  defaultSelectorFor(pod: PodT): LabelSelectorT | undefined {
    return this.opts.defaultSelectorFor?.(pod);
  }

  pdbs(): readonly PodDisruptionBudgetT[] {
    return this.opts.pdbs ?? [];
  }

  volumes(): VolumeLister | undefined {
    return this.opts.volumes;
  }

  /** A snapshot identical but for one node info (preemption dry runs). */
  withNodeInfo(ni: NodeInfo): Snapshot {
    return new Snapshot(this.nodeInfos.map((n) => (n.name === ni.name ? ni : n)), this.opts);
  }
}
