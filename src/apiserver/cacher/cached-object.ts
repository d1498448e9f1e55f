/**
 * One object as the watch cache holds it: decoded once, frozen (callers must
 * never mutate cached state), with its JSON serialization computed lazily and
 * shared by every LIST and watcher that sends it.
 */
import { endOfValue } from '../../machinery/json/strict.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { KeyValue } from '../../storage/interface.js';

const NEWLINE_CLOSE = Buffer.from('}\n');
/** Stored text that begins with the metadata object (after apiVersion and kind, in either order). */
const METADATA_START = /^\{(?:"(?:apiVersion|kind)":"[^"\\]*",){0,2}"metadata":\{/;

/**
 * The served JSON of stored text, made by writing the resourceVersion into it rather than by
 * decoding and re-encoding the object; undefined when the text is not in the shape this relies on
 * (metadata right after apiVersion and kind, no resourceVersion field anywhere).
 */
export function servedJSONOfStored(text: string, revision: number | string): string | undefined {
  const m = METADATA_START.exec(text);
  if (!m || text.includes('"resourceVersion"')) return undefined;
  const at = m[0].length;
  return `${text.slice(0, at)}"resourceVersion":"${revision}"${text[at] === '}' ? '' : ','}${text.slice(at)}`;
}

/**
 * The metadata object's text cut out of an object's JSON text (metadata right after apiVersion
 * and kind, as objects are stored and served); undefined when the text has another shape.
 */
export function metadataSlice(text: string): string | undefined {
  const m = METADATA_START.exec(text);
  if (!m) return undefined;
  const start = m[0].length - 1;
  const end = endOfValue(text, start);
  return end < 0 ? undefined : text.slice(start, end);
}

/** A private, mutable object from its stored bytes; the revision is its resourceVersion. */
export function decodeStored(value: Uint8Array, revision: number): KubeObject {
  const obj = JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8')) as KubeObject;
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

export class CachedObject {
  private jsonText: string | undefined;
  private decoded: Readonly<KubeObject> | undefined;
  private raw: Uint8Array | undefined;
  private freeze = false;

  constructor(
    readonly key: string,
    object: Readonly<KubeObject> | undefined,
    readonly revision: number,
  ) {
    this.decoded = object;
  }

  /**
   * An object read from storage, decoded on first use: a write-heavy cache (or a
   * restart with many objects) never pays for objects nobody reads.
   * `freeze` deep-freezes it so that a caller mutating cached state throws (tests turn it on).
   */
  static fromKV(kv: KeyValue, opts: { freeze?: boolean } = {}): CachedObject {
    const c = new CachedObject(kv.key, undefined, kv.modRevision);
    c.raw = kv.value;
    c.freeze = !!opts.freeze;
    return c;
  }

  get object(): Readonly<KubeObject> {
    if (this.decoded) return this.decoded;
    const obj = decodeStored(this.raw!, this.revision);
    this.decoded = this.freeze ? deepFreeze(obj) : obj;
    this.raw = undefined;
    return this.decoded;
  }

  get namespace(): string {
    return this.object.metadata.namespace ?? '';
  }

  get name(): string {
    return this.object.metadata.name ?? '';
  }

  private lines: Map<string, Buffer> | undefined;

  private jsonBuf: Buffer | undefined;

  /** The watch event line `{"type":T,"object":...}\n`, encoded once and shared by every watcher. */
  eventLine(type: string): Buffer {
    this.lines ??= new Map();
    let b = this.lines.get(type);
    if (!b) this.lines.set(type, (b = Buffer.concat([Buffer.from(`{"type":"${type}","object":`), this.jsonBuffer(), NEWLINE_CLOSE])));
    return b;
  }

  /** The object's JSON as UTF-8 bytes, encoded once. */
  jsonBuffer(): Buffer {
    return (this.jsonBuf ??= Buffer.from(this.json()));
  }

  json(): string {
    if (this.jsonText !== undefined) return this.jsonText;
    // Bytes nobody has decoded are served without decoding them (watchers of objects no one reads).
    const spliced = this.raw ? servedJSONOfStored(Buffer.from(this.raw.buffer, this.raw.byteOffset, this.raw.byteLength).toString('utf8'), this.revision) : undefined;
    return (this.jsonText = spliced ?? JSON.stringify(this.object));
  }

  private metaText: string | undefined;

  /** The JSON text of the object's metadata as served (resourceVersion included), computed once. */
  metadataJSON(): string {
    if (this.metaText !== undefined) return this.metaText;
    return (this.metaText = metadataSlice(this.json()) ?? JSON.stringify(this.object.metadata));
  }

  /** A private, mutable copy. */
  clone(): KubeObject {
    // Bytes nobody has decoded yet are parsed straight away, leaving the shared copy undecoded.
    if (this.raw) return decodeStored(this.raw, this.revision);
    return JSON.parse(this.json()) as KubeObject;
  }
}

export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
