/**
 * The ownership graph: where each object lives (by UID, across every
 * watched resource) and which objects name each UID as an owner. Fed by the
 * informers' handlers; the objects themselves stay in the informer caches.
 */
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import type { MonitoredResource } from './discovery.js';

export interface GraphNode {
  uid: string;
  resource: MonitoredResource;
  namespace: string;
  name: string;
  owners: readonly OwnerReference[];
}

export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();

  /** Records `obj`; answers the owner UIDs it no longer names. */
  upsert(resource: MonitoredResource, obj: KubeObject): string[] {
    const uid = obj.metadata.uid;
    if (!uid) return [];
    const before = this.nodes.get(uid);
    const owners = obj.metadata.ownerReferences ?? [];
    this.nodes.set(uid, { uid, resource, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '', owners });
    const now = new Set(owners.map((r) => r.uid));
    const dropped: string[] = [];
    for (const r of before?.owners ?? []) {
      if (now.has(r.uid)) continue;
      this.unlink(r.uid, uid);
      dropped.push(r.uid);
    }
    for (const o of now) {
      let set = this.dependents.get(o);
      if (!set) this.dependents.set(o, (set = new Set()));
      set.add(uid);
    }
    return dropped;
  }

  /** Forgets `uid`; answers what it was. */
  remove(uid: string | undefined): GraphNode | undefined {
    if (!uid) return undefined;
    const node = this.nodes.get(uid);
    if (!node) return undefined;
    this.nodes.delete(uid);
    for (const r of node.owners) this.unlink(r.uid, uid);
    return node;
  }

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /** The known objects naming `ownerUID` in their ownerReferences. */
  dependentsOf(ownerUID: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const d of this.dependents.get(ownerUID) ?? []) {
      const n = this.nodes.get(d);
      if (n) out.push(n);
    }
    return out;
  }

  size(): number {
    return this.nodes.size;
  }

  private unlink(owner: string, dependent: string): void {
    const set = this.dependents.get(owner);
    if (!set) return;
    set.delete(dependent);
    if (!set.size) this.dependents.delete(owner);
  }
}
