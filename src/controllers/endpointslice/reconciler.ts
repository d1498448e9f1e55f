/**
 * Turns desired port groups into slice writes with little churn, in the
 * spirit of upstream's reconciler: endpoints stay in the slice that already
 * holds them, changed ones are updated in place, new ones fill existing
 * slices with room before new slices are made, and only slices whose content
 * changed are written. A service with no endpoints keeps one empty
 * placeholder slice, as upstream.
 */
import type { OwnerReference } from '../../machinery/meta/types.js';
import type { Service } from '../framework/service-pods.js';
import { HEADLESS_SERVICE_LABEL, LAST_CHANGE_TRIGGER_TIME_ANNOTATION, isHeadless } from '../framework/service-pods.js';
import { type PortGroup, endpointKey, portsKey } from './desired.js';
import { CONTROLLER_NAME, type EndpointSlice, MANAGED_BY_LABEL, MAX_ENDPOINTS_PER_SLICE, SERVICE_NAME_LABEL, type SliceEndpoint } from './types.js';

export interface SlicePlan {
  /** New slices, named by generateName. */
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export interface ReconcileInput {
  service: Service;
  desired: Map<string, PortGroup>;
  /** The slices this controller manages for the service. */
  existing: readonly EndpointSlice[];
  triggerTime?: string;
  maxEndpointsPerSlice?: number;
}

export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  labels[SERVICE_NAME_LABEL] = svc.metadata.name!;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  if (isHeadless(svc)) labels[HEADLESS_SERVICE_LABEL] = '';
  else delete labels[HEADLESS_SERVICE_LABEL];
  return labels;
}

export function serviceOwnerRef(svc: Service): OwnerReference {
  return { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function planSlices(input: ReconcileInput): SlicePlan {
  const { service: svc, desired } = input;
  const max = input.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  const labels = sliceLabels(svc);
  const ownerRef = serviceOwnerRef(svc);
  const plan: SlicePlan = { create: [], update: [], delete: [] };

  const fresh = (ports: PortGroup['ports'] | null, endpoints: SliceEndpoint[]): EndpointSlice => {
    const s: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { generateName: `${svc.metadata.name}-`, namespace: svc.metadata.namespace, labels: { ...labels }, ownerReferences: [{ ...ownerRef }] },
      addressType: 'IPv4',
      endpoints,
      ports,
    };
    if (input.triggerTime) s.metadata.annotations = { [LAST_CHANGE_TRIGGER_TIME_ANNOTATION]: input.triggerTime };
    return s;
  };
  const rewrite = (old: EndpointSlice, endpoints: SliceEndpoint[]): EndpointSlice => {
    const s = structuredClone(old) as EndpointSlice;
    s.endpoints = endpoints;
    s.metadata.labels = { ...labels };
    s.metadata.ownerReferences = [{ ...ownerRef }];
    if (input.triggerTime) s.metadata.annotations = { ...(s.metadata.annotations ?? {}), [LAST_CHANGE_TRIGGER_TIME_ANNOTATION]: input.triggerTime };
    return s;
  };
  const metadataDrifted = (s: EndpointSlice) => !same(s.metadata.labels ?? {}, labels) || !(s.metadata.ownerReferences ?? []).some((r) => r.uid === ownerRef.uid && r.controller);

  const totalDesired = [...desired.values()].reduce((n, g) => n + g.endpoints.length, 0);
  if (totalDesired === 0) {
    const keep = input.existing.find((s) => s.endpoints.length === 0 && !s.ports?.length);
    for (const s of input.existing) if (s !== keep) plan.delete.push(s);
    if (!keep) plan.create.push(fresh(null, []));
    else if (metadataDrifted(keep)) plan.update.push(rewrite(keep, []));
    return plan;
  }

  const bySliceKey = new Map<string, EndpointSlice[]>();
  for (const s of input.existing) {
    const k = portsKey(s.ports);
    if (!desired.has(k)) {
      plan.delete.push(s);
      continue;
    }
    const list = bySliceKey.get(k) ?? [];
    list.push(s);
    bySliceKey.set(k, list);
  }

  for (const [key, group] of desired) {
    const wanted = new Map(group.endpoints.map((ep) => [endpointKey(ep), ep]));
    const placed = new Set<string>();
    // Existing slices first: keep what they hold that is still wanted, in place.
    const kept: { slice: EndpointSlice; endpoints: SliceEndpoint[]; changed: boolean }[] = [];
    for (const slice of bySliceKey.get(key) ?? []) {
      const endpoints: SliceEndpoint[] = [];
      let changed = metadataDrifted(slice);
      for (const ep of slice.endpoints) {
        const k = endpointKey(ep);
        const want = wanted.get(k);
        if (!want || placed.has(k)) {
          changed = true;
          continue;
        }
        placed.add(k);
        if (!same(ep, want)) changed = true;
        endpoints.push(want);
      }
      kept.push({ slice, endpoints, changed });
    }
    const remaining = group.endpoints.filter((ep) => !placed.has(endpointKey(ep)));
    // Fill slices that are being written anyway before touching unchanged ones.
    kept.sort((a, b) => Number(b.changed) - Number(a.changed));
    for (const k of kept) {
      while (remaining.length && k.endpoints.length < max) {
        k.endpoints.push(remaining.shift()!);
        k.changed = true;
      }
    }
    for (const k of kept) {
      if (!k.changed) continue;
      if (k.endpoints.length === 0) plan.delete.push(k.slice);
      else plan.update.push(rewrite(k.slice, k.endpoints));
    }
    while (remaining.length) plan.create.push(fresh(group.ports, remaining.splice(0, max)));
  }
  return plan;
}
