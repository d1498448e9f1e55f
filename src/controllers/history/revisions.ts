/**
 * ControllerRevisions for any owner kind (StatefulSet, DaemonSet): building
 * one from an owner's template, comparing, ordering, numbering and choosing
 * which old ones to truncate. Pure functions; the API writes live in
 * revision-control.ts.
 */
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import { canonicalJSON, controllerRevisionName, hashRevisionData } from './hash.js';

/** Label on every ControllerRevision holding its data hash (upstream ControllerRevisionHashLabel). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';
/** Pod label naming the revision a pod was created from (StatefulSet: the revision name; DaemonSet: the hash). */
export const POD_REVISION_HASH_LABEL = 'controller-revision-hash';

export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision: number;
}

export interface NewRevisionOptions {
  /** The owner; its name prefixes the revision name and it becomes the controller reference. */
  owner: KubeObject;
  ownerKind: { apiVersion: string; kind: string };
  /** Usually the owner's pod template labels, so revisions can be selected like pods. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  data: unknown;
  revision: number;
  collisionCount?: number;
}

/**
 * The strategic-merge patch upstream stores as `data` for StatefulSets and
 * DaemonSets: the whole pod template, marked `$patch: replace`, which is what
 * `kubectl rollout undo` applies back to the owner.
 */
export function templatePatch(template: unknown): { spec: { template: Record<string, unknown> } } {
  const copy = structuredClone((template ?? {}) as Record<string, unknown>);
  copy['$patch'] = 'replace';
  return { spec: { template: copy } };
}

export function newControllerRevision(opts: NewRevisionOptions): ControllerRevision {
  const hash = hashRevisionData(opts.data, opts.collisionCount);
  const owner = opts.owner;
  const ref: OwnerReference = { apiVersion: opts.ownerKind.apiVersion, kind: opts.ownerKind.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
  const rev: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(owner.metadata.name ?? '', hash),
      namespace: owner.metadata.namespace,
      labels: { ...(opts.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [ref],
    },
    data: structuredClone(opts.data),
    revision: opts.revision,
  };
  if (opts.annotations && Object.keys(opts.annotations).length) rev.metadata.annotations = { ...opts.annotations };
  return rev;
}

/** Same data (the hash label is a shortcut, the data decides). */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  const hb = b.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  if (ha && hb && ha !== hb) return false;
  return canonicalJSON(a.data) === canonicalJSON(b.data);
}

/** The revisions whose data equals `needle`'s, oldest first. */
export function findEqualRevisions(revisions: readonly ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return sortRevisions(revisions.filter((r) => equalRevision(r, needle)));
}

/** Ascending by revision number, then creation time, then name (upstream's byRevision). */
export function sortRevisions(revisions: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort((a, b) => {
    if (a.revision !== b.revision) return a.revision - b.revision;
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
  });
}

/** One more than the highest revision number (1 for none). */
export function nextRevision(revisions: readonly ControllerRevision[]): number {
  let max = 0;
  for (const r of revisions) max = Math.max(max, r.revision ?? 0);
  return max + 1;
}

/**
 * The revisions to delete so at most `limit` unused ones remain: revisions
 * named in `live` (current, update, or used by a pod) are never chosen; among
 * the rest the oldest go first.
 */
export function revisionsToTruncate(revisions: readonly ControllerRevision[], live: ReadonlySet<string>, limit: number): ControllerRevision[] {
  const history = sortRevisions(revisions.filter((r) => !live.has(r.metadata.name ?? '')));
  const excess = history.length - Math.max(0, limit);
  return excess > 0 ? history.slice(0, excess) : [];
}
