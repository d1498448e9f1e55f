/**
 * apps/v1 validation as upstream's Validate<Kind>, Validate<Kind>Update and
 * Validate<Kind>StatusUpdate: same field paths, same messages. Generic
 * ObjectMeta checks are the server's.
 */
import { type FieldError, FieldPath, field } from '../../../machinery/errors/field.js';
import type { LabelSelectorT } from '../../meta/v1.js';
import type { PodTemplateSpecT } from '../../core/v1/types.js';
import { validatePodTemplateSpec } from '../../core/v1/validation.js';
import { validateAnnotations, validateLabels } from '../../../machinery/validation/names.js';
import { semanticEqual, validateImmutable, validateNonnegative } from './field-checks.js';
import { isNotMoreThan100Percent, isZeroIntOrPercent, validatePositiveIntOrPercent } from './int-or-percent.js';
import { isEmptySelector, selectorMatches, validateLabelSelector } from './label-selector.js';
import type {
  ControllerRevisionT,
  DaemonSetSpecT,
  DaemonSetStatusT,
  DaemonSetT,
  DaemonSetUpdateStrategyT,
  DeploymentSpecT,
  DeploymentStatusT,
  DeploymentStrategyT,
  DeploymentT,
  ReplicaSetSpecT,
  ReplicaSetStatusT,
  ReplicaSetT,
  StatefulSetSpecT,
  StatefulSetStatusT,
  StatefulSetT,
} from './types.js';

const spec = new FieldPath('spec');
const status = new FieldPath('status');

/** The selector is required, well-formed and not empty (`kind` names the workload in the message). */
function validateWorkloadSelector(sel: LabelSelectorT | undefined, path: FieldPath, kind: string): FieldError[] {
  if (!sel) return [field.required(path.text, '')];
  const errs = validateLabelSelector(sel, path);
  if (isEmptySelector(sel)) errs.push(field.invalid(path.text, sel, `empty selector is invalid for ${kind}`));
  return errs;
}

/**
 * The checks every long-running workload makes of its template: it is a
 * valid pod template, its labels are selected, pods restart Always and have
 * no deadline. `deadlineKind` names the kind in upstream's deadline message.
 */
function validateWorkloadTemplate(
  template: PodTemplateSpecT | undefined,
  sel: LabelSelectorT | undefined,
  path: FieldPath,
  opts: { deadlineKind: string; deadlineForbidden?: boolean; metadataOnly?: boolean },
): FieldError[] {
  if (!template) return [field.required(path.text, '')];
  const errs: FieldError[] = [];
  if (sel && !isEmptySelector(sel) && !selectorMatches(sel, template.metadata?.labels)) {
    errs.push(field.invalid(path.child('metadata').child('labels').text, template.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  }
  // Upstream checks only the metadata of a StatefulSet template: its mounts may
  // name volumeClaimTemplates, which are not volumes of the pod spec.
  if (opts.metadataOnly) {
    errs.push(...validateLabels(template.metadata?.labels, path.child('labels').text));
    errs.push(...validateAnnotations(template.metadata?.annotations, path.child('annotations').text));
  } else errs.push(...validatePodTemplateSpec(template, path));
  const restart = template.spec?.restartPolicy;
  if (restart !== 'Always') errs.push(field.notSupported(path.child('spec').child('restartPolicy').text, restart ?? '', ['Always']));
  const deadline = template.spec?.activeDeadlineSeconds;
  if (deadline !== undefined && deadline !== null) {
    const p = path.child('spec').child('activeDeadlineSeconds').text;
    const msg = `activeDeadlineSeconds in ${opts.deadlineKind} is not Supported`;
    errs.push(opts.deadlineForbidden ? field.forbidden(p, msg) : field.invalid(p, deadline, msg));
  }
  return errs;
}

// ---- Deployment ----

export function validateDeploymentStrategy(s: DeploymentStrategyT | undefined, path: FieldPath): FieldError[] {
  const type = s?.type;
  switch (type) {
    case 'Recreate':
      return s?.rollingUpdate ? [field.forbidden(path.child('rollingUpdate').text, "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      const ru = s?.rollingUpdate;
      if (!ru) return [field.required(path.child('rollingUpdate').text, 'this should be defaulted and never be nil')];
      const p = path.child('rollingUpdate');
      const errs = [...validatePositiveIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable')), ...validatePositiveIntOrPercent(ru.maxSurge, p.child('maxSurge'))];
      if (isZeroIntOrPercent(ru.maxUnavailable) && isZeroIntOrPercent(ru.maxSurge)) {
        errs.push(field.invalid(p.child('maxUnavailable').text, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, p.child('maxUnavailable')));
      return errs;
    }
    default:
      return [field.notSupported(path.child('type').text, type ?? '', ['Recreate', 'RollingUpdate'])];
  }
}

export function validateDeploymentSpec(s: DeploymentSpecT | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(s?.replicas, path.child('replicas')));
  errs.push(...validateWorkloadSelector(s?.selector, path.child('selector'), 'deployment'));
  errs.push(...validateWorkloadTemplate(s?.template, s?.selector, path.child('template'), { deadlineKind: 'ReplicaSet' }));
  errs.push(...validateDeploymentStrategy(s?.strategy, path.child('strategy')));
  errs.push(...validateNonnegative(s?.minReadySeconds, path.child('minReadySeconds')));
  errs.push(...validateNonnegative(s?.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  if (s?.progressDeadlineSeconds !== undefined) {
    errs.push(...validateNonnegative(s.progressDeadlineSeconds, path.child('progressDeadlineSeconds')));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
      errs.push(field.invalid(path.child('progressDeadlineSeconds').text, s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateDeploymentStatus(st: DeploymentStatusT | undefined, path: FieldPath): FieldError[] {
  const s = st ?? {};
  const errs: FieldError[] = [];
  for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount'] as const) {
    errs.push(...validateNonnegative(s[k], path.child(k)));
  }
  const replicas = s.replicas ?? 0;
  if ((s.updatedReplicas ?? 0) > replicas) errs.push(field.invalid(path.child('updatedReplicas').text, s.updatedReplicas, 'cannot be greater than status.replicas'));
  if ((s.readyReplicas ?? 0) > replicas) errs.push(field.invalid(path.child('readyReplicas').text, s.readyReplicas, 'cannot be greater than status.replicas'));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(field.invalid(path.child('availableReplicas').text, s.availableReplicas, 'cannot be greater than status.replicas'));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) errs.push(field.invalid(path.child('availableReplicas').text, s.availableReplicas, 'cannot be greater than readyReplicas'));
  return errs;
}

export function validateDeployment(d: DeploymentT): FieldError[] {
  return validateDeploymentSpec(d.spec, spec);
}

export function validateDeploymentUpdate(d: DeploymentT, old: DeploymentT): FieldError[] {
  const errs = validateDeploymentSpec(d.spec, spec);
  errs.push(...validateImmutable(d.spec?.selector, old.spec?.selector, spec.child('selector')));
  return errs;
}

export function validateDeploymentStatusUpdate(d: DeploymentT): FieldError[] {
  return validateDeploymentStatus(d.status, status);
}

// ---- ReplicaSet ----

export function validateReplicaSetSpec(s: ReplicaSetSpecT | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(s?.replicas, path.child('replicas')));
  errs.push(...validateNonnegative(s?.minReadySeconds, path.child('minReadySeconds')));
  // Upstream reuses the deployment wording for replica sets.
  errs.push(...validateWorkloadSelector(s?.selector, path.child('selector'), 'deployment'));
  errs.push(...validateWorkloadTemplate(s?.template, s?.selector, path.child('template'), { deadlineKind: 'ReplicaSet' }));
  return errs;
}

export function validateReplicaSetStatus(st: ReplicaSetStatusT | undefined, path: FieldPath): FieldError[] {
  const s: Partial<ReplicaSetStatusT> = st ?? {};
  const errs: FieldError[] = [];
  for (const k of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const) {
    errs.push(...validateNonnegative(s[k], path.child(k)));
  }
  const replicas = s.replicas ?? 0;
  if ((s.fullyLabeledReplicas ?? 0) > replicas) errs.push(field.invalid(path.child('fullyLabeledReplicas').text, s.fullyLabeledReplicas, 'cannot be greater than status.replicas'));
  if ((s.readyReplicas ?? 0) > replicas) errs.push(field.invalid(path.child('readyReplicas').text, s.readyReplicas, 'cannot be greater than status.replicas'));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(field.invalid(path.child('availableReplicas').text, s.availableReplicas, 'cannot be greater than status.replicas'));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) errs.push(field.invalid(path.child('availableReplicas').text, s.availableReplicas, 'cannot be greater than readyReplicas'));
  return errs;
}

export function validateReplicaSet(rs: ReplicaSetT): FieldError[] {
  return validateReplicaSetSpec(rs.spec, spec);
}

export function validateReplicaSetUpdate(rs: ReplicaSetT, old: ReplicaSetT): FieldError[] {
  const errs = validateReplicaSetSpec(rs.spec, spec);
  errs.push(...validateImmutable(rs.spec?.selector, old.spec?.selector, spec.child('selector')));
  return errs;
}

export function validateReplicaSetStatusUpdate(rs: ReplicaSetT): FieldError[] {
  return validateReplicaSetStatus(rs.status, status);
}

// ---- StatefulSet ----

const RETENTION_TYPES = ['Retain', 'Delete'];

export function validateStatefulSetSpec(s: StatefulSetSpecT | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  switch (s?.podManagementPolicy as string | undefined) {
    case undefined:
    case '':
      errs.push(field.required(path.child('podManagementPolicy').text, ''));
      break;
    case 'OrderedReady':
    case 'Parallel':
      break;
    default:
      errs.push(field.invalid(path.child('podManagementPolicy').text, s!.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }

  const us = s?.updateStrategy;
  const usPath = path.child('updateStrategy');
  switch (us?.type as string | undefined) {
    case undefined:
    case '':
      errs.push(field.required(usPath.text, ''));
      break;
    case 'OnDelete':
      if (us!.rollingUpdate) errs.push(field.invalid(usPath.child('rollingUpdate').text, us!.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (us!.rollingUpdate) {
        const p = usPath.child('rollingUpdate');
        errs.push(...validateNonnegative(us!.rollingUpdate.partition, p.child('partition')));
        const mu = us!.rollingUpdate.maxUnavailable;
        if (mu !== undefined) {
          errs.push(...validatePositiveIntOrPercent(mu, p.child('maxUnavailable')));
          if (isZeroIntOrPercent(mu)) errs.push(field.invalid(p.child('maxUnavailable').text, mu, 'cannot be 0'));
          errs.push(...isNotMoreThan100Percent(mu, p.child('maxUnavailable')));
        }
      }
      break;
    default:
      errs.push(field.invalid(usPath.text, us, "must be 'RollingUpdate' or 'OnDelete'"));
  }

  const retention = s?.persistentVolumeClaimRetentionPolicy;
  if (retention) {
    const rp = path.child('persistentVolumeClaimRetentionPolicy');
    for (const k of ['whenDeleted', 'whenScaled'] as const) {
      const v = retention[k];
      if (!RETENTION_TYPES.includes(v ?? '')) errs.push(field.notSupported(rp.child(k).text, v ?? '', RETENTION_TYPES));
    }
  }
  if (s?.ordinals) errs.push(...validateNonnegative(s.ordinals.start, path.child('ordinals.start')));
  errs.push(...validateNonnegative(s?.replicas, path.child('replicas')));
  errs.push(...validateNonnegative(s?.minReadySeconds, path.child('minReadySeconds')));
  errs.push(...validateWorkloadSelector(s?.selector, path.child('selector'), 'statefulset'));
  errs.push(...validateWorkloadTemplate(s?.template, s?.selector, path.child('template'), { deadlineKind: 'StatefulSet', deadlineForbidden: true, metadataOnly: true }));
  return errs;
}

export function validateStatefulSetStatus(st: StatefulSetStatusT | undefined, path: FieldPath): FieldError[] {
  const s: Partial<StatefulSetStatusT> = st ?? {};
  const errs: FieldError[] = [];
  for (const k of ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'] as const) {
    errs.push(...validateNonnegative(s[k], path.child(k)));
  }
  const replicas = s.replicas ?? 0;
  for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'] as const) {
    if ((s[k] ?? 0) > replicas) errs.push(field.invalid(path.child(k).text, s[k], 'cannot be greater than status.replicas'));
  }
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) errs.push(field.invalid(path.child('availableReplicas').text, s.availableReplicas, 'cannot be greater than status.readyReplicas'));
  return errs;
}

export function validateStatefulSet(ss: StatefulSetT): FieldError[] {
  return validateStatefulSetSpec(ss.spec, spec);
}

/** The spec fields a StatefulSet update may change; everything else is frozen. */
const STATEFULSET_MUTABLE = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy'] as const;

export function validateStatefulSetUpdate(ss: StatefulSetT, old: StatefulSetT): FieldError[] {
  const errs = validateStatefulSetSpec(ss.spec, spec);
  const frozenNew: Record<string, unknown> = { ...(ss.spec ?? {}) };
  const frozenOld: Record<string, unknown> = { ...(old.spec ?? {}) };
  for (const k of STATEFULSET_MUTABLE) {
    delete frozenNew[k];
    delete frozenOld[k];
  }
  if (!semanticEqual(frozenNew, frozenOld)) {
    errs.push(
      field.forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

export function validateStatefulSetStatusUpdate(ss: StatefulSetT, old: StatefulSetT): FieldError[] {
  const errs = validateStatefulSetStatus(ss.status, status);
  const next = ss.status?.observedGeneration;
  const prev = old.status?.observedGeneration;
  if (next !== undefined && prev !== undefined && next < prev) {
    errs.push(field.invalid(status.child('observedGeneration').text, next, 'must not be decremented'));
  }
  return errs;
}

// ---- DaemonSet ----

export function validateDaemonSetUpdateStrategy(s: DaemonSetUpdateStrategyT | undefined, path: FieldPath): FieldError[] {
  switch (s?.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate': {
      const ru = s.rollingUpdate;
      if (!ru) return [field.required(path.child('rollingUpdate').text, '')];
      const p = path.child('rollingUpdate');
      const errs = [
        ...validatePositiveIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable')),
        ...isNotMoreThan100Percent(ru.maxUnavailable, p.child('maxUnavailable')),
        ...validatePositiveIntOrPercent(ru.maxSurge, p.child('maxSurge')),
        ...isNotMoreThan100Percent(ru.maxSurge, p.child('maxSurge')),
      ];
      const hasUnavailable = !isZeroIntOrPercent(ru.maxUnavailable);
      const hasSurge = !isZeroIntOrPercent(ru.maxSurge);
      if (hasUnavailable && hasSurge) errs.push(field.invalid(p.child('maxSurge').text, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      if (!hasUnavailable && !hasSurge) errs.push(field.required(p.child('maxUnavailable').text, 'cannot be 0 when maxSurge is 0'));
      return errs;
    }
    default:
      return [field.notSupported(path.child('type').text, s?.type ?? '', ['OnDelete', 'RollingUpdate'])];
  }
}

export function validateDaemonSetSpec(s: DaemonSetSpecT | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateWorkloadSelector(s?.selector, path.child('selector'), 'daemonset'));
  errs.push(...validateWorkloadTemplate(s?.template, s?.selector, path.child('template'), { deadlineKind: 'DaemonSet' }));
  errs.push(...validateNonnegative(s?.minReadySeconds, path.child('minReadySeconds')));
  errs.push(...validateDaemonSetUpdateStrategy(s?.updateStrategy, path.child('updateStrategy')));
  errs.push(...validateNonnegative(s?.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  return errs;
}

export function validateDaemonSetStatus(st: DaemonSetStatusT | undefined, path: FieldPath): FieldError[] {
  const s: Partial<DaemonSetStatusT> = st ?? {};
  const errs: FieldError[] = [];
  const keys = [
    'currentNumberScheduled',
    'numberMisscheduled',
    'desiredNumberScheduled',
    'numberReady',
    'observedGeneration',
    'updatedNumberScheduled',
    'numberAvailable',
    'numberUnavailable',
    'collisionCount',
  ] as const;
  for (const k of keys) errs.push(...validateNonnegative(s[k], path.child(k)));
  return errs;
}

export function validateDaemonSet(ds: DaemonSetT): FieldError[] {
  return validateDaemonSetSpec(ds.spec, spec);
}

export function validateDaemonSetUpdate(ds: DaemonSetT, old: DaemonSetT): FieldError[] {
  const errs = validateImmutable(ds.spec?.selector, old.spec?.selector, spec.child('selector'));
  errs.push(...validateDaemonSetSpec(ds.spec, spec));
  return errs;
}

export function validateDaemonSetStatusUpdate(ds: DaemonSetT): FieldError[] {
  return validateDaemonSetStatus(ds.status, status);
}

// ---- ControllerRevision ----

export function validateControllerRevision(cr: ControllerRevisionT): FieldError[] {
  const errs: FieldError[] = [];
  if (cr.data === undefined || cr.data === null) errs.push(field.required('data', 'data is mandatory'));
  errs.push(...validateNonnegative(cr.revision, new FieldPath('revision')));
  return errs;
}

export function validateControllerRevisionUpdate(cr: ControllerRevisionT, old: ControllerRevisionT): FieldError[] {
  const errs = validateControllerRevision(cr);
  errs.push(...validateImmutable(cr.data, old.data, new FieldPath('data')));
  return errs;
}
