/**
 * The policy/v1 resources as upstream's discovery lists them. Eviction is
 * not a resource of its own: it is the body of pods/eviction.
 */
import { ALL_VERBS, type ResourceType } from '../../scheme.js';
import { dispatchValidation } from '../../apps/v1/validation-dispatch.js';
import { PodDisruptionBudget } from './types.js';
import { validatePodDisruptionBudget, validatePodDisruptionBudgetStatusUpdate, validatePodDisruptionBudgetUpdate } from './validation.js';

export const podDisruptionBudgets: ResourceType = {
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  resource: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  namespaced: true,
  shortNames: ['pdb'],
  verbs: ALL_VERBS,
  subresources: [{ name: 'status', kind: 'PodDisruptionBudget', verbs: ['get', 'patch', 'update'] }],
  hasStatus: true,
  storageVersion: true,
  definition: PodDisruptionBudget,
  validate: dispatchValidation({ create: validatePodDisruptionBudget, update: validatePodDisruptionBudgetUpdate, status: validatePodDisruptionBudgetStatusUpdate }),
};

export const policyV1Resources: readonly ResourceType[] = [podDisruptionBudgets];
