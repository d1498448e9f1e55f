/** PersistentVolume and PersistentVolumeClaim: storage provisioned for, and claimed by, workloads. */
import { def, t, type Static } from '../../../schema/dsl.js';
import { LabelSelector, ObjectMeta, Time } from '../../../meta/v1.js';
import { ObjectReference, type ObjectReferenceT, TypedLocalObjectReference, TypedObjectReference } from './references.js';
import { NodeSelector } from './scheduling.js';
import * as vs from './volume-sources.js';
import { CORE, gvk, resourceList, str, strList } from './fields.js';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] as const;
export const VOLUME_MODES = ['Block', 'Filesystem'] as const;

const accessModes = (description: string) => t.array(t.enum(ACCESS_MODES), { listType: 'atomic', description });

export const VolumeNodeAffinity = def(
  CORE + 'VolumeNodeAffinity',
  t.object({ required: t.ref(NodeSelector, { description: 'Nodes from which the volume can be reached.' }) }, { description: 'Restricts the nodes that can use a volume.' }),
);

export const PersistentVolumeSpec = def(
  CORE + 'PersistentVolumeSpec',
  t.object({
    accessModes: accessModes('Ways the volume can be mounted.'),
    awsElasticBlockStore: t.ref(vs.AWSElasticBlockStoreVolumeSource),
    azureDisk: t.ref(vs.AzureDiskVolumeSource),
    azureFile: t.ref(vs.AzureFilePersistentVolumeSource),
    capacity: resourceList('Capacity of the volume; storage is the only key used.'),
    cephfs: t.ref(vs.CephFSPersistentVolumeSource),
    cinder: t.ref(vs.CinderPersistentVolumeSource),
    // Upstream publishes claimRef as a granular ObjectReference so binders can set its fields one by one.
    claimRef: t.raw<ObjectReferenceT>({ allOf: [ObjectReference.schema], 'x-kubernetes-map-type': 'granular', description: 'The claim bound to this volume.' }),
    csi: t.ref(vs.CSIPersistentVolumeSource, { description: 'A volume managed by a CSI driver.' }),
    fc: t.ref(vs.FCVolumeSource),
    flexVolume: t.ref(vs.FlexPersistentVolumeSource),
    flocker: t.ref(vs.FlockerVolumeSource),
    gcePersistentDisk: t.ref(vs.GCEPersistentDiskVolumeSource),
    glusterfs: t.ref(vs.GlusterfsPersistentVolumeSource),
    hostPath: t.ref(vs.HostPathVolumeSource, { description: 'A directory on the host; for single-node testing.' }),
    iscsi: t.ref(vs.ISCSIPersistentVolumeSource),
    local: t.ref(vs.LocalVolumeSource, { description: 'Storage attached to one node.' }),
    mountOptions: strList('Mount options used when mounting the volume.'),
    nfs: t.ref(vs.NFSVolumeSource, { description: 'An NFS export.' }),
    nodeAffinity: t.ref(VolumeNodeAffinity, { description: 'Nodes the volume can be used from.' }),
    persistentVolumeReclaimPolicy: t.enum(['Delete', 'Recycle', 'Retain'], { description: 'What happens to the volume when its claim is released; defaults to Retain.' }),
    photonPersistentDisk: t.ref(vs.PhotonPersistentDiskVolumeSource),
    portworxVolume: t.ref(vs.PortworxVolumeSource),
    quobyte: t.ref(vs.QuobyteVolumeSource),
    rbd: t.ref(vs.RBDPersistentVolumeSource),
    scaleIO: t.ref(vs.ScaleIOPersistentVolumeSource),
    storageClassName: str('Storage class the volume belongs to; empty means none.'),
    storageos: t.ref(vs.StorageOSPersistentVolumeSource),
    volumeAttributesClassName: str('Volume attributes class the volume belongs to.'),
    volumeMode: t.enum(VOLUME_MODES, { description: 'Whether the volume is a filesystem or a raw block device; defaults to Filesystem.' }),
    vsphereVolume: t.ref(vs.VsphereVirtualDiskVolumeSource),
  }, { description: 'The desired state of a persistent volume.' }),
);

export const PersistentVolumeStatus = def(
  CORE + 'PersistentVolumeStatus',
  t.object({
    lastPhaseTransitionTime: t.ref(Time, { description: 'When the volume last changed phase.' }),
    message: str('Human-readable detail about the phase.'),
    phase: t.enum(['Available', 'Bound', 'Failed', 'Pending', 'Released'], { description: 'Where the volume is in its lifecycle.' }),
    reason: str('Machine-readable reason for a failure.'),
  }, { description: 'The observed state of a persistent volume.' }),
);

export const PersistentVolume = def(
  CORE + 'PersistentVolume',
  t.object({
    apiVersion: str('Versioned schema of this object.'),
    kind: str('Kind of this object.'),
    metadata: t.ref(ObjectMeta),
    spec: t.ref(PersistentVolumeSpec, { description: 'Desired state of the volume.' }),
    status: t.ref(PersistentVolumeStatus, { description: 'Observed state of the volume.' }),
  }, { description: 'A piece of storage provisioned in the cluster.' }),
  gvk('PersistentVolume'),
);

export const VolumeResourceRequirements = def(
  CORE + 'VolumeResourceRequirements',
  t.object({
    limits: resourceList('Maximum amount of storage allowed.'),
    requests: resourceList('Minimum amount of storage required.'),
  }, { description: 'The storage a claim asks for.' }),
);

export const PersistentVolumeClaimSpec = def(
  CORE + 'PersistentVolumeClaimSpec',
  t.object({
    accessModes: accessModes('Ways the volume must be mountable.'),
    dataSource: t.ref(TypedLocalObjectReference, { description: 'A snapshot or claim to populate the new volume from.' }),
    dataSourceRef: t.ref(TypedObjectReference, { description: 'Any populator object to fill the new volume from.' }),
    resources: t.ref(VolumeResourceRequirements, { description: 'Storage the volume must have.' }),
    selector: t.ref(LabelSelector, { description: 'Selects the volumes that may be bound.' }),
    storageClassName: str('Storage class required; empty string means no class.'),
    volumeAttributesClassName: str('Volume attributes class to apply.'),
    volumeMode: t.enum(VOLUME_MODES, { description: 'Filesystem or Block; defaults to Filesystem.' }),
    volumeName: str('Binds to the persistent volume of this name.'),
  }, { description: 'The desired characteristics of a claimed volume.' }),
);

export const PersistentVolumeClaimCondition = def(
  CORE + 'PersistentVolumeClaimCondition',
  t.object(
    {
      lastProbeTime: t.ref(Time, { description: 'When the condition was last probed.' }),
      lastTransitionTime: t.ref(Time, { description: 'When the condition last changed status.' }),
      message: str('Human-readable detail.'),
      reason: str('Machine-readable reason for the last transition.'),
      status: str('True, False or Unknown.'),
      type: str('Type of the condition, e.g. Resizing.'),
    },
    { required: ['type', 'status'], description: 'A condition of a claim.' },
  ),
);

export const ModifyVolumeStatus = def(
  CORE + 'ModifyVolumeStatus',
  t.object(
    {
      status: t.enum(['InProgress', 'Infeasible', 'Pending'], { description: 'State of the modification.' }),
      targetVolumeAttributesClassName: str('Class being applied.'),
    },
    { required: ['status'], description: 'Progress of a volume attributes class change.' },
  ),
);

export const PersistentVolumeClaimStatus = def(
  CORE + 'PersistentVolumeClaimStatus',
  t.object({
    accessModes: accessModes('Access modes of the bound volume.'),
    allocatedResourceStatuses: t.map(t.string(), { mapType: 'granular', description: 'Resize state per resource.' }),
    allocatedResources: resourceList('Resources allocated to the claim, including pending expansions.'),
    capacity: resourceList('Capacity of the bound volume.'),
    conditions: t.array(t.ref(PersistentVolumeClaimCondition), { listType: 'map', mapKeys: ['type'], mergeKey: 'type', patchStrategy: 'merge', description: 'Current conditions of the claim.' }),
    currentVolumeAttributesClassName: str('Volume attributes class currently applied.'),
    modifyVolumeStatus: t.ref(ModifyVolumeStatus, { description: 'State of a pending volume modification.' }),
    phase: t.enum(['Bound', 'Lost', 'Pending'], { description: 'Whether the claim is bound.' }),
  }, { description: 'The observed state of a claim.' }),
);

export const PersistentVolumeClaim = def(
  CORE + 'PersistentVolumeClaim',
  t.object({
    apiVersion: str('Versioned schema of this object.'),
    kind: str('Kind of this object.'),
    metadata: t.ref(ObjectMeta),
    spec: t.ref(PersistentVolumeClaimSpec, { description: 'Desired characteristics of the volume.' }),
    status: t.ref(PersistentVolumeClaimStatus, { description: 'Observed state of the claim.' }),
  }, { description: 'A request for storage by a user.' }),
  gvk('PersistentVolumeClaim'),
);

export const PersistentVolumeClaimTemplate = def(
  CORE + 'PersistentVolumeClaimTemplate',
  t.object(
    {
      metadata: t.ref(ObjectMeta, { description: 'Labels and annotations copied to the created claim.' }),
      spec: t.ref(PersistentVolumeClaimSpec, { description: 'Spec copied to the created claim.' }),
    },
    { required: ['spec'], description: 'The claim created for an ephemeral volume.' },
  ),
);

export type AccessMode = (typeof ACCESS_MODES)[number];
export type PersistentVolumeSpecT = Static<typeof PersistentVolumeSpec>;
export type PersistentVolumeStatusT = Static<typeof PersistentVolumeStatus>;
export type PersistentVolumeT = Static<typeof PersistentVolume>;
export type VolumeResourceRequirementsT = Static<typeof VolumeResourceRequirements>;
export type PersistentVolumeClaimSpecT = Static<typeof PersistentVolumeClaimSpec>;
export type PersistentVolumeClaimStatusT = Static<typeof PersistentVolumeClaimStatus>;
export type PersistentVolumeClaimT = Static<typeof PersistentVolumeClaim>;
export type PersistentVolumeClaimTemplateT = Static<typeof PersistentVolumeClaimTemplate>;
