/** storage.k8s.io/v1: StorageClass, CSIDriver, CSINode, VolumeAttachment and CSIStorageCapacity. */
import { def, t, type Static, type T } from '../../schema/dsl.js';
import { LabelSelector, ObjectMeta, Quantity, Time } from '../../meta/v1.js';
import { PersistentVolumeSpec, TopologySelectorTerm } from '../../core/v1/types.js';

export const GROUP = 'storage.k8s.io';
export const VERSION = 'v1';
const S = 'io.k8s.api.storage.v1.';
const gvk = (kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind }] });
const str = (description: string): T<string> => t.string({ description });
const bool = (description: string): T<boolean> => t.bool({ description });
const strList = (description: string): T<string[]> => t.array(t.string(), { listType: 'atomic', description });
const typeMeta = {
  apiVersion: str('The versioned schema of this representation of the object.'),
  kind: str('The REST resource this object represents, in CamelCase.'),
};

export const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'] as const;
export const VOLUME_BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'] as const;

export const StorageClass = def(
  S + 'StorageClass',
  t.object(
    {
      allowVolumeExpansion: bool('Whether claims of this class may be resized.'),
      allowedTopologies: t.array(t.ref(TopologySelectorTerm), { listType: 'atomic', description: 'Topologies where volumes may be provisioned; empty allows any.' }),
      apiVersion: typeMeta.apiVersion,
      kind: typeMeta.kind,
      metadata: t.ref(ObjectMeta),
      mountOptions: strList('Mount options given to volumes of this class, e.g. ["ro", "soft"]; not validated.'),
      parameters: t.map(t.string(), { description: 'Provisioner-specific parameters for new volumes.' }),
      provisioner: str('Name of the volume plugin or CSI driver that provisions volumes of this class.'),
      reclaimPolicy: t.enum(RECLAIM_POLICIES, { description: 'What happens to provisioned volumes when released: Delete (default) or Retain.' }),
      volumeBindingMode: t.enum(VOLUME_BINDING_MODES, { description: 'When claims are bound and provisioned: Immediate (default) or WaitForFirstConsumer.' }),
    },
    { required: ['provisioner'], description: 'A class of storage that claims can request dynamically.' },
  ),
  gvk('StorageClass'),
);

export const TokenRequest = def(
  S + 'TokenRequest',
  t.object(
    {
      audience: str('Intended audience of the token; empty means the API server audiences.'),
      expirationSeconds: t.int64({ description: 'Validity of the token, in seconds.' }),
    },
    { required: ['audience'], description: 'A service account token the kubelet passes to a CSI driver.' },
  ),
);

export const CSIDriverSpec = def(
  S + 'CSIDriverSpec',
  t.object(
    {
      attachRequired: bool('Whether the driver needs an attach step (ControllerPublishVolume); defaults to true.'),
      fsGroupPolicy: str('Whether the volume ownership and permissions may change to match a pod fsGroup: None, File or ReadWriteOnceWithFSType (default).'),
      podInfoOnMount: bool('Whether pod information is passed to the driver on mount; defaults to false.'),
      requiresRepublish: bool('Whether NodePublishVolume is called periodically to remount; defaults to false.'),
      seLinuxMount: bool('Whether the driver supports the "-o context" mount option for SELinux labels; defaults to false.'),
      storageCapacity: bool('Whether the scheduler considers published storage capacity; defaults to false.'),
      tokenRequests: t.array(t.ref(TokenRequest), { listType: 'atomic', description: 'Service account tokens the kubelet passes to the driver on mount.' }),
      volumeLifecycleModes: t.array(t.string(), { listType: 'set', description: 'Volume modes the driver supports: Persistent (default) and/or Ephemeral.' }),
    },
    { description: 'The behaviour of a CSI driver.' },
  ),
);

export const CSIDriver = def(
  S + 'CSIDriver',
  t.object(
    { ...typeMeta, metadata: t.ref(ObjectMeta), spec: t.ref(CSIDriverSpec, { description: 'The behaviour of the driver.' }) },
    { required: ['spec'], description: 'Information about a CSI volume driver installed in the cluster.' },
  ),
  gvk('CSIDriver'),
);

export const VolumeNodeResources = def(
  S + 'VolumeNodeResources',
  t.object(
    { count: t.int32({ description: 'Maximum number of unique volumes of this driver the node can use; unset means unlimited.' }) },
    { description: 'Per-node limits of a CSI driver.' },
  ),
);

export const CSINodeDriver = def(
  S + 'CSINodeDriver',
  t.object(
    {
      allocatable: t.ref(VolumeNodeResources, { description: 'Volume limits of the driver on this node.' }),
      name: str('Name of the CSI driver.'),
      nodeID: str('The ID of this node as the driver knows it.'),
      topologyKeys: strList('Node label keys the driver reports topology with.'),
    },
    { required: ['name', 'nodeID'], description: 'A CSI driver installed on a node.' },
  ),
);

export const CSINodeSpec = def(
  S + 'CSINodeSpec',
  t.object(
    {
      drivers: t.array(t.ref(CSINodeDriver), {
        listType: 'map',
        mapKeys: ['name'],
        mergeKey: 'name',
        patchStrategy: 'merge',
        description: 'The CSI drivers registered on the node.',
      }),
    },
    { required: ['drivers'], description: 'The CSI drivers on a node.' },
  ),
);

export const CSINode = def(
  S + 'CSINode',
  t.object(
    { ...typeMeta, metadata: t.ref(ObjectMeta, { description: 'Metadata; the name is the node name.' }), spec: t.ref(CSINodeSpec, { description: 'The drivers on the node.' }) },
    { required: ['spec'], description: 'The CSI drivers installed on one node; named after the node.' },
  ),
  gvk('CSINode'),
);

export const VolumeAttachmentSource = def(
  S + 'VolumeAttachmentSource',
  t.object(
    {
      inlineVolumeSpec: t.ref(PersistentVolumeSpec, { description: 'An inline volume translated to CSI, for migrated in-tree plugins.' }),
      persistentVolumeName: str('Name of the PersistentVolume to attach.'),
    },
    { description: 'The volume to attach: a PersistentVolume or an inline volume spec.' },
  ),
);

export const VolumeAttachmentSpec = def(
  S + 'VolumeAttachmentSpec',
  t.object(
    {
      attacher: str('Name of the volume driver that attaches the volume.'),
      nodeName: str('The node the volume is attached to.'),
      source: t.ref(VolumeAttachmentSource, { description: 'The volume to attach.' }),
    },
    { required: ['attacher', 'source', 'nodeName'], description: 'The desired attachment.' },
  ),
);

export const VolumeError = def(
  S + 'VolumeError',
  t.object(
    {
      message: str('What went wrong; may be shown to users.'),
      time: t.ref(Time, { description: 'When the error happened.' }),
    },
    { description: 'An error from attaching or detaching a volume.' },
  ),
);

export const VolumeAttachmentStatus = def(
  S + 'VolumeAttachmentStatus',
  t.object(
    {
      attachError: t.ref(VolumeError, { description: 'The last error attaching, if any.' }),
      attached: bool('Whether the volume is attached.'),
      attachmentMetadata: t.map(t.string(), { description: 'Information the attacher returned, passed on to mount.' }),
      detachError: t.ref(VolumeError, { description: 'The last error detaching, if any.' }),
    },
    { required: ['attached'], description: 'The observed state of an attachment.' },
  ),
);

export const VolumeAttachment = def(
  S + 'VolumeAttachment',
  t.object(
    {
      ...typeMeta,
      metadata: t.ref(ObjectMeta),
      spec: t.ref(VolumeAttachmentSpec, { description: 'The desired attachment.' }),
      status: t.ref(VolumeAttachmentStatus, { description: 'The observed attachment, set by the attacher.' }),
    },
    { required: ['spec'], description: 'A request to attach a volume to a node, and its outcome.' },
  ),
  gvk('VolumeAttachment'),
);

export const CSIStorageCapacity = def(
  S + 'CSIStorageCapacity',
  t.object(
    {
      apiVersion: typeMeta.apiVersion,
      capacity: t.ref(Quantity, { description: 'Capacity available for new volumes of the storage class in the topology segment.' }),
      kind: typeMeta.kind,
      maximumVolumeSize: t.ref(Quantity, { description: 'The largest volume that can be created there.' }),
      metadata: t.ref(ObjectMeta),
      nodeTopology: t.ref(LabelSelector, { description: 'The nodes that can reach this storage.' }),
      storageClassName: str('The storage class this capacity applies to.'),
    },
    { required: ['storageClassName'], description: 'Storage capacity a CSI driver reports for one topology segment and storage class.' },
  ),
  gvk('CSIStorageCapacity'),
);

export const storageDefinitions = [
  StorageClass,
  TokenRequest,
  CSIDriverSpec,
  CSIDriver,
  VolumeNodeResources,
  CSINodeDriver,
  CSINodeSpec,
  CSINode,
  VolumeAttachmentSource,
  VolumeAttachmentSpec,
  VolumeError,
  VolumeAttachmentStatus,
  VolumeAttachment,
  CSIStorageCapacity,
] as const;

export type StorageClassT = Static<typeof StorageClass>;
export type CSIDriverSpecT = Static<typeof CSIDriverSpec>;
export type CSIDriverT = Static<typeof CSIDriver>;
export type CSINodeDriverT = Static<typeof CSINodeDriver>;
export type CSINodeT = Static<typeof CSINode>;
export type VolumeAttachmentSpecT = Static<typeof VolumeAttachmentSpec>;
export type VolumeAttachmentStatusT = Static<typeof VolumeAttachmentStatus>;
export type VolumeAttachmentT = Static<typeof VolumeAttachment>;
export type CSIStorageCapacityT = Static<typeof CSIStorageCapacity>;
