/** The apiextensions.k8s.io/v1 resources as upstream discovery lists them. */
import type { KubeObject } from '../../../machinery/meta/types.js';
import { ALL_VERBS, type ResourceType } from '../../scheme.js';
import { defaultCustomResourceDefinition } from './defaults.js';
import { GROUP, VERSION, CustomResourceDefinition, type CustomResourceDefinitionT } from './types.js';
import { validateCustomResourceDefinition } from './validation.js';

export const customResourceDefinitions: ResourceType<CustomResourceDefinitionT & KubeObject> = {
  group: GROUP,
  version: VERSION,
  kind: 'CustomResourceDefinition',
  resource: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  verbs: ALL_VERBS,
  subresources: [{ name: 'status', kind: 'CustomResourceDefinition', verbs: ['get', 'patch', 'update'] }],
  hasStatus: true,
  storageVersion: true,
  definition: CustomResourceDefinition,
  defaults: defaultCustomResourceDefinition,
  validate: (obj, old, ctx) => validateCustomResourceDefinition(obj, old, { subresource: ctx.subresource }),
};

export const apiextensionsResources = [customResourceDefinitions] as const;
