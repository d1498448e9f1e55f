/** Summary statistics for latency samples, in the units they were recorded in. */

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN for none. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  return percentileOfSorted(sorted(samples), p);
}

export function percentileOfSorted(s: ArrayLike<number>, p: number): number {
  if (!s.length) return NaN;
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1]!;
}

export function median(samples: ArrayLike<number>): number {
  return percentile(samples, 50);
}

export function sorted(samples: ArrayLike<number>): Float64Array {
  return Float64Array.from(samples).sort();
}

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: ArrayLike<number>): LatencySummary {
  const s = sorted(samples);
  return { p50: round(percentileOfSorted(s, 50)), p99: round(percentileOfSorted(s, 99)), max: round(s.length ? s[s.length - 1]! : NaN) };
}

/** Rounds to 3 significant decimals: enough for milliseconds, short in JSON. */
export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
