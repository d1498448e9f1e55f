/**
 * batch/v1 SetDefaults_* as upstream, plus the selector and labels the
 * server generates for a Job on create.
 */
import { defaultPodTemplateSpec } from '../../core/v1/defaults.js';
import type { CronJobT, JobSpecT, JobT } from './types.js';

/** Labels put on a Job's pods; the first of each pair is the current name, the second the legacy one. */
export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_JOB_CONTROLLER_UID_LABEL = 'controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

const MAX_INT32 = 2147483647;

export function defaultJobSpec(spec: JobSpecT): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  // With per-index limits the global limit would only get in the way.
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const p of rule.onPodConditions ?? []) if (!p.status) p.status = 'True';
  }
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  if (spec.template) defaultPodTemplateSpec(spec.template);
}

export function defaultJob(job: JobT): void {
  const spec = (job.spec ??= {} as JobSpecT);
  defaultJobSpec(spec);
  const templateLabels = spec.template?.metadata?.labels;
  const meta = (job.metadata ??= {});
  // A job without labels of its own takes its pods' labels.
  if (templateLabels && Object.keys(meta.labels ?? {}).length === 0) meta.labels = { ...templateLabels };
}

export function defaultCronJob(cj: CronJobT): void {
  const spec = (cj.spec ??= {} as NonNullable<CronJobT['spec']>);
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const jt = spec.jobTemplate;
  if (jt?.spec) defaultJobSpec(jt.spec);
}

/**
 * On create, unless `spec.manualSelector` is true: labels the pod template
 * with the job's name and uid (keeping labels the user already set, which
 * validation then judges) and selects on the uid. Needs metadata.name and
 * metadata.uid to be set already.
 */
export function generateJobSelector(job: JobT): void {
  const spec = job.spec;
  if (!spec || spec.manualSelector === true) return;
  const name = job.metadata?.name ?? '';
  const uid = job.metadata?.uid ?? '';
  const template = (spec.template ??= {} as NonNullable<JobSpecT['template']>);
  const tmeta = (template.metadata ??= {});
  const labels = (tmeta.labels ??= {});
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(k in labels)) labels[k] = name;
  for (const k of [LEGACY_JOB_CONTROLLER_UID_LABEL, JOB_CONTROLLER_UID_LABEL]) if (!(k in labels)) labels[k] = uid;
  const selector = (spec.selector ??= {});
  const matchLabels = (selector.matchLabels ??= {});
  if (!(JOB_CONTROLLER_UID_LABEL in matchLabels)) matchLabels[JOB_CONTROLLER_UID_LABEL] = uid;
}
