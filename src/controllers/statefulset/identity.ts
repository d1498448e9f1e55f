/**
 * A StatefulSet pod's stable identity: its name `<set>-<ordinal>`, the
 * labels naming it, hostname and subdomain, and the claims it mounts,
 * `<template>-<set>-<ordinal>`. Pure functions over the set and the pod.
 */
import type { OwnerReference } from '../../machinery/meta/types.js';
import { controllerRefFor } from '../framework/pod-control.js';
import type { Pod } from '../framework/pods.js';
import { POD_REVISION_HASH_LABEL } from '../history/revisions.js';
import { type ClaimTemplate, type PersistentVolumeClaim, STATEFULSET_KIND, type StatefulSet } from './types.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const ORDINAL_NAME = /^(.*)-(\d+)$/;

/** The parent name and ordinal a pod name encodes, or undefined when it encodes none. */
export function parentAndOrdinal(podName: string): { parent: string; ordinal: number } | undefined {
  const m = ORDINAL_NAME.exec(podName);
  if (!m) return undefined;
  const ordinal = Number(m[2]);
  return Number.isSafeInteger(ordinal) ? { parent: m[1]!, ordinal } : undefined;
}

export function ordinalOf(pod: Pod): number {
  return parentAndOrdinal(pod.metadata.name ?? '')?.ordinal ?? -1;
}

/** A pod this set may claim: its name is `<set>-<ordinal>`. */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentAndOrdinal(pod.metadata.name ?? '')?.parent === set.metadata.name;
}

export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

export function replicasOf(set: StatefulSet): number {
  return set.spec?.replicas ?? 1;
}

/** Ordinals in [start, start + replicas) are wanted; others are condemned. */
export function ordinalInRange(set: StatefulSet, ordinal: number): boolean {
  const start = startOrdinal(set);
  return ordinal >= start && ordinal < start + replicasOf(set);
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

export function claimName(set: StatefulSet, template: ClaimTemplate, ordinal: number): string {
  return `${template.metadata?.name ?? ''}-${set.metadata.name}-${ordinal}`;
}

export function podRevision(pod: Pod): string {
  return pod.metadata.labels?.[POD_REVISION_HASH_LABEL] ?? '';
}

/** The pod for `ordinal`, built from `set`'s template and labelled with `revision`. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number, revision: string): Pod {
  const template = set.spec?.template ?? {};
  const meta = template.metadata ?? {};
  const name = podName(set, ordinal);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      ownerReferences: [controllerRefFor(set, STATEFULSET_KIND)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  applyIdentity(set, pod);
  applyStorage(set, pod);
  pod.metadata.labels![POD_REVISION_HASH_LABEL] = revision;
  return pod;
}

function identityLabels(set: StatefulSet, pod: Pod): Record<string, string> {
  return { [POD_NAME_LABEL]: pod.metadata.name!, [POD_INDEX_LABEL]: String(ordinalOf(pod)) };
}

/** Sets the identity labels, hostname and subdomain in place. */
export function applyIdentity(set: StatefulSet, pod: Pod): void {
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), ...identityLabels(set, pod) };
  const spec = (pod.spec ??= {});
  spec['hostname'] = pod.metadata.name;
  if (set.spec?.serviceName) spec['subdomain'] = set.spec.serviceName;
}

/** Labels only: hostname and subdomain cannot change on an existing pod. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const want = identityLabels(set, pod);
  return isMemberOf(set, pod) && Object.entries(want).every(([k, v]) => pod.metadata.labels?.[k] === v);
}

/** Points the template's volumes named like claim templates at this pod's claims; adds the missing ones. */
export function applyStorage(set: StatefulSet, pod: Pod): void {
  const templates = set.spec?.volumeClaimTemplates ?? [];
  if (!templates.length) return;
  const ordinal = ordinalOf(pod);
  const spec = (pod.spec ??= {});
  const claimVolumes = templates.map((t) => ({ name: t.metadata?.name ?? '', persistentVolumeClaim: { claimName: claimName(set, t, ordinal) } }));
  const names = new Set(claimVolumes.map((v) => v.name));
  const others = ((spec['volumes'] as { name?: string }[] | undefined) ?? []).filter((v) => !names.has(v.name ?? ''));
  spec['volumes'] = [...claimVolumes, ...others];
}

/** The claims the pod for `ordinal` needs, keyed by name. */
export function claimsFor(set: StatefulSet, ordinal: number): PersistentVolumeClaim[] {
  const matchLabels = set.spec?.selector?.matchLabels ?? {};
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => {
    const meta = t.metadata ?? {};
    const claim: PersistentVolumeClaim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claimName(set, t, ordinal), namespace: set.metadata.namespace, labels: { ...(meta.labels ?? {}), ...matchLabels } },
      spec: structuredClone(t.spec ?? {}),
    };
    if (meta.annotations) claim.metadata.annotations = { ...meta.annotations };
    return claim;
  });
}

/**
 * The ownerReferences a claim should carry under the retention policy:
 * whenDeleted=Delete makes the set its controller; whenScaled=Delete makes
 * a scaled-down pod its owner so the claim goes with the pod. Answers
 * undefined when nothing needs to change.
 */
export function claimOwnerRefs(set: StatefulSet, claim: PersistentVolumeClaim, pod: Pod | undefined): OwnerReference[] | undefined {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  const current = claim.metadata.ownerReferences ?? [];
  const setUID = set.metadata.uid;
  const podUID = pod?.metadata.uid;
  const scaledDown = pod !== undefined && !ordinalInRange(set, ordinalOf(pod));
  let wantSet = policy.whenDeleted === 'Delete';
  let wantPod = false;
  if (policy.whenScaled === 'Delete' && scaledDown) {
    wantPod = true;
    // The pod's ref takes over so the claim outlives neither; the set's would only delay that.
    wantSet = false;
  }
  const hadSet = current.some((r) => r.uid === setUID);
  const hadPod = podUID !== undefined && current.some((r) => r.uid === podUID);
  // With no pod to judge, a pod ref is left as it is.
  const changed = hadSet !== wantSet || (podUID !== undefined && hadPod !== wantPod);
  if (!changed) return undefined;
  const refs = current.filter((r) => r.uid !== setUID && (podUID === undefined || r.uid !== podUID));
  if (wantSet) refs.push(current.find((r) => r.uid === setUID) ?? controllerRefFor(set, STATEFULSET_KIND));
  if (podUID !== undefined) {
    const podRef = current.find((r) => r.uid === podUID) ?? { apiVersion: 'v1', kind: 'Pod', name: pod!.metadata.name!, uid: podUID };
    if (wantPod) refs.push(podRef);
  }
  return refs;
}
