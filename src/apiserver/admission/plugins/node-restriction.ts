/**
 * NodeRestriction: a kubelet (user `system:node:<name>` in `system:nodes`)
 * may only write what belongs to its own node — its Node (without touching
 * its taints or labels outside the set kubelets own), its Lease in
 * kube-node-lease, the status of pods bound to it, deletion of those pods,
 * and mirror pods of its own. A stolen node credential thus cannot steer
 * workloads to itself or tamper with other nodes. Refusals are 403 Forbidden
 * with upstream's texts. Everything else (events, reads) is left to
 * authorization.
 */
import { StatusError, forbidden } from '../../../machinery/errors/status-error.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import type { RequestContext, UserInfo } from '../../context.js';
import type { Store } from '../../registry/store.js';
import type { AdmissionAttributes, AdmissionOperation, ValidatingPlugin } from '../types.js';

export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const NODE_RESTRICTION_LABEL_NAMESPACE = 'node-restriction.kubernetes.io';

/** Labels kubelets set on their own Node (upstream's kubelet label set). */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

/** The node a user is, or undefined when the user is not a node; an empty name is a node user we cannot place. */
export function nodeIdentity(user: UserInfo | undefined): string | undefined {
  if (!user || !user.username.startsWith(NODE_USER_PREFIX)) return undefined;
  if (!(user.groups ?? []).includes(NODES_GROUP)) return undefined;
  return user.username.slice(NODE_USER_PREFIX.length);
}

function labelNamespace(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

function inNamespace(ns: string, domain: string): boolean {
  return ns === domain || ns.endsWith('.' + domain);
}

export function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((d) => inNamespace(ns, d));
}

function isKubernetesLabel(key: string): boolean {
  const ns = labelNamespace(key);
  return inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
}

/** Keys added, removed or changed between `before` and `after`. */
export function modifiedLabels(after: Record<string, string> | undefined, before: Record<string, string> | undefined): string[] {
  const a = after ?? {};
  const b = before ?? {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]);
}

/** The labels of `keys` a kubelet may not set: node-restriction ones, and kubernetes.io / k8s.io ones outside the kubelet's set. */
export function forbiddenNodeLabels(keys: string[]): string[] {
  const out = keys.filter((k) => inNamespace(labelNamespace(k), NODE_RESTRICTION_LABEL_NAMESPACE) || (isKubernetesLabel(k) && !isKubeletLabel(k)));
  return [...new Set(out)].sort();
}

type Obj = Record<string, unknown>;

function spec(o: KubeObject | undefined): Obj {
  return (o?.spec ?? {}) as Obj;
}

/** Deep equality of JSON values, key order ignored (Go's semantic DeepEqual for API objects). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Obj;
  const bo = b as Obj;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!jsonEqual(ao[k], bo[k])) return false;
  return true;
}

/** An absent list and an empty one are the same (a nil slice vs an empty one in Go). */
function emptyAsAbsent(v: unknown): unknown {
  return Array.isArray(v) && v.length === 0 ? undefined : v;
}

export interface NodeRestrictionOptions {
  /** Pods, to check the pod a node evicts or asks a token for; without it such requests are refused. */
  pods?: () => Store | undefined;
}

export class NodeRestriction implements ValidatingPlugin {
  readonly name = 'NodeRestriction';

  constructor(private readonly opts: NodeRestrictionOptions = {}) {}

  handles(op: AdmissionOperation): boolean {
    return op === 'CREATE' || op === 'UPDATE' || op === 'DELETE';
  }

  async validate(a: AdmissionAttributes, ctx: RequestContext): Promise<void> {
    const nodeName = nodeIdentity(ctx.user);
    if (nodeName === undefined) return;
    const refuse = (why: string) => forbidden({ group: a.group, resource: a.resource }, a.name || (a.object?.metadata.name ?? ''), why);
    if (nodeName === '') throw refuse(`could not determine node from user "${ctx.user.username}"`);
    const gr = `${a.group}/${a.resource}`;
    switch (gr) {
      case '/pods':
        if (a.subresource === '') return this.admitPod(nodeName, a, refuse);
        if (a.subresource === 'status') return this.admitPodStatus(nodeName, a, refuse);
        if (a.subresource === 'eviction') return this.admitPodEviction(nodeName, a, refuse);
        throw refuse(`unexpected subresource "${a.subresource}", only 'status' and 'eviction' are allowed`);
      case '/nodes':
        return this.admitNode(nodeName, a, refuse);
      case '/persistentvolumeclaims':
        if (a.subresource !== 'status') throw refuse('may only update PVC status');
        return this.admitPVCStatus(nodeName, a, refuse);
      case '/serviceaccounts':
        return this.admitServiceAccount(nodeName, a, refuse);
      case 'coordination.k8s.io/leases':
        return this.admitLease(nodeName, a, refuse);
      case 'storage.k8s.io/csinodes':
        if (a.name !== nodeName) throw refuse('the name of the CSINode object must match the node name');
        return;
      default:
        return;
    }
  }

  private admitPod(nodeName: string, a: AdmissionAttributes, refuse: (why: string) => StatusError): void {
    switch (a.operation) {
      case 'CREATE':
        return this.admitMirrorPod(nodeName, a.object, refuse);
      case 'DELETE':
        if (spec(a.oldObject).nodeName !== nodeName) throw refuse(`node "${nodeName}" can only delete pods with spec.nodeName set to itself`);
        return;
      default:
        throw refuse(`unexpected operation "${a.operation}", node "${nodeName}" can only create and delete mirror pods`);
    }
  }

  private admitMirrorPod(nodeName: string, pod: KubeObject | undefined, refuse: (why: string) => StatusError): void {
    if (!pod?.metadata.annotations || !(MIRROR_POD_ANNOTATION in pod.metadata.annotations)) {
      throw refuse(`pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${nodeName}" can only create mirror pods`);
    }
    const s = spec(pod);
    if (s.nodeName !== nodeName) throw refuse(`node "${nodeName}" can only create pods with spec.nodeName set to itself`);
    const owners = pod.metadata.ownerReferences ?? [];
    if (owners.length > 1) throw refuse(`node "${nodeName}" can only create pods with a single owner reference set to itself`);
    const owner = owners[0];
    if (!owner || owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== nodeName) throw refuse(`node "${nodeName}" can only create pods with an owner reference set to itself`);
    if (owner.controller !== true) throw refuse(`node "${nodeName}" can only create pods with a controller owner reference set to itself`);
    if (owner.blockOwnerDeletion === true) throw refuse(`node "${nodeName}" must not set blockOwnerDeletion on an owner reference`);
    const volumes = (s.volumes ?? []) as Obj[];
    if (volumes.some((v) => v.secret !== undefined) || ((s.imagePullSecrets as unknown[] | undefined)?.length ?? 0) > 0) throw refuse(`node "${nodeName}" can not create pods that reference secrets`);
    if (volumes.some((v) => v.configMap !== undefined)) throw refuse(`node "${nodeName}" can not create pods that reference configmaps`);
    if (volumes.some((v) => v.persistentVolumeClaim !== undefined)) throw refuse(`node "${nodeName}" can not create pods that reference persistentvolumeclaims`);
  }

  private async admitPodEviction(nodeName: string, a: AdmissionAttributes, refuse: (why: string) => StatusError): Promise<void> {
    if (a.operation !== 'CREATE') throw refuse(`unexpected operation ${a.operation}`);
    const podName = a.name || (a.object?.metadata.name ?? '');
    if (!podName) throw refuse('could not determine pod from request data');
    const pods = this.opts.pods?.();
    if (!pods) throw refuse('could not look up the pod to evict');
    const pod = (await pods.get(a.namespace, podName)).object;
    if (spec(pod).nodeName !== nodeName) throw refuse(`node ${nodeName} can only evict pods with spec.nodeName set to itself`);
  }

  private admitPodStatus(nodeName: string, a: AdmissionAttributes, refuse: (why: string) => StatusError): void {
    if (a.operation !== 'UPDATE') throw refuse(`unexpected operation "${a.operation}"`);
    if (spec(a.oldObject).nodeName !== nodeName) throw refuse(`node "${nodeName}" can only update pod status for pods with spec.nodeName set to itself`);
    if (modifiedLabels(a.object?.metadata.labels, a.oldObject?.metadata.labels).length) throw refuse(`node "${nodeName}" cannot update labels through pod status`);
  }

  private admitNode(nodeName: string, a: AdmissionAttributes, refuse: (why: string) => StatusError): void {
    const requested = a.name || (a.object?.metadata.name ?? '');
    if (requested !== nodeName) throw refuse(`node "${nodeName}" is not allowed to modify node "${requested}"`);
    if (a.operation === 'CREATE') {
      if (spec(a.object).configSource != null) throw refuse(`node "${nodeName}" is not allowed to create pods with a non-nil configSource`);
      const bad = forbiddenNodeLabels(modifiedLabels(a.object?.metadata.labels, undefined));
      if (bad.length) throw refuse(`node "${nodeName}" is not allowed to set the following labels: ${bad.join(', ')}`);
    }
    if (a.operation === 'UPDATE') {
      const configSource = spec(a.object).configSource;
      if (configSource != null && !jsonEqual(configSource, spec(a.oldObject).configSource)) throw refuse(`node "${nodeName}" is not allowed to update configSource to a new non-nil configSource`);
      if (!jsonEqual(emptyAsAbsent(spec(a.object).taints), emptyAsAbsent(spec(a.oldObject).taints))) throw refuse(`node "${nodeName}" is not allowed to modify taints`);
      const bad = forbiddenNodeLabels(modifiedLabels(a.object?.metadata.labels, a.oldObject?.metadata.labels));
      if (bad.length) throw refuse(`is not allowed to modify labels: ${bad.join(', ')}`);
    }
  }

  private admitPVCStatus(nodeName: string, a: AdmissionAttributes, refuse: (why: string) => StatusError): void {
    if (a.operation !== 'UPDATE') throw refuse(`unexpected operation "${a.operation}"`);
    const strip = (o: KubeObject | undefined) => {
      const c = JSON.parse(JSON.stringify(o ?? {})) as KubeObject & { status?: Obj };
      if (c.metadata) {
        delete c.metadata.resourceVersion;
        delete c.metadata.managedFields;
      }
      if (c.status) for (const k of ['capacity', 'conditions', 'allocatedResources', 'allocatedResourceStatuses']) delete c.status[k];
      return c;
    };
    if (!jsonEqual(strip(a.object), strip(a.oldObject))) throw refuse(`node "${nodeName}" is not allowed to update fields other than status.capacity and status.conditions`);
  }

  private async admitServiceAccount(nodeName: string, a: AdmissionAttributes, refuse: (why: string) => StatusError): Promise<void> {
    if (a.operation !== 'CREATE' || a.subresource !== 'token') return;
    const ref = spec(a.object).boundObjectRef as { apiVersion?: string; kind?: string; name?: string; uid?: string } | undefined;
    if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name) throw refuse('node requested token not bound to a pod');
    if (!ref.uid) throw refuse('node requested token with a pod binding without a uid');
    const pods = this.opts.pods?.();
    if (!pods) throw refuse('node requested token for a pod that cannot be looked up');
    const pod = (await pods.get(a.namespace, ref.name)).object;
    if (pod.metadata.uid !== ref.uid) throw refuse(`the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    if (spec(pod).nodeName !== nodeName) throw refuse('node requested token bound to a pod scheduled on a different node');
  }

  private admitLease(nodeName: string, a: AdmissionAttributes, refuse: (why: string) => StatusError): void {
    if (a.namespace !== NODE_LEASE_NAMESPACE) throw refuse(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
    const name = a.operation === 'CREATE' ? (a.object?.metadata.name ?? '') : a.name;
    if (name !== nodeName) throw refuse('can only access node lease with the same name as the requesting node');
  }
}
