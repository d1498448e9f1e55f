/**
 * The storage contract: an etcd-like key/value store with one global,
 * monotonic revision. Every write gets the next revision, which becomes the
 * object's resourceVersion. Expected negatives (key exists, revision
 * mismatch) are results, not exceptions.
 *
 * Implementations: memory (tests), sqlite (embedded default), etcd (v3 gRPC).
 * `conformance.case.test.ts` is the one suite every backend must pass.
 */
import type { Disposable } from '../machinery/lifecycle.js';

export interface KeyValue {
  key: string;
  /** Serialized object (JSON bytes). */
  value: Uint8Array;
  /** Revision of the write that created the key (this incarnation). */
  createRevision: number;
  /** Revision of the last write to the key: the resourceVersion. */
  modRevision: number;
  /** Lease the key is attached to, 0 when none. */
  lease: number;
}

export interface RangeOptions {
  /** Read at this revision (0 = latest). Older than the compacted revision: `CompactedError`. */
  revision?: number;
  /** Max keys to return (0 = no limit). */
  limit?: number;
  /** Start from this key (inclusive), for continuing a paged range. */
  startKey?: string;
  /** Only count; kvs is empty. */
  countOnly?: boolean;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** True when there are more keys past the last returned (limit hit). */
  more: boolean;
  /** Total keys matching the prefix at `revision` (from startKey on). */
  count: number;
  /** The revision the read was served at. */
  revision: number;
}

export type WriteResult =
  | { ok: true; revision: number; kv: KeyValue }
  /** Create: the key exists (kv is the current value). Update/delete: key missing (kv undefined) or modRevision mismatch (kv is current). */
  | { ok: false; kv?: KeyValue; revision: number };

export type DeleteResult =
  | { ok: true; revision: number; prev: KeyValue }
  | { ok: false; kv?: KeyValue; revision: number };

export type WatchEventType = 'PUT' | 'DELETE';

export interface WatchEvent {
  type: WatchEventType;
  /** For PUT the new value; for DELETE the key with modRevision = the delete's revision and the last value. */
  kv: KeyValue;
  /** Value before this event (undefined for a create). */
  prev?: KeyValue;
  /** True when this PUT created the key. */
  created: boolean;
}

export interface WatchOptions {
  /** Deliver events with revision > afterRevision (history replayed first). 0 = only new events. */
  afterRevision?: number;
  /** Receives batches of events in revision order. */
  onEvents: (events: WatchEvent[]) => void;
  /** Called once if the watch cannot continue (e.g. `CompactedError`, backend closed). */
  onError?: (err: Error) => void;
  /** Periodic progress notifications: the current revision with no events. */
  onProgress?: (revision: number) => void;
  signal: AbortSignal;
}

export class CompactedError extends Error {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
    this.name = 'CompactedError';
  }
}

export class BackendClosedError extends Error {
  constructor() {
    super('storage backend is closed');
    this.name = 'BackendClosedError';
  }
}

export interface Lease {
  id: number;
  ttlSeconds: number;
}

export interface BackendStats {
  /** Bytes on disk (0 for memory). */
  sizeBytes: number;
  revision: number;
  compactRevision: number;
  keys: number;
}

export interface Backend extends Disposable {
  /** Human name: 'memory' | 'sqlite' | 'etcd'. */
  readonly name: string;
  get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined>;
  /** Keys with the given prefix, in key order. */
  range(prefix: string, opts?: RangeOptions): Promise<RangeResult>;
  /** Create only if the key does not exist. */
  create(key: string, value: Uint8Array, opts?: { lease?: number }): Promise<WriteResult>;
  /** Update only if the key's modRevision equals `expectedModRevision`. */
  update(key: string, value: Uint8Array, expectedModRevision: number, opts?: { lease?: number }): Promise<WriteResult>;
  /** Delete; guarded by modRevision when given. */
  delete(key: string, expectedModRevision?: number): Promise<DeleteResult>;
  /** Subscribe to a prefix: events after `afterRevision` are replayed, then live ones follow. */
  watch(prefix: string, opts: WatchOptions): void;
  /** The latest revision. */
  currentRevision(): Promise<number>;
  /** The oldest revision still readable. */
  compactRevision(): Promise<number>;
  /** Drop history at and below `revision` (latest values are kept). */
  compact(revision: number): Promise<void>;
  grantLease(ttlSeconds: number): Promise<Lease>;
  keepAliveLease(id: number): Promise<void>;
  revokeLease(id: number): Promise<void>;
  stats(): Promise<BackendStats>;
}
