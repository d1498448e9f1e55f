/**
 * Remembers the objects a controller wrote, per key, until its informer's
 * cache shows them. A controller that syncs again before its own writes are
 * visible would act on a stale cache (a slice it just created looks missing,
 * so it creates another); with this it waits for the cache to catch up.
 */
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
