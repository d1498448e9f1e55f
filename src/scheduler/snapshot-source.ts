/**
 * Builds a scheduling Snapshot from one-off lists or listers, for tools that
 * look at the cluster once (explain-schedule); the running scheduler keeps an
 * incremental SchedulerCache instead.
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
  /** Left out of the node infos (explaining a pod must not count the pod itself). */
  excludePod?: PodT;
}

export function buildSnapshot(src: ClusterObjects, opts: BuildSnapshotOptions = {}): Snapshot {
  const byKey = new Map<string, PodT>();
  for (const p of src.pods()) byKey.set(podKey(p), p);
  if (opts.excludePod) byKey.delete(podKey(opts.excludePod));
  return Snapshot.from(src.nodes(), [...byKey.values()], { namespaces: src.namespaces(), pdbs: src.pdbs(), volumes: volumeLister(src) });
}

/** Claims, volumes and class binding modes, as VolumeBinding reads them. */
export function volumeLister(src: Pick<ClusterObjects, 'pvc' | 'pv' | 'storageClass'>): VolumeLister {
  return {
    pvc: (ns, name) => src.pvc(ns, name),
    pv: (name) => src.pv(name),
    bindingMode: (cls) => {
      const sc = src.storageClass(cls);
      if (!sc) return undefined;
      return sc.volumeBindingMode === 'WaitForFirstConsumer' ? 'WaitForFirstConsumer' : 'Immediate';
    },
  };
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
