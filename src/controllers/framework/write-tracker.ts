/**
 * Remembers the objects a controller wrote, per key, until its informer's
 * cache shows them. A controller that syncs again before its own writes are
 * visible would act on a stale cache (a slice it just created looks missing,
 * so it creates another); with this it waits for the cache to catch up.
 */
import { isNotFound } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/types.js';

const DELETED = 'deleted';

export class WriteTracker {
  private readonly written = new Map<string, Map<string, string>>();

  /** An object of `key`'s written at this resourceVersion. */
  noteWrite(key: string, obj: KubeObject): void {
    this.note(key, obj.metadata.name!, obj.metadata.resourceVersion ?? '');
  }

  noteDeleted(key: string, name: string): void {
    this.note(key, name, DELETED);
  }

  /** True when `cached` (the informer's objects for the key) shows every write of ours; then they are forgotten. */
  caughtUp(key: string, cached: readonly KubeObject[]): boolean {
    const writes = this.written.get(key);
    if (!writes) return true;
    const byName = new Map(cached.map((o) => [o.metadata.name!, o]));
    for (const [name, rv] of writes) {
      const seen = byName.get(name);
      if (rv === DELETED ? seen !== undefined : !seen || !rvAtLeast(seen.metadata.resourceVersion, rv)) return false;
    }
    this.written.delete(key);
    return true;
  }

  private note(key: string, name: string, rv: string): void {
    let m = this.written.get(key);
    if (!m) this.written.set(key, (m = new Map()));
    m.set(name, rv);
  }
}

/** resourceVersions are etcd revisions here: numeric and increasing. Opaque ones compare by equality. */
function rvAtLeast(seen: string | undefined, wrote: string): boolean {
  if (!seen) return false;
  if (/^\d+$/.test(seen) && /^\d+$/.test(wrote)) return BigInt(seen) >= BigInt(wrote);
  return seen === wrote;
}

/** Writes to one namespaced resource: what a controller gets from its API client. */
export interface ObjectWriter<T extends KubeObject> {
  create(namespace: string, obj: T): Promise<T>;
  update(namespace: string, obj: T): Promise<T>;
  delete(namespace: string, name: string): Promise<unknown>;
}

/** An ObjectWriter whose writes, under a controller's key, are remembered until its cache shows them. */
export class TrackedWriter<T extends KubeObject> {
  private readonly tracker = new WriteTracker();

  constructor(private readonly writer: ObjectWriter<T>) {}

  caughtUp(key: string, cached: readonly T[]): boolean {
    return this.tracker.caughtUp(key, cached);
  }

  async create(key: string, namespace: string, obj: T): Promise<T> {
    const out = await this.writer.create(namespace, obj);
    this.tracker.noteWrite(key, out);
    return out;
  }

  async update(key: string, namespace: string, obj: T): Promise<T> {
    const out = await this.writer.update(namespace, obj);
    this.tracker.noteWrite(key, out);
    return out;
  }

  /** Deletes; an object already gone counts as deleted. */
  async delete(key: string, namespace: string, name: string): Promise<void> {
    try {
      await this.writer.delete(namespace, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.tracker.noteDeleted(key, name);
  }
}
