/**
 * Builds a scheduling Snapshot from informer listers (or any other source
 * of current objects), overlaying the pods assumed but not yet observed.
 */
import type { NamespaceT, NodeT, PersistentVolumeClaimT, PersistentVolumeT, PodT } from '../api/core/v1/types.js';
import type { PodDisruptionBudgetT } from '../api/policy/v1/types.js';
import type { StorageClassT } from '../api/storage/v1/types.js';
import { podKey } from './framework/node-info.js';
import { Snapshot, type VolumeLister } from './framework/snapshot.js';

/** What a snapshot reads; listers of shared informers satisfy it. */
export interface ClusterObjects {
  nodes(): readonly NodeT[];
  pods(): readonly PodT[];
  namespaces(): readonly NamespaceT[];
  pdbs(): readonly PodDisruptionBudgetT[];
  pvc(namespace: string, name: string): PersistentVolumeClaimT | undefined;
  pv(name: string): PersistentVolumeT | undefined;
  storageClass(name: string): StorageClassT | undefined;
}

export interface BuildSnapshotOptions {
  /** Pods placed by this scheduler whose binding is not observed yet. */
  assumed?: readonly PodT[];
  /** Left out of the node infos (explaining a pod must not count the pod itself). */
  excludePod?: PodT;
}

export function buildSnapshot(src: ClusterObjects, opts: BuildSnapshotOptions = {}): Snapshot {
  const byKey = new Map<string, PodT>();
  for (const p of src.pods()) byKey.set(podKey(p), p);
  for (const a of opts.assumed ?? []) {
    const seen = byKey.get(podKey(a));
    // Only while the informer still shows it unbound; once bound, the observed pod wins.
    if (seen && !seen.spec?.nodeName) byKey.set(podKey(a), a);
  }
  if (opts.excludePod) byKey.delete(podKey(opts.excludePod));
  const volumes: VolumeLister = {
    pvc: (ns, name) => src.pvc(ns, name),
    pv: (name) => src.pv(name),
    bindingMode: (cls) => {
      const sc = src.storageClass(cls);
      if (!sc) return undefined;
      return sc.volumeBindingMode === 'WaitForFirstConsumer' ? 'WaitForFirstConsumer' : 'Immediate';
    },
  };
  return Snapshot.from(src.nodes(), [...byKey.values()], { namespaces: src.namespaces(), pdbs: src.pdbs(), volumes });
}

/** Objects from one-off lists, for tools that do not run informers. */
export function staticClusterObjects(objs: {
  nodes: NodeT[]; pods: PodT[]; namespaces: NamespaceT[]; pdbs: PodDisruptionBudgetT[];
  pvcs: PersistentVolumeClaimT[]; pvs: PersistentVolumeT[]; storageClasses: StorageClassT[];
}): ClusterObjects {
  const pvcs = new Map(objs.pvcs.map((c) => [`${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`, c]));
  const pvs = new Map(objs.pvs.map((v) => [v.metadata?.name ?? '', v]));
  const scs = new Map(objs.storageClasses.map((s) => [s.metadata?.name ?? '', s]));
  return {
    nodes: () => objs.nodes,
    pods: () => objs.pods,
    namespaces: () => objs.namespaces,
    pdbs: () => objs.pdbs,
    pvc: (ns, name) => pvcs.get(`${ns}/${name}`),
    pv: (name) => pvs.get(name),
    storageClass: (name) => scs.get(name),
  };
}
