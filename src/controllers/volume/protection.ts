/**
 * What the pvc-protection and pv-protection controllers agree on: the
 * finalizers the StorageObjectInUseProtection admission plugin adds, when an
 * object needs one, when it may lose it, and when a pod counts as using a
 * claim (upstream's rules, so a claim stays Terminating exactly as long).
 */
import type { KubeObject } from '../../machinery/meta/types.js';
import type { Pod } from '../framework/pods.js';
import type { PV, PVC } from './annotations.js';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** Not being deleted and without the finalizer: objects created before admission added it. */
export function needToAddFinalizer(obj: KubeObject, finalizer: string): boolean {
  return !obj.metadata.deletionTimestamp && !(obj.metadata.finalizers ?? []).includes(finalizer);
}

/** Being deleted and still held by the finalizer. */
export function isDeletionCandidate(obj: KubeObject, finalizer: string): boolean {
  return !!obj.metadata.deletionTimestamp && (obj.metadata.finalizers ?? []).includes(finalizer);
}

export function withFinalizer<T extends KubeObject>(obj: T, finalizer: string): T {
  const out = structuredClone(obj) as T;
  out.metadata.finalizers = [...(out.metadata.finalizers ?? []), finalizer];
  return out;
}

export function withoutFinalizer<T extends KubeObject>(obj: T, finalizer: string): T {
  const out = structuredClone(obj) as T;
  const rest = (out.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  if (rest.length) out.metadata.finalizers = rest;
  else delete out.metadata.finalizers;
  return out;
}

interface PodVolume {
  name: string;
  persistentVolumeClaim?: { claimName?: string };
  ephemeral?: unknown;
}

interface ContainerState {
  state?: { running?: unknown; waiting?: unknown; terminated?: unknown };
}

const podVolumes = (pod: Pod): PodVolume[] => ((pod.spec as { volumes?: PodVolume[] } | undefined)?.volumes ?? []);

/** Deleted with zero grace: the kubelet is done with it, or it was force-deleted. */
export function podIsShutDown(pod: Pod): boolean {
  return !!pod.metadata.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0;
}

/** Upstream's volume IsPodTerminated: finished, or being deleted with no container running. */
export function isPodTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return true;
  if (!pod.metadata.deletionTimestamp) return false;
  const status = (pod.status ?? {}) as Record<string, ContainerState[] | undefined>;
  const notRunning = (list: ContainerState[] | undefined) => (list ?? []).every((c) => !!c.state?.terminated || !!c.state?.waiting);
  return notRunning(status.initContainerStatuses) && notRunning(status.containerStatuses) && notRunning(status.ephemeralContainerStatuses);
}

/**
 * A scheduled pod that names the claim uses it, whatever its phase (as
 * upstream: the claim is kept until such pods are gone). A generic ephemeral
 * volume's claim counts only while its own pod is not shut down.
 */
export function podUsesClaim(pod: Pod, pvc: PVC): boolean {
  if (!pod.spec?.nodeName || pod.metadata.namespace !== pvc.metadata.namespace) return false;
  for (const v of podVolumes(pod)) {
    if (v.persistentVolumeClaim?.claimName === pvc.metadata.name) return true;
    if (v.ephemeral && !podIsShutDown(pod) && `${pod.metadata.name}-${v.name}` === pvc.metadata.name) {
      const owner = pvc.metadata.ownerReferences?.find((r) => r.controller === true);
      if (owner?.uid === pod.metadata.uid) return true;
    }
  }
  return false;
}

/** The claims a pod's volumes name (persistentVolumeClaim and generic ephemeral). */
export function claimsOfPod(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of podVolumes(pod)) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata.name}-${v.name}`);
  }
  return out;
}

/** A volume is in use while it is Bound to a claim. */
export function isVolumeInUse(pv: PV): boolean {
  return pv.status?.phase === 'Bound';
}
