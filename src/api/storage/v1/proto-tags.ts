/**
 * Protobuf field numbers of the storage/v1 messages, as upstream's k8s.io/api/storage/v1 generated.proto
 * numbers them; keys are our definition names and JSON field names. See ProtoFieldTag for the notation.
 */
import type { ProtoTagTable } from '../../../machinery/protobuf/tags.js';

export const protoTags: ProtoTagTable = {
  'io.k8s.api.storage.v1.StorageClass': {
    allowVolumeExpansion: 6,
    allowedTopologies: 8,
    metadata: 1,
    mountOptions: 5,
    parameters: 3,
    provisioner: 2,
    reclaimPolicy: 4,
    volumeBindingMode: 7,
  },
  'io.k8s.api.storage.v1.TokenRequest': { audience: 1, expirationSeconds: 2 },
  'io.k8s.api.storage.v1.CSIDriverSpec': {
    attachRequired: 1,
    fsGroupPolicy: 5,
    podInfoOnMount: 2,
    requiresRepublish: 7,
    seLinuxMount: 8,
    storageCapacity: 4,
    tokenRequests: 6,
    volumeLifecycleModes: 3,
  },
  'io.k8s.api.storage.v1.CSIDriver': { metadata: 1, spec: 2 },
  'io.k8s.api.storage.v1.VolumeNodeResources': { count: 1 },
  'io.k8s.api.storage.v1.CSINodeDriver': { allocatable: 4, name: 1, nodeID: 2, topologyKeys: 3 },
  'io.k8s.api.storage.v1.CSINodeSpec': { drivers: 1 },
  'io.k8s.api.storage.v1.CSINode': { metadata: 1, spec: 2 },
  'io.k8s.api.storage.v1.VolumeAttachmentSource': { inlineVolumeSpec: 2, persistentVolumeName: 1 },
  'io.k8s.api.storage.v1.VolumeAttachmentSpec': { attacher: 1, nodeName: 3, source: 2 },
  'io.k8s.api.storage.v1.VolumeError': { message: { tag: 2, omitEmpty: true }, time: 1 },
  'io.k8s.api.storage.v1.VolumeAttachmentStatus': { attachError: 3, attached: 1, attachmentMetadata: 2, detachError: 4 },
  'io.k8s.api.storage.v1.VolumeAttachment': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.storage.v1.CSIStorageCapacity': { capacity: 4, maximumVolumeSize: 5, metadata: 1, nodeTopology: 2, storageClassName: 3 },
};
