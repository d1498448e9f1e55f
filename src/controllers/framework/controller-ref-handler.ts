/**
 * The informer handlers an owning controller puts on the objects it owns
 * (the ReplicaSet, DaemonSet and StatefulSet controllers on pods and
 * ControllerRevisions, the Deployment controller on ReplicaSets), as
 * upstream writes them: an object with a controllerRef wakes that owner
 * only, if it is of our kind and still the same object; an orphan wakes
 * every owner whose selector would adopt it, on creation and whenever its
 * labels or controllerRef change; a controllerRef moved away also wakes the
 * old owner; an object already being deleted counts as deleted.
 */
import { type DeletedFinalStateUnknown, type ResourceEventHandler, isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import type { Selector } from '../../machinery/labels/selector.js';
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import { type Pod, controllerRefOf, isPodReady } from './pods.js';

export interface OwnerLister<O extends KubeObject> {
  get(namespace: string, name: string): O | undefined;
  listInNamespace(namespace: string): O[];
}

export interface ControllerRefHandlerOptions<O extends KubeObject, C extends KubeObject> {
  /** The owner kind whose controllerRefs are ours. */
  ownerKind: string;
  owners: OwnerLister<O>;
  /** The owner's selector; one that throws adopts nothing. */
  selector(owner: O): Selector;
  /** A further condition for adopting an orphan (a StatefulSet adopts only pods named after it). */
  mayAdopt?(owner: O, orphan: C): boolean;
  enqueue(owner: O): void;
  /** An object of the owner appeared (count it against expected creations). */
  creationObserved?(owner: O, obj: C): void;
  /** An object of the owner went or is going (count it against expected deletions). */
  deletionObserved?(owner: O, obj: C): void;
  /** An object of the owner changed; called after the owner was enqueued. */
  updated?(owner: O, old: C, cur: C): void;
}

/** The owner `ref` names, when it is of our kind and still the object it was (same uid). */
export function resolveControllerRef<O extends KubeObject>(owners: OwnerLister<O>, ownerKind: string, namespace: string, ref: OwnerReference): O | undefined {
  if (ref.kind !== ownerKind) return undefined;
  const owner = owners.get(namespace, ref.name);
  return owner && owner.metadata.uid === ref.uid ? owner : undefined;
}

/** The owners whose selector matches `obj`; an empty or invalid selector matches nothing. */
export function ownersSelecting<O extends KubeObject>(owners: readonly O[], selector: (owner: O) => Selector, obj: KubeObject): O[] {
  const labels = obj.metadata.labels ?? {};
  return owners.filter((owner) => {
    try {
      const sel = selector(owner);
      return !sel.isEmpty() && sel.matches(labels);
    } catch {
      return false;
    }
  });
}

export function controllerRefEventHandler<O extends KubeObject, C extends KubeObject>(opts: ControllerRefHandlerOptions<O, C>): ResourceEventHandler<C> {
  const resolve = (obj: C, ref: OwnerReference) => resolveControllerRef(opts.owners, opts.ownerKind, obj.metadata.namespace ?? '', ref);
  const adopters = (obj: C) => {
    const candidates = ownersSelecting(opts.owners.listInNamespace(obj.metadata.namespace ?? ''), (o) => opts.selector(o), obj);
    return opts.mayAdopt ? candidates.filter((o) => opts.mayAdopt!(o, obj)) : candidates;
  };

  const onDelete = (tombstone: C | DeletedFinalStateUnknown<C>) => {
    const obj = isDeletedFinalStateUnknown(tombstone) ? tombstone.obj : tombstone;
    const ref = controllerRefOf(obj);
    // Nobody cares about an orphan going away.
    if (!ref) return;
    const owner = resolve(obj, ref);
    if (!owner) return;
    opts.deletionObserved?.(owner, obj);
    opts.enqueue(owner);
  };

  const onAdd = (obj: C) => {
    // A restarted controller may first see an object already being deleted: never a creation.
    if (obj.metadata.deletionTimestamp) return onDelete(obj);
    const ref = controllerRefOf(obj);
    if (ref) {
      const owner = resolve(obj, ref);
      if (!owner) return;
      opts.creationObserved?.(owner, obj);
      opts.enqueue(owner);
      return;
    }
    for (const owner of adopters(obj)) opts.enqueue(owner);
  };

  const onUpdate = (old: C, cur: C) => {
    // A resync: nothing changed.
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // Deletion is observed now, not when the object finally goes; old labels may have pointed elsewhere.
      onDelete(cur);
      if (labelsChanged) onDelete(old);
      return;
    }
    const oldRef = controllerRefOf(old);
    const ref = controllerRefOf(cur);
    const refChanged = oldRef?.uid !== ref?.uid;
    if (refChanged && oldRef) {
      const previous = resolve(old, oldRef);
      if (previous) opts.enqueue(previous);
    }
    if (ref) {
      const owner = resolve(cur, ref);
      if (!owner) return;
      opts.enqueue(owner);
      opts.updated?.(owner, old, cur);
      return;
    }
    if (labelsChanged || refChanged) for (const owner of adopters(cur)) opts.enqueue(owner);
  };

  return { onAdd, onUpdate, onDelete };
}

/**
 * How long after this update to look at the owner again: a pod that just
 * turned Ready becomes available minReadySeconds later, which no event
 * announces (a second's slack so the check lands after, not at, the moment).
 */
export function availabilityRecheckMs(old: Pod, cur: Pod, minReadySeconds: number): number | undefined {
  return minReadySeconds > 0 && !isPodReady(old) && isPodReady(cur) ? minReadySeconds * 1000 + 1000 : undefined;
}
