/**
 * Adoption and orphaning by selector, as upstream's ControllerRefManager
 * (for pods, ReplicaSets and ControllerRevisions alike): an owner claims the
 * objects it controls that still match its selector, adopts matching
 * orphans and releases the objects it controls that no longer match.
 * Writes are merge patches carrying the object's uid and resourceVersion, so
 * a race with another writer fails with Conflict instead of clobbering it.
 */
import { isNotFound } from '../../machinery/errors/index.js';
import type { Selector } from '../../machinery/labels/selector.js';
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import type { PodControl } from './pod-control.js';
import { type Pod, controllerRefOf } from './pods.js';

export interface ClaimOptions {
  owner: KubeObject;
  controllerRef: OwnerReference;
  selector: Selector;
  /** Applies a JSON merge patch to the claimed object. */
  patch: (namespace: string, name: string, patch: unknown) => Promise<void>;
  /**
   * Asked once before the first adoption: whether the owner (read fresh, not
   * from a cache) is still the same object and not being deleted.
   */
  canAdopt?: () => Promise<boolean>;
}

export interface ClaimResult<T extends KubeObject = Pod> {
  claimed: T[];
  /** The first adopt/release failure; the claimed list is still usable. */
  error?: unknown;
}

export async function claimObjects<T extends KubeObject>(objs: readonly T[], opts: ClaimOptions): Promise<ClaimResult<T>> {
  const { owner, selector } = opts;
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  const claimed: T[] = [];
  let error: unknown;
  let adoptable: boolean | undefined;
  for (const obj of objs) {
    const ref = controllerRefOf(obj);
    const matches = selector.matches(obj.metadata.labels ?? {});
    try {
      if (ref) {
        if (ref.uid !== owner.metadata.uid) continue;
        if (matches) claimed.push(obj);
        // A deleting owner leaves what it owns to the garbage collector.
        else if (!ownerDeleting) await release(obj, opts);
        continue;
      }
      if (ownerDeleting || !matches || obj.metadata.deletionTimestamp) continue;
      adoptable ??= opts.canAdopt ? await opts.canAdopt() : true;
      if (!adoptable) continue;
      const adopted = await adopt(obj, opts);
      if (adopted) claimed.push(adopted);
    } catch (err) {
      error ??= err;
    }
  }
  return { claimed, error };
}

/**
 * Upstream's RecheckDeletionTimestamp, the usual `canAdopt`: the owner read
 * fresh is still the same object (same uid) and not being deleted.
 */
export async function isSameLiveObject(owner: KubeObject, getFresh: () => Promise<KubeObject | undefined>): Promise<boolean> {
  let fresh: KubeObject | undefined;
  try {
    fresh = await getFresh();
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
  return !!fresh && fresh.metadata.uid === owner.metadata.uid && !fresh.metadata.deletionTimestamp;
}

export interface ClaimPodsOptions extends Omit<ClaimOptions, 'patch'> {
  podControl: PodControl;
}

/** claimObjects for pods, patched through the controller's PodControl. */
export function claimPods(pods: readonly Pod[], opts: ClaimPodsOptions): Promise<ClaimResult<Pod>> {
  const { podControl, ...rest } = opts;
  return claimObjects(pods, { ...rest, patch: (namespace, name, patch) => podControl.patchPod(namespace, name, patch) });
}

async function adopt<T extends KubeObject>(obj: T, opts: ClaimOptions): Promise<T | undefined> {
  const refs = [...(obj.metadata.ownerReferences ?? []), opts.controllerRef];
  try {
    await opts.patch(obj.metadata.namespace ?? '', obj.metadata.name!, ownerRefsPatch(obj, refs));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: refs } };
}

async function release(obj: KubeObject, opts: ClaimOptions): Promise<void> {
  const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== opts.owner.metadata.uid);
  try {
    await opts.patch(obj.metadata.namespace ?? '', obj.metadata.name!, ownerRefsPatch(obj, refs));
  } catch (err) {
    // Gone already: nothing left to release.
    if (!isNotFound(err)) throw err;
  }
}

function ownerRefsPatch(obj: KubeObject, refs: OwnerReference[]): unknown {
  return { metadata: { uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, ownerReferences: refs.length ? refs : null } };
}
