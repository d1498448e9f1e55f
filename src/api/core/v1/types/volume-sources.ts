/**
 * Volume sources shared by pod volumes and persistent volumes. Sources a node
 * agent here can mount are written out; vendor sources kept only for API
 * compatibility are opaque objects under their upstream names.
 */
import { def, t, type Static } from '../../../schema/dsl.js';
import { LabelSelector, Quantity } from '../../../meta/v1.js';
import { LocalObjectReference, SecretReference } from './references.js';
import { CORE, bool, i32, i64, opaque, str, strMap } from './fields.js';

export const HostPathVolumeSource = def(
  CORE + 'HostPathVolumeSource',
  t.object(
    {
      path: str('Path of the file or directory on the host.'),
      type: t.enum(['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'], { description: 'What must exist at the path before mounting; empty means no check.' }),
    },
    { required: ['path'], description: 'A file or directory of the host mounted into the pod.' },
  ),
);

export const EmptyDirVolumeSource = def(
  CORE + 'EmptyDirVolumeSource',
  t.object(
    {
      medium: str('Storage medium backing the directory: empty for the node default, or Memory for tmpfs.'),
      sizeLimit: t.ref(Quantity, { description: 'Upper bound on the space the directory may use.' }),
    },
    { description: 'A temporary directory that lives as long as the pod.' },
  ),
);

export const KeyToPath = def(
  CORE + 'KeyToPath',
  t.object(
    {
      key: str('The key to project.'),
      mode: i32('File mode bits for this file, 0000 to 0777; defaults to the volume defaultMode.'),
      path: str('Relative path of the file to write the key to; may not contain "..".'),
    },
    { required: ['key', 'path'], description: 'Maps a key of a config map or secret to a file path.' },
  ),
);

export const SecretVolumeSource = def(
  CORE + 'SecretVolumeSource',
  t.object({
    defaultMode: i32('Mode bits for created files, 0000 to 0777; defaults to 0644.'),
    items: t.array(t.ref(KeyToPath), { listType: 'atomic', description: 'Keys to project; all keys are projected when empty.' }),
    optional: bool('Whether the secret or its keys may be missing.'),
    secretName: str('Name of the secret in the pod namespace.'),
  }, { description: 'Populates a volume with the keys of a secret.' }),
);

export const ConfigMapVolumeSource = def(
  CORE + 'ConfigMapVolumeSource',
  t.object({
    defaultMode: i32('Mode bits for created files, 0000 to 0777; defaults to 0644.'),
    items: t.array(t.ref(KeyToPath), { listType: 'atomic', description: 'Keys to project; all keys are projected when empty.' }),
    name: t.string({ default: '', description: 'Name of the config map in the pod namespace.' }),
    optional: bool('Whether the config map or its keys may be missing.'),
  }, { description: 'Populates a volume with the keys of a config map.' }),
);

export const ObjectFieldSelector = def(
  CORE + 'ObjectFieldSelector',
  t.object(
    {
      apiVersion: str('Version of the schema fieldPath is written in; defaults to v1.'),
      fieldPath: str('Path of the field to select.'),
    },
    { required: ['fieldPath'], structType: 'atomic', description: 'Selects a field of the pod.' },
  ),
);

export const ResourceFieldSelector = def(
  CORE + 'ResourceFieldSelector',
  t.object(
    {
      containerName: str('Container whose resources are read; required for volumes.'),
      divisor: t.ref(Quantity, { description: 'Unit the value is expressed in; defaults to 1.' }),
      resource: str('Resource to select, e.g. limits.cpu or requests.memory.'),
    },
    { required: ['resource'], structType: 'atomic', description: 'Selects a resource limit or request of a container.' },
  ),
);

export const DownwardAPIVolumeFile = def(
  CORE + 'DownwardAPIVolumeFile',
  t.object(
    {
      fieldRef: t.ref(ObjectFieldSelector, { description: 'A pod field to write; only annotations, labels, name, namespace and uid.' }),
      mode: i32('File mode bits for this file, 0000 to 0777.'),
      path: str('Relative path of the file to create.'),
      resourceFieldRef: t.ref(ResourceFieldSelector, { description: 'A container resource to write.' }),
    },
    { required: ['path'], description: 'One file of a downward API volume.' },
  ),
);

export const DownwardAPIVolumeSource = def(
  CORE + 'DownwardAPIVolumeSource',
  t.object({
    defaultMode: i32('Mode bits for created files, 0000 to 0777; defaults to 0644.'),
    items: t.array(t.ref(DownwardAPIVolumeFile), { listType: 'atomic', description: 'Files to write.' }),
  }, { description: 'Populates a volume with information about the pod.' }),
);

export const SecretProjection = def(
  CORE + 'SecretProjection',
  t.object({
    items: t.array(t.ref(KeyToPath), { listType: 'atomic', description: 'Keys to project; all keys are projected when empty.' }),
    name: t.string({ default: '', description: 'Name of the secret.' }),
    optional: bool('Whether the secret or its keys may be missing.'),
  }, { description: 'Projects the keys of a secret into a projected volume.' }),
);

export const ConfigMapProjection = def(
  CORE + 'ConfigMapProjection',
  t.object({
    items: t.array(t.ref(KeyToPath), { listType: 'atomic', description: 'Keys to project; all keys are projected when empty.' }),
    name: t.string({ default: '', description: 'Name of the config map.' }),
    optional: bool('Whether the config map or its keys may be missing.'),
  }, { description: 'Projects the keys of a config map into a projected volume.' }),
);

export const DownwardAPIProjection = def(
  CORE + 'DownwardAPIProjection',
  t.object({ items: t.array(t.ref(DownwardAPIVolumeFile), { listType: 'atomic', description: 'Files to write.' }) }, { description: 'Projects pod information into a projected volume.' }),
);

export const ServiceAccountTokenProjection = def(
  CORE + 'ServiceAccountTokenProjection',
  t.object(
    {
      audience: str('Intended audience of the token; defaults to the API server identifier.'),
      expirationSeconds: i64('Requested token lifetime in seconds; at least 600, default 3600.'),
      path: str('Relative path of the token file.'),
    },
    { required: ['path'], description: 'Projects a bound service account token into a projected volume.' },
  ),
);

export const ClusterTrustBundleProjection = def(
  CORE + 'ClusterTrustBundleProjection',
  t.object(
    {
      labelSelector: t.ref(LabelSelector, { description: 'Selects the trust bundles whose certificates are merged; with signerName.' }),
      name: str('Selects one trust bundle by name.'),
      optional: bool('Whether a missing bundle is tolerated.'),
      path: str('Relative path of the PEM file.'),
      signerName: str('Selects the trust bundles of this signer.'),
    },
    { required: ['path'], description: 'Projects certificates of cluster trust bundles into a projected volume.' },
  ),
);

export const VolumeProjection = def(
  CORE + 'VolumeProjection',
  t.object({
    clusterTrustBundle: t.ref(ClusterTrustBundleProjection),
    configMap: t.ref(ConfigMapProjection),
    downwardAPI: t.ref(DownwardAPIProjection),
    secret: t.ref(SecretProjection),
    serviceAccountToken: t.ref(ServiceAccountTokenProjection),
  }, { description: 'One source of a projected volume; exactly one field is set.' }),
);

export const ProjectedVolumeSource = def(
  CORE + 'ProjectedVolumeSource',
  t.object({
    defaultMode: i32('Mode bits for created files, 0000 to 0777; defaults to 0644.'),
    sources: t.array(t.ref(VolumeProjection), { listType: 'atomic', description: 'The sources merged into the volume.' }),
  }, { description: 'Merges several sources into one directory.' }),
);

export const PersistentVolumeClaimVolumeSource = def(
  CORE + 'PersistentVolumeClaimVolumeSource',
  t.object(
    {
      claimName: str('Name of a claim in the pod namespace.'),
      readOnly: bool('Forces read-only mounts.'),
    },
    { required: ['claimName'], description: 'Mounts the volume bound to a persistent volume claim.' },
  ),
);

export const NFSVolumeSource = def(
  CORE + 'NFSVolumeSource',
  t.object(
    {
      path: str('Path exported by the NFS server.'),
      readOnly: bool('Mounts the export read-only.'),
      server: str('Host name or IP address of the NFS server.'),
    },
    { required: ['server', 'path'], description: 'An NFS export.' },
  ),
);

export const CSIVolumeSource = def(
  CORE + 'CSIVolumeSource',
  t.object(
    {
      driver: str('Name of the CSI driver handling the volume.'),
      fsType: str('Filesystem type to mount, e.g. ext4.'),
      nodePublishSecretRef: t.ref(LocalObjectReference, { description: 'Secret passed to the driver on NodePublishVolume.' }),
      readOnly: bool('Mounts the volume read-only.'),
      volumeAttributes: strMap('Driver-specific properties.'),
    },
    { required: ['driver'], description: 'An ephemeral volume provided by a CSI driver.' },
  ),
);

export const CSIPersistentVolumeSource = def(
  CORE + 'CSIPersistentVolumeSource',
  t.object(
    {
      controllerExpandSecretRef: t.ref(SecretReference, { description: 'Secret passed to the driver on ControllerExpandVolume.' }),
      controllerPublishSecretRef: t.ref(SecretReference, { description: 'Secret passed to the driver on ControllerPublishVolume.' }),
      driver: str('Name of the CSI driver handling the volume.'),
      fsType: str('Filesystem type to mount, e.g. ext4.'),
      nodeExpandSecretRef: t.ref(SecretReference, { description: 'Secret passed to the driver on NodeExpandVolume.' }),
      nodePublishSecretRef: t.ref(SecretReference, { description: 'Secret passed to the driver on NodePublishVolume.' }),
      nodeStageSecretRef: t.ref(SecretReference, { description: 'Secret passed to the driver on NodeStageVolume.' }),
      readOnly: bool('Mounts the volume read-only.'),
      volumeAttributes: strMap('Driver-specific properties.'),
      volumeHandle: str('Identifier the driver gave the volume.'),
    },
    { required: ['driver', 'volumeHandle'], description: 'A persistent volume provided by a CSI driver.' },
  ),
);

export const LocalVolumeSource = def(
  CORE + 'LocalVolumeSource',
  t.object(
    {
      fsType: str('Filesystem type when path is a block device.'),
      path: str('Full path of the directory or block device on the node.'),
    },
    { required: ['path'], description: 'Storage local to one node.' },
  ),
);

export const ImageVolumeSource = def(
  CORE + 'ImageVolumeSource',
  t.object({
    pullPolicy: t.enum(['Always', 'IfNotPresent', 'Never'], { description: 'When to pull the image; as for containers.' }),
    reference: str('Image or artifact reference to mount.'),
  }, { description: 'Mounts the content of an OCI image or artifact read-only.' }),
);

export const GCEPersistentDiskVolumeSource = def(
  CORE + 'GCEPersistentDiskVolumeSource',
  t.object(
    {
      fsType: str('Filesystem type to mount.'),
      partition: i32('Partition to mount; 0 means the whole disk.'),
      pdName: str('Name of the disk in GCE.'),
      readOnly: bool('Mounts the disk read-only.'),
    },
    { required: ['pdName'], description: 'A Google Compute Engine persistent disk (deprecated).' },
  ),
);

export const AWSElasticBlockStoreVolumeSource = def(
  CORE + 'AWSElasticBlockStoreVolumeSource',
  t.object(
    {
      fsType: str('Filesystem type to mount.'),
      partition: i32('Partition to mount; 0 means the whole volume.'),
      readOnly: bool('Mounts the volume read-only.'),
      volumeID: str('ID of the EBS volume.'),
    },
    { required: ['volumeID'], description: 'An AWS Elastic Block Store volume (deprecated).' },
  ),
);

export const GitRepoVolumeSource = def(
  CORE + 'GitRepoVolumeSource',
  t.object(
    {
      directory: str('Target directory inside the volume.'),
      repository: str('Repository URL.'),
      revision: str('Commit hash to check out.'),
    },
    { required: ['repository'], description: 'A git repository cloned into an empty directory (deprecated).' },
  ),
);

export const ISCSIVolumeSource = def(CORE + 'ISCSIVolumeSource', opaque('An iSCSI disk.'));
export const ISCSIPersistentVolumeSource = def(CORE + 'ISCSIPersistentVolumeSource', opaque('An iSCSI disk of a persistent volume.'));
export const GlusterfsVolumeSource = def(CORE + 'GlusterfsVolumeSource', opaque('A Glusterfs mount (removed upstream).'));
export const GlusterfsPersistentVolumeSource = def(CORE + 'GlusterfsPersistentVolumeSource', opaque('A Glusterfs mount of a persistent volume.'));
export const RBDVolumeSource = def(CORE + 'RBDVolumeSource', opaque('A Rados block device (deprecated).'));
export const RBDPersistentVolumeSource = def(CORE + 'RBDPersistentVolumeSource', opaque('A Rados block device of a persistent volume.'));
export const FlexVolumeSource = def(CORE + 'FlexVolumeSource', opaque('A volume attached by an exec-based plugin (deprecated).'));
export const FlexPersistentVolumeSource = def(CORE + 'FlexPersistentVolumeSource', opaque('A flex volume of a persistent volume.'));
export const CinderVolumeSource = def(CORE + 'CinderVolumeSource', opaque('An OpenStack Cinder volume (deprecated).'));
export const CinderPersistentVolumeSource = def(CORE + 'CinderPersistentVolumeSource', opaque('A Cinder volume of a persistent volume.'));
export const CephFSVolumeSource = def(CORE + 'CephFSVolumeSource', opaque('A CephFS mount (deprecated).'));
export const CephFSPersistentVolumeSource = def(CORE + 'CephFSPersistentVolumeSource', opaque('A CephFS mount of a persistent volume.'));
export const FlockerVolumeSource = def(CORE + 'FlockerVolumeSource', opaque('A Flocker volume (deprecated).'));
export const FCVolumeSource = def(CORE + 'FCVolumeSource', opaque('A Fibre Channel volume.'));
export const AzureFileVolumeSource = def(CORE + 'AzureFileVolumeSource', opaque('An Azure File share (deprecated).'));
export const AzureFilePersistentVolumeSource = def(CORE + 'AzureFilePersistentVolumeSource', opaque('An Azure File share of a persistent volume.'));
export const AzureDiskVolumeSource = def(CORE + 'AzureDiskVolumeSource', opaque('An Azure data disk (deprecated).'));
export const VsphereVirtualDiskVolumeSource = def(CORE + 'VsphereVirtualDiskVolumeSource', opaque('A vSphere virtual disk (deprecated).'));
export const QuobyteVolumeSource = def(CORE + 'QuobyteVolumeSource', opaque('A Quobyte mount (deprecated).'));
export const PhotonPersistentDiskVolumeSource = def(CORE + 'PhotonPersistentDiskVolumeSource', opaque('A Photon Controller disk (deprecated).'));
export const PortworxVolumeSource = def(CORE + 'PortworxVolumeSource', opaque('A Portworx volume (deprecated).'));
export const ScaleIOVolumeSource = def(CORE + 'ScaleIOVolumeSource', opaque('A ScaleIO volume (deprecated).'));
export const ScaleIOPersistentVolumeSource = def(CORE + 'ScaleIOPersistentVolumeSource', opaque('A ScaleIO volume of a persistent volume.'));
export const StorageOSVolumeSource = def(CORE + 'StorageOSVolumeSource', opaque('A StorageOS volume (deprecated).'));
export const StorageOSPersistentVolumeSource = def(CORE + 'StorageOSPersistentVolumeSource', opaque('A StorageOS volume of a persistent volume.'));

export type HostPathVolumeSourceT = Static<typeof HostPathVolumeSource>;
export type EmptyDirVolumeSourceT = Static<typeof EmptyDirVolumeSource>;
export type KeyToPathT = Static<typeof KeyToPath>;
export type SecretVolumeSourceT = Static<typeof SecretVolumeSource>;
export type ConfigMapVolumeSourceT = Static<typeof ConfigMapVolumeSource>;
export type ObjectFieldSelectorT = Static<typeof ObjectFieldSelector>;
export type ResourceFieldSelectorT = Static<typeof ResourceFieldSelector>;
export type DownwardAPIVolumeFileT = Static<typeof DownwardAPIVolumeFile>;
export type DownwardAPIVolumeSourceT = Static<typeof DownwardAPIVolumeSource>;
export type VolumeProjectionT = Static<typeof VolumeProjection>;
export type ProjectedVolumeSourceT = Static<typeof ProjectedVolumeSource>;
export type ServiceAccountTokenProjectionT = Static<typeof ServiceAccountTokenProjection>;
export type PersistentVolumeClaimVolumeSourceT = Static<typeof PersistentVolumeClaimVolumeSource>;
export type NFSVolumeSourceT = Static<typeof NFSVolumeSource>;
export type CSIVolumeSourceT = Static<typeof CSIVolumeSource>;
export type CSIPersistentVolumeSourceT = Static<typeof CSIPersistentVolumeSource>;
export type LocalVolumeSourceT = Static<typeof LocalVolumeSource>;
export type ImageVolumeSourceT = Static<typeof ImageVolumeSource>;
