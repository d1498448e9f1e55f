/**
 * When a CronJob is due, as upstream's controller computes it: the most
 * recent schedule time not yet run (counting missed ones, with a warning
 * beyond 100), and how long until the next one.
 */
import { type CronSchedule, parseCron } from '../../api/batch/v1/cron.js';

/** Upstream pads each requeue by 100ms so clock skew never makes it fire early. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
export const MANY_MISSED_THRESHOLD = 100;

export type Missed = 'none' | 'few' | 'many';

export interface ScheduleInput {
  creationTimestamp?: string | null;
  lastScheduleTime?: string;
  startingDeadlineSeconds?: number;
  timeZone?: string;
}

export interface MostRecent {
  earliest: number;
  mostRecent?: number;
  missed: Missed;
  error?: string;
}

/** A parsed schedule bound to the CronJob's time zone. */
export interface BoundSchedule {
  next(after: number): number | undefined;
}

export function bindSchedule(schedule: string, timeZone: string | undefined): { ok: true; schedule: BoundSchedule } | { ok: false; error: string } {
  const parsed = parseCron(schedule);
  if (!parsed.ok) return parsed;
  const cron: CronSchedule = parsed.schedule;
  return { ok: true, schedule: { next: (after) => cron.nextAfter(new Date(after), timeZone)?.getTime() } };
}

export function mostRecentScheduleTime(cj: ScheduleInput, now: number, sched: BoundSchedule, opts: { includeStartingDeadline: boolean }): MostRecent {
  let earliest = parse(cj.lastScheduleTime) ?? parse(cj.creationTimestamp) ?? now;
  if (opts.includeStartingDeadline && cj.startingDeadlineSeconds !== undefined) {
    // Nothing older than the deadline will be started anyway.
    const deadline = now - cj.startingDeadlineSeconds * 1000;
    if (deadline > earliest) earliest = deadline;
  }
  const t1 = sched.next(earliest);
  if (t1 === undefined || now < t1) return { earliest, missed: 'none' };
  const t2 = sched.next(t1);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  const elapsed = Math.floor((now - t1) / 1000);
  const missedCount = Math.floor(elapsed / between) + 1;
  // Jump close to now instead of walking every missed slot; one interval back keeps irregular schedules exact.
  const potentialEarliest = t1 + (missedCount - 2) * between * 1000;
  let mostRecent: number | undefined;
  for (let t = sched.next(potentialEarliest); t !== undefined && t <= now; t = sched.next(t)) mostRecent = t;
  if (missedCount > MANY_MISSED_THRESHOLD) return { earliest, mostRecent, missed: 'many' };
  if (missedCount > 1) return { earliest, mostRecent, missed: 'few' };
  return { earliest, mostRecent, missed: 'none' };
}

/** The unmet schedule time to run now, if any. */
export function nextScheduleTime(cj: ScheduleInput, now: number, sched: BoundSchedule): MostRecent {
  const r = mostRecentScheduleTime(cj, now, sched, { includeStartingDeadline: true });
  if (r.mostRecent !== undefined && r.mostRecent > now) return { ...r, mostRecent: undefined };
  return r;
}

/** Milliseconds until the next schedule time after the last one due, plus the skew pad. */
export function nextScheduleDelayMs(cj: ScheduleInput, now: number, sched: BoundSchedule): number | undefined {
  const r = mostRecentScheduleTime(cj, now, sched, { includeStartingDeadline: false });
  const from = r.error ? now : (r.mostRecent ?? r.earliest);
  const next = sched.next(from);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - now;
}

/** Deterministic per scheduled time, so a retried create cannot make the same run twice. */
export function jobNameFor(cronJobName: string, scheduledTime: number): string {
  return `${cronJobName}-${Math.floor(scheduledTime / 60_000)}`;
}

/** RFC 3339 with the zone's offset (Z for UTC), as Go's time.Format(time.RFC3339) in that location. */
export function formatRFC3339InZone(ms: number, timeZone: string | undefined): string {
  const zone = timeZone || 'UTC';
  const parts: Record<string, string> = {};
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  });
  for (const p of fmt.formatToParts(new Date(ms))) parts[p.type] = p.value;
  const offset = (parts.timeZoneName ?? 'GMT').replace(/^GMT/, '');
  const year = String(Number(parts.year)).padStart(4, '0');
  return `${year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset === '' || offset === '+00:00' ? 'Z' : offset}`;
}

/** Go's time.RFC1123Z in UTC, which the MissSchedule event prints. */
export function formatRFC1123Z(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p2(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}

function parse(s: string | null | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}
