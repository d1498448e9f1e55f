/**
 * Pods: a new pod starts Pending with its QoS class; deletion of a pod bound
 * to a node is graceful (the node agent finishes it), of an unbound or
 * finished pod immediate.
 */
import type { ResourceType } from '../../../api/scheme.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import { parseQuantity } from '../../../machinery/quantity.js';
import { validateObjectMetaUpdate } from '../object-meta.js';
import { type Strategy, defaultStrategy, restoreStored } from '../strategy.js';

type Resources = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
type Container = { resources?: Resources };

const QOS_RESOURCES = ['cpu', 'memory'];

function nonZero(v: unknown): boolean {
  try {
    return parseQuantity(v as string | number).cmp(parseQuantity(0)) > 0;
  } catch {
    return false;
  }
}

/** Upstream's GetPodQOS: Guaranteed when every container limits cpu and memory at its requests. */
export function podQOSClass(spec: { containers?: Container[]; initContainers?: Container[] } | undefined): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let anyRequest = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const [k, v] of Object.entries(req)) if (QOS_RESOURCES.includes(k) && nonZero(v)) anyRequest = true;
    for (const [k, v] of Object.entries(lim)) if (QOS_RESOURCES.includes(k) && nonZero(v)) anyRequest = true;
    for (const r of QOS_RESOURCES) {
      const l = lim[r];
      if (l === undefined || !nonZero(l)) {
        guaranteed = false;
        continue;
      }
      const q = req[r] ?? l;
      try {
        if (parseQuantity(q as string | number).cmp(parseQuantity(l as string | number)) !== 0) guaranteed = false;
      } catch {
        guaranteed = false;
      }
    }
  }
  if (!anyRequest) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function podStrategy(rt: ResourceType): Strategy {
  const base = defaultStrategy(rt);
  return {
    ...base,
    returnDeletedObject: true,
    prepareForCreate(ctx, obj) {
      base.prepareForCreate(ctx, obj);
      obj.status = { phase: 'Pending', qosClass: podQOSClass(obj.spec as never) };
    },
    gracePeriodSeconds(obj: KubeObject, requested: number | undefined) {
      const spec = obj.spec as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined;
      const phase = (obj.status as { phase?: string } | undefined)?.phase;
      if (!spec?.nodeName) return 0;
      if (phase === 'Succeeded' || phase === 'Failed') return 0;
      if (requested !== undefined) return requested;
      return spec.terminationGracePeriodSeconds ?? 30;
    },
  };
}

/**
 * PUT and PATCH of pods/{name}/ephemeralcontainers (what `kubectl debug` writes): the pod stays
 * as stored except spec.ephemeralContainers, which may only gain containers.
 */
export function podEphemeralContainersStrategy(rt: ResourceType, base: Strategy): Strategy {
  return {
    ...base,
    allowCreateOnUpdate: false,
    prepareForUpdate(_ctx, obj, old) {
      const ephemeral = (obj.spec as { ephemeralContainers?: unknown } | undefined)?.ephemeralContainers;
      restoreStored(obj, old);
      const spec = (obj.spec ??= {}) as { ephemeralContainers?: unknown };
      if (ephemeral === undefined) delete spec.ephemeralContainers;
      else spec.ephemeralContainers = ephemeral;
    },
    validateUpdate(_ctx, obj, old) {
      return [
        ...validateObjectMetaUpdate(obj.metadata, old.metadata, { namespaced: true, nameValidator: rt.nameValidator, kubeFinalizers: true }),
        ...(rt.validate?.(obj, old, { operation: 'update', subresource: 'ephemeralcontainers' }) ?? []),
      ];
    },
  };
}
