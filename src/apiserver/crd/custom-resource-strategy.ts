/**
 * Custom resources' behaviour (upstream's customresource strategy): the
 * generation moves on every change but metadata (and status, when the
 * status subresource is on, as status then changes only through it); the
 * /status endpoint changes status and nothing else; creates are refused
 * once the definition is being deleted.
 */
import type { ResourceType } from '../../api/scheme.js';
import { StatusError } from '../../machinery/errors/status-error.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { Strategy } from '../registry/strategy.js';

export interface CustomResourceStrategyOptions {
  /** True once the CRD is being deleted: no new objects. */
  terminating: () => boolean;
}

/** True when anything but metadata (and status, when ignored) differs. */
export function contentChanged(a: KubeObject, b: KubeObject, opts: { ignoreStatus: boolean }): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (k === 'metadata' || (opts.ignoreStatus && k === 'status')) continue;
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return true;
  }
  return false;
}

function hasStatusSubresource(rt: ResourceType): boolean {
  return !!rt.subresources?.some((s) => s.name === 'status');
}

export function customResourceStrategy(rt: ResourceType, base: Strategy, opts: CustomResourceStrategyOptions): Strategy {
  const withStatus = hasStatusSubresource(rt);
  return {
    ...base,
    tracksGeneration: true,
    prepareForCreate(ctx, obj) {
      if (opts.terminating()) {
        throw new StatusError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating');
      }
      if (withStatus) delete obj.status;
      obj.metadata.generation = 1;
    },
    prepareForUpdate(_ctx, obj, old) {
      if (withStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = old.status;
      }
      obj.metadata.generation = (old.metadata.generation ?? 1) + (contentChanged(obj, old, { ignoreStatus: withStatus }) ? 1 : 0);
    },
  };
}

/** PUT/PATCH on /status: the old object with the new status; even metadata stays as it was. */
export function customResourceStatusStrategy(base: Strategy): Strategy {
  return {
    ...base,
    allowCreateOnUpdate: false,
    prepareForUpdate(_ctx, obj, old) {
      const status = obj.status;
      const copy = JSON.parse(JSON.stringify(old)) as KubeObject;
      for (const k of Object.keys(obj)) if (k !== 'metadata') delete obj[k];
      for (const k of Object.keys(copy)) if (k !== 'metadata') obj[k] = copy[k];
      // Replace metadata's contents in place: callers hold a reference to it.
      for (const k of Object.keys(obj.metadata)) delete (obj.metadata as Record<string, unknown>)[k];
      Object.assign(obj.metadata, copy.metadata);
      if (status === undefined) delete obj.status;
      else obj.status = status;
    },
  };
}
