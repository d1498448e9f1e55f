/**
 * The mutating plugins upstream enables by default that shape every new pod:
 * ServiceAccount (serviceAccountName defaults to "default"), Priority
 * (priority from priorityClassName or the global default, 0 otherwise) and
 * DefaultTolerationSeconds (tolerate not-ready/unreachable for 300 s).
 */
import { StatusError } from '../../../machinery/errors/status-error.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import type { Store } from '../../registry/store.js';
import type { AdmissionAttributes, AdmissionOperation, MutatingPlugin } from '../types.js';

interface Toleration {
  key?: string;
  operator?: string;
  effect?: string;
  tolerationSeconds?: number;
}

function isPodCreate(a: AdmissionAttributes): boolean {
  return a.operation === 'CREATE' && a.group === '' && a.resource === 'pods' && !a.subresource && !!a.object;
}

export class ServiceAccountAdmission implements MutatingPlugin {
  readonly name = 'ServiceAccount';
  handles(op: AdmissionOperation): boolean {
    return op === 'CREATE';
  }
  async admit(a: AdmissionAttributes): Promise<void> {
    if (!isPodCreate(a)) return;
    const spec = (a.object!.spec ??= {}) as { serviceAccountName?: string; serviceAccount?: string };
    if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
    spec.serviceAccount = spec.serviceAccountName;
  }
}

export const DEFAULT_NOT_READY_TOLERATION_SECONDS = 300;

export class DefaultTolerationSeconds implements MutatingPlugin {
  readonly name = 'DefaultTolerationSeconds';
  handles(op: AdmissionOperation): boolean {
    return op === 'CREATE';
  }
  async admit(a: AdmissionAttributes): Promise<void> {
    if (!isPodCreate(a)) return;
    const spec = (a.object!.spec ??= {}) as { tolerations?: Toleration[] };
    const tolerations = (spec.tolerations ??= []);
    for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
      const covered = tolerations.some((t) => (t.operator === 'Exists' && !t.key) || (t.key === key && (!t.effect || t.effect === 'NoExecute')));
      if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_NOT_READY_TOLERATION_SECONDS });
    }
  }
}

export class PriorityAdmission implements MutatingPlugin {
  readonly name = 'Priority';
  constructor(private readonly priorityClasses: () => Store | undefined) {}
  handles(op: AdmissionOperation): boolean {
    return op === 'CREATE';
  }
  async admit(a: AdmissionAttributes): Promise<void> {
    if (!isPodCreate(a)) return;
    const spec = a.object!.spec as { priorityClassName?: string; priority?: number; preemptionPolicy?: string };
    const store = this.priorityClasses();
    let pc: KubeObject | undefined;
    if (spec.priorityClassName) {
      try {
        pc = (await store?.get('', spec.priorityClassName, { resourceVersion: '0' }))?.object as KubeObject | undefined;
      } catch {
        pc = undefined;
      }
      if (!pc) {
        throw new StatusError(403, 'Forbidden', `pods "${a.object!.metadata.name ?? ''}" is forbidden: no PriorityClass with name ${spec.priorityClassName} was found`, { name: a.object!.metadata.name, kind: 'pods' });
      }
    } else if (store) {
      const all = await store.list({ namespace: '', resourceVersion: '0' });
      pc = all.items.map((i) => i.object as KubeObject).find((p) => (p as { globalDefault?: boolean }).globalDefault);
      if (pc) spec.priorityClassName = pc.metadata.name;
    }
    const value = pc ? ((pc as { value?: number }).value ?? 0) : 0;
    if (spec.priority !== undefined && spec.priority !== value) {
      throw new StatusError(403, 'Forbidden', `pods "${a.object!.metadata.name ?? ''}" is forbidden: the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
    }
    spec.priority = value;
    spec.preemptionPolicy = (pc as { preemptionPolicy?: string } | undefined)?.preemptionPolicy ?? 'PreemptLowerPriority';
  }
}
