/**
 * The files a config map, secret or downward API source projects: all keys,
 * or the listed items with their paths and modes.
 */
import type { ConfigMapT, ContainerT, DownwardAPIVolumeFileT, KeyToPathT, PodT, SecretT } from '../../api/core/v1/types.js';
import { type ResourceList, extractContainerResource, extractMetadataField, limitsWithAllocatable } from '../env/index.js';
import type { FileProjection, Payload } from './atomic-writer.js';

export type PayloadResult = { ok: true; payload: Payload } | { ok: false; message: string };

export const DEFAULT_MODE = 0o644;

function keyedPayload(
  entries: Map<string, Buffer>,
  items: readonly KeyToPathT[] | undefined,
  opts: { defaultMode: number; optional: boolean; gid?: number; missingKey: (key: string) => string },
): PayloadResult {
  const payload: Payload = new Map();
  const file = (data: Buffer, mode: number): FileProjection => ({ data, mode, gid: opts.gid });
  if (!items?.length) {
    for (const [k, v] of entries) payload.set(k, file(v, opts.defaultMode));
    return { ok: true, payload };
  }
  for (const item of items) {
    const v = entries.get(item.key);
    if (v === undefined) {
      if (opts.optional) continue;
      return { ok: false, message: opts.missingKey(item.key) };
    }
    payload.set(item.path, file(v, item.mode ?? opts.defaultMode));
  }
  return { ok: true, payload };
}

export function configMapPayload(cm: ConfigMapT | undefined, items: readonly KeyToPathT[] | undefined, opts: { defaultMode: number; optional: boolean; gid?: number }): PayloadResult {
  const entries = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm?.data ?? {})) entries.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm?.binaryData ?? {})) entries.set(k, Buffer.from(String(v), 'base64'));
  return keyedPayload(entries, items, { ...opts, missingKey: (k) => `configmap references non-existent config key: ${k}` });
}

export function secretPayload(secret: SecretT | undefined, items: readonly KeyToPathT[] | undefined, opts: { defaultMode: number; optional: boolean; gid?: number }): PayloadResult {
  const entries = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(secret?.data ?? {})) entries.set(k, Buffer.from(String(v), 'base64'));
  return keyedPayload(entries, items, { ...opts, missingKey: (k) => `references non-existent secret key: ${k}` });
}

function allContainers(pod: PodT): ContainerT[] {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
}

export function downwardAPIPayload(pod: PodT, items: readonly DownwardAPIVolumeFileT[] | undefined, opts: { defaultMode: number; gid?: number; nodeAllocatable?: ResourceList }): PayloadResult {
  const payload: Payload = new Map();
  const errors: string[] = [];
  for (const item of items ?? []) {
    const mode = item.mode ?? opts.defaultMode;
    let data = Buffer.alloc(0);
    if (item.fieldRef) {
      const r = extractMetadataField(pod, item.fieldRef.fieldPath);
      if (r.ok) data = Buffer.from(r.value);
      else errors.push(r.message);
    } else if (item.resourceFieldRef) {
      const name = item.resourceFieldRef.containerName ?? '';
      const c = allContainers(pod).find((x) => x.name === name);
      if (!c) {
        errors.push(`container ${name} not found`);
      } else {
        const r = extractContainerResource(item.resourceFieldRef, { resources: limitsWithAllocatable(c.resources, opts.nodeAllocatable) });
        if (r.ok) data = Buffer.from(r.value);
        else errors.push(r.message);
      }
    }
    payload.set(item.path, { data, mode, gid: opts.gid });
  }
  if (errors.length) return { ok: false, message: aggregate(errors) };
  return { ok: true, payload };
}

/** One error as itself, several as upstream's aggregate `[a, b]`. */
export function aggregate(errors: readonly string[]): string {
  return errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
}
