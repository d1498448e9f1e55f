/**
 * REST handlers for resources: get, list, watch, create, update, patch,
 * delete, deletecollection, and the status / scale subresources. Each one
 * decodes and checks the request, runs admission, and calls the Store; the
 * resource-specific parts live in the strategies and in the scheme.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Scheme } from '../../api/scheme.js';
import { applyConflictError } from '../../machinery/apply/conflict.js';
import { apply as applyConfig, updateManagedFields } from '../../machinery/apply/manager.js';
import type { Clock } from '../../machinery/clock.js';
import { rfc3339 } from '../../machinery/clock.js';
import { StatusError, badRequest, methodNotAllowed, notAcceptable, notFound } from '../../machinery/errors/status-error.js';
import { tryParseFieldSelector } from '../../machinery/fields/selector.js';
import { unsupportedFieldMessage } from '../registry/field-selectors.js';
import { formatLabelSelector, tryParseSelector } from '../../machinery/labels/selector.js';
import type { Logger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { apiVersionOf, isObject } from '../../machinery/meta/types.js';
import { refTo } from '../../machinery/schema/types.js';
import type { AdmissionAttributes, AdmissionChain, AdmissionOperation } from '../admission/types.js';
import type { CacheEvent } from '../cacher/watch-cache.js';
import { type CachedObject, servedJSONOfStored } from '../cacher/cached-object.js';
import type { RequestContext } from '../context.js';
import { bodyFormat, readBody, unsupportedMedia } from '../http/body.js';
import { type Representation, type Response, negotiateRepresentation, setWarnings, writeJSON } from '../http/respond.js';
import type { Printer } from '../printers/types.js';
import type { ResourceRequestInfo } from '../request-info.js';
import { type Endpoint, type EndpointRegistry, toServed, toStorage } from '../registry/endpoint.js';
import { type DeleteRequest, type ObjectPredicate, storedTextOf } from '../registry/store.js';
import type { Strategy } from '../registry/strategy.js';
import { decodeObject, parseBody, parseFieldValidation } from './decode.js';
import { decodeKubernetesProtobuf, type ProtoSchemaLookup } from '../../machinery/protobuf/codec.js';
import { protoSchemaLookup } from '../../api/proto-tags.js';
import { type PatchType, applyPatch, patchTypeOf } from './patch.js';
import { type IncludeObject, type ShapeContext, listBody, objectBody, servedObject, table } from './representation.js';

export interface ResourceHandlerDeps {
  scheme: Scheme;
  endpoints: EndpointRegistry;
  admission: AdmissionChain;
  clock: Clock;
  logger: Logger;
  printerFor(ep: Endpoint): Printer;
  /** Called when a watch starts (+1) and ends (-1), for metrics. */
  onWatch?(ep: Endpoint, delta: number): void;
  /** Watch bookmark interval. */
  bookmarkIntervalMs?: number;
  /** Handlers for connect-style and other non-generic subresources (pods/log, binding...) and virtual resources (reviews). */
  subresourceHandlers?: Map<string, SubresourceHandler>;
}

export interface HttpRequest extends Readable {
  method?: string;
  headers: IncomingHttpHeaders;
}

export type SubresourceHandler = (args: { ctx: RequestContext; info: ResourceRequestInfo; ep: Endpoint; req: HttpRequest; res: Response; query: URLSearchParams; handlers: ResourceHandlers }) => Promise<void>;

const DEFAULT_WATCH_TIMEOUT_S = 1800;

function notFoundPath(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for ${name}: ${v}`);
  return Number(v);
}

export class ResourceHandlers {
  constructor(readonly deps: ResourceHandlerDeps) {}

  /** Entry point for every resource request that passed authn/authz. */
  async handle(ctx: RequestContext, info: ResourceRequestInfo, req: HttpRequest, res: Response, query: URLSearchParams): Promise<void> {
    const ep = this.deps.endpoints.get(info.group, info.version, info.resource);
    if (!ep) throw notFoundPath();
    const namespaced = ep.rt.namespaced;
    if (!namespaced && info.namespace && info.resource !== 'namespaces') throw notFoundPath();
    const ns = namespaced ? info.namespace : '';
    ctx.namespace = ns;
    if (namespaced && !ns && info.name) throw notFoundPath();

    if (!info.subresource) {
      const virtual = this.deps.subresourceHandlers?.get(`${info.group}/${info.resource}`);
      if (virtual) return virtual({ ctx, info, ep, req, res, query, handlers: this });
    }
    if (info.subresource) {
      const key = `${info.group}/${info.resource}/${info.subresource}`;
      const custom = this.deps.subresourceHandlers?.get(key);
      if (custom) return custom({ ctx, info, ep, req, res, query, handlers: this });
      if (info.subresource === 'status' && ep.statusStrategy) return this.objectSubresource(ctx, info, ep, req, res, query, { strategy: ep.statusStrategy, subresource: 'status' });
      if (info.subresource === 'scale' && ep.rt.scale) return this.handleScale(ctx, info, ep, ns, req, res, query);
      throw notFoundPath();
    }

    const verb = info.verb;
    if (verb !== 'connect' && verb !== 'proxy' && !ep.rt.verbs.includes(verb)) throw methodNotAllowed();
    switch (verb) {
      case 'get':
        return this.get(ctx, ep, ns, info.name, req, res, query);
      case 'list':
        return this.list(ctx, ep, ns, req, res, query);
      case 'watch':
        return this.watch(ctx, ep, ns, info.name, req, res, query);
      case 'create':
        return this.create(ctx, ep, ns, req, res, query);
      case 'update':
        return this.update(ctx, ep, ns, info.name, req, res, query, { strategy: undefined, subresource: '' });
      case 'patch':
        return this.patch(ctx, ep, ns, info.name, req, res, query, { strategy: undefined, subresource: '' });
      case 'delete':
        return this.delete(ctx, ep, ns, info.name, req, res, query);
      case 'deletecollection':
        return this.deleteCollection(ctx, ep, ns, req, res, query);
      default:
        throw methodNotAllowed();
    }
  }

  shape(ep: Endpoint, query: URLSearchParams): ShapeContext {
    const inc = (query.get('includeObject') ?? 'Metadata') as IncludeObject;
    if (!['None', 'Metadata', 'Object'].includes(inc)) throw badRequest(`includeObject: Unsupported value: "${inc}": supported values: "Metadata", "None", "Object"`);
    return { ep, printer: this.deps.printerFor(ep), now: this.deps.clock.now(), includeObject: inc };
  }

  representation(req: HttpRequest, list: boolean): Representation {
    const accept = req.headers.accept;
    const rep = negotiateRepresentation(typeof accept === 'string' ? accept : undefined, list);
    if (!rep) throw notAcceptable(`only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
    return rep;
  }

  private respondObject(ctx: RequestContext, ep: Endpoint, req: HttpRequest, res: Response, query: URLSearchParams, code: number, obj: KubeObject): void {
    const rep = this.representation(req, false);
    setWarnings(res, ctx.warnings);
    // An object just written goes out as the text it was stored as, with its new resourceVersion added.
    const stored = rep.kind === 'object' ? storedTextOf(obj) : undefined;
    const rv = obj.metadata.resourceVersion;
    const text = stored !== undefined && rv ? servedJSONOfStored(stored, rv) : undefined;
    writeJSON(res, code, text ?? objectBody(this.shape(ep, query), rep, obj));
  }

  // ---- reads ----

  private async get(ctx: RequestContext, ep: Endpoint, ns: string, name: string, req: HttpRequest, res: Response, query: URLSearchParams): Promise<void> {
    const rep = this.representation(req, false);
    const cached = await ep.store.get(ns, name, { resourceVersion: query.get('resourceVersion') ?? undefined });
    setWarnings(res, ctx.warnings);
    // Stored as served: the shared JSON text goes out as is, without a copy.
    if (rep.kind === 'object' && ep.storageType === ep.rt) return writeJSON(res, 200, cached.json());
    writeJSON(res, 200, objectBody(this.shape(ep, query), rep, servedObject(ep, cached)));
  }

  /** Builds the object filter from labelSelector and fieldSelector. */
  predicate(ep: Endpoint, query: URLSearchParams): { predicate?: ObjectPredicate; filtered: boolean; name?: string } {
    const ls = query.get('labelSelector') ?? '';
    const fs = query.get('fieldSelector') ?? '';
    if (!ls && !fs) return { filtered: false };
    const lp = tryParseSelector(ls);
    if (!lp.ok) throw badRequest(`unable to parse requirement: ${lp.message}`);
    const fp = tryParseFieldSelector(fs);
    if (!fp.ok) throw badRequest(fp.message);
    const getters = ep.fieldGetters;
    for (const r of fp.selector.requirements()) {
      if (!getters.has(r.field)) throw badRequest(unsupportedFieldMessage(ep.rt.group, ep.rt.resource, r.field));
    }
    const labelSel = lp.selector;
    const fieldSel = fp.selector;
    const name = fieldSel.requiresExactMatch('metadata.name');
    const predicate: ObjectPredicate = (o) =>
      (labelSel.isEmpty() || labelSel.matches(o.metadata.labels)) && (fieldSel.isEmpty() || fieldSel.matches((f) => getters.get(f)?.(o)));
    return { predicate, filtered: true, name };
  }

  private async list(ctx: RequestContext, ep: Endpoint, ns: string, req: HttpRequest, res: Response, query: URLSearchParams): Promise<void> {
    const rep = this.representation(req, true);
    const { predicate, filtered } = this.predicate(ep, query);
    const result = await ep.store.list({
      namespace: ns,
      predicate,
      filtered,
      limit: intParam(query, 'limit'),
      continueToken: query.get('continue') ?? undefined,
      resourceVersion: query.get('resourceVersion') ?? undefined,
      resourceVersionMatch: query.get('resourceVersionMatch') ?? undefined,
    });
    const meta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
    if (result.continueToken) meta.continue = result.continueToken;
    if (result.remainingItemCount !== undefined) meta.remainingItemCount = result.remainingItemCount;
    setWarnings(res, ctx.warnings);
    writeJSON(res, 200, listBody(this.shape(ep, query), rep, result.items, meta));
  }

  private watch(ctx: RequestContext, ep: Endpoint, ns: string, name: string, req: HttpRequest, res: Response, query: URLSearchParams): Promise<void> {
    const rep = this.representation(req, false);
    const { predicate, name: selName } = this.predicate(ep, query);
    const objectName = name || selName;
    const sendInitial = query.get('sendInitialEvents');
    const allowBookmarks = boolParam(query, 'allowWatchBookmarks');
    const rvParam = query.get('resourceVersion') ?? undefined;
    if (sendInitial !== null) {
      if (query.get('resourceVersionMatch') !== 'NotOlderThan') {
        throw invalidWatch('resourceVersionMatch', query.get('resourceVersionMatch') ?? '', "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan");
      }
      if (!allowBookmarks && sendInitial === 'true') throw invalidWatch('allowWatchBookmarks', false, 'sendInitialEvents requires setting allowWatchBookmarks to true');
    }
    const timeoutS = intParam(query, 'timeoutSeconds') ?? DEFAULT_WATCH_TIMEOUT_S * (1 + Math.random());
    const sc = this.shape(ep, query);
    const storageKind = ep.rt.kind;
    const apiVersion = apiVersionOf(ep.rt.group, ep.rt.version);

    return new Promise<void>((resolve) => {
      const abort = new AbortController();
      let ended = false;
      let lastRV = '';
      const finish = () => {
        if (ended) return;
        ended = true;
        abort.abort();
        timers.forEach((t) => t.cancel());
        this.deps.onWatch?.(ep, -1);
        if (!res.writableEnded) res.end();
        resolve();
      };
      ctx.signal.addEventListener('abort', finish, { once: true });
      res.once('close', finish);
      res.statusCode = 200;
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-cache, private');
      setWarnings(res, ctx.warnings);
      // Headers go out at once so clients know the watch is established.
      res.write('');
      (res as unknown as { flushHeaders?: () => void }).flushHeaders?.();
      this.deps.onWatch?.(ep, +1);

      const write = (line: string | Buffer) => {
        if (ended) return;
        res.write(line);
        // A watcher that cannot keep up is closed; it will re-list (upstream does the same).
        const pending = (res as unknown as { writableLength?: number }).writableLength ?? 0;
        if (pending > 64 * 1024 * 1024) finish();
      };
      const eventLine = (type: string, obj: KubeObject | string) => {
        if (rep.kind === 'object') {
          const json = typeof obj === 'string' ? obj : JSON.stringify(obj);
          return `{"type":"${type}","object":${json}}\n`;
        }
        const o = typeof obj === 'string' ? (JSON.parse(obj) as KubeObject) : obj;
        const body = rep.kind === 'table' ? table({ ...sc, now: this.deps.clock.now() }, [o], { resourceVersion: o.metadata.resourceVersion }, rep.version) : { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${rep.version}`, metadata: o.metadata };
        return `{"type":"${type}","object":${JSON.stringify(body)}}\n`;
      };
      const serve = (e: CacheEvent): [string, string, CachedObject?] | undefined => {
        let type: string = e.type;
        let source = e.object;
        if (predicate) {
          const now = e.type !== 'DELETED' && predicate(e.object.object);
          const before = e.prev ? predicate(e.prev.object) : false;
          if (e.type === 'ADDED') {
            if (!now) return undefined;
          } else if (e.type === 'MODIFIED') {
            if (now && !before) type = 'ADDED';
            else if (!now && before) {
              type = 'DELETED';
              const prev = e.prev!.clone();
              prev.metadata.resourceVersion = String(e.revision);
              return [type, JSON.stringify(toServed(ep, prev))];
            } else if (!now) return undefined;
          } else if (e.type === 'DELETED') {
            if (!(e.prev ? before : predicate(e.object.object))) return undefined;
          }
          source = e.object;
        }
        if (ep.converts) return [type, JSON.stringify(toServed(ep, source.clone()))];
        return [type, source.json(), source];
      };
      const onEvents = (events: CacheEvent[]) => {
        const chunks: Buffer[] = [];
        for (const e of events) {
          const s = serve(e);
          lastRV = String(e.revision);
          if (!s) continue;
          // The same event line is shared by every watcher of the object: encoded once.
          if (rep.kind === 'object' && s[2]) chunks.push(s[2].eventLine(s[0]));
          else chunks.push(Buffer.from(eventLine(s[0], s[1])));
        }
        if (chunks.length === 1) write(chunks[0]!);
        else if (chunks.length) write(Buffer.concat(chunks));
      };
      const bookmark = (annotations?: Record<string, string>) => {
        const rv = lastRV || String(ep.store.currentRevision());
        const meta: Record<string, unknown> = { resourceVersion: rv };
        if (annotations) meta.annotations = annotations;
        write(`{"type":"BOOKMARK","object":${JSON.stringify({ kind: storageKind, apiVersion, metadata: meta })}}\n`);
      };
      const timers: { cancel(): void }[] = [];
      timers.push(this.deps.clock.setTimeout(finish, timeoutS * 1000));
      if (allowBookmarks) {
        const every = this.deps.bookmarkIntervalMs ?? 60_000;
        const tick = () => {
          if (ended) return;
          bookmark();
          timers.push(this.deps.clock.setTimeout(tick, every));
        };
        timers.push(this.deps.clock.setTimeout(tick, every));
      }
      try {
        ep.store.watch({
          namespace: ns,
          name: objectName,
          resourceVersion: rvParam,
          sendInitialEvents: sendInitial === 'true',
          signal: abort.signal,
          onEvents,
          onError: (err) => {
            write(`{"type":"ERROR","object":${JSON.stringify(err.toStatus())}}\n`);
            finish();
          },
        });
        if (sendInitial === 'true') {
          // The initial state is the cache at its current revision (read in this same tick), which
          // may be newer than the last object in it: clients resume from here.
          lastRV = String(ep.store.currentRevision());
          bookmark({ 'k8s.io/initial-events-end': 'true' });
        }
      } catch (err) {
        const se = err instanceof StatusError ? err : new StatusError(500, 'InternalError', String(err));
        write(`{"type":"ERROR","object":${JSON.stringify(se.toStatus())}}\n`);
        finish();
      }
    });
  }

  // ---- writes ----

  private admissionAttrs(ep: Endpoint, op: AdmissionOperation, ns: string, name: string, subresource: string, ctx: RequestContext, object?: KubeObject, oldObject?: KubeObject): AdmissionAttributes {
    return {
      operation: op,
      group: ep.rt.group,
      version: ep.rt.version,
      resource: ep.rt.resource,
      subresource,
      kind: ep.rt.kind,
      namespace: ns,
      name,
      object,
      oldObject,
      dryRun: ctx.dryRun,
    };
  }

  private trackFields(ctx: RequestContext, ep: Endpoint, subresource: string) {
    const schema = refTo(ep.storageType.definition.name);
    const apiVersion = apiVersionOf(ep.rt.group, ep.rt.version);
    return (obj: KubeObject, old: KubeObject | undefined): KubeObject =>
      updateManagedFields({
        old,
        updated: obj,
        manager: ctx.fieldManager,
        apiVersion,
        subresource: subresource || undefined,
        time: rfc3339(this.deps.clock.now()),
        schema,
        resolver: this.deps.scheme,
        zero: ep.custom ? undefined : { metadata: {}, spec: {}, status: {} },
      });
  }

  async readObject(ctx: RequestContext, ep: Endpoint, req: HttpRequest, query: URLSearchParams, opts: { expect?: { group: string; version: string; kind: string } } = {}): Promise<KubeObject> {
    const format = bodyFormat(req.headers['content-type']);
    if (!format || (format === 'protobuf' && ep.custom && !opts.expect)) throw unsupportedMedia(req.headers['content-type']);
    const body = await readBody(req);
    const { value, duplicates } = format === 'protobuf' ? { value: this.decodeProtobuf(body), duplicates: [] } : parseBody(body, format);
    return decodeObject(ep, value, { scheme: this.deps.scheme, fieldValidation: parseFieldValidation(query.get('fieldValidation')), warnings: ctx.warnings, expect: opts.expect, requestBody: true }, duplicates);
  }

  private protoLookup: ProtoSchemaLookup | undefined;

  /** A Kubernetes protobuf body (what typed clients such as kubectl's send) as a plain object. */
  decodeProtobuf(body: Buffer): KubeObject {
    this.protoLookup ??= protoSchemaLookup(this.deps.scheme);
    try {
      const { apiVersion, kind, object } = decodeKubernetesProtobuf(body, this.protoLookup);
      return { ...object, apiVersion, kind } as KubeObject;
    } catch (err) {
      throw badRequest(`failed to decode protobuf body: ${(err as Error).message}`);
    }
  }

  private async create(ctx: RequestContext, ep: Endpoint, ns: string, req: HttpRequest, res: Response, query: URLSearchParams): Promise<void> {
    const served = await this.readObject(ctx, ep, req, query);
    const created = await this.createDecoded(ctx, ep, ns, served);
    this.respondObject(ctx, ep, req, res, query, 201, toServed(ep, created));
  }

  /** Creates an already-decoded object (served version): admission, strategy, storage. */
  async createDecoded(ctx: RequestContext, ep: Endpoint, ns: string, served: KubeObject): Promise<KubeObject> {
    if (ep.rt.namespaced && served.metadata.namespace && served.metadata.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    let obj = toStorage(ep, served);
    const name = obj.metadata.name ?? '';
    const attrs = this.admissionAttrs(ep, 'CREATE', ns, name, '', ctx, obj);
    await this.deps.admission.admit(attrs, ctx);
    obj = attrs.object!;
    return ep.store.create(ctx, obj, {
      finalize: (o) => this.trackFields(ctx, ep, '')(o, undefined),
      validate: async (o) => {
        await this.deps.admission.validate({ ...attrs, name: o.metadata.name ?? '', object: o }, ctx);
      },
    });
  }

  /** Creates from a plain object as a client would send it (decode, defaults, admission). */
  async createFromValue(ctx: RequestContext, ep: Endpoint, ns: string, value: unknown): Promise<KubeObject> {
    const served = decodeObject(ep, JSON.parse(JSON.stringify(value)), { scheme: this.deps.scheme, fieldValidation: 'Strict', warnings: ctx.warnings });
    return this.createDecoded(ctx, ep, ns, served);
  }

  /** PUT: replace the object (or its status via the status strategy). */
  async update(ctx: RequestContext, ep: Endpoint, ns: string, name: string, req: HttpRequest, res: Response, query: URLSearchParams, opts: { strategy?: Strategy; subresource: string }): Promise<void> {
    const served = await this.readObject(ctx, ep, req, query);
    if (served.metadata.name && served.metadata.name !== name) {
      throw badRequest(`the name of the object (${served.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (ep.rt.namespaced && served.metadata.namespace && served.metadata.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const desired = toStorage(ep, served);
    let created = false;
    const result = await ep.store.guaranteedUpdate(
      ctx,
      ns,
      name,
      async (current) => {
        const obj = JSON.parse(JSON.stringify(desired)) as KubeObject;
        const attrs = this.admissionAttrs(ep, current ? 'UPDATE' : 'CREATE', ns, name, opts.subresource, ctx, obj, current);
        await this.deps.admission.admit(attrs, ctx);
        return attrs.object!;
      },
      {
        strategy: opts.strategy,
        finalize: this.trackFields(ctx, ep, opts.subresource),
        validate: async (o, old) => {
          await this.deps.admission.validate(this.admissionAttrs(ep, old ? 'UPDATE' : 'CREATE', ns, name, opts.subresource, ctx, o, old), ctx);
        },
      },
    );
    created = result.created;
    this.respondObject(ctx, ep, req, res, query, created ? 201 : 200, toServed(ep, result.object));
  }

  /** PATCH in all four flavours; apply may create. */
  async patch(ctx: RequestContext, ep: Endpoint, ns: string, name: string, req: HttpRequest, res: Response, query: URLSearchParams, opts: { strategy?: Strategy; subresource: string }): Promise<void> {
    const patchType = patchTypeOf(req.headers['content-type']);
    if (!patchType || (patchType === 'strategic' && ep.custom)) {
      throw new StatusError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${ep.custom ? '' : ', application/strategic-merge-patch+json'}`,
      );
    }
    const body = await readBody(req);
    const fieldValidation = parseFieldValidation(query.get('fieldValidation'));
    if (patchType === 'apply') return this.apply(ctx, ep, ns, name, body, res, req, query, opts);
    if (query.get('force') !== null) throw badRequest('force: Invalid value: "true": may not be specified for non-apply patch');
    let patchDoc: unknown;
    try {
      patchDoc = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw badRequest(`error decoding patch: ${(err as Error).message}`);
    }
    const schema = refTo(ep.rt.definition.name);
    const result = await ep.store.guaranteedUpdate(
      ctx,
      ns,
      name,
      async (current) => {
        if (!current) throw notFound({ group: ep.rt.group, resource: ep.rt.resource }, name);
        const servedCurrent = toServed(ep, current);
        // The current object handed to this function is a private copy: patched where it lies.
        const patched = applyPatch(patchType, servedCurrent, patchDoc, { schema, resolver: this.deps.scheme, inPlace: true });
        if (!isObject(patched)) throw badRequest('the patch produced an object that is not a JSON object');
        const p = patched as KubeObject;
        if (p.metadata?.name !== undefined && p.metadata.name !== name) {
          throw badRequest(`the name of the object (${p.metadata.name}) does not match the name on the URL (${name})`);
        }
        const decoded = decodeObject(ep, patched, { scheme: this.deps.scheme, fieldValidation, warnings: ctx.warnings });
        // A patch that does not set resourceVersion is unconditional: keep retrying on conflicts.
        if (!(isObject(patchDoc) && isObject((patchDoc as Record<string, unknown>).metadata) && ((patchDoc as { metadata: Record<string, unknown> }).metadata.resourceVersion !== undefined)) && patchType !== 'json') {
          delete decoded.metadata.resourceVersion;
        } else if (patchType === 'json' && !jsonPatchTouchesRV(patchDoc)) {
          delete decoded.metadata.resourceVersion;
        }
        const obj = toStorage(ep, decoded);
        const attrs = this.admissionAttrs(ep, 'UPDATE', ns, name, opts.subresource, ctx, obj, current);
        await this.deps.admission.admit(attrs, ctx);
        return attrs.object!;
      },
      {
        strategy: opts.strategy,
        allowCreate: false,
        finalize: this.trackFields(ctx, ep, opts.subresource),
        validate: async (o, old) => {
          await this.deps.admission.validate(this.admissionAttrs(ep, 'UPDATE', ns, name, opts.subresource, ctx, o, old), ctx);
        },
      },
    );
    this.respondObject(ctx, ep, req, res, query, 200, toServed(ep, result.object));
  }

  private async apply(ctx: RequestContext, ep: Endpoint, ns: string, name: string, body: Buffer, res: Response, req: HttpRequest, query: URLSearchParams, opts: { strategy?: Strategy; subresource: string }): Promise<void> {
    const manager = query.get('fieldManager');
    if (!manager) throw badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
    const force = boolParam(query, 'force');
    const fieldValidation = parseFieldValidation(query.get('fieldValidation'));
    const { value } = parseBody(body, 'yaml');
    if (!isObject(value)) throw badRequest('error decoding YAML: the applied configuration must be an object');
    // The configuration must be a valid (pruned) object of this kind, but is not defaulted: apply owns only what it states.
    const config = decodeObject(ep, JSON.parse(JSON.stringify(value)), { scheme: this.deps.scheme, fieldValidation, warnings: ctx.warnings, skipDefaults: true });
    if (config.metadata.name && config.metadata.name !== name) {
      throw badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`);
    }
    const schema = refTo(ep.rt.definition.name);
    const apiVersion = apiVersionOf(ep.rt.group, ep.rt.version);
    const wantRV = config.metadata.resourceVersion;
    const result = await ep.store.guaranteedUpdate(
      ctx,
      ns,
      name,
      async (current) => {
        const live = current ? toServed(ep, current) : undefined;
        if (wantRV && live && live.metadata.resourceVersion !== wantRV) {
          throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${ep.rt.resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
        }
        const cfg = JSON.parse(JSON.stringify(config)) as KubeObject;
        cfg.metadata.name = name;
        if (ep.rt.namespaced) cfg.metadata.namespace = ns;
        const out = applyConfig({
          live,
          config: cfg,
          manager,
          force,
          apiVersion,
          subresource: opts.subresource || undefined,
          time: rfc3339(this.deps.clock.now()),
          schema,
          resolver: this.deps.scheme,
          zero: ep.custom ? undefined : { metadata: {}, spec: {}, status: {} },
        });
        if (!out.ok) {
          if (out.reason === 'Conflict') throw applyConflictError(out.conflicts, { group: ep.rt.group, kind: ep.rt.kind }, name);
          if (out.reason === 'BadRequest') throw badRequest(out.message);
          // Upstream returns typing failures unwrapped: its error handler serves them as 500 with no reason.
          throw new StatusError(500, '', out.message);
        }
        const merged = decodeObject(ep, out.object, { scheme: this.deps.scheme, fieldValidation: 'Ignore', warnings: [] });
        if (!wantRV) delete merged.metadata.resourceVersion;
        else merged.metadata.resourceVersion = wantRV;
        if (current && !wantRV) merged.metadata.resourceVersion = current.metadata.resourceVersion;
        const obj = toStorage(ep, merged);
        const attrs = this.admissionAttrs(ep, current ? 'UPDATE' : 'CREATE', ns, name, opts.subresource, ctx, obj, current);
        await this.deps.admission.admit(attrs, ctx);
        return attrs.object!;
      },
      {
        strategy: opts.strategy,
        allowCreate: !opts.subresource,
        validate: async (o, old) => {
          await this.deps.admission.validate(this.admissionAttrs(ep, old ? 'UPDATE' : 'CREATE', ns, name, opts.subresource, ctx, o, old), ctx);
        },
      },
    );
    this.respondObject(ctx, ep, req, res, query, result.created ? 201 : 200, toServed(ep, result.object));
  }

  async readDeleteOptions(req: HttpRequest, query: URLSearchParams): Promise<DeleteRequest> {
    const opts: DeleteRequest = {};
    const grace = intParam(query, 'gracePeriodSeconds');
    if (grace !== undefined) opts.gracePeriodSeconds = grace;
    const pp = query.get('propagationPolicy');
    if (pp) opts.propagationPolicy = pp;
    if (query.get('orphanDependents') !== null) opts.orphanDependents = boolParam(query, 'orphanDependents');
    const body = await readBody(req);
    if (body.length) {
      let parsed: unknown;
      if (bodyFormat(req.headers['content-type']) === 'protobuf') parsed = this.decodeProtobuf(body);
      else {
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch (err) {
          throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
        }
      }
      if (isObject(parsed)) {
        const o = parsed as Record<string, unknown>;
        if (typeof o.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = o.gracePeriodSeconds;
        if (typeof o.propagationPolicy === 'string') opts.propagationPolicy = o.propagationPolicy;
        if (typeof o.orphanDependents === 'boolean') opts.orphanDependents = o.orphanDependents;
        if (isObject(o.preconditions)) opts.preconditions = o.preconditions as DeleteRequest['preconditions'];
        if (Array.isArray(o.dryRun) && o.dryRun.includes('All')) opts.dryRun = true;
      }
    }
    if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1;
    if (opts.propagationPolicy && opts.orphanDependents !== undefined) {
      throw new StatusError(422, 'Invalid', 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "' + opts.propagationPolicy + '": orphanDependents and deletionPropagation cannot be both set', {
        causes: [{ reason: 'FieldValueInvalid', message: 'orphanDependents and deletionPropagation cannot be both set', field: 'propagationPolicy' }],
      });
    }
    return opts;
  }

  private async delete(ctx: RequestContext, ep: Endpoint, ns: string, name: string, req: HttpRequest, res: Response, query: URLSearchParams): Promise<void> {
    const opts = await this.readDeleteOptions(req, query);
    if (opts.dryRun) ctx.dryRun = true;
    const result = await this.deleteOne(ctx, ep, ns, name, opts);
    setWarnings(res, ctx.warnings);
    if (result.deleted && !ep.store.strategy.returnDeletedObject) {
      writeJSON(res, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, group: ep.rt.group || undefined, kind: ep.rt.resource, uid: result.object.metadata.uid },
      });
      return;
    }
    const code = !result.deleted && opts.orphanDependents === false ? 202 : 200;
    this.respondObject(ctx, ep, req, res, query, code, toServed(ep, result.object));
  }

  async deleteOne(ctx: RequestContext, ep: Endpoint, ns: string, name: string, opts: DeleteRequest) {
    const current = await ep.store.get(ns, name);
    await this.deps.admission.validate(this.admissionAttrs(ep, 'DELETE', ns, name, '', ctx, undefined, current.clone()), ctx);
    return ep.store.delete(ctx, ns, name, opts);
  }

  private async deleteCollection(ctx: RequestContext, ep: Endpoint, ns: string, req: HttpRequest, res: Response, query: URLSearchParams): Promise<void> {
    const opts = await this.readDeleteOptions(req, query);
    if (opts.dryRun) ctx.dryRun = true;
    const { predicate, filtered } = this.predicate(ep, query);
    const listed = await ep.store.list({ namespace: ns, predicate, filtered });
    const deleted: KubeObject[] = [];
    for (const item of listed.items) {
      try {
        const r = await this.deleteOne(ctx, ep, item.namespace, item.name, opts);
        deleted.push(toServed(ep, r.object));
      } catch (err) {
        if (err instanceof StatusError && err.reason === 'NotFound') continue;
        throw err;
      }
    }
    setWarnings(res, ctx.warnings);
    writeJSON(res, 200, { kind: `${ep.rt.kind}List`, apiVersion: apiVersionOf(ep.rt.group, ep.rt.version), metadata: { resourceVersion: listed.resourceVersion }, items: deleted });
  }

  // ---- subresources ----

  /** A subresource that reads and writes the object itself through a strategy of its own (status, ephemeralcontainers). */
  async objectSubresource(ctx: RequestContext, info: ResourceRequestInfo, ep: Endpoint, req: HttpRequest, res: Response, query: URLSearchParams, opts: { strategy?: Strategy; subresource: string }): Promise<void> {
    const ns = ep.rt.namespaced ? info.namespace : '';
    switch (info.verb) {
      case 'get':
        return this.get(ctx, ep, ns, info.name, req, res, query);
      case 'update':
        return this.update(ctx, ep, ns, info.name, req, res, query, opts);
      case 'patch':
        return this.patch(ctx, ep, ns, info.name, req, res, query, opts);
      default:
        throw methodNotAllowed();
    }
  }

  private scaleOf(ep: Endpoint, obj: KubeObject): KubeObject {
    const scale = ep.rt.scale!;
    const get = (o: unknown, path: string) => path.replace(/^\./, '').split('.').reduce<unknown>((c, k) => (isObject(c) ? c[k] : undefined), o);
    const selector = scale.labelSelectorPath ? get(obj, scale.labelSelectorPath) : undefined;
    const status: Record<string, unknown> = { replicas: Number(get(obj, scale.statusReplicasPath) ?? 0) };
    if (typeof selector === 'string') status.selector = selector;
    else if (isObject(selector)) status.selector = formatLabelSelector(selector as never);
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: Number(get(obj, scale.specReplicasPath) ?? 0) },
      status,
    };
  }

  private async handleScale(ctx: RequestContext, info: ResourceRequestInfo, ep: Endpoint, ns: string, req: HttpRequest, res: Response, query: URLSearchParams): Promise<void> {
    const name = info.name;
    const scaleExpect = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    const writeScale = async (compute: (currentScale: KubeObject) => Promise<KubeObject> | KubeObject) => {
      const specPath = ep.rt.scale!.specReplicasPath.replace(/^\./, '').split('.');
      const result = await ep.store.guaranteedUpdate(ctx, ns, name, async (current) => {
        if (!current) throw notFound({ group: ep.rt.group, resource: ep.rt.resource }, name);
        const served = toServed(ep, current);
        const wanted = await compute(this.scaleOf(ep, served));
        const replicas = (wanted.spec as { replicas?: unknown } | undefined)?.replicas;
        if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
          throw new StatusError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, {
            name,
            group: 'autoscaling',
            kind: 'Scale',
            causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, field: 'spec.replicas' }],
          });
        }
        let cur: Record<string, unknown> = served;
        for (const k of specPath.slice(0, -1)) {
          if (!isObject(cur[k])) cur[k] = {};
          cur = cur[k] as Record<string, unknown>;
        }
        cur[specPath[specPath.length - 1]!] = replicas;
        served.metadata.resourceVersion = wanted.metadata.resourceVersion || undefined;
        return toStorage(ep, served);
      }, { finalize: this.trackFields(ctx, ep, 'scale') });
      setWarnings(res, ctx.warnings);
      writeJSON(res, 200, this.scaleOf(ep, toServed(ep, result.object)));
    };
    switch (info.verb) {
      case 'get': {
        const cur = await ep.store.get(ns, name);
        writeJSON(res, 200, this.scaleOf(ep, servedObject(ep, cur)));
        return;
      }
      case 'update': {
        const scale = await this.readObject(ctx, ep, req, query, { expect: scaleExpect });
        return writeScale(() => scale);
      }
      case 'patch': {
        const patchType = patchTypeOf(req.headers['content-type']);
        if (!patchType) throw new StatusError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format');
        const body = await readBody(req);
        const scaleDef = this.deps.scheme.definitionForKind('autoscaling', 'v1', 'Scale');
        const doc: unknown = patchType === 'apply' ? parseBody(body, 'yaml').value : JSON.parse(body.toString('utf8'));
        return writeScale((currentScale) => {
          const patched = patchType === 'apply' ? mergeScale(currentScale, doc) : applyPatch(patchType as PatchType, currentScale, doc, { schema: scaleDef ? refTo(scaleDef) : {}, resolver: this.deps.scheme });
          const p = patched as KubeObject;
          if (!isObject(doc) || !isObject((doc as { metadata?: unknown }).metadata) || !(doc as { metadata: Record<string, unknown> }).metadata.resourceVersion) p.metadata.resourceVersion = '';
          return p;
        });
      }
      default:
        throw methodNotAllowed();
    }
  }
}

function mergeScale(current: KubeObject, doc: unknown): KubeObject {
  const out = JSON.parse(JSON.stringify(current)) as KubeObject;
  if (isObject(doc) && isObject(doc.spec) && 'replicas' in doc.spec) (out.spec as Record<string, unknown>).replicas = doc.spec.replicas;
  return out;
}

function jsonPatchTouchesRV(patch: unknown): boolean {
  return Array.isArray(patch) && patch.some((op) => isObject(op) && typeof op.path === 'string' && op.path === '/metadata/resourceVersion' && op.op !== 'remove');
}

function invalidWatch(fieldName: string, value: unknown, detail: string): StatusError {
  return new StatusError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${fieldName}: Forbidden: ${detail}`, {
    kind: 'ListOptions',
    group: 'meta.k8s.io',
    causes: [{ reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field: fieldName }],
  });
}
