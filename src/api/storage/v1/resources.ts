/** The storage.k8s.io/v1 resources as upstream discovery lists them. */
import type { KubeObject } from '../../../machinery/meta/types.js';
import { ALL_VERBS, type ResourceType } from '../../scheme.js';
import { defaultCSIDriver, defaultStorageClass } from './defaults.js';
import {
  GROUP,
  VERSION,
  CSIDriver,
  CSINode,
  CSIStorageCapacity,
  StorageClass,
  VolumeAttachment,
  type CSIDriverT,
  type CSINodeT,
  type CSIStorageCapacityT,
  type StorageClassT,
  type VolumeAttachmentT,
} from './types.js';
import { nameIsCSIDriverName, validateCSIDriver, validateCSINode, validateCSIStorageCapacity, validateStorageClass, validateVolumeAttachment } from './validation.js';

const common = { group: GROUP, version: VERSION, verbs: ALL_VERBS, storageVersion: true } as const;

export const storageClasses: ResourceType<StorageClassT & KubeObject> = {
  ...common,
  kind: 'StorageClass',
  resource: 'storageclasses',
  singular: 'storageclass',
  namespaced: false,
  shortNames: ['sc'],
  definition: StorageClass,
  defaults: defaultStorageClass,
  validate: (obj, old) => validateStorageClass(obj, old),
};

export const csiDrivers: ResourceType<CSIDriverT & KubeObject> = {
  ...common,
  kind: 'CSIDriver',
  resource: 'csidrivers',
  singular: 'csidriver',
  namespaced: false,
  definition: CSIDriver,
  nameValidator: nameIsCSIDriverName,
  defaults: defaultCSIDriver,
  validate: (obj, old) => validateCSIDriver(obj, old),
};

export const csiNodes: ResourceType<CSINodeT & KubeObject> = {
  ...common,
  kind: 'CSINode',
  resource: 'csinodes',
  singular: 'csinode',
  namespaced: false,
  definition: CSINode,
  validate: (obj) => validateCSINode(obj),
};

export const csiStorageCapacities: ResourceType<CSIStorageCapacityT & KubeObject> = {
  ...common,
  kind: 'CSIStorageCapacity',
  resource: 'csistoragecapacities',
  singular: 'csistoragecapacity',
  namespaced: true,
  definition: CSIStorageCapacity,
  validate: (obj) => validateCSIStorageCapacity(obj),
};

export const volumeAttachments: ResourceType<VolumeAttachmentT & KubeObject> = {
  ...common,
  kind: 'VolumeAttachment',
  resource: 'volumeattachments',
  singular: 'volumeattachment',
  namespaced: false,
  subresources: [{ name: 'status', kind: 'VolumeAttachment', verbs: ['get', 'patch', 'update'] }],
  hasStatus: true,
  definition: VolumeAttachment,
  validate: (obj, old, ctx) => validateVolumeAttachment(obj, old, { subresource: ctx.subresource }),
};

export const storageResources = [csiDrivers, csiNodes, csiStorageCapacities, storageClasses, volumeAttachments] as const;
