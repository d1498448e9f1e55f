/**
 * The embedded default backend: a log-structured table in SQLite, shaped like
 * kine's. Every write appends one row whose id is the write's revision; the
 * newest row per name is the key's current value. A write reads that row and
 * appends the next inside a BEGIN IMMEDIATE transaction, so compare-and-swap
 * is atomic even against another connection to the file. History is kept until
 * compaction, which runs on a timer and then hands the freed pages back to
 * the file system.
 *
 * Writes commit in groups: the first write opens a transaction, every write
 * made until the event loop's next check phase joins it, and one COMMIT ends
 * it. Only then are the writes acknowledged and their watch events published,
 * so a write a caller has seen succeed is on disk (WAL), and a burst of writes
 * (thousands of nodes' heartbeats) pays for a commit once instead of per write.
 * Reads on this connection see the writes of the open group; watchers and
 * `currentRevision` see only committed revisions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { realClock, type Clock, type Timer } from '../../machinery/clock.js';
import { silentLogger, type Logger } from '../../machinery/log.js';
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
import { LeaseTimers } from '../lease-timers.js';
import { WatchHub } from '../watch-hub.js';
import { SCHEMA, STATEMENTS } from './schema.js';

export interface SqliteBackendOptions {
  /** Database file; its directory is created when missing. */
  path: string;
  clock?: Clock;
  logger?: Logger;
  /** How often automatic compaction runs (default 5 minutes; 0 disables it). */
  compactIntervalMs?: number;
  /** Automatic compaction keeps at least this many revisions of history (default 1000). */
  compactMinRetain?: number;
  /** Revisions deleted per transaction while compacting, so reads and writes interleave. */
  compactBatch?: number;
  /** Interval of progress notifications to watchers that ask for them. */
  progressIntervalMs?: number;
}

interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  lease: number;
  value: Buffer | null;
  old_value: Buffer | null;
  prev_lease?: number | null;
}

type Stmt = Database.Statement<unknown[], unknown>;

/** Writes waiting for their group's COMMIT. */
interface Group {
  events: WatchEvent[];
  settle: { resolve: () => void; reject: (err: unknown) => void }[];
}

const EMPTY = Buffer.alloc(0);
/** Every TEXT value sorts below any BLOB in SQLite: an upper bound for "the whole keyspace". */
const END_OF_KEYSPACE = Buffer.from([0xff]);

export class SqliteBackend implements Backend {
  readonly name = 'sqlite';
  readonly path: string;
  private readonly db: Database.Database;
  private readonly st: Record<keyof typeof STATEMENTS, Stmt>;
  /** The newest revision written, committed or in the open group. */
  private rev: number;
  /** The newest committed revision: what watchers and readers of the current revision may see. */
  private committed: number;
  private group?: Group;
  private compacted: number;
  private closed = false;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly hub: WatchHub;
  private readonly leaseTimers: LeaseTimers;
  private readonly leases = new Map<number, { ttlSeconds: number }>();
  private compactTimer?: Timer;
  private compaction: Promise<void> = Promise.resolve();
  private readonly compactBatch: number;

  constructor(opts: SqliteBackendOptions) {
    this.path = opts.path;
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? silentLogger).with({ storage: 'sqlite' });
    this.compactBatch = opts.compactBatch ?? 10_000;
    fs.mkdirSync(path.dirname(opts.path), { recursive: true });
    this.db = new Database(opts.path);
    // auto_vacuum only takes effect on a database without tables, so it comes first.
    this.db.pragma('auto_vacuum = INCREMENTAL');
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode loses nothing when the process dies; only an OS crash
    // or power loss can drop the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.st = Object.fromEntries(Object.entries(STATEMENTS).map(([k, sql]) => [k, this.db.prepare(sql)])) as Record<keyof typeof STATEMENTS, Stmt>;
    this.rev = (this.st.sequence.get() as { seq: number } | undefined)?.seq ?? 0;
    this.committed = this.rev;
    this.compacted = (this.st.metaGet.get('compact_revision') as { value: number } | undefined)?.value ?? 0;
    this.hub = new WatchHub({ clock: this.clock, progressIntervalMs: opts.progressIntervalMs ?? 5000, currentRevision: () => this.committed });
    this.leaseTimers = new LeaseTimers(this.clock, (id) => this.expire(id));
    for (const l of this.st.leaseAll.all() as { id: number; ttl: number; expires_at: number }[]) {
      this.leases.set(l.id, { ttlSeconds: l.ttl });
      this.leaseTimers.set(l.id, l.expires_at);
    }
    const interval = opts.compactIntervalMs ?? 5 * 60_000;
    if (interval > 0) this.scheduleCompaction(interval, opts.compactMinRetain ?? 1000);
    this.log.debug('opened storage', { path: opts.path, revision: this.rev, compactRevision: this.compacted });
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | undefined> {
    this.checkOpen();
    const rev = this.readRevision(opts.revision);
    const row = this.st.latestAt.get(key, rev) as Row | undefined;
    return row && !row.deleted ? toKv(row) : undefined;
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    this.checkOpen();
    const rev = this.readRevision(opts.revision);
    const lo = opts.startKey !== undefined && opts.startKey > prefix ? opts.startKey : prefix;
    const hi = sqlitePrefixEnd(prefix);
    const bounds = { lo, hi, rev };
    const limit = opts.limit ?? 0;
    if (opts.countOnly) {
      const { n } = this.st.count.get(bounds) as { n: number };
      return { kvs: [], more: false, count: n, revision: rev };
    }
    // One row beyond the limit tells whether there are more without a count.
    const rows = (this.st.range.all({ ...bounds, limit: limit > 0 ? limit + 1 : -1 }) as Row[]).filter((r) => r.name.startsWith(prefix));
    const more = limit > 0 && rows.length > limit;
    const kvs = (more ? rows.slice(0, limit) : rows).map(toKv);
    const count = more ? (this.st.count.get(bounds) as { n: number }).n : kvs.length;
    return { kvs, more, count, revision: rev };
  }

  async create(key: string, value: Uint8Array, opts: { lease?: number } = {}): Promise<WriteResult> {
    this.checkOpen();
    const lease = this.checkLease(opts.lease);
    const cur = this.st.latest.get(key) as Row | undefined;
    if (cur && !cur.deleted) return { ok: false, kv: toKv(cur), revision: this.rev };
    const id = this.rev + 1;
    const row: Row = { id, name: key, created: 1, deleted: 0, create_revision: id, prev_revision: cur?.id ?? 0, lease, value: toBuffer(value), old_value: null };
    const group = this.openGroup();
    if (!this.insert(row)) return this.conflict(key);
    const kv = toKv(row);
    return this.acknowledge(group, { type: 'PUT', kv, created: true }, { ok: true, revision: id, kv });
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number, opts: { lease?: number } = {}): Promise<WriteResult> {
    this.checkOpen();
    const lease = this.checkLease(opts.lease);
    const cur = this.st.latest.get(key) as Row | undefined;
    if (!cur || cur.deleted) return { ok: false, revision: this.rev };
    if (cur.id !== expectedModRevision) return { ok: false, kv: toKv(cur), revision: this.rev };
    const id = this.rev + 1;
    const row: Row = { id, name: key, created: 0, deleted: 0, create_revision: cur.create_revision, prev_revision: cur.id, lease, value: toBuffer(value), old_value: null };
    const group = this.openGroup();
    if (!this.insert(row)) return this.conflict(key);
    const kv = toKv(row);
    return this.acknowledge(group, { type: 'PUT', kv, prev: toKv(cur), created: false }, { ok: true, revision: id, kv });
  }

  async delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    this.checkOpen();
    const d = this.deleteNow(key, expectedModRevision);
    return d.group ? this.acknowledge(d.group, undefined, d.result) : d.result;
  }

  watch(prefix: string, opts: WatchOptions): void {
    if (this.closed) {
      queueMicrotask(() => opts.onError?.(new BackendClosedError()));
      return;
    }
    const after = opts.afterRevision ?? 0;
    if (after > 0 && after < this.compacted) {
      const compacted = this.compacted;
      queueMicrotask(() => opts.onError?.(new CompactedError(after + 1, compacted)));
      return;
    }
    // Reading history and registering happen in one synchronous step: no write
    // can land between them, so replay and live delivery meet exactly.
    // History comes from committed rows only; the open group's writes follow as live events at its commit.
    let replay: WatchEvent[] = [];
    if (after > 0 && after < this.committed) {
      const rows = this.st.replay.all({ lo: prefix, hi: sqlitePrefixEnd(prefix), after, rev: this.committed }) as Row[];
      replay = rows.filter((r) => r.name.startsWith(prefix)).map(toEvent);
    }
    this.hub.add(prefix, opts, replay, after);
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.committed;
  }

  async compactRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.committed) return Promise.reject(new Error(`cannot compact to revision ${revision}: it is in the future (current ${this.committed})`));
    // Compactions queue behind each other so their batches never interleave.
    const run = this.compaction.then(() => this.compactNow(revision));
    this.compaction = run.catch(() => {});
    return run;
  }

  async grantLease(ttlSeconds: number): Promise<Lease> {
    this.checkOpen();
    const expiresAt = this.clock.now() + ttlSeconds * 1000;
    const group = this.openGroup();
    const id = Number(this.st.leaseInsert.run(ttlSeconds, expiresAt).lastInsertRowid);
    this.leases.set(id, { ttlSeconds });
    this.leaseTimers.set(id, expiresAt);
    return this.acknowledge(group, undefined, { id, ttlSeconds });
  }

  async keepAliveLease(id: number): Promise<void> {
    this.checkOpen();
    const lease = this.leases.get(id);
    if (!lease) throw new Error(`lease ${id} not found`);
    const expiresAt = this.clock.now() + lease.ttlSeconds * 1000;
    const group = this.openGroup();
    this.st.leaseRenew.run(expiresAt, id);
    this.leaseTimers.set(id, expiresAt);
    return this.acknowledge(group, undefined, undefined);
  }

  async revokeLease(id: number): Promise<void> {
    this.checkOpen();
    if (!this.leases.has(id)) throw new Error(`lease ${id} not found`);
    const group = this.openGroup();
    this.expire(id);
    return this.acknowledge(group, undefined, undefined);
  }

  async stats(): Promise<BackendStats> {
    this.checkOpen();
    const { n } = this.st.count.get({ lo: '', hi: END_OF_KEYSPACE, rev: this.rev }) as { n: number };
    return { sizeBytes: this.sizeBytes(), revision: this.rev, compactRevision: this.compacted, keys: n };
  }

  /** Rows in the log table, for tests and diagnostics. */
  rowCount(): number {
    return (this.st.rowCount.get() as { n: number }).n;
  }

  /** Bytes of the database file plus its write-ahead log. */
  sizeBytes(): number {
    let total = 0;
    for (const f of [this.path, this.path + '-wal']) {
      try {
        total += fs.statSync(f).size;
      } catch {}
    }
    return total;
  }

  dispose(): void {
    if (this.closed) return;
    this.commitGroup();
    this.closed = true;
    this.compactTimer?.cancel();
    this.leaseTimers.dispose();
    this.hub.closeAll(new BackendClosedError());
    this.db.close();
  }

  /** The open write group, opening one (BEGIN IMMEDIATE) that commits at the loop's next check phase. */
  private openGroup(): Group {
    if (this.group) {
      if (this.db.inTransaction) return this.group;
      // SQLite rolled the transaction back itself (an I/O error, a full disk): the group failed.
      this.failGroup(new Error('the write transaction was rolled back'));
    }
    this.st.begin.run();
    const group: Group = { events: [], settle: [] };
    this.group = group;
    setImmediate(() => {
      if (this.group === group) this.commitGroup();
    });
    return group;
  }

  /** Resolves with `result` once the group is committed; its watch event is published then. */
  private acknowledge<T>(group: Group, event: WatchEvent | undefined, result: T): Promise<T> {
    if (event) group.events.push(event);
    return new Promise<T>((resolve, reject) => group.settle.push({ resolve: () => resolve(result), reject }));
  }

  /** Commits the open group (if any): publishes its events, then acknowledges its writes. */
  private commitGroup(): void {
    const group = this.group;
    if (!group) return;
    this.group = undefined;
    try {
      this.st.commit.run();
    } catch (err) {
      this.group = group;
      this.failGroup(err);
      return;
    }
    this.committed = this.rev;
    for (const ev of group.events) this.hub.publish(ev);
    for (const s of group.settle) s.resolve();
  }

  /** Nothing of the open group reached the disk: it is rolled back, and none of its writes is acknowledged. */
  private failGroup(err: unknown): void {
    const group = this.group!;
    this.group = undefined;
    this.log.error('committing writes failed', { writes: group.settle.length, err });
    try {
      if (this.db.inTransaction) this.st.rollback.run();
    } catch {}
    this.rev = this.committed;
    for (const s of group.settle) s.reject(err);
  }

  private insert(row: Row): boolean {
    try {
      this.st.insert.run(row.id, row.name, row.created, row.deleted, row.create_revision, row.prev_revision, row.lease, row.value, row.old_value);
    } catch (err) {
      // Another connection to the same file won the compare-and-swap.
      if ((err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) return false;
      throw err;
    }
    this.rev = row.id;
    return true;
  }

  private conflict(key: string): WriteResult {
    const cur = this.st.latest.get(key) as Row | undefined;
    this.rev = Math.max(this.rev, (this.st.sequence.get() as { seq: number } | undefined)?.seq ?? 0);
    return { ok: false, kv: cur && !cur.deleted ? toKv(cur) : undefined, revision: this.rev };
  }

  /** Deletes within the open group; the caller acknowledges the result with the group. */
  private deleteNow(key: string, expectedModRevision?: number): { result: DeleteResult; group?: Group } {
    const cur = this.st.latest.get(key) as Row | undefined;
    if (!cur || cur.deleted) return { result: { ok: false, revision: this.rev } };
    if (expectedModRevision !== undefined && cur.id !== expectedModRevision) return { result: { ok: false, kv: toKv(cur), revision: this.rev } };
    const id = this.rev + 1;
    const row: Row = { id, name: key, created: 0, deleted: 1, create_revision: cur.create_revision, prev_revision: cur.id, lease: cur.lease, value: cur.value, old_value: null };
    const group = this.openGroup();
    if (!this.insert(row)) {
      const c = this.conflict(key);
      return { result: { ok: false, kv: c.kv, revision: c.revision } };
    }
    const prev = toKv(cur);
    group.events.push({ type: 'DELETE', kv: { ...prev, modRevision: id }, prev, created: false });
    return { result: { ok: true, revision: id, prev }, group };
  }

  /** Deletes a lease and its keys in the open group (opened here when a lease runs out on its own). */
  private expire(id: number): void {
    if (this.closed || !this.leases.delete(id)) return;
    this.openGroup();
    this.leaseTimers.delete(id);
    for (const { name } of this.st.leaseKeys.all(id) as { name: string }[]) this.deleteNow(name);
    this.st.leaseDelete.run(id);
  }

  private async compactNow(target: number): Promise<void> {
    if (this.closed || target <= this.compacted) return;
    const t0 = Date.now();
    const from = this.compacted;
    const sizeBefore = this.sizeBytes();
    let rows = 0;
    for (let lo = from; lo < target && !this.closed; lo += this.compactBatch) {
      const hi = Math.min(target, lo + this.compactBatch);
      // Compaction batches are transactions of their own, not part of a write group.
      this.commitGroup();
      this.db.transaction(() => {
        rows += this.st.compact.run({ from: lo, to: hi }).changes;
        this.st.metaSet.run('compact_revision', hi);
      })();
      this.compacted = hi;
      await yieldToLoop();
    }
    if (this.closed) return;
    this.commitGroup();
    this.db.pragma('incremental_vacuum');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.log.info('compacted storage', {
      fromRevision: from,
      toRevision: target,
      rowsDeleted: rows,
      bytesBefore: sizeBefore,
      bytesAfter: this.sizeBytes(),
      ms: Date.now() - t0,
    });
  }

  private scheduleCompaction(intervalMs: number, minRetain: number): void {
    this.compactTimer = this.clock.setTimeout(() => {
      const target = this.committed - minRetain;
      const done = target > this.compacted ? this.compact(target) : Promise.resolve();
      done
        .catch((err) => this.log.error('automatic compaction failed', { err }))
        .finally(() => {
          if (!this.closed) this.scheduleCompaction(intervalMs, minRetain);
        });
    }, intervalMs);
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
}

/**
 * Upper bound for names with this prefix under SQLite's byte-wise TEXT order.
 * Bumping a final ASCII character is exact; otherwise the bound is loose and
 * callers filter with startsWith.
 */
function sqlitePrefixEnd(prefix: string): string | Buffer {
  if (prefix === '') return END_OF_KEYSPACE;
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last < 0x7f) return prefix.slice(0, -1) + String.fromCharCode(last + 1);
  return prefix + '\u{10FFFF}';
}

function toBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function toKv(r: Row): KeyValue {
  return { key: r.name, value: r.value ?? EMPTY, createRevision: r.create_revision, modRevision: r.id, lease: r.lease };
}

function toEvent(r: Row): WatchEvent {
  if (r.created) return { type: 'PUT', kv: toKv(r), created: true };
  const prev: KeyValue = { key: r.name, value: r.old_value ?? EMPTY, createRevision: r.create_revision, modRevision: r.prev_revision, lease: r.deleted ? r.lease : (r.prev_lease ?? 0) };
  return { type: r.deleted ? 'DELETE' : 'PUT', kv: toKv(r), prev, created: false };
}
