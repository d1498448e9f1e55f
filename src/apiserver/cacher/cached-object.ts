/**
 * One object as the watch cache holds it: decoded once, frozen (callers must
 * never mutate cached state), with its JSON serialization computed lazily and
 * shared by every LIST and watcher that sends it.
 */
import type { KubeObject } from '../../machinery/meta/types.js';
import type { KeyValue } from '../../storage/interface.js';

export class CachedObject {
  private jsonText: string | undefined;

  constructor(
    readonly key: string,
    readonly object: Readonly<KubeObject>,
    readonly revision: number,
  ) {}

  /** `freeze` deep-freezes the object so that a caller mutating cached state throws (tests turn it on). */
  static fromKV(kv: KeyValue, opts: { freeze?: boolean } = {}): CachedObject {
    const obj = JSON.parse(Buffer.from(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength).toString('utf8')) as KubeObject;
    obj.metadata ??= {};
    obj.metadata.resourceVersion = String(kv.modRevision);
    return new CachedObject(kv.key, opts.freeze ? deepFreeze(obj) : obj, kv.modRevision);
  }

  get namespace(): string {
    return this.object.metadata.namespace ?? '';
  }

  get name(): string {
    return this.object.metadata.name ?? '';
  }

  json(): string {
    return (this.jsonText ??= JSON.stringify(this.object));
  }

  /** A private, mutable copy. */
  clone(): KubeObject {
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
