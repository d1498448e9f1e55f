/**
 * ResourceQuota admission: a write that would take a namespace's usage past a
 * quota's hard limit is refused (403), and an admitted one is charged to the
 * quota's status.used at once, with a compare-and-swap write, so two quick
 * creates cannot both take the last unit. The quota controller later
 * recomputes usage from the real objects (and gives back what a failed write
 * was charged).
 */
import { StatusError, forbidden } from '../../../machinery/errors/status-error.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import type { RequestContext } from '../../context.js';
import type { Registry } from '../../registry/build.js';
import type { AdmissionAttributes, AdmissionOperation, ValidatingPlugin } from '../types.js';
import {
  type QuotaEvaluator,
  type ResourceList,
  type ResourceQuota,
  addLists,
  evaluatorFor,
  exceededResources,
  isZeroList,
  mask,
  parseResourceList,
  prettyPrint,
  quotaScopeRequirements,
  subtractNonNegative,
  toWire,
} from '../../../api/quota/evaluator.js';

/** How admission reads quotas and charges them. */
export interface QuotaAccess {
  list(namespace: string): Promise<ResourceQuota[]>;
  /**
   * Read-modify-write of one quota against its latest stored state: `update`
   * answers the new quota, or throws to refuse; retried on write conflicts.
   */
  updateStatus(ctx: RequestContext, namespace: string, name: string, update: (current: ResourceQuota) => ResourceQuota): Promise<void>;
}

/** Quotas through the registry: reads from the watch cache, charges through the status strategy. */
export function registryQuotaAccess(registry: Registry): QuotaAccess {
  const endpoint = () => registry.endpoints.get('', 'v1', 'resourcequotas');
  return {
    async list(namespace) {
      const ep = endpoint();
      if (!ep) return [];
      const res = await ep.store.list({ namespace, resourceVersion: '0' });
      return res.items.map((i) => i.object as unknown as ResourceQuota);
    },
    async updateStatus(ctx, namespace, name, update) {
      const ep = endpoint();
      if (!ep) return;
      await ep.store.guaranteedUpdate(
        ctx,
        namespace,
        name,
        (current) => {
          if (!current) throw new StatusError(404, 'NotFound', `resourcequotas "${name}" not found`);
          const next = update(current as unknown as ResourceQuota) as unknown as KubeObject;
          // No precondition: a concurrent charge makes the store retry `update` on fresh state.
          delete next.metadata.resourceVersion;
          return next;
        },
        { strategy: ep.statusStrategy },
      );
    },
  };
}

/** The name upstream puts in a refusal: the object's name, else its generateName, else "Unknown". */
export function admissionObjectName(a: AdmissionAttributes): string {
  if (a.name) return a.name;
  return a.object?.metadata.name || a.object?.metadata.generateName || 'Unknown';
}

function refuse(a: AdmissionAttributes, why: string): StatusError {
  return forbidden({ group: a.group, resource: a.resource }, admissionObjectName(a), why);
}

interface Charge {
  quota: ResourceQuota;
  requested: ResourceList;
}

export class ResourceQuotaAdmission implements ValidatingPlugin {
  readonly name = 'ResourceQuota';

  constructor(
    private readonly quotas: QuotaAccess,
    private readonly now: () => number,
  ) {}

  handles(op: AdmissionOperation): boolean {
    return op === 'CREATE' || op === 'UPDATE';
  }

  async validate(a: AdmissionAttributes, ctx: RequestContext): Promise<void> {
    if (!a.namespace || !a.object) return;
    const evaluator = evaluatorFor(a.group, a.resource);
    if (!evaluator.handles(a.operation, a.subresource)) return;
    const quotas = await this.quotas.list(a.namespace);
    if (!quotas.length) return;
    const delta = this.delta(evaluator, a);
    const charges = this.check(evaluator, a, quotas, delta);
    if (!charges.length || ctx.dryRun) return;
    for (const c of charges) {
      await this.quotas.updateStatus(ctx, a.namespace, c.quota.metadata.name ?? '', (current) => {
        // The stored quota may have moved on since the cached read: check again against it.
        const [again] = this.check(evaluator, a, [current], delta);
        if (!again) return current;
        const used = addLists(parseResourceList(current.status?.used), again.requested);
        return { ...current, status: { ...current.status, used: toWire(used) } };
      });
    }
  }

  /** What this write adds: the new object's usage, less the old one's on update. */
  private delta(evaluator: QuotaEvaluator, a: AdmissionAttributes): ResourceList {
    const now = this.now();
    const usage = evaluator.usage(a.object, now);
    if (a.operation === 'UPDATE' && a.oldObject) return subtractNonNegative(usage, evaluator.usage(a.oldObject, now));
    return usage;
  }

  /** The quotas to charge and by how much; throws the refusal upstream gives. */
  private check(evaluator: QuotaEvaluator, a: AdmissionAttributes, quotas: ResourceQuota[], delta: ResourceList): Charge[] {
    const interesting: ResourceQuota[] = [];
    for (const q of quotas) {
      const hardNames = Object.keys(q.status?.hard ?? {});
      const tracked = evaluator.matchingResources(hardNames);
      // A quota the controller has not yet synced (no status.hard) does not apply yet, as upstream.
      if (!tracked.length || !evaluator.matchesScopes(quotaScopeRequirements(q), a.object)) continue;
      const violation = evaluator.constraintViolation?.(tracked, a.object);
      if (violation) throw refuse(a, `failed quota: ${q.metadata.name}: ${violation}`);
      const used = q.status?.used ?? {};
      const unknown = tracked.filter((r) => used[r] === undefined).sort();
      if (unknown.length) throw refuse(a, `status unknown for quota: ${q.metadata.name}, resources: ${unknown.join(',')}`);
      interesting.push(q);
    }
    if (!interesting.length || isZeroList(delta)) return [];
    const charges: Charge[] = [];
    for (const q of interesting) {
      const hard = parseResourceList(q.status?.hard);
      const used = parseResourceList(q.status?.used);
      const requested = mask(delta, Object.keys(hard));
      if (isZeroList(requested)) continue;
      const after = mask(addLists(used, requested), Object.keys(requested));
      const exceeded = exceededResources(after, hard);
      if (exceeded.length) {
        throw refuse(
          a,
          `exceeded quota: ${q.metadata.name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`,
        );
      }
      charges.push({ quota: q, requested });
    }
    return charges;
  }
}
