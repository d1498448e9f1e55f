/**
 * What an object costs against a ResourceQuota (upstream's quota evaluators):
 * the resources it uses, which quota scopes it falls under, which resources a
 * quota may require it to declare, and the ResourceList arithmetic admission
 * and the quota controller share. Pure functions over plain objects.
 */
import { type Quantity, parseQuantity } from '../../machinery/quantity.js';

export type ResourceList = Record<string, Quantity>;
/** A ResourceList as it travels: quantities as strings. */
export type WireResourceList = Record<string, string>;

export interface ScopedResourceSelectorRequirement {
  scopeName: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string;
  values?: string[];
}

export interface ResourceQuota {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  spec?: { hard?: WireResourceList; scopes?: string[]; scopeSelector?: { matchExpressions?: ScopedResourceSelectorRequirement[] } };
  status?: { hard?: WireResourceList; used?: WireResourceList };
}

interface ResourceRequirements {
  requests?: WireResourceList;
  limits?: WireResourceList;
}
interface Container {
  name: string;
  resources?: ResourceRequirements;
}
export interface QuotaPod {
  metadata: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number; [k: string]: unknown };
  spec?: {
    containers?: Container[];
    initContainers?: Container[];
    overhead?: WireResourceList;
    activeDeadlineSeconds?: number;
    priorityClassName?: string;
    affinity?: { podAffinity?: PodAffinityTerms; podAntiAffinity?: PodAffinityTerms };
  };
  status?: { phase?: string };
}
interface PodAffinityTerm {
  namespaces?: string[];
  namespaceSelector?: unknown;
}
interface PodAffinityTerms {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: { podAffinityTerm?: PodAffinityTerm }[];
}

// ---------------------------------------------------------------------------
// ResourceList arithmetic

const ZERO = parseQuantity('0');

export function parseResourceList(list: WireResourceList | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(list ?? {})) {
    try {
      out[k] = parseQuantity(v);
    } catch {
      // Validation refuses malformed quantities; one that slipped through counts as nothing.
    }
  }
  return out;
}

export function toWire(list: ResourceList): WireResourceList {
  const out: WireResourceList = {};
  for (const k of Object.keys(list).sort()) out[k] = list[k]!.toString();
  return out;
}

export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = out[k] ? out[k]!.add(v) : v;
  return out;
}

/** a - b, never below zero per resource (upstream SubtractWithNonNegativeResult). */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(a)) {
    const d = b[k] ? v.sub(b[k]!) : v;
    out[k] = d.sign() < 0 ? ZERO : d;
  }
  return out;
}

export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const n of names) if (list[n]) out[n] = list[n]!;
  return out;
}

export function isZeroList(list: ResourceList): boolean {
  return Object.values(list).every((q) => q.isZero());
}

/** The resources of `a` that exceed their bound in `b` (resources absent from `b` are unbounded). */
export function exceededResources(a: ResourceList, b: ResourceList): string[] {
  return Object.keys(a)
    .filter((k) => b[k] !== undefined && a[k]!.cmp(b[k]!) > 0)
    .sort();
}

/** `k=v,k2=v2` in key order, as upstream prints quota usage. */
export function prettyPrint(list: ResourceList): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${list[k]!.toString()}`)
    .join(',');
}

function maxLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) if (!out[k] || v.cmp(out[k]!) > 0) out[k] = v;
  return out;
}

// ---------------------------------------------------------------------------
// Pods

/** Effective pod requests and limits: the containers' sum, at least any init container's, plus overhead. */
export function podRequestsAndLimits(pod: QuotaPod): { requests: ResourceList; limits: ResourceList } {
  let requests: ResourceList = {};
  let limits: ResourceList = {};
  for (const c of pod.spec?.containers ?? []) {
    requests = addLists(requests, parseResourceList(c.resources?.requests));
    limits = addLists(limits, parseResourceList(c.resources?.limits));
  }
  for (const c of pod.spec?.initContainers ?? []) {
    requests = maxLists(requests, parseResourceList(c.resources?.requests));
    limits = maxLists(limits, parseResourceList(c.resources?.limits));
  }
  const overhead = parseResourceList(pod.spec?.overhead);
  requests = addLists(requests, overhead);
  // Overhead only adds to limits that are set: an unset limit stays unbounded.
  for (const [k, v] of Object.entries(overhead)) if (limits[k]) limits[k] = limits[k]!.add(v);
  return { requests, limits };
}

const ONE = parseQuantity('1');

function isExtendedRequest(name: string): boolean {
  return name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.');
}

/** The compute resources a pod with these requests and limits uses, under every quota name for them. */
export function podComputeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = { pods: ONE };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[r]) {
      out[r] = requests[r]!;
      out[`requests.${r}`] = requests[r]!;
    }
    if (limits[r]) out[`limits.${r}`] = limits[r]!;
  }
  for (const [k, v] of Object.entries(requests)) {
    if (k.startsWith('hugepages-') || isExtendedRequest(k)) out[`requests.${k}`] = v;
  }
  return out;
}

/** Whether a pod still counts against compute quota: not finished, not past its deletion grace. */
export function podCountsForCompute(pod: QuotaPod, nowMs: number): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const del = pod.metadata.deletionTimestamp;
  if (del && pod.metadata.deletionGracePeriodSeconds !== undefined) {
    const graceEnd = Date.parse(del) + pod.metadata.deletionGracePeriodSeconds * 1000;
    if (nowMs > graceEnd) return false;
  }
  return true;
}

/** `count/pods` counts every stored pod; the rest only live ones. */
export function podUsage(pod: QuotaPod, nowMs: number): ResourceList {
  const out: ResourceList = { 'count/pods': ONE };
  if (!podCountsForCompute(pod, nowMs)) return out;
  const { requests, limits } = podRequestsAndLimits(pod);
  return { ...out, ...podComputeUsage(requests, limits) };
}

const POD_RESOURCES = new Set([
  'pods',
  'count/pods',
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
]);

function podTracks(name: string): boolean {
  return POD_RESOURCES.has(name) || name.startsWith('requests.hugepages-') || (name.startsWith('requests.') && name.includes('/'));
}

/** Resources whose every container must declare them when a quota tracks them (a historical rule). */
const DECLARATION_REQUIRED = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

/** `must specify limits.cpu for: app; ...` when a tracked resource is missing from some container. */
export function podConstraintViolation(tracked: readonly string[], pod: QuotaPod): string | undefined {
  const required = tracked.filter((r) => DECLARATION_REQUIRED.has(r));
  if (!required.length) return undefined;
  const missing = new Map<string, Set<string>>();
  const check = (c: Container) => {
    const usage = podComputeUsage(parseResourceList(c.resources?.requests), parseResourceList(c.resources?.limits));
    for (const r of required) {
      if (usage[r]) continue;
      if (!missing.has(r)) missing.set(r, new Set());
      missing.get(r)!.add(c.name);
    }
  };
  for (const c of pod.spec?.containers ?? []) check(c);
  for (const c of pod.spec?.initContainers ?? []) check(c);
  if (!missing.size) return undefined;
  return [...missing.keys()]
    .sort()
    .map((r) => `must specify ${r} for: ${[...missing.get(r)!].sort().join(',')}`)
    .join('; ');
}

function isBestEffort(pod: QuotaPod): boolean {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  return all.every((c) => {
    for (const list of [c.resources?.requests, c.resources?.limits]) {
      for (const [k, v] of Object.entries(list ?? {})) {
        if ((k === 'cpu' || k === 'memory') && !parseResourceList({ [k]: v })[k]?.isZero()) return false;
      }
    }
    return true;
  });
}

function usesCrossNamespaceAffinity(pod: QuotaPod): boolean {
  const terms = (a?: PodAffinityTerms): PodAffinityTerm[] => [
    ...(a?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(a?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm ?? {}),
  ];
  const all = [...terms(pod.spec?.affinity?.podAffinity), ...terms(pod.spec?.affinity?.podAntiAffinity)];
  return all.some((t) => (t.namespaces?.length ?? 0) > 0 || t.namespaceSelector != null);
}

function matchesValues(value: string | undefined, req: ScopedResourceSelectorRequirement): boolean {
  switch (req.operator) {
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'In':
      return value !== undefined && (req.values ?? []).includes(value);
    case 'NotIn':
      return value === undefined || !(req.values ?? []).includes(value);
    default:
      return false;
  }
}

/** Whether a pod falls under one scope requirement of a quota. */
export function podMatchesScope(pod: QuotaPod, req: ScopedResourceSelectorRequirement): boolean {
  const terminating = pod.spec?.activeDeadlineSeconds !== undefined && pod.spec.activeDeadlineSeconds >= 0;
  switch (req.scopeName) {
    case 'Terminating':
      return terminating;
    case 'NotTerminating':
      return !terminating;
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    case 'PriorityClass':
      return matchesValues(pod.spec?.priorityClassName || undefined, req);
    case 'CrossNamespacePodAffinity':
      return usesCrossNamespaceAffinity(pod);
    default:
      return false;
  }
}

/** A quota's scopes and scope selector as one list of requirements. */
export function quotaScopeRequirements(q: ResourceQuota): ScopedResourceSelectorRequirement[] {
  return [...(q.spec?.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists' })), ...(q.spec?.scopeSelector?.matchExpressions ?? [])];
}

// ---------------------------------------------------------------------------
// Evaluators

export interface QuotaEvaluator {
  group: string;
  resource: string;
  /** The quota resource names this evaluator accounts for, out of `names`. */
  matchingResources(names: Iterable<string>): string[];
  usage(obj: unknown, nowMs: number): ResourceList;
  /** Whether the object falls under every scope requirement (no requirements: yes). */
  matchesScopes(reqs: readonly ScopedResourceSelectorRequirement[], obj: unknown): boolean;
  /** A reason to refuse the object outright under a quota tracking `tracked`. */
  constraintViolation?(tracked: readonly string[], obj: unknown): string | undefined;
  /** Which writes admission charges: operation and subresource. */
  handles(operation: string, subresource: string): boolean;
}

function countName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** Only unscoped quotas count objects other than pods. */
const noScopes = (reqs: readonly ScopedResourceSelectorRequirement[]) => reqs.length === 0;

const podEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'pods',
  matchingResources: (names) => [...names].filter(podTracks),
  usage: (obj, now) => podUsage(obj as QuotaPod, now),
  matchesScopes: (reqs, obj) => reqs.every((r) => podMatchesScope(obj as QuotaPod, r)),
  constraintViolation: (tracked, obj) => podConstraintViolation(tracked, obj as QuotaPod),
  handles: (op, sub) => op === 'CREATE' && sub === '',
};

interface QuotaService {
  spec?: { type?: string; ports?: unknown[]; allocateLoadBalancerNodePorts?: boolean };
}

const serviceEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'services',
  matchingResources: (names) => [...names].filter((n) => ['services', 'count/services', 'services.nodeports', 'services.loadbalancers'].includes(n)),
  usage: (obj) => {
    const svc = obj as QuotaService;
    const out: ResourceList = { services: ONE, 'count/services': ONE, 'services.nodeports': ZERO, 'services.loadbalancers': ZERO };
    const ports = parseQuantity(String(svc.spec?.ports?.length ?? 0));
    if (svc.spec?.type === 'NodePort') out['services.nodeports'] = ports;
    if (svc.spec?.type === 'LoadBalancer') {
      out['services.loadbalancers'] = ONE;
      if (svc.spec.allocateLoadBalancerNodePorts !== false) out['services.nodeports'] = ports;
    }
    return out;
  },
  matchesScopes: noScopes,
  handles: (op, sub) => (op === 'CREATE' || op === 'UPDATE') && sub === '',
};

interface QuotaPVC {
  spec?: { storageClassName?: string; resources?: { requests?: WireResourceList } };
}

const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';

const pvcEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'persistentvolumeclaims',
  matchingResources: (names) =>
    [...names].filter((n) => ['persistentvolumeclaims', 'count/persistentvolumeclaims', 'requests.storage'].includes(n) || n.includes(STORAGE_CLASS_SUFFIX)),
  usage: (obj) => {
    const pvc = obj as QuotaPVC;
    const out: ResourceList = { persistentvolumeclaims: ONE, 'count/persistentvolumeclaims': ONE };
    const storage = parseResourceList(pvc.spec?.resources?.requests).storage;
    if (storage) out['requests.storage'] = storage;
    const cls = pvc.spec?.storageClassName;
    if (cls) {
      out[`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] = ONE;
      if (storage) out[`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`] = storage;
    }
    return out;
  },
  matchesScopes: noScopes,
  handles: (op, sub) => (op === 'CREATE' || op === 'UPDATE') && sub === '',
};

/** Objects counted by number only: `count/<resource>[.<group>]`, and the legacy short names of a few core kinds. */
export function objectCountEvaluator(group: string, resource: string): QuotaEvaluator {
  const names = [countName(group, resource)];
  if (!group && ['configmaps', 'secrets', 'replicationcontrollers', 'resourcequotas'].includes(resource)) names.push(resource);
  return {
    group,
    resource,
    matchingResources: (all) => [...all].filter((n) => names.includes(n)),
    usage: () => Object.fromEntries(names.map((n) => [n, ONE])),
    matchesScopes: noScopes,
    handles: (op, sub) => op === 'CREATE' && sub === '',
  };
}

export function evaluatorFor(group: string, resource: string): QuotaEvaluator {
  if (!group && resource === 'pods') return podEvaluator;
  if (!group && resource === 'services') return serviceEvaluator;
  if (!group && resource === 'persistentvolumeclaims') return pvcEvaluator;
  return objectCountEvaluator(group, resource);
}

/** The group/resource a `count/<resource>.<group>` quota name counts. */
export function parseCountName(name: string): { group: string; resource: string } | undefined {
  if (!name.startsWith('count/')) return undefined;
  const rest = name.slice('count/'.length);
  const dot = rest.indexOf('.');
  return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
}

/** The legacy names that stand for counts of core kinds. */
export const LEGACY_COUNT_NAMES: Readonly<Record<string, string>> = {
  pods: 'pods',
  services: 'services',
  configmaps: 'configmaps',
  secrets: 'secrets',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
  persistentvolumeclaims: 'persistentvolumeclaims',
};
