/** The coordination.k8s.io/v1 resources as upstream discovery lists them. */
import type { KubeObject } from '../../../machinery/meta/types.js';
import { ALL_VERBS, type ResourceType } from '../../scheme.js';
import { GROUP, VERSION, Lease, type LeaseT } from './types.js';
import { validateLease } from './validation.js';

export const leases: ResourceType<LeaseT & KubeObject> = {
  group: GROUP,
  version: VERSION,
  kind: 'Lease',
  resource: 'leases',
  singular: 'lease',
  namespaced: true,
  verbs: ALL_VERBS,
  storageVersion: true,
  definition: Lease,
  validate: (obj) => validateLease(obj),
};

export const coordinationResources = [leases] as const;
