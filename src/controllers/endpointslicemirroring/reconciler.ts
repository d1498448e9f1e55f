/**
 * Turns the desired mirror of an Endpoints object into slice writes: one
 * slice per group (address type and port set). A group keeps its first
 * existing slice, rewritten only when its endpoints, labels, annotations or
 * owner differ; extra slices of a group and slices of groups no longer
 * wanted are deleted, and a slice about to be deleted is reused (renamed
 * in place) for a group that would otherwise need a new one.
 */
import type { OwnerReference } from '../../machinery/meta/types.js';
import type { Endpoints } from '../endpoints/controller.js';
import type { EndpointSlice } from '../endpointslice/types.js';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '../endpointslice/types.js';
import { type DesiredMirror, type MirrorGroup, groupKey } from './desired.js';

/** The managed-by value of mirrored slices. */
export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
/** Set to "true" on an Endpoints object that must not be mirrored. */
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
/** Endpoints used as a leader-election lock are never mirrored. */
export const LEADER_ELECTION_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

/** Annotations of the Endpoints that are about that object alone, not copied to its slices. */
const UNCOPIED_ANNOTATIONS = new Set(['endpoints.kubernetes.io/last-change-trigger-time', 'kubectl.kubernetes.io/last-applied-configuration']);

export interface MirrorPlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export function mirroredLabels(endpoints: Endpoints): Record<string, string> {
  return { ...(endpoints.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: endpoints.metadata.name!, [MANAGED_BY_LABEL]: MIRRORING_CONTROLLER_NAME };
}

export function mirroredAnnotations(endpoints: Endpoints): Record<string, string> {
  return Object.fromEntries(Object.entries(endpoints.metadata.annotations ?? {}).filter(([k]) => !UNCOPIED_ANNOTATIONS.has(k)));
}

export function endpointsOwnerRef(endpoints: Endpoints): OwnerReference {
  return { apiVersion: 'v1', kind: 'Endpoints', name: endpoints.metadata.name!, uid: endpoints.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** Upstream names mirrored slices `<endpoints>-<random>`, dropping the dash when the name is too long for it. */
export function slicePrefix(name: string): string {
  return name.length + 1 <= 253 - 5 ? `${name}-` : name;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sameMap = (a: Record<string, string> | undefined, b: Record<string, string>) => {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a![k] === b[k]);
};

export function planMirroredSlices(endpoints: Endpoints, desired: DesiredMirror, existing: readonly EndpointSlice[]): MirrorPlan {
  const labels = mirroredLabels(endpoints);
  const annotations = mirroredAnnotations(endpoints);
  const owner = endpointsOwnerRef(endpoints);
  const plan: MirrorPlan = { create: [], update: [], delete: [] };

  const build = (group: MirrorGroup, name: string | undefined): EndpointSlice => {
    const metadata: EndpointSlice['metadata'] = { namespace: endpoints.metadata.namespace, labels: { ...labels }, annotations: { ...annotations }, ownerReferences: [{ ...owner }] };
    if (name) metadata.name = name;
    else metadata.generateName = slicePrefix(endpoints.metadata.name!);
    return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata, addressType: group.addressType, endpoints: group.endpoints.map((e) => structuredClone(e)), ports: group.ports.map((p) => ({ ...p })) };
  };
  const upToDate = (slice: EndpointSlice, group: MirrorGroup) =>
    same(slice.endpoints ?? [], group.endpoints) &&
    sameMap(slice.metadata.labels, labels) &&
    sameMap(slice.metadata.annotations, annotations) &&
    (slice.metadata.ownerReferences ?? []).some((r) => r.uid === owner.uid && r.controller === true);

  const existingByKey = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    const k = groupKey(s.addressType, s.ports);
    existingByKey.set(k, [...(existingByKey.get(k) ?? []), s]);
  }
  for (const [key, slices] of existingByKey) {
    const group = desired.groups.get(key);
    if (!group || group.endpoints.length === 0) plan.delete.push(...slices);
  }
  for (const [key, group] of desired.groups) {
    if (group.endpoints.length === 0) continue;
    const [first, ...extra] = existingByKey.get(key) ?? [];
    plan.delete.push(...extra);
    if (!first) plan.create.push(build(group, undefined));
    else if (!upToDate(first, group)) plan.update.push(build(group, first.metadata.name));
  }
  recycle(plan);
  return plan;
}

/** A create and a delete of the same address type become one update of the deleted slice. */
function recycle(plan: MirrorPlan): void {
  const creates: EndpointSlice[] = [];
  for (const s of plan.create) {
    const i = plan.delete.findIndex((d) => d.addressType === s.addressType);
    if (i < 0) {
      creates.push(s);
      continue;
    }
    const [reused] = plan.delete.splice(i, 1);
    delete s.metadata.generateName;
    s.metadata.name = reused!.metadata.name;
    plan.update.push(s);
  }
  plan.create = creates;
}
