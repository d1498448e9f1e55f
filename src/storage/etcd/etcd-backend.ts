/**
 * The Backend contract on etcd v3. Conditional writes are single Txns whose
 * compares carry the precondition and whose failure branch reads the current
 * value, so a lost compare-and-swap costs one round trip. Watches resume from
 * the last delivered revision after a broken stream, so a fail-over neither
 * drops nor repeats events.
 */
import { realClock, type Clock } from '../../machinery/clock.js';
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
import { prefixRangeEnd } from '../key-range.js';
import { EtcdClient, grpc, grpcDetails, type EtcdTlsFiles } from './etcd-client.js';

export interface EtcdBackendOptions extends EtcdTlsFiles {
  /** Comma-separated `http(s)://host:port` list, or an array of them. */
  endpoints: string | string[];
  logger?: Logger;
  clock?: Clock;
  /** Consecutive failed attempts to re-establish a watch before it reports an error. */
  watchRetries?: number;
}

/** Wire shapes as proto-loader decodes them (int64 as decimal strings). */
interface PbKeyValue {
  key: Buffer;
  create_revision: string;
  mod_revision: string;
  version: string;
  value: Buffer;
  lease: string;
}
interface PbHeader {
  revision: string;
}
interface PbRangeResponse {
  header: PbHeader;
  kvs: PbKeyValue[];
  more: boolean;
  count: string;
}
interface PbTxnResponse {
  header: PbHeader;
  succeeded: boolean;
  responses: { response_range?: PbRangeResponse; response_put?: { prev_kv?: PbKeyValue | null }; response_delete_range?: { deleted: string; prev_kvs: PbKeyValue[] } }[];
}
interface PbDeleteRangeResponse {
  header: PbHeader;
  deleted: string;
  prev_kvs: PbKeyValue[];
}
interface PbEvent {
  type: 'PUT' | 'DELETE';
  kv: PbKeyValue;
  prev_kv?: PbKeyValue | null;
}
interface PbWatchResponse {
  header: PbHeader;
  watch_id: string;
  created: boolean;
  canceled: boolean;
  compact_revision: string;
  cancel_reason: string;
  events: PbEvent[];
}

const EMPTY = Buffer.alloc(0);
/** A key nobody writes, used only to probe which revisions are still readable. */
const PROBE_KEY = Buffer.from('\x00k8ts/compaction-probe');

export class EtcdBackend implements Backend {
  readonly name = 'etcd';
  private readonly client: EtcdClient;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly watchRetries: number;
  private closed = false;
  private readonly streams = new Set<{ close(err: Error): void }>();
  /** Compaction only moves forward, so the last probe result is a safe lower bound. */
  private knownCompacted = 0;

  constructor(opts: EtcdBackendOptions) {
    this.client = new EtcdClient({ endpoints: Array.isArray(opts.endpoints) ? opts.endpoints : opts.endpoints.split(','), caFile: opts.caFile, certFile: opts.certFile, keyFile: opts.keyFile });
    this.log = (opts.logger ?? silentLogger).with({ storage: 'etcd' });
    this.clock = opts.clock ?? realClock;
    this.watchRetries = opts.watchRetries ?? 10;
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | undefined> {
    const res = await this.read({ key: Buffer.from(key), revision: opts.revision ?? 0 });
    return res.kvs[0] ? toKv(res.kvs[0]) : undefined;
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    const start = opts.startKey !== undefined && opts.startKey > prefix ? opts.startKey : prefix;
    const req = {
      key: start === '' ? Buffer.from([0]) : Buffer.from(start),
      range_end: prefixRangeEnd(prefix),
      limit: opts.limit ?? 0,
      revision: opts.revision ?? 0,
      count_only: !!opts.countOnly,
    };
    const res = await this.read(req);
    return {
      kvs: res.kvs.map(toKv),
      more: res.more,
      count: Number(res.count),
      revision: opts.revision || Number(res.header.revision),
    };
  }

  async create(key: string, value: Uint8Array, opts: { lease?: number } = {}): Promise<WriteResult> {
    const k = Buffer.from(key);
    const lease = opts.lease ?? 0;
    const res = await this.txn({
      compare: [{ result: 'EQUAL', target: 'CREATE', key: k, create_revision: 0 }],
      success: [{ request_put: { key: k, value: Buffer.from(value), lease } }],
      failure: [{ request_range: { key: k } }],
    });
    const rev = Number(res.header.revision);
    if (!res.succeeded) return { ok: false, kv: firstKv(res), revision: rev };
    return { ok: true, revision: rev, kv: { key, value, createRevision: rev, modRevision: rev, lease } };
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number, opts: { lease?: number } = {}): Promise<WriteResult> {
    const k = Buffer.from(key);
    const lease = opts.lease ?? 0;
    const res = await this.txn({
      compare: guard(k, expectedModRevision),
      success: [{ request_put: { key: k, value: Buffer.from(value), lease, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    const rev = Number(res.header.revision);
    if (!res.succeeded) return { ok: false, kv: firstKv(res), revision: rev };
    const prev = res.responses[0]?.response_put?.prev_kv;
    return { ok: true, revision: rev, kv: { key, value, createRevision: prev ? Number(prev.create_revision) : rev, modRevision: rev, lease } };
  }

  async delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    const k = Buffer.from(key);
    if (expectedModRevision === undefined) {
      const res = await this.call<PbDeleteRangeResponse>('KV', 'DeleteRange', { key: k, prev_kv: true });
      const rev = Number(res.header.revision);
      const prev = res.prev_kvs[0];
      return prev ? { ok: true, revision: rev, prev: toKv(prev) } : { ok: false, revision: rev };
    }
    const res = await this.txn({
      compare: guard(k, expectedModRevision),
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    const rev = Number(res.header.revision);
    if (!res.succeeded) return { ok: false, kv: firstKv(res), revision: rev };
    const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
    if (!prev) return { ok: false, revision: rev };
    return { ok: true, revision: rev, prev: toKv(prev) };
  }

  watch(prefix: string, opts: WatchOptions): void {
    if (this.closed) {
      queueMicrotask(() => opts.onError?.(new BackendClosedError()));
      return;
    }
    if (opts.signal.aborted) return;
    const rangeEnd = prefixRangeEnd(prefix);
    const key = prefix === '' ? Buffer.from([0]) : Buffer.from(prefix);
    /** Everything up to here has been delivered; a new stream starts after it. */
    let delivered = opts.afterRevision ?? 0;
    let failures = 0;
    let done = false;
    let stream: grpc.ClientDuplexStream<object, PbWatchResponse> | undefined;

    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      this.streams.delete(handle);
      opts.signal.removeEventListener('abort', onAbort);
      stream?.removeAllListeners();
      stream?.on('error', () => {});
      stream?.cancel();
      if (err) opts.onError?.(err);
    };
    const handle = { close: (err: Error) => finish(err) };
    const onAbort = () => finish();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    this.streams.add(handle);

    const connect = () => {
      if (done) return;
      let s: grpc.ClientDuplexStream<object, PbWatchResponse>;
      try {
        s = this.client.duplex('Watch', 'Watch');
      } catch (err) {
        finish(err as Error);
        return;
      }
      stream = s;
      let broken = false;
      const onBroken = (err?: Error) => {
        if (broken || done || stream !== s) return;
        broken = true;
        s.removeAllListeners();
        s.on('error', () => {});
        s.cancel();
        if (this.closed) return finish(new BackendClosedError());
        if (++failures > this.watchRetries) return finish(new Error(`etcd watch on ${prefix} failed: ${err ? grpcDetails(err) : 'stream ended'}`));
        this.log.info('re-establishing etcd watch', { prefix, afterRevision: delivered, attempt: failures, err: err && grpcDetails(err) });
        this.client.rotate();
        // Back off a little so a dead cluster is not hammered.
        this.clock.sleep(Math.min(100 * 2 ** (failures - 1), 2000), opts.signal).then(connect, () => {});
      };
      s.on('data', (res: PbWatchResponse) => {
        if (done || stream !== s) return;
        const compacted = Number(res.compact_revision);
        if (compacted > 0) return finish(new CompactedError(delivered + 1, compacted));
        if (res.canceled) return finish(new Error(`etcd canceled the watch on ${prefix}: ${res.cancel_reason || 'no reason given'}`));
        failures = 0;
        if (res.events.length) {
          const events = res.events.map(toEvent);
          delivered = events[events.length - 1]!.kv.modRevision;
          opts.onEvents(events);
        } else if (res.created) {
          // "From now on" becomes a concrete revision, so a reconnect resumes exactly.
          if (delivered === 0) delivered = Number(res.header.revision);
        } else {
          const rev = Number(res.header.revision);
          if (rev > delivered) delivered = rev;
          opts.onProgress?.(rev);
        }
      });
      s.on('error', (err: Error) => onBroken(err));
      s.on('end', () => onBroken());
      s.write({
        create_request: {
          key,
          range_end: rangeEnd,
          start_revision: delivered > 0 ? delivered + 1 : 0,
          prev_kv: true,
          progress_notify: !!opts.onProgress,
        },
      });
    };
    connect();
  }

  async currentRevision(): Promise<number> {
    const res = await this.call<PbRangeResponse>('KV', 'Range', { key: PROBE_KEY, count_only: true });
    return Number(res.header.revision);
  }

  /**
   * etcd does not report its compacted revision directly; reads below it fail,
   * so a binary search over revisions finds the oldest readable one.
   */
  async compactRevision(): Promise<number> {
    let lo = Math.max(1, this.knownCompacted);
    let hi = await this.currentRevision();
    if (await this.readable(lo)) return lo === 1 ? 0 : lo;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.readable(mid)) hi = mid;
      else lo = mid + 1;
    }
    this.knownCompacted = lo;
    return lo;
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.call('KV', 'Compact', { revision, physical: false });
      this.knownCompacted = Math.max(this.knownCompacted, revision);
    } catch (err) {
      // Compacting to an already compacted revision is a no-op, as in the other backends.
      if (err instanceof CompactedError) return;
      throw err;
    }
  }

  async grantLease(ttlSeconds: number): Promise<Lease> {
    for (let attempt = 0; ; attempt++) {
      // Choosing the ID ourselves keeps it exactly representable as a JS number.
      const id = 1 + Math.floor(Math.random() * (2 ** 52 - 1));
      try {
        const res = await this.call<{ ID: string; TTL: string; error: string }>('Lease', 'LeaseGrant', { TTL: ttlSeconds, ID: id });
        if (res.error) throw new Error(`etcd lease grant: ${res.error}`);
        return { id: Number(res.ID), ttlSeconds: Number(res.TTL) };
      } catch (err) {
        if (attempt < 3 && /lease already exists/.test(grpcDetails(err))) continue;
        throw err;
      }
    }
  }

  async keepAliveLease(id: number): Promise<void> {
    this.checkOpen();
    const s = this.client.duplex('Lease', 'LeaseKeepAlive') as grpc.ClientDuplexStream<object, { TTL: string }>;
    try {
      const ttl = await new Promise<number>((resolve, reject) => {
        s.once('data', (res: { TTL: string }) => resolve(Number(res.TTL)));
        s.once('error', reject);
        s.once('end', () => reject(new Error('etcd lease keep-alive stream ended')));
        s.write({ ID: id });
      });
      if (ttl <= 0) throw new Error(`lease ${id} not found`);
    } finally {
      s.removeAllListeners();
      s.on('error', () => {});
      s.cancel();
    }
  }

  async revokeLease(id: number): Promise<void> {
    await this.call('Lease', 'LeaseRevoke', { ID: id });
  }

  async stats(): Promise<BackendStats> {
    const [status, all, compacted] = await Promise.all([
      this.call<{ header: PbHeader; dbSize: string }>('Maintenance', 'Status', {}),
      this.call<PbRangeResponse>('KV', 'Range', { key: Buffer.from([0]), range_end: Buffer.from([0]), count_only: true }),
      this.compactRevision(),
    ]);
    return { sizeBytes: Number(status.dbSize), revision: Number(all.header.revision), compactRevision: compacted, keys: Number(all.count) };
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.streams]) s.close(new BackendClosedError());
    this.client.close();
  }

  private async readable(revision: number): Promise<boolean> {
    try {
      await this.call('KV', 'Range', { key: PROBE_KEY, revision, count_only: true });
      return true;
    } catch (err) {
      if (err instanceof CompactedError) return false;
      throw err;
    }
  }

  /** A Range whose compaction error names the actual compacted revision. */
  private async read(req: { revision: number; [field: string]: unknown }): Promise<PbRangeResponse> {
    try {
      return await this.call<PbRangeResponse>('KV', 'Range', req);
    } catch (err) {
      if (!(err instanceof CompactedError)) throw err;
      const compacted = await this.compactRevision().catch(() => err.compacted);
      throw new CompactedError(req.revision, compacted);
    }
  }

  private txn(req: object): Promise<PbTxnResponse> {
    return this.call<PbTxnResponse>('KV', 'Txn', req);
  }

  /** One RPC with etcd's error strings turned into the contract's errors. */
  private async call<Res>(service: 'KV' | 'Lease' | 'Maintenance', method: string, req: object): Promise<Res> {
    this.checkOpen();
    try {
      return await this.client.unary<Res>(service, method, req);
    } catch (err) {
      if (this.closed) throw new BackendClosedError();
      const details = grpcDetails(err);
      if (/required revision has been compacted/.test(details)) {
        throw new CompactedError((req as { revision?: number }).revision ?? 0, this.knownCompacted);
      }
      if (/requested lease not found/.test(details)) throw new Error(`lease not found: ${details}`, { cause: err });
      throw new Error(`etcd ${method}: ${details}`, { cause: err });
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new BackendClosedError();
  }
}

/** The key exists and was last written at exactly `modRevision`. */
function guard(key: Buffer, modRevision: number): object[] {
  return [
    { result: 'EQUAL', target: 'MOD', key, mod_revision: modRevision },
    // A missing key has mod_revision 0; this keeps "expected 0" from creating it.
    { result: 'GREATER', target: 'CREATE', key, create_revision: 0 },
  ];
}

function firstKv(res: PbTxnResponse): KeyValue | undefined {
  const kv = res.responses[0]?.response_range?.kvs[0];
  return kv ? toKv(kv) : undefined;
}

function toKv(kv: PbKeyValue): KeyValue {
  return {
    key: kv.key.toString('utf8'),
    value: kv.value ?? EMPTY,
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    lease: Number(kv.lease),
  };
}

function toEvent(ev: PbEvent): WatchEvent {
  const prev = ev.prev_kv ? toKv(ev.prev_kv) : undefined;
  if (ev.type === 'DELETE') {
    // etcd sends only the key and revision of a deletion; the last value comes from prev_kv.
    const modRevision = Number(ev.kv.mod_revision);
    const kv: KeyValue = prev ? { ...prev, modRevision } : { key: ev.kv.key.toString('utf8'), value: EMPTY, createRevision: 0, modRevision, lease: 0 };
    return { type: 'DELETE', kv, prev, created: false };
  }
  const kv = toKv(ev.kv);
  const created = kv.createRevision === kv.modRevision;
  return { type: 'PUT', kv, prev: created ? undefined : prev, created };
}
