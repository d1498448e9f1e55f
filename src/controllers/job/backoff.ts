/**
 * The delay before a Job replaces failed pods: 10s after the first failure
 * since the last success, doubling per further failure, capped at ten
 * minutes, measured from the last failure. Derived from the pods themselves
 * (a Job keeps its finished pods), so it survives a controller restart.
 */
import { type JobPod, podFinishTime } from './job-pod.js';

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

/** `failed` says which pods count as failures (policy-ignored ones do not). */
export function backoffRecordFor(pods: readonly JobPod[], failed: (p: JobPod) => boolean, now: number): BackoffRecord {
  const finished = pods
    .map((p) => ({ pod: p, ok: p.status?.phase === 'Succeeded', bad: failed(p), at: podFinishTime(p, now) }))
    .filter((e) => e.ok || e.bad)
    .sort((a, b) => a.at - b.at);
  let record: BackoffRecord = { failuresAfterLastSuccess: 0 };
  for (const e of finished) {
    if (e.ok) record = { failuresAfterLastSuccess: 0 };
    else record = { failuresAfterLastSuccess: record.failuresAfterLastSuccess + 1, lastFailureTime: e.at };
  }
  return record;
}

/** Milliseconds still to wait before creating pods; 0 when free to go. */
export function remainingBackoffMs(record: BackoffRecord, now: number, opts: { baseMs?: number; maxMs?: number } = {}): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  const max = opts.maxMs ?? MAX_POD_FAILURE_BACKOFF_MS;
  let delay = opts.baseMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS;
  for (let i = 1; i < record.failuresAfterLastSuccess && delay < max; i++) delay *= 2;
  delay = Math.min(delay, max);
  const elapsed = now - record.lastFailureTime;
  return elapsed > delay ? 0 : delay - elapsed;
}
