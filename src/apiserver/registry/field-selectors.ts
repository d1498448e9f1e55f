/**
 * The fields each resource can be selected by (upstream's field label
 * conversion funcs and GetAttrs): metadata.name and metadata.namespace for
 * everything, plus the per-kind ones kubectl and controllers use.
 */
import type { KubeObject } from '../../machinery/meta/types.js';

export type FieldGetter = (obj: Readonly<KubeObject>) => string | undefined;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const at = (obj: unknown, path: string[]): unknown => {
  let cur = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
};
const pathGetter = (path: string): FieldGetter => {
  const parts = path.split('.');
  return (o) => str(at(o, parts));
};

const perResource: Record<string, string[]> = {
  '/pods': [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  '/secrets': ['type'],
  '/namespaces': ['status.phase'],
  '/nodes': ['spec.unschedulable'],
  '/replicationcontrollers': ['status.replicas'],
  'apps/replicasets': ['status.replicas'],
  'batch/jobs': ['status.successful'],
  '/events': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  'events.k8s.io/events': ['regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'reason', 'type', 'reportingController'],
  '/persistentvolumeclaims': [],
  '/services': ['spec.clusterIP', 'spec.type'],
  'certificates.k8s.io/certificatesigningrequests': ['spec.signerName'],
};

const special: Record<string, FieldGetter> = {
  'spec.hostNetwork': (o) => String(!!at(o, ['spec', 'hostNetwork'])),
  'spec.unschedulable': (o) => String(!!at(o, ['spec', 'unschedulable'])),
  'source': (o) => str(at(o, ['source', 'component'])),
  'status.podIP': (o) => str(at(o, ['status', 'podIP'])),
};

/** The getters for one resource; unknown fields are rejected by the caller. */
export function fieldGetters(group: string, resource: string, extra: string[] = []): Map<string, FieldGetter> {
  const m = new Map<string, FieldGetter>();
  m.set('metadata.name', (o) => o.metadata.name ?? '');
  m.set('metadata.namespace', (o) => o.metadata.namespace ?? '');
  for (const f of [...(perResource[`${group}/${resource}`] ?? []), ...extra]) m.set(f, special[f] ?? pathGetter(f));
  return m;
}

/**
 * Upstream's refusal of a field: kinds with their own field label conversion
 * say "field label not supported"; every other kind falls back to the generic
 * conversion, whose message names the two fields all kinds accept.
 */
export function unsupportedFieldMessage(group: string, resource: string, field: string): string {
  if (perResource[`${group}/${resource}`]) return `field label not supported: ${field}`;
  return `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
}
