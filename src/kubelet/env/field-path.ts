/**
 * The pod fields the downward API exposes, read the way the node agent reads
 * them: metadata through the object, node- and network-dependent fields
 * (`spec.nodeName`, `status.podIP`, `status.hostIPs`...) from what the agent
 * knows now, since the pod object it holds may not carry them yet.
 */
import type { PodT } from '../../api/core/v1/types.js';

export type FieldResult = { ok: true; value: string } | { ok: false; message: string };

/** What the agent knows about the pod's network when it builds a container. */
export interface PodRuntimeFields {
  podIPs?: string[];
  hostIPs?: string[];
  nodeName?: string;
}

/** `k="v"` lines sorted by key, as the downward API renders labels and annotations. */
export function formatMap(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return keys.map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}

const SUBSCRIPTED = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/;

/**
 * Fields any pod object answers: the metadata set downward API volumes allow.
 */
export function extractMetadataField(pod: PodT, fieldPath: string): FieldResult {
  const sub = SUBSCRIPTED.exec(fieldPath);
  if (sub) {
    const map = sub[1] === 'metadata.labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return { ok: true, value: map?.[sub[2]!] ?? '' };
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return { ok: true, value: formatMap(pod.metadata?.annotations) };
    case 'metadata.labels':
      return { ok: true, value: formatMap(pod.metadata?.labels) };
    case 'metadata.name':
      return { ok: true, value: pod.metadata?.name ?? '' };
    case 'metadata.namespace':
      return { ok: true, value: pod.metadata?.namespace ?? '' };
    case 'metadata.uid':
      return { ok: true, value: pod.metadata?.uid ?? '' };
  }
  return { ok: false, message: `unsupported fieldPath: ${fieldPath}` };
}

/** Every field an environment variable's fieldRef may name. */
export function extractPodField(pod: PodT, fieldPath: string, apiVersion: string | undefined, runtime: PodRuntimeFields): FieldResult {
  if (apiVersion && apiVersion !== 'v1') return { ok: false, message: `unsupported pod version: ${apiVersion}` };
  const podIPs = runtime.podIPs ?? (pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []));
  const hostIPs = runtime.hostIPs ?? (pod.status?.hostIPs?.map((p) => p.ip) ?? (pod.status?.hostIP ? [pod.status.hostIP] : []));
  switch (fieldPath) {
    case 'spec.nodeName':
      return { ok: true, value: runtime.nodeName ?? pod.spec?.nodeName ?? '' };
    case 'spec.serviceAccountName':
      return { ok: true, value: pod.spec?.serviceAccountName ?? '' };
    case 'spec.restartPolicy':
      return { ok: true, value: pod.spec?.restartPolicy ?? '' };
    case 'spec.schedulerName':
      return { ok: true, value: pod.spec?.schedulerName ?? '' };
    case 'status.phase':
      return { ok: true, value: pod.status?.phase ?? '' };
    case 'status.podIP':
      return { ok: true, value: podIPs[0] ?? '' };
    case 'status.podIPs':
      return { ok: true, value: podIPs.join(',') };
    case 'status.hostIP':
      if (!hostIPs.length) return { ok: false, message: 'failed to get host IP: node IP unknown' };
      return { ok: true, value: hostIPs[0]! };
    case 'status.hostIPs':
      if (!hostIPs.length) return { ok: false, message: 'failed to get host IPs: node IP unknown' };
      return { ok: true, value: hostIPs.join(',') };
  }
  return extractMetadataField(pod, fieldPath);
}
