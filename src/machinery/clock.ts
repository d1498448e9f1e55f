/**
 * Time is injected everywhere it matters so tests can drive it. Real code
 * takes a `Clock`; tests pass a `FakeClock` and step it.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** RFC 3339 with second precision, as metav1.Time serializes. */
  nowRFC3339(): string;
  setTimeout(fn: () => void, ms: number): Timer;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

let lastSecond = NaN;
let lastRFC3339 = '';

/** Whole seconds: every write records one, and within a second the text is the same (kept from the last call). */
export function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastRFC3339 = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    lastSecond = second;
  }
  return lastRFC3339;
}

export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export const realClock: Clock = {
  now: () => Date.now(),
  nowRFC3339: () => rfc3339(Date.now()),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to; timers fire in order on `step`. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private pending: Pending[] = [];
  constructor(start = Date.UTC(2025, 0, 1)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  nowRFC3339(): string {
    return rfc3339(this.t);
  }
  setTimeout(fn: () => void, ms: number): Timer {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return { cancel: () => (p.cancelled = true) };
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = this.setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        timer.cancel();
        reject(signal.reason);
      }, { once: true });
    });
  }
  /** Advances time, firing due timers in order. */
  step(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      const due = this.pending.filter((p) => !p.cancelled && p.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.pending = this.pending.filter((p) => p !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = target;
    this.pending = this.pending.filter((p) => !p.cancelled);
  }
  hasWaiters(): boolean {
    return this.pending.some((p) => !p.cancelled);
  }
}
