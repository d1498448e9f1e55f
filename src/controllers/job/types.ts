/**
 * The slice of batch/v1 Job the Job, CronJob and TTL controllers read and
 * write, as narrow local interfaces so the sync logic stays independent of
 * the generated schema types.
 */
import type { LabelSelector } from '../../machinery/labels/selector.js';
import type { KubeObject, ObjectMeta } from '../../machinery/meta/types.js';
import type { PodTemplateSpec } from '../framework/pods.js';

export interface JobCondition {
  type: string;
  status: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface PodFailurePolicyRule {
  action: 'Count' | 'FailIndex' | 'FailJob' | 'Ignore';
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

export interface JobSpec {
  activeDeadlineSeconds?: number;
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  completionMode?: 'Indexed' | 'NonIndexed';
  completions?: number | null;
  managedBy?: string;
  manualSelector?: boolean;
  maxFailedIndexes?: number;
  parallelism?: number;
  podFailurePolicy?: { rules: PodFailurePolicyRule[] };
  podReplacementPolicy?: 'Failed' | 'TerminatingOrFailed';
  selector?: LabelSelector;
  suspend?: boolean;
  template?: PodTemplateSpec;
  ttlSecondsAfterFinished?: number;
}

export interface JobStatus {
  active?: number;
  completedIndexes?: string;
  completionTime?: string;
  conditions?: JobCondition[];
  failed?: number;
  failedIndexes?: string;
  ready?: number;
  startTime?: string;
  succeeded?: number;
  terminating?: number;
  uncountedTerminatedPods?: { failed?: string[]; succeeded?: string[] };
}

export interface Job extends KubeObject {
  spec?: JobSpec;
  status?: JobStatus;
}

export interface JobTemplateSpec {
  metadata?: ObjectMeta;
  spec?: JobSpec;
}

export const JOB_GVR = { group: 'batch', version: 'v1', resource: 'jobs' };
export const JOB_KIND = { apiVersion: 'batch/v1', kind: 'Job' };

/** Keeps a pod until its Job has counted it, so no finished pod is lost to the pod GC. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const JOB_COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const JOB_INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';
export const JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-ignored-failure-count';
export const JOB_COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** The value of spec.managedBy that means this controller. */
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

export const COND_COMPLETE = 'Complete';
export const COND_FAILED = 'Failed';
export const COND_SUSPENDED = 'Suspended';
export const COND_FAILURE_TARGET = 'FailureTarget';
export const COND_SUCCESS_CRITERIA_MET = 'SuccessCriteriaMet';

/** The terminal condition (Complete or Failed) that is True, if any. */
export function finishedCondition(job: Pick<Job, 'status'>): JobCondition | undefined {
  return job.status?.conditions?.find((c) => (c.type === COND_COMPLETE || c.type === COND_FAILED) && c.status === 'True');
}

export function isJobFinished(job: Pick<Job, 'status'>): boolean {
  return finishedCondition(job) !== undefined;
}

export function isJobSucceeded(job: Pick<Job, 'status'>): boolean {
  return finishedCondition(job)?.type === COND_COMPLETE;
}

export function isIndexedJob(job: Pick<Job, 'spec'>): boolean {
  return job.spec?.completionMode === 'Indexed';
}
