/**
 * Completion indexes of Indexed Jobs: the index a pod carries, and sets of
 * indexes in the compressed text form of status.completedIndexes and
 * status.failedIndexes ("1,3-5", where two neighbours print as "1,2").
 */
import type { Pod } from '../framework/pods.js';
import { JOB_COMPLETION_INDEX_ANNOTATION, JOB_INDEX_FAILURE_COUNT_ANNOTATION } from './types.js';

/** The pod's completion index, or undefined when it has none or a malformed one. */
export function completionIndexOf(pod: Pod): number | undefined {
  const raw = pod.metadata.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION] ?? pod.metadata.labels?.[JOB_COMPLETION_INDEX_ANNOTATION];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** How many failures of earlier pods of the same index this pod inherits (backoffLimitPerIndex). */
export function indexFailureCountOf(pod: Pod): number {
  const raw = pod.metadata.annotations?.[JOB_INDEX_FAILURE_COUNT_ANNOTATION];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : 0;
}

export interface Interval {
  first: number;
  last: number;
}

/** A sorted set of non-overlapping, non-adjacent intervals. */
export class IndexSet {
  private constructor(readonly intervals: readonly Interval[]) {}

  static empty(): IndexSet {
    return new IndexSet([]);
  }

  static of(indexes: Iterable<number>): IndexSet {
    return IndexSet.empty().with(indexes);
  }

  /** Parses the status form, dropping malformed parts and indexes outside [0, completions). */
  static parse(text: string | undefined, completions: number): IndexSet {
    const out: number[] = [];
    for (const part of (text ?? '').split(',')) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
      if (!m) continue;
      const first = Number(m[1]);
      const last = m[2] === undefined ? first : Math.min(Number(m[2]), completions - 1);
      for (let i = first; i <= last && i < completions; i++) out.push(i);
    }
    return IndexSet.of(out);
  }

  with(indexes: Iterable<number>): IndexSet {
    const all = new Set<number>();
    for (const iv of this.intervals) for (let i = iv.first; i <= iv.last; i++) all.add(i);
    for (const i of indexes) all.add(i);
    const sorted = [...all].sort((a, b) => a - b);
    const intervals: Interval[] = [];
    for (const i of sorted) {
      const last = intervals.at(-1);
      if (last && last.last + 1 === i) last.last = i;
      else intervals.push({ first: i, last: i });
    }
    return new IndexSet(intervals);
  }

  has(i: number): boolean {
    return this.intervals.some((iv) => iv.first <= i && i <= iv.last);
  }

  total(): number {
    return this.intervals.reduce((n, iv) => n + iv.last - iv.first + 1, 0);
  }

  toString(): string {
    return this.intervals.map((iv) => (iv.last === iv.first ? `${iv.first}` : `${iv.first}${iv.last === iv.first + 1 ? ',' : '-'}${iv.last}`)).join(',');
  }
}
