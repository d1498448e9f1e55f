/**
 * Typed verbs on one GroupVersionResource, optionally bound to a namespace:
 * the dynamic client of client-go with Kubernetes' option names.
 */
import type { Status } from '../../machinery/errors/index.js';
import type { GroupVersionResource, KubeList, KubeObject } from '../../machinery/meta/types.js';
import type { RESTClient } from './rest-client.js';
import type { QueryValue } from './transport.js';
import { type WatchEvent, decodeWatch } from './watch-decoder.js';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface WatchOptions extends Omit<ListOptions, 'limit' | 'continue'> {
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
}

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: 'All';
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  signal?: AbortSignal;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const patchContentType: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface PatchOptions extends WriteOptions {
  subresource?: string;
  /** Server-side apply only: take ownership of conflicting fields. */
  force?: boolean;
}

export interface ApplyOptions extends WriteOptions {
  fieldManager: string;
  force?: boolean;
  subresource?: string;
}

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: Preconditions;
  dryRun?: 'All';
  signal?: AbortSignal;
}

export interface GetOptions {
  resourceVersion?: string;
  signal?: AbortSignal;
}

export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(
    private readonly rest: RESTClient,
    readonly gvr: GroupVersionResource,
    /** Empty for cluster-scoped resources, or for all namespaces of a namespaced one. */
    readonly namespace = '',
  ) {}

  /** The same resource bound to a namespace (`''` for all namespaces). */
  inNamespace(namespace: string): ResourceClient<T> {
    return new ResourceClient<T>(this.rest, this.gvr, namespace);
  }

  private path(name?: string, subresource?: string): string {
    const { group, version, resource } = this.gvr;
    let p = group ? `/apis/${group}/${version}` : `/api/${version}`;
    if (this.namespace) p += `/namespaces/${encodeURIComponent(this.namespace)}`;
    p += `/${resource}`;
    if (name !== undefined) {
      if (!name) throw new Error(`resource name may not be empty`);
      p += `/${encodeURIComponent(name)}`;
    }
    if (subresource) p += `/${subresource}`;
    return p;
  }

  get(name: string, opts: GetOptions = {}): Promise<T> {
    return this.rest.do<T>({ method: 'GET', path: this.path(name), query: { resourceVersion: opts.resourceVersion }, signal: opts.signal });
  }

  list(opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.rest.do<KubeList<T>>({ method: 'GET', path: this.path(), query: listQuery(opts), signal: opts.signal });
  }

  /**
   * Streams change events until the server ends the watch or `signal`
   * aborts. ERROR events (e.g. 410 Expired) are yielded, not thrown: they are
   * an expected outcome the caller answers by re-listing.
   */
  async *watch(opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const query: Record<string, QueryValue> = {
      ...listQuery(opts),
      watch: 'true',
      allowWatchBookmarks: opts.allowWatchBookmarks || undefined,
      sendInitialEvents: opts.sendInitialEvents,
    };
    let res;
    try {
      res = await this.rest.stream({ method: 'GET', path: this.path(), query, signal: opts.signal });
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
    try {
      yield* decodeWatch<T>(res.body);
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.rest.do<T>({ method: 'POST', path: this.path(), query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.rest.do<T>({ method: 'PUT', path: this.path(nameOf(obj)), query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.rest.do<T>({ method: 'PUT', path: this.path(nameOf(obj), 'status'), query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  patch(name: string, type: PatchType, body: unknown, opts: PatchOptions = {}): Promise<T> {
    if (opts.force !== undefined && type !== 'apply') throw new Error('force is only valid for apply patches');
    return this.rest.do<T>({
      method: 'PATCH',
      path: this.path(name, opts.subresource),
      query: { ...writeQuery(opts), force: opts.force },
      body,
      contentType: patchContentType[type],
      signal: opts.signal,
    });
  }

  /** Server-side apply of a (partial) object: its name comes from the object. */
  apply(obj: Partial<T> & { metadata: { name?: string } }, opts: ApplyOptions): Promise<T> {
    return this.patch(nameOf(obj), 'apply', obj, opts);
  }

  /** Answers the deleted object (or the object pending finalizers), or a Success Status. */
  delete(name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    return this.rest.do<T | Status>({ method: 'DELETE', path: this.path(name), query: { dryRun: opts.dryRun }, body: deleteBody(opts), signal: opts.signal });
  }

  deleteCollection(opts: DeleteOptions & Omit<ListOptions, 'signal'> = {}): Promise<KubeList<T> | Status> {
    const query = { ...listQuery({ ...opts, signal: undefined }), dryRun: opts.dryRun };
    return this.rest.do<KubeList<T> | Status>({ method: 'DELETE', path: this.path(), query, body: deleteBody(opts), signal: opts.signal });
  }

  getSubresource<R = KubeObject>(name: string, subresource: string, opts: GetOptions = {}): Promise<R> {
    return this.rest.do<R>({ method: 'GET', path: this.path(name, subresource), query: { resourceVersion: opts.resourceVersion }, signal: opts.signal });
  }

  /** POST to a subresource, e.g. `binding` or `eviction` of a pod. */
  createSubresource<R = KubeObject>(name: string, subresource: string, body: unknown, opts: WriteOptions = {}): Promise<R> {
    return this.rest.do<R>({ method: 'POST', path: this.path(name, subresource), query: writeQuery(opts), body, signal: opts.signal });
  }

  /** PUT to a subresource, e.g. `scale`. */
  updateSubresource<R = KubeObject>(name: string, subresource: string, body: unknown, opts: WriteOptions = {}): Promise<R> {
    return this.rest.do<R>({ method: 'PUT', path: this.path(name, subresource), query: writeQuery(opts), body, signal: opts.signal });
  }
}

function nameOf(obj: { metadata?: { name?: string } }): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error('object has no metadata.name');
  return name;
}

function listQuery(opts: ListOptions): Record<string, QueryValue> {
  return {
    labelSelector: opts.labelSelector,
    fieldSelector: opts.fieldSelector,
    limit: opts.limit,
    continue: opts.continue,
    resourceVersion: opts.resourceVersion,
    resourceVersionMatch: opts.resourceVersionMatch,
    timeoutSeconds: opts.timeoutSeconds,
  };
}

function writeQuery(opts: WriteOptions): Record<string, QueryValue> {
  return { fieldManager: opts.fieldManager, dryRun: opts.dryRun, fieldValidation: opts.fieldValidation };
}

function deleteBody(opts: DeleteOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
  if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
  if (opts.preconditions) body.preconditions = opts.preconditions;
  if (opts.dryRun) body.dryRun = [opts.dryRun];
  return body;
}
