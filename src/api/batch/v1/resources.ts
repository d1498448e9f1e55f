/**
 * The batch/v1 resources as upstream's discovery lists them.
 */
import { ALL_VERBS, type ResourceType } from '../../scheme.js';
import { dispatchValidation } from '../../apps/v1/validation-dispatch.js';
import { defaultCronJob, defaultJob } from './defaults.js';
import { CronJob, Job } from './types.js';
import { validateCronJob, validateCronJobStatusUpdate, validateCronJobUpdate, validateJob, validateJobStatusUpdate, validateJobUpdate } from './validation.js';

export const jobs: ResourceType = {
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  resource: 'jobs',
  singular: 'job',
  namespaced: true,
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: [{ name: 'status', kind: 'Job', verbs: ['get', 'patch', 'update'] }],
  hasStatus: true,
  storageVersion: true,
  definition: Job,
  defaults: (o) => defaultJob(o as never),
  validate: dispatchValidation({ create: validateJob, update: validateJobUpdate, status: validateJobStatusUpdate }),
};

export const cronJobs: ResourceType = {
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  resource: 'cronjobs',
  singular: 'cronjob',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: [{ name: 'status', kind: 'CronJob', verbs: ['get', 'patch', 'update'] }],
  hasStatus: true,
  storageVersion: true,
  definition: CronJob,
  defaults: (o) => defaultCronJob(o as never),
  validate: dispatchValidation({ create: validateCronJob, update: validateCronJobUpdate, status: validateCronJobStatusUpdate }),
};

export const batchV1Resources: readonly ResourceType[] = [cronJobs, jobs];
