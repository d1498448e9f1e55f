/**
 * Adoption and orphaning by selector, as upstream's PodControllerRefManager:
 * a controller claims the active pods it controls that still match, adopts
 * matching orphans and releases the pods it controls that no longer match.
 * Writes are merge patches carrying the pod's resourceVersion, so a race
 * with another writer fails with Conflict instead of clobbering it.
 */
import { isNotFound } from '../../machinery/errors/index.js';
import type { Selector } from '../../machinery/labels/selector.js';
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import type { PodControl } from './pod-control.js';
import { type Pod, controllerRefOf } from './pods.js';

export interface ClaimPodsOptions {
  owner: KubeObject;
  controllerRef: OwnerReference;
  selector: Selector;
  podControl: PodControl;
}

export interface ClaimResult {
  claimed: Pod[];
  /** The first adopt/release failure; the claimed list is still usable. */
  error?: unknown;
}

export async function claimPods(pods: readonly Pod[], opts: ClaimPodsOptions): Promise<ClaimResult> {
  const { owner, selector } = opts;
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  const claimed: Pod[] = [];
  let error: unknown;
  for (const pod of pods) {
    const ref = controllerRefOf(pod);
    const matches = selector.matches(pod.metadata.labels ?? {});
    try {
      if (ref) {
        if (ref.uid !== owner.metadata.uid) continue;
        if (matches) claimed.push(pod);
        // A deleting owner leaves its pods to the garbage collector.
        else if (!ownerDeleting) await release(pod, opts);
        continue;
      }
      if (ownerDeleting || !matches || pod.metadata.deletionTimestamp) continue;
      const adopted = await adopt(pod, opts);
      if (adopted) claimed.push(adopted);
    } catch (err) {
      error ??= err;
    }
  }
  return { claimed, error };
}

async function adopt(pod: Pod, opts: ClaimPodsOptions): Promise<Pod | undefined> {
  const refs = [...(pod.metadata.ownerReferences ?? []), opts.controllerRef];
  try {
    await opts.podControl.patchPod(pod.metadata.namespace ?? '', pod.metadata.name!, ownerRefsPatch(pod, refs));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  return { ...pod, metadata: { ...pod.metadata, ownerReferences: refs } };
}

async function release(pod: Pod, opts: ClaimPodsOptions): Promise<void> {
  const refs = (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== opts.owner.metadata.uid);
  try {
    await opts.podControl.patchPod(pod.metadata.namespace ?? '', pod.metadata.name!, ownerRefsPatch(pod, refs));
  } catch (err) {
    // Gone already: nothing left to release.
    if (!isNotFound(err)) throw err;
  }
}

function ownerRefsPatch(pod: Pod, refs: OwnerReference[]): unknown {
  return { metadata: { uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion, ownerReferences: refs.length ? refs : null } };
}
