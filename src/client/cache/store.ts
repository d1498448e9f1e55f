/**
 * The informer's local copy of a resource: objects by `namespace/name`,
 * plus secondary indexes computed by named functions (by namespace, by
 * `spec.nodeName`, ...). Objects handed out are shared with every other
 * reader and must never be mutated; with `freeze` they are deep-frozen so a
 * mistake throws instead of corrupting the cache.
 */
import type { KubeObject } from '../../machinery/meta/types.js';
import { deepFreeze, metaNamespaceKey } from './keys.js';

/** Maps an object to the index values it is filed under (none: not indexed). */
export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => string[];

export type Indexers<T extends KubeObject = KubeObject> = Record<string, IndexFunc<T>>;

export const NAMESPACE_INDEX = 'namespace';

export const namespaceIndexFunc: IndexFunc = (obj) => [obj.metadata.namespace ?? ''];

/** Pods by the node they are bound to; unbound pods are not indexed. */
export const nodeNameIndexFunc: IndexFunc = (obj) => {
  const node = (obj.spec as { nodeName?: string } | undefined)?.nodeName;
  return node ? [node] : [];
};

export interface Store<T extends KubeObject = KubeObject> {
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
  list(): T[];
  listKeys(): string[];
  get(obj: T): T | undefined;
  getByKey(key: string): T | undefined;
  /** Swaps the whole content at once (after a re-list). */
  replace(objs: T[]): void;
}

export interface Indexer<T extends KubeObject = KubeObject> extends Store<T> {
  /** Objects filed under `value` in the named index. */
  byIndex(indexName: string, value: string): T[];
  indexKeys(indexName: string, value: string): string[];
  listIndexFuncValues(indexName: string): string[];
  addIndexers(indexers: Indexers<T>): void;
}

export interface CacheOptions<T extends KubeObject> {
  indexers?: Indexers<T>;
  keyFunc?: (obj: T) => string;
  freeze?: boolean;
}

export class CacheIndexer<T extends KubeObject = KubeObject> implements Indexer<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers: Indexers<T> = {};
  /** index name -> index value -> keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly keyFunc: (obj: T) => string;
  private readonly freeze: boolean;

  constructor(opts: CacheOptions<T> = {}) {
    this.keyFunc = opts.keyFunc ?? metaNamespaceKey;
    this.freeze = opts.freeze ?? false;
    if (opts.indexers) this.addIndexers(opts.indexers);
  }

  keyOf(obj: T): string {
    return this.keyFunc(obj);
  }

  add(obj: T): void {
    this.put(obj);
  }

  update(obj: T): void {
    this.put(obj);
  }

  delete(obj: T): void {
    const key = this.keyFunc(obj);
    const old = this.items.get(key);
    if (!old) return;
    this.unindex(key, old);
    this.items.delete(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  get(obj: T): T | undefined {
    return this.items.get(this.keyFunc(obj));
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  replace(objs: T[]): void {
    this.items.clear();
    for (const idx of this.indices.values()) idx.clear();
    for (const o of objs) this.put(o);
  }

  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((k) => this.items.get(k)!);
  }

  indexKeys(indexName: string, value: string): string[] {
    const idx = this.indices.get(indexName);
    if (!idx) throw new Error(`Index with name ${indexName} does not exist`);
    return [...(idx.get(value) ?? [])];
  }

  listIndexFuncValues(indexName: string): string[] {
    return [...(this.indices.get(indexName)?.keys() ?? [])];
  }

  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers[name]) throw new Error(`indexer conflict: ${name}`);
      this.indexers[name] = fn;
      const idx = new Map<string, Set<string>>();
      this.indices.set(name, idx);
      for (const [key, obj] of this.items) for (const v of fn(obj)) file(idx, v, key);
    }
  }

  private put(obj: T): void {
    if (this.freeze) deepFreeze(obj);
    const key = this.keyFunc(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of Object.entries(this.indexers)) {
      const idx = this.indices.get(name)!;
      for (const v of fn(obj)) file(idx, v, key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const idx = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const set = idx.get(v);
        set?.delete(key);
        if (set && !set.size) idx.delete(v);
      }
    }
  }
}

function file(idx: Map<string, Set<string>>, value: string, key: string): void {
  let set = idx.get(value);
  if (!set) idx.set(value, (set = new Set()));
  set.add(key);
}
