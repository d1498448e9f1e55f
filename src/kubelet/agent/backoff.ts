/**
 * Per-key exponential back-off measured from when the failure happened, as
 * kubelet's: the first failure restarts at once, later ones wait 10 s, 20 s
 * ... up to 5 minutes; a key quiet for twice the maximum starts over (a
 * container that ran ten minutes is forgiven its past crashes).
 */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();
  readonly initialMs: number;
  readonly maxMs: number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 10_000;
    this.maxMs = opts.maxMs ?? 300_000;
  }

  /** The current delay of `key` (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Records a failure at `eventTime`: the delay grows, or starts over when the last one is long past. */
  next(key: string, eventTime: number): void {
    const e = this.entries.get(key);
    if (!e || eventTime - e.lastUpdate > 2 * this.maxMs) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: eventTime });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = eventTime;
  }

  /** Whether `now` is still inside the delay that started at `eventTime`. */
  isInBackOffSince(key: string, eventTime: number, now: number): boolean {
    const e = this.entries.get(key);
    if (!e || eventTime - e.lastUpdate > 2 * this.maxMs) return false;
    return now - eventTime < e.backoffMs;
  }

  /** Whether `now` is inside the delay started by the last `next` (image pulls count from the failure itself). */
  isInBackOffSinceUpdate(key: string, now: number): boolean {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.maxMs) return false;
    return now - e.lastUpdate < e.backoffMs;
  }

  /** When the current delay of `key` ends, measured from its last update. */
  retryAtSinceUpdate(key: string): number | undefined {
    const e = this.entries.get(key);
    return e && e.lastUpdate + e.backoffMs;
  }

  /** When the delay that started at `eventTime` ends. */
  retryAt(key: string, eventTime: number): number {
    return eventTime + this.get(key);
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drops entries quiet for longer than twice the maximum. */
  gc(now: number): void {
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }

  /** Forgets every key with this prefix (a pod that went away). */
  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

/** Upstream's duration spelling for back-off messages: `10s`, `1m20s`, `5m0s`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`;
}

/** Go's time.Duration spelling, for "pulled in 1.5s" messages. */
export function formatGoDuration(ms: number): string {
  if (ms < 1) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${Number((ms / 1000).toFixed(3))}s`;
}
