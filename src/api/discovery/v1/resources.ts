/** The discovery.k8s.io/v1 resources as upstream discovery lists them. */
import type { KubeObject } from '../../../machinery/meta/types.js';
import { ALL_VERBS, type ResourceType } from '../../scheme.js';
import { defaultEndpointSlice } from './defaults.js';
import { GROUP, VERSION, EndpointSlice, type EndpointSliceT } from './types.js';
import { validateEndpointSlice } from './validation.js';

export const endpointSlices: ResourceType<EndpointSliceT & KubeObject> = {
  group: GROUP,
  version: VERSION,
  kind: 'EndpointSlice',
  resource: 'endpointslices',
  singular: 'endpointslice',
  namespaced: true,
  verbs: ALL_VERBS,
  storageVersion: true,
  definition: EndpointSlice,
  defaults: defaultEndpointSlice,
  validate: (obj, old) => validateEndpointSlice(obj, old),
};

export const discoveryResources = [endpointSlices] as const;
