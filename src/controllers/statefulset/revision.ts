/**
 * A StatefulSet's ControllerRevisions: the data is upstream's patch of
 * `spec.template` (so `kubectl rollout undo` can apply it back), and a set
 * "at" a revision is the set with that revision's template.
 */
import type { PodTemplateSpec } from '../framework/pods.js';
import { type ControllerRevision, newControllerRevision, templatePatch } from '../history/revisions.js';
import { STATEFULSET_KIND, type StatefulSet } from './types.js';

export function newStatefulSetRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  return newControllerRevision({
    owner: set,
    ownerKind: STATEFULSET_KIND,
    labels: set.spec?.template?.metadata?.labels,
    annotations: set.metadata.annotations,
    data: templatePatch(set.spec?.template),
    revision,
    collisionCount,
  });
}

/** The pod template stored in a revision. */
export function revisionTemplate(revision: ControllerRevision): PodTemplateSpec | undefined {
  const template = (revision.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template;
  if (!template) return undefined;
  const { $patch: _replace, ...rest } = template;
  return structuredClone(rest) as PodTemplateSpec;
}

/** `set` with the template of `revision` (the set itself when the revision holds none). */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  const template = revisionTemplate(revision);
  if (!template) return set;
  return { ...set, spec: { ...set.spec, template } };
}
