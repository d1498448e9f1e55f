/** Pod, pod template and binding validation (ValidatePodSpec, ValidatePodUpdate, ValidatePodBinding). */
import { type FieldError, FieldPath, field } from '../../../../machinery/errors/field.js';
import { isQualifiedName, validateAnnotations, validateLabels } from '../../../../machinery/validation/names.js';
import type { BindingT, PodSpecT, PodT, PodTemplateSpecT, PodTemplateT } from '../types/pod.js';
import type { TolerationT } from '../types/scheduling.js';
import { diffPaths, dnsLabel, dnsSubdomain, isNil, semanticEqual, validIP } from './common.js';
import { type ContainerContext, validateContainer } from './containers.js';
import { validateAffinity, validateTolerations, validateTopologySpreadConstraints } from './scheduling.js';
import { validateResourceList } from './resources.js';
import { validateVolumes } from './volumes.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;
const MAX_DNS_NAMESERVERS = 3;
const MAX_DNS_SEARCH_PATHS = 32;

function validateDNS(spec: PodSpecT, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const policy = spec.dnsPolicy ?? '';
  if (policy === '') errs.push(field.required(path.child('dnsPolicy').text, ''));
  else if (!DNS_POLICIES.includes(policy)) errs.push(field.notSupported(path.child('dnsPolicy').text, policy, DNS_POLICIES));
  const cfg = spec.dnsConfig;
  if (policy === 'None' && !cfg) errs.push(field.required(path.child('dnsConfig').text, 'must provide `dnsConfig` when `dnsPolicy` is None'));
  if (!cfg) return errs;
  const p = path.child('dnsConfig');
  const ns = cfg.nameservers ?? [];
  if (policy === 'None' && ns.length === 0) errs.push(field.required(p.child('nameservers').text, 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
  if (ns.length > MAX_DNS_NAMESERVERS) errs.push(field.invalid(p.child('nameservers').text, ns, `must not have more than ${MAX_DNS_NAMESERVERS} nameservers`));
  ns.forEach((ip, i) => errs.push(...validIP(ip, p.child('nameservers').index(i))));
  const searches = cfg.searches ?? [];
  if (searches.length > MAX_DNS_SEARCH_PATHS) errs.push(field.invalid(p.child('searches').text, searches, `must not have more than ${MAX_DNS_SEARCH_PATHS} search paths`));
  searches.forEach((s, i) => {
    const trimmed = s.endsWith('.') ? s.slice(0, -1) : s;
    if (trimmed !== '') errs.push(...dnsSubdomain(trimmed, p.child('searches').index(i)));
  });
  (cfg.options ?? []).forEach((o, i) => {
    if (!o.name) errs.push(field.required(p.child('options').index(i).text, 'must not be empty'));
  });
  return errs;
}

/** ValidatePodSpec. `isTemplate` relaxes the checks upstream relaxes for templates. */
export function validatePodSpec(spec: PodSpecT, path: FieldPath, opts: { isTemplate?: boolean } = {}): FieldError[] {
  const errs: FieldError[] = [];
  const { errors: volErrs, names: volumes } = validateVolumes(spec.volumes, path.child('volumes'), { isTemplate: !!opts.isTemplate });
  errs.push(...volErrs);

  const names = new Set<string>();
  const portNames = new Set<string>();
  const hostNetwork = !!spec.hostNetwork;
  const ctx = (role: ContainerContext['role']): ContainerContext => ({ role, volumes, names, portNames, hostNetwork });
  const initCtx = ctx('init');
  (spec.initContainers ?? []).forEach((c, i) => errs.push(...validateContainer(c, path.child('initContainers').index(i), initCtx)));
  if (!spec.containers?.length) errs.push(field.required(path.child('containers').text, ''));
  const appCtx: ContainerContext = { ...initCtx, role: 'app', portNames: new Set(portNames) };
  (spec.containers ?? []).forEach((c, i) => errs.push(...validateContainer(c, path.child('containers').index(i), appCtx)));
  const ephCtx: ContainerContext = { ...appCtx, role: 'ephemeral', portNames: new Set() };
  // An ephemeral container may share the namespaces of a regular or init container, not of another ephemeral one.
  const targets = new Set([...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name));
  (spec.ephemeralContainers ?? []).forEach((c, i) => {
    const at = path.child('ephemeralContainers').index(i);
    errs.push(...validateContainer(c, at, ephCtx));
    const target = (c as { targetContainerName?: string }).targetContainerName;
    if (target && !targets.has(target)) errs.push(field.notFound(at.child('targetContainerName').text, target));
  });

  const restart = spec.restartPolicy ?? '';
  if (restart === '') errs.push(field.required(path.child('restartPolicy').text, ''));
  else if (!RESTART_POLICIES.includes(restart)) errs.push(field.notSupported(path.child('restartPolicy').text, restart, RESTART_POLICIES));
  errs.push(...validateDNS(spec, path));

  errs.push(...validateLabels(spec.nodeSelector, path.child('nodeSelector').text));
  errs.push(...validateAffinity(spec.affinity, path.child('affinity')));
  errs.push(...validateTolerations(spec.tolerations, path.child('tolerations')));
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, path.child('topologySpreadConstraints')));

  if (spec.serviceAccountName) errs.push(...dnsSubdomain(spec.serviceAccountName, path.child('serviceAccountName')));
  if (spec.nodeName) errs.push(...dnsSubdomain(spec.nodeName, path.child('nodeName')));
  if (spec.hostname) errs.push(...dnsLabel(spec.hostname, path.child('hostname')));
  if (spec.subdomain) errs.push(...dnsLabel(spec.subdomain, path.child('subdomain')));
  if (spec.priorityClassName) errs.push(...dnsSubdomain(spec.priorityClassName, path.child('priorityClassName')));
  if (spec.runtimeClassName) errs.push(...dnsSubdomain(spec.runtimeClassName, path.child('runtimeClassName')));
  if (!isNil(spec.activeDeadlineSeconds) && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > MAX_INT32)) {
    errs.push(field.invalid(path.child('activeDeadlineSeconds').text, spec.activeDeadlineSeconds, `must be between 1 and ${MAX_INT32}, inclusive`));
  }

  (spec.hostAliases ?? []).forEach((ha, i) => {
    const p = path.child('hostAliases').index(i);
    errs.push(...validIP(ha.ip ?? '', p.child('ip')));
    (ha.hostnames ?? []).forEach((h, j) => errs.push(...dnsSubdomain(h, p.child('hostnames').index(j))));
  });
  (spec.readinessGates ?? []).forEach((g, i) => {
    for (const m of isQualifiedName(g.conditionType ?? '')) errs.push(field.invalid(path.child('readinessGates').index(i).child('conditionType').text, g.conditionType, m));
  });
  const gates = new Set<string>();
  (spec.schedulingGates ?? []).forEach((g, i) => {
    const p = path.child('schedulingGates').index(i);
    for (const m of isQualifiedName(g.name ?? '')) errs.push(field.invalid(p.child('name').text, g.name, m));
    if (gates.has(g.name)) errs.push(field.duplicate(p.child('name').text, g.name));
    gates.add(g.name);
  });
  const claims = new Set<string>();
  (spec.resourceClaims ?? []).forEach((c, i) => {
    const p = path.child('resourceClaims').index(i);
    if (!c.name) errs.push(field.required(p.child('name').text, ''));
    else errs.push(...dnsLabel(c.name, p.child('name')));
    if (c.name && claims.has(c.name)) errs.push(field.duplicate(p.child('name').text, c.name));
    claims.add(c.name);
    const n = Number(!!c.resourceClaimName) + Number(!!c.resourceClaimTemplateName);
    if (n !== 1) errs.push(field.invalid(p.text, c, 'must specify one of: `resourceClaimName`, `resourceClaimTemplateName`'));
  });
  if (spec.os && !spec.os.name) errs.push(field.required(path.child('os').child('name').text, ''));
  errs.push(...validateResourceList(spec.overhead, path.child('overhead')));
  const sc = spec.securityContext;
  if (sc) {
    const p = path.child('securityContext');
    for (const k of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
      const v = sc[k];
      if (typeof v === 'number' && (v < 0 || v > MAX_INT32)) errs.push(field.invalid(p.child(k).text, v, `must be between 0 and ${MAX_INT32}, inclusive`));
    }
    if (sc.fsGroupChangePolicy !== undefined && !['OnRootMismatch', 'Always'].includes(sc.fsGroupChangePolicy)) {
      errs.push(field.notSupported(p.child('fsGroupChangePolicy').text, sc.fsGroupChangePolicy, ['OnRootMismatch', 'Always']));
    }
  }
  return errs;
}

/** ValidatePodTemplateSpec: labels and annotations of the template, then its spec. */
export function validatePodTemplateSpec(tpl: PodTemplateSpecT, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  // Upstream validates template labels at `<path>.labels`, not `<path>.metadata.labels`.
  errs.push(...validateLabels(tpl.metadata?.labels, path.child('labels').text));
  errs.push(...validateAnnotations(tpl.metadata?.annotations, path.child('annotations').text));
  if (!tpl.spec) errs.push(field.required(path.child('spec').child('containers').text, ''));
  else errs.push(...validatePodSpec(tpl.spec, path.child('spec'), { isTemplate: true }));
  if (tpl.spec?.ephemeralContainers?.length) {
    errs.push(field.forbidden(path.child('spec').child('ephemeralContainers').text, 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

export function validatePod(pod: PodT): FieldError[] {
  if (!pod.spec) return [field.required('spec.containers', '')];
  return validatePodSpec(pod.spec, new FieldPath('spec'));
}

const UPDATABLE_POD_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function tolerationKey(t: TolerationT): string {
  return JSON.stringify([t.key ?? '', t.operator ?? '', t.value ?? '', t.effect ?? '']);
}

/** validateOnlyAddedTolerations: existing ones stay, except NoExecute tolerationSeconds may shrink. */
function validateOnlyAddedTolerations(next: TolerationT[] | undefined, prev: TolerationT[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (prev ?? []).forEach((old, i) => {
    const match = (next ?? []).find((t) => tolerationKey(t) === tolerationKey(old));
    const ok =
      match &&
      (isNil(old.tolerationSeconds) ? isNil(match.tolerationSeconds) : !isNil(match.tolerationSeconds) && match.tolerationSeconds <= old.tolerationSeconds);
    if (!ok) errs.push(field.forbidden(path.index(i).text, 'existing toleration can not be modified except its tolerationSeconds'));
  });
  return errs.concat(validateTolerations(next, path));
}

/** ValidatePodUpdate: only images, the deadline, added tolerations and removed scheduling gates may change. */
export function validatePodUpdate(pod: PodT, old: PodT): FieldError[] {
  const specPath = new FieldPath('spec');
  const errs = validatePod(pod);
  const next = pod.spec ?? { containers: [] };
  const prev = old.spec ?? { containers: [] };

  const deadlinePath = specPath.child('activeDeadlineSeconds');
  if (!isNil(prev.activeDeadlineSeconds)) {
    if (isNil(next.activeDeadlineSeconds)) errs.push(field.invalid(deadlinePath.text, null, 'must not update from a positive integer to nil value'));
    else if (next.activeDeadlineSeconds > prev.activeDeadlineSeconds) errs.push(field.invalid(deadlinePath.text, next.activeDeadlineSeconds, 'must be less than or equal to previous value'));
  }

  const oldGates = new Set((prev.schedulingGates ?? []).map((g) => g.name));
  for (const g of next.schedulingGates ?? []) {
    if (!oldGates.has(g.name)) errs.push(field.forbidden(specPath.child('schedulingGates').text, `only deletion is allowed, but found new scheduling gate '${g.name}'`));
  }
  errs.push(...validateOnlyAddedTolerations(next.tolerations, prev.tolerations, specPath.child('tolerations')));

  // Compare the spec with every mutable part copied from the old one: any remaining difference is forbidden.
  const munged = structuredClone(next) as PodSpecT;
  const copyImages = (to: { image?: string }[] | undefined, from: { image?: string }[] | undefined) => {
    (to ?? []).forEach((c, i) => {
      if (from?.[i]) c.image = from[i].image;
    });
  };
  copyImages(munged.containers, prev.containers);
  copyImages(munged.initContainers, prev.initContainers);
  munged.activeDeadlineSeconds = prev.activeDeadlineSeconds;
  munged.tolerations = prev.tolerations;
  munged.schedulingGates = prev.schedulingGates;
  // Ephemeral containers change only through their own subresource, which checks them separately.
  munged.ephemeralContainers = prev.ephemeralContainers;
  if (typeof prev.terminationGracePeriodSeconds === 'number' && prev.terminationGracePeriodSeconds < 0 && next.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = prev.terminationGracePeriodSeconds;
  }
  if (oldGates.size) {
    // While a pod is gated, its node selector may gain entries and its node affinity may be narrowed.
    if (Object.entries(prev.nodeSelector ?? {}).every(([k, v]) => next.nodeSelector?.[k] === v)) munged.nodeSelector = prev.nodeSelector;
    if (!semanticEqual(next.affinity?.nodeAffinity, prev.affinity?.nodeAffinity)) {
      munged.affinity = { ...(munged.affinity ?? {}), nodeAffinity: prev.affinity?.nodeAffinity };
      if (isNil(munged.affinity.nodeAffinity)) delete munged.affinity.nodeAffinity;
    }
  }
  if (!semanticEqual(munged, prev)) {
    const changed = diffPaths(prev, munged).map((p) => `spec.${p}`);
    errs.push(field.forbidden(specPath.text, `pod updates may not change fields other than ${UPDATABLE_POD_FIELDS.join(',')}\n  changed: ${changed.join(', ')}`));
  }
  return errs;
}

/** ValidatePodEphemeralContainersUpdate: ephemeral containers may be added, never changed or removed. */
export function validateEphemeralContainersUpdate(pod: PodT, old: PodT): FieldError[] {
  const path = new FieldPath('spec').child('ephemeralContainers');
  const errs = validatePod(pod);
  const next = new Map((pod.spec?.ephemeralContainers ?? []).map((c) => [c.name, c]));
  (old.spec?.ephemeralContainers ?? []).forEach((c) => {
    const now = next.get(c.name);
    if (!now) errs.push(field.forbidden(path.text, `existing ephemeral containers "${c.name}" may not be removed\n`));
    else if (!semanticEqual(now, c)) errs.push(field.forbidden(path.text, `existing ephemeral containers "${c.name}" may not be changed\n`));
  });
  const { ephemeralContainers: _n, ...restNext } = pod.spec ?? { containers: [] };
  const { ephemeralContainers: _o, ...restPrev } = old.spec ?? { containers: [] };
  if (!semanticEqual(restNext, restPrev)) errs.push(field.forbidden(new FieldPath('spec').text, 'pod updates may not change fields other than `spec.ephemeralContainers`'));
  return errs;
}

/** ValidatePodBinding. */
export function validateBinding(b: BindingT): FieldError[] {
  const errs: FieldError[] = [];
  const kind = b.target?.kind ?? '';
  if (kind !== '' && kind !== 'Node') errs.push(field.notSupported('target.kind', kind, ['Node', '<empty>']));
  if (!b.target?.name) errs.push(field.required('target.name', ''));
  return errs;
}

export function validatePodTemplate(pt: PodTemplateT): FieldError[] {
  if (!pt.template) return [field.required('template', '')];
  return validatePodTemplateSpec(pt.template, new FieldPath('template'));
}
