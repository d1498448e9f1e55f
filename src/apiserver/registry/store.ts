/**
 * The generic registry store (upstream genericregistry.Store): create, get,
 * list, guaranteed update, graceful delete and watch for one storage
 * resource, with the resource's strategy deciding what differs. Reads come
 * from the watch cache; writes go to the backend with compare-and-swap on the
 * object's revision. Every read-modify-write goes through `guaranteedUpdate`.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../machinery/clock.js';
import { rfc3339 } from '../../machinery/clock.js';
import {
  OPTIMISTIC_LOCK_MESSAGE,
  StatusError,
  alreadyExists,
  badRequest,
  conflict,
  gone,
  internalError,
  invalid,
  notFound,
} from '../../machinery/errors/status-error.js';
import type { FieldError } from '../../machinery/errors/field.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { Backend, KeyValue } from '../../storage/interface.js';
import { CompactedError } from '../../storage/interface.js';
import { CachedObject, decodeStored } from '../cacher/cached-object.js';
import { ListSnapshots, lowerBound } from '../cacher/list-snapshots.js';
import type { CacheEvent, ResourceCache } from '../cacher/watch-cache.js';
import { TooOldError } from '../cacher/watch-cache.js';
import type { RequestContext } from '../context.js';
import { type StorageResource, listPrefix, objectKey } from './keys.js';
import type { Rollback, Strategy } from './strategy.js';

const RETRY = Symbol('retry');
type UpdateOutcome = { object: KubeObject; created: boolean } | typeof RETRY;

export interface StoreOptions {
  backend: Backend;
  cache: ResourceCache;
  resource: StorageResource;
  /** Kind and group for error messages (`Pod "x" is invalid`). */
  kind: string;
  strategy: Strategy;
  clock: Clock;
  /** Freeze decoded objects so callers that mutate shared state throw (tests). */
  freeze?: boolean;
  /** Resolves true once the cache has every acknowledged write (consistent reads). */
  waitFresh?: () => Promise<boolean>;
}

export type ObjectPredicate = (obj: Readonly<KubeObject>) => boolean;

export interface ListRequest {
  namespace: string;
  predicate?: ObjectPredicate;
  /** True when the predicate filters (remainingItemCount is then unknown). */
  filtered?: boolean;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: CachedObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export interface DeleteRequest {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface DeleteResult {
  object: KubeObject;
  /** False when the object stays (graceful deletion or finalizers pending). */
  deleted: boolean;
}

export interface UpdateOptions {
  /** Run the strategy for this endpoint (e.g. the status strategy). */
  strategy?: Strategy;
  /** Run before the write; may reject (validating admission). */
  validate?: (obj: KubeObject, old: KubeObject | undefined) => Promise<void>;
  /** Recompute managed fields etc. after preparation. */
  finalize?: (obj: KubeObject, old: KubeObject | undefined) => KubeObject;
  /** Create the object when absent (PUT with allowCreateOnUpdate, apply). */
  allowCreate?: boolean;
}

export interface StoreWatchRequest {
  namespace: string;
  /** Watch one object (fieldSelector metadata.name=x). */
  name?: string;
  resourceVersion?: string;
  sendInitialEvents?: boolean;
  onEvents(events: CacheEvent[]): void;
  onError(err: StatusError): void;
  signal: AbortSignal;
}

const encoder = new TextEncoder();
const GENERATE_NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const GENERATE_NAME_TRIES = 8;
const LEASE_REUSE_SECONDS = 60;

export function generateNameSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += GENERATE_NAME_CHARS[Math.floor(Math.random() * GENERATE_NAME_CHARS.length)];
  return s;
}

/** Serialized form kept in storage: the object without its resourceVersion (the revision is). */
export function encodeForStorage(obj: KubeObject): Uint8Array {
  return encoder.encode(storageText(obj));
}

function storageText(obj: KubeObject): string {
  const rv = obj.metadata.resourceVersion;
  delete obj.metadata.resourceVersion;
  const text = JSON.stringify(obj);
  if (rv !== undefined) obj.metadata.resourceVersion = rv;
  return text;
}

/** The text each object returned by a write was stored as, so its response need not encode it again. */
const writtenText = new WeakMap<KubeObject, string>();

/**
 * The JSON stored for an object a write of this store returned (without its resourceVersion), or
 * undefined. Valid while the object is as returned: callers respond with it, they do not change it.
 */
export function storedTextOf(obj: KubeObject): string | undefined {
  return writtenText.get(obj);
}

/** Encodes `obj` for storage, remembering the text for its response. */
function encodeWritten(obj: KubeObject): Uint8Array {
  const text = storageText(obj);
  writtenText.set(obj, text);
  return encoder.encode(text);
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, startKeySuffix: string): string {
  const t: ContinueToken = { v: 'meta.k8s.io/v1', rv, start: startKeySuffix };
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || t.rv <= 0 || typeof t.start !== 'string' || t.start.includes('..')) throw new Error('bad');
    return t;
  } catch (err) {
    throw badRequest(`continue key is not valid: ${(err as Error).message === 'bad' ? 'incorrect encoded start resourceVersion (version meta.k8s.io/v1)' : 'invalid continue token'}`);
  }
}

const MAX_UINT64 = 18446744073709551615n;

/** A resourceVersion as Go's strconv.ParseUint(rv, 10, 64) reads it; undefined where that fails. */
function goParseUint64(rv: unknown): bigint | undefined {
  if (typeof rv !== 'string' || !/^[0-9]+$/.test(rv)) return undefined;
  const n = BigInt(rv);
  return n <= MAX_UINT64 ? n : undefined;
}

/** A resourceVersion asked for; past 2^53 it is only ever too large, and compares so. */
function parseRV(rv: string | undefined, what = 'resourceVersion'): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  if (goParseUint64(rv) === undefined) throw badRequest(`invalid ${what}: ${rv}`, [{ reason: 'FieldValueInvalid', field: 'resourceVersion', message: `invalid ${what}: ${rv}` }]);
  return Number(rv);
}

function tooLargeResourceVersion(rv: string, current: number): StatusError {
  return new StatusError(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
}

export class Store {
  readonly resource: StorageResource;
  readonly strategy: Strategy;
  private readonly backend: Backend;
  private readonly cache: ResourceCache;
  private readonly clock: Clock;
  private readonly kind: string;

  constructor(private readonly opts: StoreOptions) {
    this.resource = opts.resource;
    this.strategy = opts.strategy;
    this.backend = opts.backend;
    this.cache = opts.cache;
    this.clock = opts.clock;
    this.kind = opts.kind;
    this.snapshots = new ListSnapshots({ clock: opts.clock });
  }

  /** The cache states paginated LISTs are reading (see list-snapshots.ts). */
  private readonly snapshots: ListSnapshots;

  private lease: { id: number; grantedAt: number } | undefined;

  /**
   * The lease expiring objects are written with (0 = none). As upstream's lease
   * manager does, one lease is shared by the writes of a minute, granted for the
   * TTL plus that minute, so churn does not create a lease per write.
   */
  private async leaseForWrite(): Promise<number> {
    const ttl = this.strategy.ttlSeconds;
    if (!ttl) return 0;
    const now = this.clock.now();
    if (this.lease && now - this.lease.grantedAt < LEASE_REUSE_SECONDS * 1000) return this.lease.id;
    const granted = await this.backend.grantLease(ttl + LEASE_REUSE_SECONDS);
    this.lease = { id: granted.id, grantedAt: now };
    return granted.id;
  }

  /** The newest revision the cache has seen (for bookmarks). */
  currentRevision(): number {
    return this.cache.revision;
  }

  key(namespace: string, name: string): string {
    return objectKey(this.resource, this.strategy.namespaced ? namespace : '', name);
  }

  private decode(kv: KeyValue): CachedObject {
    return CachedObject.fromKV(kv, { freeze: this.opts.freeze });
  }

  private notFound(name: string): StatusError {
    return notFound(this.resource, name);
  }

  private invalid(name: string, errs: FieldError[]): StatusError {
    return invalid({ group: this.resource.group, kind: this.kind }, name, errs);
  }

  /** The current object (from the cache, which every acknowledged write reaches shortly). */
  async get(namespace: string, name: string, opts: { resourceVersion?: string } = {}): Promise<CachedObject> {
    const key = this.key(namespace, name);
    const rv = parseRV(opts.resourceVersion);
    if (rv === 0 || rv === undefined) {
      // resourceVersion "" asks for the latest: read through to the backend for a linearizable answer.
      if (rv === undefined) {
        const kv = await this.backend.get(key);
        if (!kv) throw this.notFound(name);
        return this.cache.get(key)?.revision === kv.modRevision ? this.cache.get(key)! : this.decode(kv);
      }
      const c = this.cache.get(key);
      if (!c) throw this.notFound(name);
      return c;
    }
    // N asks for a state not older than N: the cache's, once it has caught up.
    if (rv > this.cache.revision) {
      await this.waitFresh();
      if (rv > this.cache.revision) throw tooLargeResourceVersion(opts.resourceVersion!, this.cache.revision);
    }
    const c = this.cache.get(key);
    if (!c) throw this.notFound(name);
    return c;
  }

  async list(req: ListRequest): Promise<ListResult> {
    const prefix = listPrefix(this.resource, this.strategy.namespaced ? req.namespace : '');
    const rv = parseRV(req.resourceVersion);
    const match = req.resourceVersionMatch ?? '';
    if (match && !['NotOlderThan', 'Exact'].includes(match)) {
      throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
    }
    if (match && rv === undefined) throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (req.continueToken && (rv !== undefined && rv !== 0)) throw badRequest('specifying resource version is not allowed when using continue');
    const limit = req.limit && req.limit > 0 ? req.limit : 0;

    if (req.continueToken) {
      const tok = decodeContinue(req.continueToken);
      const snapshot = this.snapshots.get(prefix, tok.rv);
      if (snapshot) return this.page(snapshot, prefix, req, limit || snapshot.length, tok.rv, prefix + tok.start);
      return this.listFromBackend(prefix, req, limit, tok.rv, prefix + tok.start);
    }
    if (match === 'Exact' && rv !== undefined && rv > 0) return this.listFromBackend(prefix, req, limit, rv, '');
    if (limit && rv === undefined) {
      // A consistent first page: the cache once it has every acknowledged write, else storage.
      if (!(await this.waitFresh())) return this.listFromBackend(prefix, req, limit, 0, '');
      const revision = this.cache.revision;
      const snapshot = this.cache.snapshot(prefix);
      const first = this.page(snapshot, prefix, req, limit, revision, '');
      if (first.continueToken) this.snapshots.put(prefix, revision, snapshot);
      return first;
    }

    // Served from the watch cache: RV "" is a consistent read (wait until the cache has every
    // acknowledged write); "0" is any recent state; N means not older than N.
    if (rv === undefined) {
      const fresh = await this.waitFresh();
      if (!fresh) return this.listFromBackend(prefix, req, limit, 0, '');
    } else if (rv > this.cache.revision) {
      await this.waitFresh();
      if (rv > this.cache.revision) throw tooLargeResourceVersion(req.resourceVersion!, this.cache.revision);
    }
    const all = this.cache.list(prefix);
    const items = req.predicate ? all.filter((o) => req.predicate!(o.object)) : all;
    const revision = this.cache.revision;
    // With resourceVersion "0" upstream serves the whole list from the cache and ignores limit.
    return { items, resourceVersion: String(revision) };
  }

  /** One page of a LIST cut from a snapshot of the cache at `revision`, as `listFromBackend` reads one from storage. */
  private page(snapshot: readonly CachedObject[], prefix: string, req: ListRequest, limit: number, revision: number, startKey: string): ListResult {
    const items: CachedObject[] = [];
    let i = startKey ? lowerBound(snapshot, startKey) : 0;
    let last = -1;
    for (; i < snapshot.length && items.length < limit; i++) {
      const obj = snapshot[i]!;
      last = i;
      if (!req.predicate || req.predicate(obj.object)) items.push(obj);
    }
    const out: ListResult = { items, resourceVersion: String(revision) };
    // A full page with objects after it continues; the objects after it are not yet filtered.
    if (items.length >= limit && last < snapshot.length - 1) {
      out.continueToken = encodeContinue(revision, snapshot[last]!.key.slice(prefix.length) + '\x00');
      if (!req.filtered) out.remainingItemCount = snapshot.length - last - 1;
    }
    return out;
  }

  private waitFresh(): Promise<boolean> {
    return this.opts.waitFresh?.() ?? Promise.resolve(true);
  }

  private async listFromBackend(prefix: string, req: ListRequest, limit: number, atRevision: number, startKey: string): Promise<ListResult> {
    const items: CachedObject[] = [];
    let revision = atRevision;
    let next = startKey;
    let more = false;
    let lastKey = '';
    let remaining: number | undefined;
    for (;;) {
      const want = limit ? Math.max(limit - items.length, 1) : 0;
      let page;
      try {
        page = await this.backend.range(prefix, { revision: revision || undefined, limit: want ? want + (req.predicate ? 64 : 0) : 0, startKey: next || undefined });
      } catch (err) {
        if (err instanceof CompactedError) {
          throw gone(
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
          );
        }
        throw err;
      }
      revision = page.revision;
      let i = 0;
      for (; i < page.kvs.length; i++) {
        const kv = page.kvs[i]!;
        // An unchanged object is shared with the cache: no decode, and its JSON text is reused.
        const cached = this.cache.get(kv.key);
        const obj = cached?.revision === kv.modRevision ? cached : this.decode(kv);
        lastKey = kv.key;
        if (!req.predicate || req.predicate(obj.object)) items.push(obj);
        if (limit && items.length >= limit) break;
      }
      const consumedAll = i >= page.kvs.length - 1;
      if (limit && items.length >= limit) {
        more = !consumedAll || page.more;
        if (more && !req.filtered) remaining = page.count - (i + 1);
        break;
      }
      if (!page.more || page.kvs.length === 0) break;
      next = page.kvs[page.kvs.length - 1]!.key + '\x00';
    }
    const out: ListResult = { items, resourceVersion: String(revision) };
    if (more) {
      out.continueToken = encodeContinue(revision, lastKey.slice(prefix.length) + '\x00');
      if (remaining !== undefined && remaining > 0) out.remainingItemCount = remaining;
    }
    return out;
  }

  /** Fills system fields, validates, runs admission and writes. */
  async create(ctx: RequestContext, obj: KubeObject, hooks: { validate?: (obj: KubeObject) => Promise<void>; finalize?: (obj: KubeObject) => KubeObject } = {}): Promise<KubeObject> {
    const meta = obj.metadata;
    if (this.strategy.namespaced) {
      if (meta.namespace && ctx.namespace && meta.namespace !== ctx.namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = meta.namespace || ctx.namespace;
    } else {
      delete meta.namespace;
    }
    // Upstream's storage refuses a resourceVersion that parses as a non-zero revision, with an untyped
    // error (500, no reason); one that does not parse is ignored. Either way none is stored.
    if (meta.resourceVersion !== undefined) {
      const n = goParseUint64(meta.resourceVersion);
      if (n !== undefined && n !== 0n) throw new StatusError(500, '', 'resourceVersion should not be set on objects to be created');
      delete meta.resourceVersion;
    }
    const generated = !meta.name && !!meta.generateName;
    for (let attempt = 0; ; attempt++) {
      const candidate = attempt === 0 ? obj : (JSON.parse(JSON.stringify(obj)) as KubeObject);
      if (generated) candidate.metadata.name = meta.generateName + generateNameSuffix();
      try {
        return await this.createOnce(ctx, candidate, hooks);
      } catch (err) {
        if (generated && err instanceof StatusError && err.reason === 'AlreadyExists' && attempt < GENERATE_NAME_TRIES) continue;
        throw err;
      }
    }
  }

  private async createOnce(ctx: RequestContext, obj: KubeObject, hooks: { validate?: (obj: KubeObject) => Promise<void>; finalize?: (obj: KubeObject) => KubeObject }): Promise<KubeObject> {
    const meta = obj.metadata;
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.clock.now());
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    this.strategy.prepareForCreate(ctx, obj);
    const errs = this.strategy.validate(ctx, obj);
    if (errs.length) throw this.invalid(meta.name ?? meta.generateName ?? '', errs);
    if (hooks.finalize) obj = hooks.finalize(obj);
    if (hooks.validate) await hooks.validate(obj);
    if (ctx.dryRun) {
      await this.assertAbsent(obj);
      return obj;
    }
    let rollback: Rollback | undefined;
    if (this.strategy.beforeCreate) rollback = await this.strategy.beforeCreate(ctx, obj);
    try {
      const res = await this.backend.create(this.key(meta.namespace ?? '', meta.name!), encodeWritten(obj), { lease: await this.leaseForWrite() });
      if (!res.ok) throw alreadyExists(this.resource, meta.name!);
      // `finalize` may have returned a new object: stamp the one returned.
      obj.metadata.resourceVersion = String(res.revision);
      return obj;
    } catch (err) {
      if (rollback) await rollback().catch(() => undefined);
      throw err;
    }
  }

  private async assertAbsent(obj: KubeObject): Promise<void> {
    const kv = await this.backend.get(this.key(obj.metadata.namespace ?? '', obj.metadata.name!));
    if (kv) throw alreadyExists(this.resource, obj.metadata.name!);
  }

  /**
   * Read-modify-write with retries on revision conflicts. `tryUpdate` gets a
   * private copy of the current object (undefined when absent) and returns the
   * desired object; a resourceVersion it sets is a precondition (409 on mismatch).
   */
  async guaranteedUpdate(
    ctx: RequestContext,
    namespace: string,
    name: string,
    tryUpdate: (current: KubeObject | undefined) => Promise<KubeObject> | KubeObject,
    opts: UpdateOptions = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    const strategy = opts.strategy ?? this.strategy;
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      // The first try starts from the watch cache's copy, as upstream's does: usually current, and when it
      // is not, the compare-and-swap fails and the next try reads storage. A stale copy must never decide
      // an outcome, so every answer other than a successful write is checked against storage first.
      const cached = attempt === 0 && !ctx.dryRun ? this.cache.get(key) : undefined;
      let out: UpdateOutcome;
      try {
        out = await this.updateAttempt(ctx, { key, namespace, name, strategy, cached, attempt }, tryUpdate, opts);
      } catch (err) {
        if (cached) continue;
        throw err;
      }
      if (out !== RETRY) return out;
    }
  }

  private async updateAttempt(
    ctx: RequestContext,
    at: { key: string; namespace: string; name: string; strategy: Strategy; cached: CachedObject | undefined; attempt: number },
    tryUpdate: (current: KubeObject | undefined) => Promise<KubeObject> | KubeObject,
    opts: UpdateOptions,
  ): Promise<UpdateOutcome> {
    const { key, namespace, name, strategy, cached, attempt } = at;
    const kv = cached ? undefined : await this.backend.get(key);
    const modRevision = cached ? cached.revision : kv?.modRevision;
    // Two private copies: one to compare against, one for the caller.
    const current = cached ? cached.clone() : kv ? decodeStored(kv.value, kv.modRevision) : undefined;
    const desired = await tryUpdate(cached ? cached.clone() : kv ? decodeStored(kv.value, kv.modRevision) : undefined);
    desired.metadata ??= {};
    if (!current) {
      if (!(opts.allowCreate ?? strategy.allowCreateOnUpdate)) throw this.notFound(name);
      if (desired.metadata.resourceVersion) throw this.notFound(name);
      desired.metadata.name = name;
      if (strategy.namespaced) desired.metadata.namespace = namespace;
      const created = await this.create(ctx, desired, {
        validate: opts.validate ? (o) => opts.validate!(o, undefined) : undefined,
        finalize: opts.finalize ? (o) => opts.finalize!(o, undefined) : undefined,
      });
      return { object: created, created: true };
    }
    const wantRV = desired.metadata.resourceVersion;
    if (wantRV && wantRV !== current.metadata.resourceVersion) throw conflict(this.resource, name, OPTIMISTIC_LOCK_MESSAGE);
    if (!wantRV && !strategy.allowUnconditionalUpdate) {
      throw invalid({ group: this.resource.group, kind: this.kind }, name, [{ type: 'FieldValueRequired', field: 'metadata.resourceVersion', detail: 'must be specified for an update' }]);
    }
    let obj = desired;
    const meta = obj.metadata;
    // System fields are the server's: keep the stored ones.
    meta.uid = current.metadata.uid;
    meta.creationTimestamp = current.metadata.creationTimestamp;
    meta.deletionTimestamp = current.metadata.deletionTimestamp;
    meta.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
    if (meta.deletionTimestamp === undefined) delete meta.deletionTimestamp;
    if (meta.deletionGracePeriodSeconds === undefined) delete meta.deletionGracePeriodSeconds;
    meta.name = current.metadata.name;
    if (strategy.namespaced) meta.namespace = current.metadata.namespace;
    else delete meta.namespace;
    delete meta.selfLink;
    strategy.prepareForUpdate(ctx, obj, current);
    const errs = strategy.validateUpdate(ctx, obj, current);
    if (errs.length) throw this.invalid(name, errs);
    if (opts.finalize) obj = opts.finalize(obj, current);
    if (opts.validate) await opts.validate(obj, current);
    obj.metadata.resourceVersion = current.metadata.resourceVersion;
    // A no-op write is not written: the resourceVersion stays, as upstream. Not an error, so the catch that
    // sends every failure from a cached copy back to storage does not see it: a cached no-op is checked here.
    if (sameObject(obj, current)) return cached ? RETRY : { object: current, created: false };
    // Finalizers emptied on an object being deleted: it goes now.
    if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers?.length) && (obj.metadata.deletionGracePeriodSeconds ?? 0) === 0 && !strategy.holdsDeletion?.(obj)) {
      if (ctx.dryRun) return { object: obj, created: false };
      const del = await this.backend.delete(key, modRevision!);
      if (!del.ok) {
        if (wantRV) throw conflict(this.resource, name, OPTIMISTIC_LOCK_MESSAGE);
        return RETRY;
      }
      await this.strategy.afterDelete?.(obj);
      obj.metadata.resourceVersion = String(del.revision);
      return { object: obj, created: false };
    }
    if (ctx.dryRun) return { object: obj, created: false };
    let rollback: Rollback | undefined;
    if (strategy.beforeUpdate) rollback = await strategy.beforeUpdate(ctx, obj, current);
    const res = await this.backend.update(key, encodeWritten(obj), modRevision!, { lease: await this.leaseForWrite() });
    if (!res.ok) {
      if (rollback) await rollback().catch(() => undefined);
      if (!res.kv) throw this.notFound(name);
      if (wantRV) throw conflict(this.resource, name, OPTIMISTIC_LOCK_MESSAGE);
      if (attempt > 50) throw conflict(this.resource, name, OPTIMISTIC_LOCK_MESSAGE);
      return RETRY;
    }
    obj.metadata.resourceVersion = String(res.revision);
    return { object: obj, created: false };
  }

  async delete(ctx: RequestContext, namespace: string, name: string, req: DeleteRequest): Promise<DeleteResult> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.backend.get(key);
      if (!kv) throw this.notFound(name);
      const current = decodeStored(kv.value, kv.modRevision);
      const pre = req.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw conflict(this.resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(this.resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`);
      }
      const policy = req.propagationPolicy ?? (req.orphanDependents === true ? 'Orphan' : req.orphanDependents === false ? 'Background' : this.strategy.defaultPropagation);
      if (!['Orphan', 'Foreground', 'Background'].includes(policy)) {
        throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
      }
      const obj = current;
      const finalizers = new Set(obj.metadata.finalizers ?? []);
      let changedFinalizers = false;
      if (policy === 'Orphan' && !finalizers.has('orphan')) {
        finalizers.add('orphan');
        finalizers.delete('foregroundDeletion');
        changedFinalizers = true;
      } else if (policy === 'Foreground' && !finalizers.has('foregroundDeletion')) {
        finalizers.add('foregroundDeletion');
        finalizers.delete('orphan');
        changedFinalizers = true;
      }
      const grace = this.strategy.gracePeriodSeconds(obj, req.gracePeriodSeconds);
      const alreadyDeleting = !!obj.metadata.deletionTimestamp;
      const pending = finalizers.size > 0 || grace > 0 || !!this.strategy.holdsDeletion?.(obj);
      if (!pending) {
        if (ctx.dryRun) return { object: obj, deleted: true };
        const res = await this.backend.delete(key, kv.modRevision);
        if (!res.ok) {
          if (!res.kv) throw this.notFound(name);
          if (attempt > 50) throw conflict(this.resource, name, OPTIMISTIC_LOCK_MESSAGE);
          continue;
        }
        await this.strategy.afterDelete?.(obj);
        obj.metadata.resourceVersion = String(res.revision);
        return { object: obj, deleted: true };
      }
      // Graceful or finalized deletion: mark the object and leave it for its owners.
      const now = this.clock.now();
      let update = changedFinalizers;
      if (!alreadyDeleting) {
        obj.metadata.deletionTimestamp = rfc3339(now + grace * 1000);
        obj.metadata.deletionGracePeriodSeconds = grace;
        update = true;
      } else if (grace < (obj.metadata.deletionGracePeriodSeconds ?? 0)) {
        // A shorter grace period moves the deadline closer; never further.
        obj.metadata.deletionTimestamp = rfc3339(now + grace * 1000);
        obj.metadata.deletionGracePeriodSeconds = grace;
        update = true;
      }
      if (finalizers.size) obj.metadata.finalizers = [...finalizers];
      if (this.strategy.prepareForDelete) {
        const before = JSON.stringify(obj);
        this.strategy.prepareForDelete(obj);
        if (JSON.stringify(obj) !== before) update = true;
      }
      if (!update) return { object: obj, deleted: false };
      if (ctx.dryRun) return { object: obj, deleted: false };
      const res = await this.backend.update(key, encodeForStorage(obj), kv.modRevision, { lease: await this.leaseForWrite() });
      if (!res.ok) {
        if (!res.kv) throw this.notFound(name);
        if (attempt > 50) throw conflict(this.resource, name, OPTIMISTIC_LOCK_MESSAGE);
        continue;
      }
      obj.metadata.resourceVersion = String(res.revision);
      return { object: obj, deleted: false };
    }
  }

  /**
   * Streams changes. RV "" / "0" start with synthetic ADDED events for the
   * current state; N resumes after N (from the cache's history, or the
   * backend's when the cache no longer reaches back that far).
   */
  watch(req: StoreWatchRequest): void {
    const rv = parseRV(req.resourceVersion);
    const prefix = req.name ? this.key(req.namespace, req.name) : listPrefix(this.resource, this.strategy.namespaced ? req.namespace : '');
    const exact = !!req.name;
    const keyFilter = (e: CacheEvent) => (exact ? e.object.key === prefix : true);
    const deliver = (events: CacheEvent[]) => {
      const mine = exact ? events.filter(keyFilter) : events;
      if (mine.length) req.onEvents(mine);
    };
    if (rv === undefined || rv === 0 || req.sendInitialEvents) {
      const from = this.cache.revision;
      const current = this.cache.list(exact ? undefined : prefix).filter((o) => (exact ? o.key === prefix : true));
      if (current.length) req.onEvents(current.map((o) => ({ type: 'ADDED', object: o, revision: o.revision })));
      this.cache.watch({ fromRevision: from, keyPrefix: exact ? prefix : prefix, onEvents: deliver, onError: (e) => req.onError(internalError(e)), signal: req.signal });
      return;
    }
    try {
      this.cache.watch({ fromRevision: rv, keyPrefix: prefix, onEvents: deliver, onError: (e) => req.onError(new StatusError(410, 'Expired', e.message)), signal: req.signal });
    } catch (err) {
      if (!(err instanceof TooOldError)) throw err;
      this.watchFromBackend(prefix, rv, exact, req);
    }
  }

  private watchFromBackend(prefix: string, rv: number, exact: boolean, req: StoreWatchRequest): void {
    const known = new Map<string, CachedObject>();
    this.backend.watch(prefix, {
      afterRevision: rv,
      signal: req.signal,
      onEvents: (events) => {
        const out: CacheEvent[] = [];
        for (const ev of events) {
          if (exact && ev.kv.key !== prefix) continue;
          if (ev.type === 'PUT') {
            const obj = this.decode(ev.kv);
            const prev = known.get(ev.kv.key) ?? (ev.prev ? this.decode(ev.prev) : undefined);
            known.set(ev.kv.key, obj);
            out.push({ type: ev.created ? 'ADDED' : 'MODIFIED', object: obj, prev, revision: ev.kv.modRevision });
          } else {
            const last = known.get(ev.kv.key) ?? (ev.prev ? this.decode(ev.prev) : undefined);
            known.delete(ev.kv.key);
            const base = last ? last.clone() : ({ metadata: {} } as KubeObject);
            base.metadata.resourceVersion = String(ev.kv.modRevision);
            out.push({ type: 'DELETED', object: new CachedObject(ev.kv.key, base, ev.kv.modRevision), prev: last, revision: ev.kv.modRevision });
          }
        }
        if (out.length) req.onEvents(out);
      },
      onError: (err) => {
        if (err instanceof CompactedError) req.onError(gone(`too old resource version: ${rv} (${err.compacted})`));
        else req.onError(internalError(err));
      },
    });
  }
}

/** Equal but for resourceVersion and managedFields timestamps (a no-op update). */
/** Whether an update changes nothing but the resourceVersion and managedFields timestamps. */
export function sameObject(a: KubeObject, b: KubeObject): boolean {
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  if (ka.length !== Object.keys(b).filter((k) => b[k] !== undefined).length) return false;
  for (const k of ka) {
    if (k === 'metadata') continue;
    if (!jsonEqual(a[k], b[k])) return false;
  }
  const ma = a.metadata as Record<string, unknown>;
  const mb = b.metadata as Record<string, unknown>;
  const skip = new Set(['resourceVersion', 'managedFields']);
  const mka = Object.keys(ma).filter((k) => !skip.has(k) && ma[k] !== undefined);
  if (mka.length !== Object.keys(mb).filter((k) => !skip.has(k) && mb[k] !== undefined).length) return false;
  for (const k of mka) if (!jsonEqual(ma[k], mb[k])) return false;
  const fa = a.metadata.managedFields ?? [];
  const fb = b.metadata.managedFields ?? [];
  if (fa.length !== fb.length) return false;
  return fa.every((e, i) => jsonEqual({ ...e, time: undefined }, { ...fb[i], time: undefined }));
}

/** Equality of two values as JSON sees them: keys holding undefined do not exist, key order does not matter. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const oa = a as Record<string, unknown>;
  const ob = b as Record<string, unknown>;
  let na = 0;
  for (const k in oa) {
    if (oa[k] === undefined) continue;
    na++;
    if (!jsonEqual(oa[k], ob[k])) return false;
  }
  let nb = 0;
  for (const k in ob) if (ob[k] !== undefined) nb++;
  return na === nb;
}
