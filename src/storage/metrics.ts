/**
 * Latency observation for any backend, so the API server can export storage
 * request durations without each backend knowing about metrics.
 */
import type { Backend, BackendStats, DeleteResult, KeyValue, Lease, RangeOptions, RangeResult, WatchOptions, WriteResult } from './interface.js';

/** `op` is the Backend method name; `seconds` covers failures too. */
export type ObserveLatency = (op: string, seconds: number) => void;

export function instrumentBackend(backend: Backend, observe: ObserveLatency): Backend {
  return new InstrumentedBackend(backend, observe);
}

class InstrumentedBackend implements Backend {
  constructor(private readonly inner: Backend, private readonly observe: ObserveLatency) {}

  get name(): string {
    return this.inner.name;
  }

  private async timed<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const t0 = process.hrtime.bigint();
    try {
      return await fn();
    } finally {
      this.observe(op, Number(process.hrtime.bigint() - t0) / 1e9);
    }
  }

  get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined> {
    return this.timed('get', () => this.inner.get(key, opts));
  }
  range(prefix: string, opts?: RangeOptions): Promise<RangeResult> {
    return this.timed('range', () => this.inner.range(prefix, opts));
  }
  create(key: string, value: Uint8Array, opts?: { lease?: number }): Promise<WriteResult> {
    return this.timed('create', () => this.inner.create(key, value, opts));
  }
  update(key: string, value: Uint8Array, expectedModRevision: number, opts?: { lease?: number }): Promise<WriteResult> {
    return this.timed('update', () => this.inner.update(key, value, expectedModRevision, opts));
  }
  delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    return this.timed('delete', () => this.inner.delete(key, expectedModRevision));
  }
  /** Watches are long-lived; their setup cost is not a request latency. */
  watch(prefix: string, opts: WatchOptions): void {
    this.inner.watch(prefix, opts);
  }
  currentRevision(): Promise<number> {
    return this.timed('currentRevision', () => this.inner.currentRevision());
  }
  compactRevision(): Promise<number> {
    return this.timed('compactRevision', () => this.inner.compactRevision());
  }
  compact(revision: number): Promise<void> {
    return this.timed('compact', () => this.inner.compact(revision));
  }
  grantLease(ttlSeconds: number): Promise<Lease> {
    return this.timed('grantLease', () => this.inner.grantLease(ttlSeconds));
  }
  keepAliveLease(id: number): Promise<void> {
    return this.timed('keepAliveLease', () => this.inner.keepAliveLease(id));
  }
  revokeLease(id: number): Promise<void> {
    return this.timed('revokeLease', () => this.inner.revokeLease(id));
  }
  stats(): Promise<BackendStats> {
    return this.timed('stats', () => this.inner.stats());
  }
  dispose(): void | Promise<void> {
    return this.inner.dispose();
  }
}
