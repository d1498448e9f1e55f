/** The scheduling.k8s.io/v1 resources as upstream discovery lists them. */
import type { KubeObject } from '../../../machinery/meta/types.js';
import { ALL_VERBS, type ResourceType } from '../../scheme.js';
import { defaultPriorityClass } from './defaults.js';
import { GROUP, VERSION, PriorityClass, type PriorityClassT } from './types.js';
import { validatePriorityClass } from './validation.js';

export const priorityClasses: ResourceType<PriorityClassT & KubeObject> = {
  group: GROUP,
  version: VERSION,
  kind: 'PriorityClass',
  resource: 'priorityclasses',
  singular: 'priorityclass',
  namespaced: false,
  shortNames: ['pc'],
  verbs: ALL_VERBS,
  storageVersion: true,
  definition: PriorityClass,
  defaults: defaultPriorityClass,
  validate: (obj, old) => validatePriorityClass(obj, old),
};

export const schedulingResources = [priorityClasses] as const;
