/**
 * Upstream's ReplicaSetControllerRefManager: a deployment claims the
 * ReplicaSets it controls that still match its selector, adopts matching
 * orphans and releases the ones it controls that no longer match. Writes are
 * merge patches carrying uid and resourceVersion, so a race with another
 * writer fails with Conflict instead of clobbering it.
 */
import { isNotFound } from '../../machinery/errors/index.js';
import type { Selector } from '../../machinery/labels/selector.js';
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import { controllerRefOf } from '../framework/pods.js';
import type { ReplicaSet } from './types.js';

export interface ClaimReplicaSetsOptions {
  owner: KubeObject;
  controllerRef: OwnerReference;
  selector: Selector;
  patch: (namespace: string, name: string, patch: unknown) => Promise<void>;
  /**
   * Asked once before the first adoption: whether the owner (read fresh, not
   * from a cache) is still the same object and not being deleted.
   */
  canAdopt?: () => Promise<boolean>;
}

export interface ClaimReplicaSetsResult {
  claimed: ReplicaSet[];
  /** The first adopt/release failure; the claimed list is still usable. */
  error?: unknown;
}

export async function claimReplicaSets(rss: readonly ReplicaSet[], opts: ClaimReplicaSetsOptions): Promise<ClaimReplicaSetsResult> {
  const { owner, selector } = opts;
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  const claimed: ReplicaSet[] = [];
  let error: unknown;
  let adoptable: boolean | undefined;
  for (const rs of rss) {
    const ref = controllerRefOf(rs);
    const matches = selector.matches(rs.metadata.labels ?? {});
    try {
      if (ref) {
        if (ref.uid !== owner.metadata.uid) continue;
        if (matches) claimed.push(rs);
        // A deleting owner leaves its ReplicaSets to the garbage collector.
        else if (!ownerDeleting) await release(rs, opts);
        continue;
      }
      if (ownerDeleting || !matches || rs.metadata.deletionTimestamp) continue;
      adoptable ??= opts.canAdopt ? await opts.canAdopt() : true;
      if (!adoptable) continue;
      const adopted = await adopt(rs, opts);
      if (adopted) claimed.push(adopted);
    } catch (err) {
      error ??= err;
    }
  }
  return { claimed, error };
}

async function adopt(rs: ReplicaSet, opts: ClaimReplicaSetsOptions): Promise<ReplicaSet | undefined> {
  const refs = [...(rs.metadata.ownerReferences ?? []), opts.controllerRef];
  try {
    await opts.patch(rs.metadata.namespace ?? '', rs.metadata.name!, ownerRefsPatch(rs, refs));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  return { ...rs, metadata: { ...rs.metadata, ownerReferences: refs } };
}

async function release(rs: ReplicaSet, opts: ClaimReplicaSetsOptions): Promise<void> {
  const refs = (rs.metadata.ownerReferences ?? []).filter((r) => r.uid !== opts.owner.metadata.uid);
  try {
    await opts.patch(rs.metadata.namespace ?? '', rs.metadata.name!, ownerRefsPatch(rs, refs));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

function ownerRefsPatch(rs: ReplicaSet, refs: OwnerReference[]): unknown {
  return { metadata: { uid: rs.metadata.uid, resourceVersion: rs.metadata.resourceVersion, ownerReferences: refs.length ? refs : null } };
}
