/**
 * Prepares a pod's volumes on the node and tells the runtime what to mount
 * where. Each volume gets a directory `<rootDir>/pods/<uid>/volumes/<plugin>/<name>`
 * as kubelet lays them out (hostPath and persistent volumes are mounted from
 * their own paths). Config maps, secrets, downward API and projected volumes
 * are written with the AtomicWriter so `resync` can update them under
 * running containers.
 */
import { chmod, chown, mkdir, readdir, realpath, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type {
  ConfigMapT, ContainerT, PersistentVolumeClaimT, PersistentVolumeT, PodT, SecretT, VolumeMountT, VolumeProjectionT, VolumeT,
} from '../../api/core/v1/types.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import type { RESTClient } from '../../client/rest/rest-client.js';
import { type Clock, realClock } from '../../machinery/clock.js';
import { isNotFound } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { tryParseQuantity } from '../../machinery/quantity.js';
import type { ResourceList } from '../env/index.js';
import type { KeyValue, Mount } from '../runtime/interface.js';
import { AtomicWriter, type Payload } from './atomic-writer.js';
import { checkHostPathType } from './host-path.js';
import { HostMounter, type Mounter } from './mounter.js';
import { DEFAULT_MODE, type PayloadResult, aggregate, configMapPayload, downwardAPIPayload, secretPayload } from './payload.js';
import { expandSubPathExpr, prepareSubPath } from './subpath.js';
import { TokenManager } from './token-manager.js';

export const PLUGIN_EMPTY_DIR = 'kubernetes.io~empty-dir';
export const PLUGIN_CONFIG_MAP = 'kubernetes.io~configmap';
export const PLUGIN_SECRET = 'kubernetes.io~secret';
export const PLUGIN_DOWNWARD_API = 'kubernetes.io~downward-api';
export const PLUGIN_PROJECTED = 'kubernetes.io~projected';

const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';

export interface VolumeManagerOptions {
  /** The agent's state directory; pods live under `<rootDir>/pods`. */
  rootDir: string;
  /** Reads config maps, secrets, claims and volumes; requests tokens. */
  client: RESTClient;
  clock?: Clock;
  mounter?: Mounter;
}

export interface SetUpDeps {
  /** Node allocatable: resourceFieldRef values for limits a container leaves unset. */
  nodeAllocatable?: ResourceList;
}

/** One volume that could not be set up: the agent records each as a FailedMount event. */
export interface VolumeFailure {
  volume: string;
  message: string;
}

export type ContainerMountsResult = { ok: true; mounts: Mount[] } | { ok: false; reason: 'CreateContainerConfigError'; message: string };

export interface ContainerMountsOptions {
  /** The container's resolved environment, for subPathExpr. */
  envs?: readonly KeyValue[];
}

/** Mounts for one container of a set-up pod (subPath entries are created and checked here). */
export type MountsFor = (containerName: string, opts?: ContainerMountsOptions) => Promise<ContainerMountsResult>;

export type SetUpResult = { ok: true; mounts: MountsFor } | { ok: false; reason: 'FailedMount'; message: string; failures: VolumeFailure[] };

export type ResyncResult = { ok: true; changed: string[] } | { ok: false; reason: 'FailedMount'; message: string; failures: VolumeFailure[] };

export type TearDownResult = { ok: true } | { ok: false; message: string };

interface PreparedVolume {
  hostPath: string;
  readOnly: boolean;
}

interface PodState {
  pod: PodT;
  volumes: Map<string, PreparedVolume>;
}

type Prepared = { ok: true; volume: PreparedVolume; changed?: boolean } | { ok: false; message: string };

const UNSUPPORTED_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc', 'azureFile',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'image',
] as const;

function isSafeUID(uid: string): boolean {
  return uid !== '' && uid !== '.' && uid !== '..' && !uid.includes('/') && !uid.includes('\0');
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function mountFailure(volume: string, message: string): VolumeFailure {
  return { volume, message: `MountVolume.SetUp failed for volume "${volume}" : ${message}` };
}

function podContainers(pod: PodT): ContainerT[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...((pod.spec?.ephemeralContainers ?? []) as ContainerT[])];
}

const propagation: Record<string, Mount['propagation']> = {
  None: 'PROPAGATION_PRIVATE',
  HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER',
  Bidirectional: 'PROPAGATION_BIDIRECTIONAL',
};

export class VolumeManager {
  private readonly clock: Clock;
  private readonly mounter: Mounter;
  private readonly tokens: TokenManager;
  private readonly configMaps: ResourceClient<ConfigMapT & KubeObject>;
  private readonly secrets: ResourceClient<SecretT & KubeObject>;
  private readonly claims: ResourceClient<PersistentVolumeClaimT & KubeObject>;
  private readonly persistentVolumes: ResourceClient<PersistentVolumeT & KubeObject>;
  private readonly pods = new Map<string, PodState>();

  constructor(private readonly opts: VolumeManagerOptions) {
    this.clock = opts.clock ?? realClock;
    this.mounter = opts.mounter ?? new HostMounter();
    this.tokens = new TokenManager(opts.client, this.clock);
    const core = (resource: string) => ({ group: '', version: 'v1', resource });
    this.configMaps = new ResourceClient<ConfigMapT & KubeObject>(opts.client, core('configmaps'));
    this.secrets = new ResourceClient<SecretT & KubeObject>(opts.client, core('secrets'));
    this.claims = new ResourceClient<PersistentVolumeClaimT & KubeObject>(opts.client, core('persistentvolumeclaims'));
    this.persistentVolumes = new ResourceClient<PersistentVolumeT & KubeObject>(opts.client, core('persistentvolumes'));
  }

  /** `<rootDir>/pods/<uid>`: the pod's directory on the node. */
  podDir(podUID: string): string {
    return path.join(this.opts.rootDir, 'pods', podUID);
  }

  /** Where a volume of a plugin lives, e.g. volumeDir(uid, PLUGIN_EMPTY_DIR, 'cache'). */
  volumeDir(podUID: string, plugin: string, name: string): string {
    return path.join(this.podDir(podUID), 'volumes', plugin, name);
  }

  /** Pod UIDs with a directory on this node, for cleaning up after pods that are gone. */
  async podUIDsOnDisk(): Promise<string[]> {
    try {
      return (await readdir(path.join(this.opts.rootDir, 'pods'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return [];
    }
  }

  async setUp(pod: PodT, deps: SetUpDeps = {}): Promise<SetUpResult> {
    const uid = pod.metadata?.uid ?? '';
    if (!isSafeUID(uid)) return { ok: false, reason: 'FailedMount', message: `invalid pod uid "${uid}"`, failures: [] };
    const state: PodState = this.pods.get(uid) ?? { pod, volumes: new Map() };
    state.pod = pod;
    const failures: VolumeFailure[] = [];
    for (const vol of pod.spec?.volumes ?? []) {
      const r = await this.prepare(pod, vol, deps);
      if (r.ok) state.volumes.set(vol.name, r.volume);
      else failures.push(mountFailure(vol.name, r.message));
    }
    this.pods.set(uid, state);
    if (failures.length) return { ok: false, reason: 'FailedMount', message: failures[0]!.message, failures };
    return { ok: true, mounts: (containerName, o) => this.containerMounts(uid, containerName, o ?? {}) };
  }

  /**
   * Rewrites config map, secret, downward API and projected volumes of a
   * set-up pod from their current sources (and the pod's current labels and
   * annotations); refreshes tokens near expiry. Returns the volumes whose
   * files changed.
   */
  async resync(pod: PodT, deps: SetUpDeps = {}): Promise<ResyncResult> {
    const uid = pod.metadata?.uid ?? '';
    const state = this.pods.get(uid);
    if (!state) return { ok: false, reason: 'FailedMount', message: `pod ${uid} has no volumes set up`, failures: [] };
    state.pod = pod;
    const changed: string[] = [];
    const failures: VolumeFailure[] = [];
    for (const vol of pod.spec?.volumes ?? []) {
      if (!(vol.configMap || vol.secret || vol.downwardAPI || vol.projected)) continue;
      const r = await this.prepare(pod, vol, deps);
      if (!r.ok) failures.push(mountFailure(vol.name, r.message));
      else if (r.changed) changed.push(vol.name);
    }
    if (failures.length) return { ok: false, reason: 'FailedMount', message: failures[0]!.message, failures };
    return { ok: true, changed };
  }

  /**
   * Unmounts what setUp mounted and removes the pod's volume directories;
   * idempotent, and works for pods this process never saw (after a restart).
   */
  async tearDown(podUID: string): Promise<TearDownResult> {
    if (!isSafeUID(podUID)) return { ok: false, message: `invalid pod uid "${podUID}"` };
    const dir = path.join(this.podDir(podUID), 'volumes');
    for (const mp of await this.mounter.mountsUnder(dir)) {
      const r = await this.mounter.unmount(mp);
      if (!r.ok) return { ok: false, message: `UnmountVolume.TearDown failed for ${mp}: ${r.message}` };
    }
    // Never delete through a mount that is still there.
    const left = await this.mounter.mountsUnder(dir);
    if (left.length) return { ok: false, message: `mounts remain under ${dir}: ${left.join(', ')}` };
    try {
      await rm(dir, { recursive: true, force: true });
      await rmdir(this.podDir(podUID)).catch(() => undefined);
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    this.tokens.forgetPod(podUID);
    this.pods.delete(podUID);
    return { ok: true };
  }

  private async containerMounts(uid: string, containerName: string, o: ContainerMountsOptions): Promise<ContainerMountsResult> {
    const state = this.pods.get(uid);
    const fail = (message: string): ContainerMountsResult => ({ ok: false, reason: 'CreateContainerConfigError', message });
    if (!state) return fail(`pod ${uid} has no volumes set up`);
    const container = podContainers(state.pod).find((c) => c.name === containerName);
    if (!container) return fail(`container "${containerName}" not found in pod`);
    const mounts: Mount[] = [];
    for (const vm of (container.volumeMounts ?? []) as VolumeMountT[]) {
      const vol = state.volumes.get(vm.name);
      if (!vol) return fail(`cannot find volume "${vm.name}" to mount into container "${containerName}"`);
      let hostPath = vol.hostPath;
      let subPath = vm.subPath ?? '';
      if (vm.subPathExpr) {
        const x = expandSubPathExpr(vm.subPathExpr, o.envs ?? []);
        if (!x.ok) return fail(x.message);
        subPath = x.subPath;
      }
      if (subPath) {
        const r = await prepareSubPath(hostPath, subPath, { volumeMountName: vm.name, containerName });
        if (!r.ok) return fail(r.message);
        hostPath = r.hostPath;
      }
      const m: Mount = { containerPath: vm.mountPath, hostPath, readonly: !!vm.readOnly || vol.readOnly };
      if (vm.mountPropagation) m.propagation = propagation[vm.mountPropagation];
      mounts.push(m);
    }
    return { ok: true, mounts };
  }

  private fsGroup(pod: PodT): number | undefined {
    const g = pod.spec?.securityContext?.fsGroup;
    // Only root can hand files to another group.
    return g !== undefined && isRoot() ? g : undefined;
  }

  private async prepare(pod: PodT, vol: VolumeT, deps: SetUpDeps): Promise<Prepared> {
    try {
      return await this.prepareVolume(pod, vol, deps);
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  private async prepareVolume(pod: PodT, vol: VolumeT, deps: SetUpDeps): Promise<Prepared> {
    const uid = pod.metadata!.uid!;
    const gid = this.fsGroup(pod);
    if (vol.emptyDir) return this.emptyDir(this.volumeDir(uid, PLUGIN_EMPTY_DIR, vol.name), vol.emptyDir, gid);
    if (vol.hostPath) {
      const r = await checkHostPathType(vol.hostPath.path, vol.hostPath.type);
      return r.ok ? { ok: true, volume: { hostPath: vol.hostPath.path, readOnly: false } } : r;
    }
    if (vol.configMap) {
      const src = vol.configMap;
      const cm = await this.getConfigMap(pod, src.name ?? '');
      if (!cm.ok) return cm;
      if (!cm.value && !src.optional) return { ok: false, message: `configmap "${src.name ?? ''}" not found` };
      const p = configMapPayload(cm.value, src.items, { defaultMode: withGroup(src.defaultMode ?? DEFAULT_MODE, gid), optional: !!src.optional, gid });
      return this.writeAtomically(this.volumeDir(uid, PLUGIN_CONFIG_MAP, vol.name), p, gid);
    }
    if (vol.secret) {
      const src = vol.secret;
      const s = await this.getSecret(pod, src.secretName ?? '');
      if (!s.ok) return s;
      if (!s.value && !src.optional) return { ok: false, message: `secret "${src.secretName ?? ''}" not found` };
      const p = secretPayload(s.value, src.items, { defaultMode: withGroup(src.defaultMode ?? DEFAULT_MODE, gid), optional: !!src.optional, gid });
      return this.writeAtomically(this.volumeDir(uid, PLUGIN_SECRET, vol.name), p, gid);
    }
    if (vol.downwardAPI) {
      const p = downwardAPIPayload(pod, vol.downwardAPI.items, { defaultMode: withGroup(vol.downwardAPI.defaultMode ?? DEFAULT_MODE, gid), gid, nodeAllocatable: deps.nodeAllocatable });
      return this.writeAtomically(this.volumeDir(uid, PLUGIN_DOWNWARD_API, vol.name), p, gid);
    }
    if (vol.projected) {
      const p = await this.projectedPayload(pod, vol.projected.sources ?? [], vol.projected.defaultMode ?? DEFAULT_MODE, gid, deps);
      return this.writeAtomically(this.volumeDir(uid, PLUGIN_PROJECTED, vol.name), p, gid);
    }
    if (vol.persistentVolumeClaim) {
      return this.claimVolume(pod, vol.persistentVolumeClaim.claimName, !!vol.persistentVolumeClaim.readOnly, false);
    }
    if (vol.ephemeral) {
      return this.claimVolume(pod, `${pod.metadata?.name ?? ''}-${vol.name}`, false, true);
    }
    const source = UNSUPPORTED_SOURCES.find((s) => (vol as Record<string, unknown>)[s] !== undefined);
    return { ok: false, message: `no volume plugin matched: ${source ?? 'an empty'} volume source is not supported by this node` };
  }

  private async emptyDir(dir: string, src: NonNullable<VolumeT['emptyDir']>, gid: number | undefined): Promise<Prepared> {
    const medium = src.medium ?? '';
    if (medium !== '' && medium !== 'Memory') return { ok: false, message: `emptyDir medium "${medium}" is not supported by this node` };
    await mkdir(dir, { recursive: true, mode: 0o777 });
    if (medium === 'Memory' && !(await this.mounter.mountsUnder(dir)).includes(await realpath(dir))) {
      let sizeBytes: number | undefined;
      if (src.sizeLimit !== undefined) {
        const q = tryParseQuantity(src.sizeLimit);
        if (!q.ok) return { ok: false, message: `invalid sizeLimit ${String(src.sizeLimit)}: ${q.message}` };
        sizeBytes = q.quantity.value();
      }
      const r = await this.mounter.mountTmpfs(dir, { sizeBytes, mode: 0o777 });
      if (!r.ok) return r;
    }
    // Any container user may write a scratch directory; fsGroup makes new files the pod's group.
    if (gid !== undefined) {
      await chown(dir, -1, gid);
      await chmod(dir, 0o2777);
    } else {
      await chmod(dir, 0o777);
    }
    return { ok: true, volume: { hostPath: dir, readOnly: false } };
  }

  private async writeAtomically(dir: string, p: PayloadResult, gid: number | undefined): Promise<Prepared> {
    if (!p.ok) return p;
    await mkdir(dir, { recursive: true, mode: 0o777 });
    if (gid !== undefined) await chown(dir, -1, gid);
    const w = await new AtomicWriter(dir, { now: () => new Date(this.clock.now()) }).write(p.payload);
    if (!w.ok) return w;
    // Config maps, secrets, downward API and projected volumes are always read-only in containers.
    return { ok: true, volume: { hostPath: dir, readOnly: true }, changed: w.changed };
  }

  private async projectedPayload(pod: PodT, sources: readonly VolumeProjectionT[], defaultMode: number, gid: number | undefined, deps: SetUpDeps): Promise<PayloadResult> {
    const payload: Payload = new Map();
    const errors: string[] = [];
    const mode = withGroup(defaultMode, gid);
    const merge = (r: PayloadResult) => {
      if (!r.ok) errors.push(r.message);
      else for (const [k, v] of r.payload) payload.set(k, v);
    };
    for (const src of sources) {
      if (src.configMap) {
        const cm = await this.getConfigMap(pod, src.configMap.name ?? '');
        if (!cm.ok) errors.push(cm.message);
        else if (!cm.value && !src.configMap.optional) errors.push(`configmap "${src.configMap.name ?? ''}" not found`);
        else merge(configMapPayload(cm.value, src.configMap.items, { defaultMode: mode, optional: !!src.configMap.optional, gid }));
      } else if (src.secret) {
        const s = await this.getSecret(pod, src.secret.name ?? '');
        if (!s.ok) errors.push(s.message);
        else if (!s.value && !src.secret.optional) errors.push(`secret "${src.secret.name ?? ''}" not found`);
        else merge(secretPayload(s.value, src.secret.items, { defaultMode: mode, optional: !!src.secret.optional, gid }));
      } else if (src.downwardAPI) {
        merge(downwardAPIPayload(pod, src.downwardAPI.items, { defaultMode: mode, gid, nodeAllocatable: deps.nodeAllocatable }));
      } else if (src.serviceAccountToken) {
        const tp = src.serviceAccountToken;
        const t = await this.tokens.get({
          namespace: pod.metadata?.namespace ?? 'default',
          serviceAccountName: pod.spec?.serviceAccountName || 'default',
          audiences: tp.audience ? [tp.audience] : undefined,
          expirationSeconds: tp.expirationSeconds,
          boundPod: { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
        });
        // With fsGroup the token is readable by the group only, never by others.
        if (t.ok) payload.set(tp.path, { data: Buffer.from(t.token), mode: gid !== undefined ? 0o640 : defaultMode, gid });
        else errors.push(t.message);
      } else if (src.clusterTrustBundle) {
        errors.push('clusterTrustBundle projections are not supported by this node');
      }
    }
    if (errors.length) return { ok: false, message: aggregate(errors) };
    return { ok: true, payload };
  }

  private async claimVolume(pod: PodT, claimName: string, readOnly: boolean, ephemeral: boolean): Promise<Prepared> {
    const ns = pod.metadata?.namespace ?? 'default';
    const wrap = (m: string): Prepared => ({ ok: false, message: `error processing PVC ${ns}/${claimName}: ${m}` });
    let pvc: PersistentVolumeClaimT;
    try {
      pvc = await this.claims.inNamespace(ns).get(claimName);
    } catch (err) {
      return wrap(`failed to fetch PVC from API server: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (ephemeral && !(pvc.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === pod.metadata?.uid)) {
      return wrap(`PVC ${ns}/${claimName} was not created for pod ${ns}/${pod.metadata?.name ?? ''} (pod is not owner)`);
    }
    if (pvc.metadata?.deletionTimestamp) return wrap('PVC is being deleted');
    if (pvc.status?.phase !== 'Bound' || !pvc.spec?.volumeName) return wrap('PVC is not bound');
    let pv: PersistentVolumeT;
    try {
      pv = await this.persistentVolumes.get(pvc.spec.volumeName);
    } catch (err) {
      return wrap(`failed to fetch PV ${pvc.spec.volumeName} from API server: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (pv.spec?.claimRef?.uid && pv.spec.claimRef.uid !== pvc.metadata?.uid) {
      return wrap(`PV ${pv.metadata?.name ?? ''} is bound to another claim`);
    }
    // Local-path volumes are created on first use, writable by any container user as upstream's provisioner leaves them.
    const localPath = /local-path/.test(pv.metadata?.annotations?.[ANN_PROVISIONED_BY] ?? '');
    const ro = readOnly || (pv.spec?.accessModes ?? []).every((m) => m === 'ReadOnlyMany') && (pv.spec?.accessModes?.length ?? 0) > 0;
    if (pv.spec?.hostPath) {
      const r = await checkHostPathType(pv.spec.hostPath.path, localPath ? 'DirectoryOrCreate' : pv.spec.hostPath.type, { dirMode: localPath ? 0o777 : 0o755 });
      return r.ok ? { ok: true, volume: { hostPath: pv.spec.hostPath.path, readOnly: ro } } : r;
    }
    if (pv.spec?.local) {
      const p = pv.spec.local.path;
      if (localPath) {
        const r = await checkHostPathType(p, 'DirectoryOrCreate', { dirMode: 0o777 });
        if (!r.ok) return r;
      } else {
        try {
          await stat(p);
        } catch {
          return { ok: false, message: `path "${p}" does not exist` };
        }
      }
      return { ok: true, volume: { hostPath: p, readOnly: ro } };
    }
    return { ok: false, message: `persistent volume ${pv.metadata?.name ?? ''} has a source this node cannot mount` };
  }

  private async getConfigMap(pod: PodT, name: string): Promise<{ ok: true; value: ConfigMapT | undefined } | { ok: false; message: string }> {
    try {
      return { ok: true, value: await this.configMaps.inNamespace(pod.metadata?.namespace ?? 'default').get(name) };
    } catch (err) {
      if (isNotFound(err)) return { ok: true, value: undefined };
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  private async getSecret(pod: PodT, name: string): Promise<{ ok: true; value: SecretT | undefined } | { ok: false; message: string }> {
    try {
      return { ok: true, value: await this.secrets.inNamespace(pod.metadata?.namespace ?? 'default').get(name) };
    } catch (err) {
      if (isNotFound(err)) return { ok: true, value: undefined };
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }
}

/** fsGroup makes read-only volume files group-readable, as upstream's ownership pass does. */
function withGroup(mode: number, gid: number | undefined): number {
  return gid === undefined ? mode : mode | 0o440;
}
