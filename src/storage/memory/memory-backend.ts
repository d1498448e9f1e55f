/**
 * In-process backend for tests: every version of every key is kept until
 * compaction, so reads at old revisions and watch replay behave like etcd.
 */
import { realClock, type Clock } from '../../machinery/clock.js';
import {
  BackendClosedError,
  CompactedError,
  type Backend,
  type BackendStats,
  type DeleteResult,
  type KeyValue,
  type Lease,
  type RangeOptions,
  type RangeResult,
  type WatchEvent,
  type WatchOptions,
  type WriteResult,
} from '../interface.js';
import { compareKeys } from '../key-range.js';
import { LeaseTimers } from '../lease-timers.js';
import { WatchHub } from '../watch-hub.js';

export interface MemoryBackendOptions {
  clock?: Clock;
  /** Interval of progress notifications to watchers that ask for them. */
  progressIntervalMs?: number;
}

/** One version of a key; `kv` undefined marks a deletion at `rev`. */
interface Version {
  rev: number;
  kv?: KeyValue;
}

export class MemoryBackend implements Backend {
  readonly name = 'memory';
  private rev = 0;
  private compacted = 0;
  private closed = false;
  private nextLease = 1;
  private readonly history = new Map<string, Version[]>();
  /** Every key that has history, in key order. */
  private sortedKeys: string[] = [];
  /** Events after the compacted revision, in revision order. */
  private log: WatchEvent[] = [];
  private readonly leases = new Map<number, { ttlSeconds: number }>();
  private readonly clock: Clock;
  private readonly hub: WatchHub;
  private readonly leaseTimers: LeaseTimers;

  constructor(opts: MemoryBackendOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.hub = new WatchHub({ clock: this.clock, progressIntervalMs: opts.progressIntervalMs ?? 5000, currentRevision: () => this.rev });
    this.leaseTimers = new LeaseTimers(this.clock, (id) => this.expire(id));
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | undefined> {
    this.checkOpen();
    const rev = this.readRevision(opts.revision);
    return this.at(key, rev);
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    this.checkOpen();
    const rev = this.readRevision(opts.revision);
    const limit = opts.limit ?? 0;
    const from = opts.startKey !== undefined && compareKeys(opts.startKey, prefix) > 0 ? opts.startKey : prefix;
    const kvs: KeyValue[] = [];
    let count = 0;
    for (let i = this.lowerBound(from); i < this.sortedKeys.length; i++) {
      const key = this.sortedKeys[i]!;
      if (!key.startsWith(prefix)) break;
      const kv = this.at(key, rev);
      if (!kv) continue;
      count++;
      if (!opts.countOnly && (limit === 0 || kvs.length < limit)) kvs.push(kv);
    }
    return { kvs, more: !opts.countOnly && limit > 0 && count > kvs.length, count, revision: rev };
  }

  async create(key: string, value: Uint8Array, opts: { lease?: number } = {}): Promise<WriteResult> {
    this.checkOpen();
    const lease = this.checkLease(opts.lease);
    const current = this.at(key, this.rev);
    if (current) return { ok: false, kv: current, revision: this.rev };
    const rev = this.rev + 1;
    const kv: KeyValue = { key, value: copy(value), createRevision: rev, modRevision: rev, lease };
    this.append(key, { rev, kv }, { type: 'PUT', kv, created: true });
    return { ok: true, revision: rev, kv };
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number, opts: { lease?: number } = {}): Promise<WriteResult> {
    this.checkOpen();
    const lease = this.checkLease(opts.lease);
    const current = this.at(key, this.rev);
    if (!current || current.modRevision !== expectedModRevision) return { ok: false, kv: current, revision: this.rev };
    const rev = this.rev + 1;
    const kv: KeyValue = { key, value: copy(value), createRevision: current.createRevision, modRevision: rev, lease };
    this.append(key, { rev, kv }, { type: 'PUT', kv, prev: current, created: false });
    return { ok: true, revision: rev, kv };
  }

  async delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    this.checkOpen();
    return this.deleteNow(key, expectedModRevision);
  }

  watch(prefix: string, opts: WatchOptions): void {
    if (this.closed) {
      queueMicrotask(() => opts.onError?.(new BackendClosedError()));
      return;
    }
    const after = opts.afterRevision ?? 0;
    if (after > 0 && after < this.compacted) {
      queueMicrotask(() => opts.onError?.(new CompactedError(after + 1, this.compacted)));
      return;
    }
    const replay = after > 0 ? this.log.slice(this.firstEventAfter(after)).filter((e) => e.kv.key.startsWith(prefix)) : [];
    this.hub.add(prefix, opts, replay);
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.rev;
  }

  async compactRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw new Error(`cannot compact to revision ${revision}: it is in the future (current ${this.rev})`);
    if (revision <= this.compacted) return;
    this.compacted = revision;
    this.log = this.log.slice(this.firstEventAfter(revision));
    const emptied: string[] = [];
    for (const [key, versions] of this.history) {
      // Keep the newest version at or below the compacted revision (it is the
      // value a read at that revision sees) unless it is a deletion.
      let keepFrom = 0;
      for (let i = versions.length - 1; i >= 0; i--) {
        if (versions[i]!.rev <= revision) {
          keepFrom = versions[i]!.kv ? i : i + 1;
          break;
        }
      }
      if (keepFrom > 0) versions.splice(0, keepFrom);
      if (!versions.length) emptied.push(key);
    }
    if (emptied.length) {
      for (const key of emptied) this.history.delete(key);
      const gone = new Set(emptied);
      this.sortedKeys = this.sortedKeys.filter((k) => !gone.has(k));
    }
  }

  async grantLease(ttlSeconds: number): Promise<Lease> {
    this.checkOpen();
    const id = this.nextLease++;
    this.leases.set(id, { ttlSeconds });
    this.leaseTimers.set(id, this.clock.now() + ttlSeconds * 1000);
    return { id, ttlSeconds };
  }

  async keepAliveLease(id: number): Promise<void> {
    this.checkOpen();
    const lease = this.leases.get(id);
    if (!lease) throw new Error(`lease ${id} not found`);
    this.leaseTimers.set(id, this.clock.now() + lease.ttlSeconds * 1000);
  }

  async revokeLease(id: number): Promise<void> {
    this.checkOpen();
    if (!this.leases.has(id)) throw new Error(`lease ${id} not found`);
    this.expire(id);
  }

  async stats(): Promise<BackendStats> {
    this.checkOpen();
    const { count } = await this.range('', { countOnly: true });
    return { sizeBytes: 0, revision: this.rev, compactRevision: this.compacted, keys: count };
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.leaseTimers.dispose();
    this.hub.closeAll(new BackendClosedError());
  }

  private expire(id: number): void {
    if (!this.leases.delete(id)) return;
    this.leaseTimers.delete(id);
    for (const key of this.sortedKeys) {
      const kv = this.at(key, this.rev);
      if (kv && kv.lease === id) this.deleteNow(key);
    }
  }

  private deleteNow(key: string, expectedModRevision?: number): DeleteResult {
    const current = this.at(key, this.rev);
    if (!current || (expectedModRevision !== undefined && current.modRevision !== expectedModRevision)) {
      return { ok: false, kv: current, revision: this.rev };
    }
    const rev = this.rev + 1;
    this.append(key, { rev }, { type: 'DELETE', kv: { ...current, modRevision: rev }, prev: current, created: false });
    return { ok: true, revision: rev, prev: current };
  }

  private append(key: string, version: Version, event: WatchEvent): void {
    this.rev = version.rev;
    let versions = this.history.get(key);
    if (!versions) {
      versions = [];
      this.history.set(key, versions);
      this.sortedKeys.splice(this.lowerBound(key), 0, key);
    }
    versions.push(version);
    this.log.push(event);
    this.hub.publish(event);
  }

  /** The live value of `key` as of revision `rev`. */
  private at(key: string, rev: number): KeyValue | undefined {
    const versions = this.history.get(key);
    if (!versions) return undefined;
    for (let i = versions.length - 1; i >= 0; i--) {
      if (versions[i]!.rev <= rev) return versions[i]!.kv;
    }
    return undefined;
  }

  private readRevision(requested = 0): number {
    if (requested <= 0) return this.rev;
    if (requested < this.compacted) throw new CompactedError(requested, this.compacted);
    if (requested > this.rev) throw new Error(`required revision ${requested} is a future revision (current ${this.rev})`);
    return requested;
  }

  private checkLease(lease = 0): number {
    if (lease !== 0 && !this.leases.has(lease)) throw new Error(`lease ${lease} not found`);
    return lease;
  }

  private checkOpen(): void {
    if (this.closed) throw new BackendClosedError();
  }

  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.sortedKeys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareKeys(this.sortedKeys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private firstEventAfter(rev: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid]!.kv.modRevision <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function copy(value: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(value);
}
