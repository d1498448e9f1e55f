/**
 * Shapes a response body from stored objects in the representation the client
 * asked for: the object (list), a meta.k8s.io Table, or PartialObjectMetadata.
 * List bodies are assembled from each cached object's shared JSON text, so a
 * LIST of thousands of objects serializes each object at most once.
 */
import type { KubeObject } from '../../machinery/meta/types.js';
import type { CachedObject } from '../cacher/cached-object.js';
import type { Representation } from '../http/respond.js';
import type { Printer } from '../printers/types.js';
import { type Endpoint, toServed } from '../registry/endpoint.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface ShapeContext {
  ep: Endpoint;
  printer: Printer;
  now: number;
  includeObject: IncludeObject;
}

/** The served-version JSON text of a stored object. */
export function servedJSON(ep: Endpoint, obj: CachedObject): string {
  if (!ep.converts) return obj.json();
  return JSON.stringify(toServed(ep, obj.clone()));
}

export function servedObject(ep: Endpoint, obj: CachedObject | KubeObject): KubeObject {
  const o = 'json' in obj && typeof obj.json === 'function' ? (obj as CachedObject).clone() : (obj as KubeObject);
  return toServed(ep, o);
}

export function partialMetadata(obj: Readonly<KubeObject>, version: string): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

function tableRow(sc: ShapeContext, obj: KubeObject): Record<string, unknown> {
  const row: Record<string, unknown> = { cells: sc.printer.cells(obj, { now: sc.now }) };
  const conditions = sc.printer.conditions?.(obj);
  if (conditions) row.conditions = conditions;
  if (sc.includeObject === 'Object') row.object = obj;
  else if (sc.includeObject === 'Metadata') row.object = partialMetadata(obj, 'v1');
  return row;
}

export function table(sc: ShapeContext, objs: KubeObject[], meta: Record<string, unknown>, version: string): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: meta,
    columnDefinitions: sc.printer.columns,
    rows: objs.map((o) => tableRow(sc, o)),
  };
}

/**
 * The text `JSON.stringify(table(...))` gives for objects stored as served, written from each
 * cached object's JSON: a row's metadata (most of its bytes) is not encoded again per LIST.
 * Printers only read, so they get the cached objects themselves.
 */
function tableText(sc: ShapeContext, items: CachedObject[], meta: Record<string, unknown>, version: string): string {
  const rows = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) {
    const o = items[i]!;
    // The text first: an object not yet decoded gives it from its stored bytes, without encoding.
    const objectText =
      sc.includeObject === 'Object' ? `,"object":${o.json()}` : sc.includeObject === 'Metadata' ? `,"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":${o.metadataJSON()}}` : '';
    const obj = o.object as KubeObject;
    let row = `{"cells":${JSON.stringify(sc.printer.cells(obj, { now: sc.now }))}`;
    const conditions = sc.printer.conditions?.(obj);
    if (conditions) row += `,"conditions":${JSON.stringify(conditions)}`;
    rows[i] = row + objectText + '}';
  }
  return `{"kind":"Table","apiVersion":"meta.k8s.io/${version}","metadata":${JSON.stringify(meta)},"columnDefinitions":${JSON.stringify(sc.printer.columns)},"rows":[${rows.join(',')}]}`;
}

/** Serializes a list response; `meta` is the ListMeta. */
export function listBody(sc: ShapeContext, rep: Representation, items: CachedObject[], meta: Record<string, unknown>): string | Buffer {
  const { ep } = sc;
  if (rep.kind === 'table') {
    if (!ep.converts) return tableText(sc, items, meta, rep.version);
    return JSON.stringify(table(sc, items.map((o) => servedObject(ep, o)), meta, rep.version));
  }
  if (rep.kind === 'partial') {
    if (!ep.converts) {
      const apiVersion = `meta.k8s.io/${rep.version}`;
      const parts = new Array<string>(items.length);
      for (let i = 0; i < items.length; i++) parts[i] = `{"kind":"PartialObjectMetadata","apiVersion":"${apiVersion}","metadata":${items[i]!.metadataJSON()}}`;
      return `{"kind":"PartialObjectMetadataList","apiVersion":"${apiVersion}","metadata":${JSON.stringify(meta)},"items":[${parts.join(',')}]}`;
    }
    return JSON.stringify({
      kind: 'PartialObjectMetadataList',
      apiVersion: `meta.k8s.io/${rep.version}`,
      metadata: meta,
      items: items.map((o) => partialMetadata(o.object, rep.version)),
    });
  }
  const apiVersion = ep.rt.group ? `${ep.rt.group}/${ep.rt.version}` : ep.rt.version;
  const head = `{"kind":${JSON.stringify(ep.rt.kind + 'List')},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(meta)},"items":[`;
  if (!ep.converts) {
    // Each cached object keeps its encoded JSON: a LIST is a copy of bytes, not a re-encoding.
    const comma = Buffer.from(',');
    const parts: Buffer[] = [Buffer.from(head)];
    for (let i = 0; i < items.length; i++) {
      if (i) parts.push(comma);
      parts.push(items[i]!.jsonBuffer());
    }
    parts.push(Buffer.from(']}'));
    return Buffer.concat(parts);
  }
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = servedJSON(ep, items[i]!);
  return head + parts.join(',') + ']}';
}

/** Serializes one object response. */
export function objectBody(sc: ShapeContext, rep: Representation, obj: KubeObject): string {
  if (rep.kind === 'table') return JSON.stringify(table(sc, [obj], { resourceVersion: obj.metadata.resourceVersion }, rep.version));
  if (rep.kind === 'partial') return JSON.stringify(partialMetadata(obj, rep.version));
  return JSON.stringify(obj);
}
