/** A named volume of a pod: exactly one source. */
import { def, t, type Static } from '../../../schema/dsl.js';
import { PersistentVolumeClaimTemplate } from './persistent-volume.js';
import * as vs from './volume-sources.js';
import { CORE, str } from './fields.js';

export const EphemeralVolumeSource = def(
  CORE + 'EphemeralVolumeSource',
  t.object({
    volumeClaimTemplate: t.ref(PersistentVolumeClaimTemplate, { description: 'Template of the claim created for the pod and deleted with it.' }),
  }, { description: 'A volume backed by a claim that lives as long as the pod.' }),
);

/** Every volume source field, in the order the "exactly one source" check reports them. */
export const VOLUME_SOURCE_FIELDS = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos',
  'csi', 'ephemeral', 'image',
] as const;

export const Volume = def(
  CORE + 'Volume',
  t.object(
    {
      awsElasticBlockStore: t.ref(vs.AWSElasticBlockStoreVolumeSource),
      azureDisk: t.ref(vs.AzureDiskVolumeSource),
      azureFile: t.ref(vs.AzureFileVolumeSource),
      cephfs: t.ref(vs.CephFSVolumeSource),
      cinder: t.ref(vs.CinderVolumeSource),
      configMap: t.ref(vs.ConfigMapVolumeSource, { description: 'Keys of a config map as files.' }),
      csi: t.ref(vs.CSIVolumeSource, { description: 'An ephemeral volume from a CSI driver.' }),
      downwardAPI: t.ref(vs.DownwardAPIVolumeSource, { description: 'Pod information as files.' }),
      emptyDir: t.ref(vs.EmptyDirVolumeSource, { description: 'A scratch directory that lives as long as the pod.' }),
      ephemeral: t.ref(EphemeralVolumeSource, { description: 'A claim-backed volume that lives as long as the pod.' }),
      fc: t.ref(vs.FCVolumeSource),
      flexVolume: t.ref(vs.FlexVolumeSource),
      flocker: t.ref(vs.FlockerVolumeSource),
      gcePersistentDisk: t.ref(vs.GCEPersistentDiskVolumeSource),
      gitRepo: t.ref(vs.GitRepoVolumeSource),
      glusterfs: t.ref(vs.GlusterfsVolumeSource),
      hostPath: t.ref(vs.HostPathVolumeSource, { description: 'A file or directory of the node.' }),
      image: t.ref(vs.ImageVolumeSource, { description: 'The content of an OCI image, read-only.' }),
      iscsi: t.ref(vs.ISCSIVolumeSource),
      name: str('Name of the volume, a DNS label unique in the pod.'),
      nfs: t.ref(vs.NFSVolumeSource, { description: 'An NFS export.' }),
      persistentVolumeClaim: t.ref(vs.PersistentVolumeClaimVolumeSource, { description: 'The volume bound to a claim in the pod namespace.' }),
      photonPersistentDisk: t.ref(vs.PhotonPersistentDiskVolumeSource),
      portworxVolume: t.ref(vs.PortworxVolumeSource),
      projected: t.ref(vs.ProjectedVolumeSource, { description: 'Several sources merged into one directory.' }),
      quobyte: t.ref(vs.QuobyteVolumeSource),
      rbd: t.ref(vs.RBDVolumeSource),
      scaleIO: t.ref(vs.ScaleIOVolumeSource),
      secret: t.ref(vs.SecretVolumeSource, { description: 'Keys of a secret as files.' }),
      storageos: t.ref(vs.StorageOSVolumeSource),
      vsphereVolume: t.ref(vs.VsphereVirtualDiskVolumeSource),
    },
    { required: ['name'], description: 'A named volume containers of the pod can mount.' },
  ),
);

export type EphemeralVolumeSourceT = Static<typeof EphemeralVolumeSource>;
export type VolumeT = Static<typeof Volume>;
