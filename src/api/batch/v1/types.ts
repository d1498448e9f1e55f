/**
 * batch/v1 definitions: Job and CronJob with upstream's field names,
 * formats, required lists, list types and strategic-merge metadata.
 */
import { def, t, type Static } from '../../schema/dsl.js';
import { LabelSelector, ObjectMeta, Time } from '../../meta/v1.js';
import { ObjectReference, PodTemplateSpec } from '../../core/v1/types.js';

const P = 'io.k8s.api.batch.v1.';
const gvk = (kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group: 'batch', version: 'v1', kind }] });

const apiVersion = t.string({ description: 'The versioned schema of this representation of an object.' });
const kindField = t.string({ description: 'The REST resource this object represents, in CamelCase.' });
const metadata = t.ref(ObjectMeta, { description: "Standard object's metadata." });

export const PodFailurePolicyOnExitCodesRequirement = def(
  P + 'PodFailurePolicyOnExitCodesRequirement',
  t.object(
    {
      containerName: t.string({ description: 'Restricts the check to the container with this name; all containers when unset.' }),
      operator: t.enum(['In', 'NotIn'], { description: 'How exit codes relate to values: In (one of them) or NotIn (none of them).' }),
      values: t.array(t.int32(), { listType: 'set', description: 'Exit codes to compare against; unique, sorted, at most 255.' }),
    },
    { required: ['operator', 'values'], description: 'A requirement on the exit codes of terminated containers.' },
  ),
);

export const PodFailurePolicyOnPodConditionsPattern = def(
  P + 'PodFailurePolicyOnPodConditionsPattern',
  t.object(
    {
      status: t.string({ description: 'The condition status to match (default True).' }),
      type: t.string({ description: 'The pod condition type to match.' }),
    },
    { required: ['type', 'status'], description: 'A pattern matching an actual pod condition.' },
  ),
);

export const PodFailurePolicyRule = def(
  P + 'PodFailurePolicyRule',
  t.object(
    {
      action: t.enum(['Count', 'FailIndex', 'FailJob', 'Ignore'], { description: 'What to do when the rule matches a failed pod.' }),
      onExitCodes: t.ref(PodFailurePolicyOnExitCodesRequirement, { description: 'Matches on container exit codes.' }),
      onPodConditions: t.array(t.ref(PodFailurePolicyOnPodConditionsPattern), { listType: 'atomic', description: 'Matches on pod conditions; any one matching is enough.' }),
    },
    { required: ['action'], description: 'An action to take for failed pods matching a requirement.' },
  ),
);

export const PodFailurePolicy = def(
  P + 'PodFailurePolicy',
  t.object(
    { rules: t.array(t.ref(PodFailurePolicyRule), { listType: 'atomic', description: 'Rules evaluated in order; the first match decides (at most 20).' }) },
    { required: ['rules'], description: 'How failed pods affect the job.' },
  ),
);

export const SuccessPolicyRule = def(
  P + 'SuccessPolicyRule',
  t.object(
    {
      succeededCount: t.int32({ description: 'How many of the listed indexes must succeed.' }),
      succeededIndexes: t.string({ description: 'Indexes that must succeed, as a comma-separated list of numbers and ranges like "1,3-5".' }),
    },
    { description: 'A condition under which an Indexed job counts as succeeded.' },
  ),
);

export const SuccessPolicy = def(
  P + 'SuccessPolicy',
  t.object(
    { rules: t.array(t.ref(SuccessPolicyRule), { listType: 'atomic', description: 'Rules, any of which marks the job succeeded (at most 20).' }) },
    { required: ['rules'], description: 'When an Indexed job can be declared succeeded.' },
  ),
);

export const JobSpec = def(
  P + 'JobSpec',
  t.object(
    {
      activeDeadlineSeconds: t.int64({ description: 'Seconds the job may be active before the system tries to terminate it.' }),
      backoffLimit: t.int32({ description: 'Retries before the job is marked failed (default 6).' }),
      backoffLimitPerIndex: t.int32({ description: 'Retries allowed per index of an Indexed job before that index fails.' }),
      completionMode: t.enum(['Indexed', 'NonIndexed'], { description: 'How completions are tracked: NonIndexed (the default) or Indexed.' }),
      completions: t.int32({ description: 'Successful pods needed for the job to be complete.' }),
      managedBy: t.string({ description: 'The controller that reconciles the job; the built-in one when unset.' }),
      manualSelector: t.bool({ description: 'Whether the selector is written by the user instead of generated.' }),
      maxFailedIndexes: t.int32({ description: 'Failed indexes tolerated before the whole job fails; needs backoffLimitPerIndex.' }),
      parallelism: t.int32({ description: 'The most pods the job runs at once (default 1).' }),
      podFailurePolicy: t.ref(PodFailurePolicy, { description: 'How failed pods are handled.' }),
      podReplacementPolicy: t.enum(['Failed', 'TerminatingOrFailed'], { description: 'When replacement pods are created: TerminatingOrFailed or Failed.' }),
      selector: t.ref(LabelSelector, { description: 'Label query over the job pods; generated unless manualSelector is set.' }),
      successPolicy: t.ref(SuccessPolicy, { description: 'When an Indexed job can be declared succeeded early.' }),
      suspend: t.bool({ description: 'Whether the controller should not create pods (default false).' }),
      template: t.ref(PodTemplateSpec, { description: 'The pod the job runs.' }),
      ttlSecondsAfterFinished: t.int32({ description: 'Seconds after finishing before the job is deleted automatically.' }),
    },
    { required: ['template'], description: 'What a job runs.' },
  ),
);

export const UncountedTerminatedPods = def(
  P + 'UncountedTerminatedPods',
  t.object(
    {
      failed: t.array(t.string(), { listType: 'set', description: 'UIDs of failed pods not yet counted in status.' }),
      succeeded: t.array(t.string(), { listType: 'set', description: 'UIDs of succeeded pods not yet counted in status.' }),
    },
    { description: 'Pods that finished but are not yet counted in the job status.' },
  ),
);

export const JobCondition = def(
  P + 'JobCondition',
  t.object(
    {
      lastProbeTime: t.ref(Time, { description: 'Last time the condition was checked.' }),
      lastTransitionTime: t.ref(Time, { description: 'Last time the condition moved from one status to another.' }),
      message: t.string({ description: 'A human-readable message about the last transition.' }),
      reason: t.string({ description: "The reason for the condition's last transition, in CamelCase." }),
      status: t.string({ description: 'Status of the condition: True, False or Unknown.' }),
      type: t.string({ description: 'Type of job condition, such as Complete or Failed.' }),
    },
    { required: ['type', 'status'], description: 'The state of a job at a point in time.' },
  ),
);

export const JobStatus = def(
  P + 'JobStatus',
  t.object(
    {
      active: t.int32({ description: 'Pods pending or running and not terminating.' }),
      completedIndexes: t.string({ description: 'Completed indexes of an Indexed job, in compressed text form like "1,3-5".' }),
      completionTime: t.ref(Time, { description: 'When the job completed; set only when it succeeded.' }),
      conditions: t.array(t.ref(JobCondition), { listType: 'atomic', mergeKey: 'type', patchStrategy: 'merge', description: 'The latest observations of the job state.' }),
      failed: t.int32({ description: 'Pods that reached phase Failed.' }),
      failedIndexes: t.string({ description: 'Failed indexes when backoffLimitPerIndex is set, in compressed text form.' }),
      ready: t.int32({ description: 'Active pods with a Ready condition.' }),
      startTime: t.ref(Time, { description: 'When the job controller started processing the job.' }),
      succeeded: t.int32({ description: 'Pods that reached phase Succeeded.' }),
      terminating: t.int32({ description: 'Pods that are terminating (have a deletionTimestamp) and not yet failed or succeeded.' }),
      uncountedTerminatedPods: t.ref(UncountedTerminatedPods, { description: 'Finished pods not yet accounted for in the counters.' }),
    },
    { description: 'The current state of a job.' },
  ),
);

export const Job = def(
  P + 'Job',
  t.object({
    apiVersion,
    kind: kindField,
    metadata,
    spec: t.ref(JobSpec, { description: 'Desired behaviour of the job.' }),
    status: t.ref(JobStatus, { description: 'Current status of the job.' }),
  }, { description: 'A single job: pods run until a number of them succeed.' }),
  gvk('Job'),
);

export const JobTemplateSpec = def(
  P + 'JobTemplateSpec',
  t.object(
    {
      metadata: t.ref(ObjectMeta, { description: 'Metadata of the jobs created from this template.' }),
      spec: t.ref(JobSpec, { description: 'Desired behaviour of the job.' }),
    },
    { description: 'The job a CronJob creates on each run.' },
  ),
);

export const CronJobSpec = def(
  P + 'CronJobSpec',
  t.object(
    {
      concurrencyPolicy: t.enum(['Allow', 'Forbid', 'Replace'], { description: 'What to do when a run is due while the last is still active: Allow (the default), Forbid or Replace.' }),
      failedJobsHistoryLimit: t.int32({ description: 'Failed jobs to keep (default 1).' }),
      jobTemplate: t.ref(JobTemplateSpec, { description: 'The job created on each run.' }),
      schedule: t.string({ description: 'The schedule in cron format, e.g. "*/5 * * * *" or "@hourly".' }),
      startingDeadlineSeconds: t.int64({ description: 'Seconds after a missed run during which it may still start.' }),
      successfulJobsHistoryLimit: t.int32({ description: 'Successful jobs to keep (default 3).' }),
      suspend: t.bool({ description: 'Whether future runs are suspended (default false).' }),
      timeZone: t.string({ description: 'The IANA time zone the schedule is read in; the controller\'s local zone when unset.' }),
    },
    { required: ['schedule', 'jobTemplate'], description: 'What a CronJob runs and when.' },
  ),
);

export const CronJobStatus = def(
  P + 'CronJobStatus',
  t.object(
    {
      active: t.array(t.ref(ObjectReference), { listType: 'atomic', description: 'The jobs this CronJob is currently running.' }),
      lastScheduleTime: t.ref(Time, { description: 'The last time a job was scheduled.' }),
      lastSuccessfulTime: t.ref(Time, { description: 'The last time a job completed successfully.' }),
    },
    { description: 'The current state of a CronJob.' },
  ),
);

export const CronJob = def(
  P + 'CronJob',
  t.object({
    apiVersion,
    kind: kindField,
    metadata,
    spec: t.ref(CronJobSpec, { description: 'Desired behaviour of the CronJob, including the schedule.' }),
    status: t.ref(CronJobStatus, { description: 'Current status of the CronJob.' }),
  }, { description: 'A job run on a repeating schedule.' }),
  gvk('CronJob'),
);

export type PodFailurePolicyOnExitCodesRequirementT = Static<typeof PodFailurePolicyOnExitCodesRequirement>;
export type PodFailurePolicyOnPodConditionsPatternT = Static<typeof PodFailurePolicyOnPodConditionsPattern>;
export type PodFailurePolicyRuleT = Static<typeof PodFailurePolicyRule>;
export type PodFailurePolicyT = Static<typeof PodFailurePolicy>;
export type SuccessPolicyRuleT = Static<typeof SuccessPolicyRule>;
export type SuccessPolicyT = Static<typeof SuccessPolicy>;
export type JobSpecT = Static<typeof JobSpec>;
export type UncountedTerminatedPodsT = Static<typeof UncountedTerminatedPods>;
export type JobConditionT = Static<typeof JobCondition>;
export type JobStatusT = Static<typeof JobStatus>;
export type JobT = Static<typeof Job>;
export type JobTemplateSpecT = Static<typeof JobTemplateSpec>;
export type CronJobSpecT = Static<typeof CronJobSpec>;
export type CronJobStatusT = Static<typeof CronJobStatus>;
export type CronJobT = Static<typeof CronJob>;

export const batchV1Definitions = [
  PodFailurePolicyOnExitCodesRequirement,
  PodFailurePolicyOnPodConditionsPattern,
  PodFailurePolicyRule,
  PodFailurePolicy,
  SuccessPolicyRule,
  SuccessPolicy,
  JobSpec,
  UncountedTerminatedPods,
  JobCondition,
  JobStatus,
  Job,
  JobTemplateSpec,
  CronJobSpec,
  CronJobStatus,
  CronJob,
] as const;
