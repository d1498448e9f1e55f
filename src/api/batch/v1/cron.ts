/**
 * CronJob schedules as upstream accepts them (the robfig/cron "standard"
 * parser): five fields (minute hour day-of-month month day-of-week) with
 * `*`, `?`, lists, ranges, steps and month/day names, the descriptors
 * @yearly @annually @monthly @weekly @daily @midnight @hourly, and
 * `@every <duration>`. Errors carry upstream's wording because validation
 * returns them verbatim.
 *
 * Day matching follows cron: when both day-of-month and day-of-week are
 * restricted, a day matches if either does; when one is `*` (or `?`), both
 * must.
 */

export interface CronSchedule {
  /** The first activation strictly after `after`, or undefined if none within five years. */
  nextAfter(after: Date, timeZone?: string): Date | undefined;
}

export type CronParseResult = { ok: true; schedule: CronSchedule } | { ok: false; error: string };

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTH_NAMES: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DOW_NAMES: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTH_NAMES },
  { min: 0, max: 6, names: DOW_NAMES },
];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** One parsed field: the allowed values, and whether it was written as a wildcard. */
interface FieldSet {
  values: boolean[];
  star: boolean;
}

type Parsed<X> = { ok: true; value: X } | { ok: false; error: string };

function goList(parts: string[]): string {
  return `[${parts.join(' ')}]`;
}

function parseNumber(s: string, expr: string): Parsed<number> {
  if (!/^[+-]?\d+$/.test(s)) return { ok: false, error: `failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax` };
  const n = Number(s);
  if (n < 0) return { ok: false, error: `negative number (${n}) not allowed: ${expr}` };
  return { ok: true, value: n };
}

function parseValue(s: string, b: Bounds, expr: string): Parsed<number> {
  const named = b.names?.[s.toLowerCase()];
  return named !== undefined ? { ok: true, value: named } : parseNumber(s, expr);
}

/** One comma-separated element: `*`, `?`, `a`, `a-b`, each optionally `/step`. */
function parseRange(expr: string, b: Bounds, out: FieldSet): string | undefined {
  const slash = expr.split('/');
  if (slash.length > 2) return `too many slashes: ${expr}`;
  const dash = slash[0]!.split('-');
  if (dash.length > 2) return `too many hyphens: ${expr}`;
  let start: number;
  let end: number;
  let star = false;
  if (dash[0] === '*' || dash[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    const s = parseValue(dash[0]!, b, expr);
    if (!s.ok) return s.error;
    start = s.value;
    if (dash.length === 2) {
      const e = parseValue(dash[1]!, b, expr);
      if (!e.ok) return e.error;
      end = e.value;
    } else {
      end = start;
    }
  }
  let step = 1;
  if (slash.length === 2) {
    const st = parseNumber(slash[1]!, expr);
    if (!st.ok) return st.error;
    step = st.value;
    // "N/step" means from N to the field's maximum.
    if (!star && dash.length === 1) end = b.max;
    if (step > 1) star = false;
  }
  if (start < b.min) return `beginning of range (${start}) below minimum (${b.min}): ${expr}`;
  if (end > b.max) return `end of range (${end}) above maximum (${b.max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  if (step === 0) return `step of range should be a positive number: ${expr}`;
  for (let i = start; i <= end; i += step) out.values[i] = true;
  if (star) out.star = true;
  return undefined;
}

function parseField(text: string, b: Bounds): Parsed<FieldSet> {
  const out: FieldSet = { values: new Array<boolean>(b.max + 1).fill(false), star: false };
  for (const part of text.split(',')) {
    const err = parseRange(part, b, out);
    if (err) return { ok: false, error: err };
  }
  return { ok: true, value: out };
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds. */
export function parseGoDuration(s: string): Parsed<number> {
  const bad: Parsed<number> = { ok: false, error: `time: invalid duration ${JSON.stringify(s)}` };
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, value: 0 };
  if (rest === '') return bad;
  let total = 0;
  const re = /^(\d*(?:\.\d*)?)([a-zµμ]+)/;
  while (rest.length) {
    const m = re.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') return bad;
    const unit = DURATION_UNITS[m[2]!];
    if (unit === undefined) return { ok: false, error: `time: unknown unit ${JSON.stringify(m[2])} in duration ${JSON.stringify(s)}` };
    total += Number(m[1]) * unit;
    rest = rest.slice(m[0].length);
  }
  return { ok: true, value: sign * total };
}

export function parseCron(expr: string): CronParseResult {
  let spec = expr.trim();
  if (spec === '') return { ok: false, error: 'empty spec string' };
  let zone: string | undefined;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const sp = spec.indexOf(' ');
    const name = spec.slice(spec.indexOf('=') + 1, sp < 0 ? undefined : sp);
    if (!isKnownTimeZone(name)) return { ok: false, error: `provided bad location ${name}: unknown time zone ${name}` };
    zone = name;
    spec = sp < 0 ? '' : spec.slice(sp).trim();
  }
  if (spec.startsWith('@')) {
    if (spec.startsWith('@every ')) {
      const d = parseGoDuration(spec.slice('@every '.length));
      if (!d.ok) return { ok: false, error: `failed to parse duration ${spec}: ${d.error}` };
      // Sub-second delays round up to one second; fractions of a second are dropped.
      const ms = Math.max(1000, d.value - (d.value % 1000));
      return { ok: true, schedule: new EverySchedule(ms) };
    }
    const expanded = DESCRIPTORS[spec];
    if (!expanded) return { ok: false, error: `unrecognized descriptor: ${spec}` };
    spec = expanded;
  }
  const parts = spec.split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5) return { ok: false, error: `expected exactly 5 fields, found ${parts.length}: ${goList(parts)}` };
  const sets: FieldSet[] = [];
  for (let i = 0; i < 5; i++) {
    const f = parseField(parts[i]!, FIELDS[i]!);
    if (!f.ok) return { ok: false, error: f.error };
    sets.push(f.value);
  }
  return { ok: true, schedule: new FieldSchedule(sets, zone) };
}

/** `@every`: a fixed delay after the given time, at whole seconds. */
class EverySchedule implements CronSchedule {
  constructor(readonly delayMs: number) {}
  nextAfter(after: Date): Date {
    const t = after.getTime();
    return new Date(t - (((t % 1000) + 1000) % 1000) + this.delayMs);
  }
}

const MINUTE = 60_000;

class FieldSchedule implements CronSchedule {
  private readonly minute: FieldSet;
  private readonly hour: FieldSet;
  private readonly dom: FieldSet;
  private readonly month: FieldSet;
  private readonly dow: FieldSet;

  constructor(sets: FieldSet[], private readonly zone: string | undefined) {
    [this.minute, this.hour, this.dom, this.month, this.dow] = sets as [FieldSet, FieldSet, FieldSet, FieldSet, FieldSet];
  }

  private dayMatches(w: WallTime): boolean {
    const domOk = this.dom.values[w.day]!;
    const dowOk = this.dow.values[w.weekday]!;
    return this.dom.star || this.dow.star ? domOk && dowOk : domOk || dowOk;
  }

  nextAfter(after: Date, timeZone?: string): Date | undefined {
    // A zone written into the schedule wins, as upstream's parser does.
    const zone = this.zone ?? timeZone ?? localTimeZone();
    let t = Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE;
    const yearLimit = wallTime(t, zone).year + 5;
    for (let guard = 0; guard < 100_000; guard++) {
      const w = wallTime(t, zone);
      if (w.year > yearLimit) return undefined;
      let next: number;
      if (!this.month.values[w.month]) next = zonedInstant(zone, w.year, w.month + 1, 1, 0, 0);
      else if (!this.dayMatches(w)) next = zonedInstant(zone, w.year, w.month, w.day + 1, 0, 0);
      else if (!this.hour.values[w.hour]) next = t + (60 - w.minute) * MINUTE;
      else if (!this.minute.values[w.minute]) next = t + MINUTE;
      else return new Date(t);
      t = next > t ? next : t + MINUTE;
    }
    return undefined;
  }
}

// ---- time zones ----

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

function wallTime(ms: number, zone: string): WallTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday!]!,
  };
}

/** The zone's offset from UTC at an instant, in milliseconds (whole minutes). */
function offsetAt(ms: number, zone: string): number {
  const w = wallTime(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  return asUtc - Math.floor(ms / MINUTE) * MINUTE;
}

/**
 * The instant a wall-clock time names in `zone` (out-of-range parts roll
 * over as in Date.UTC). A time skipped by a DST change maps to a nearby
 * instant; callers re-check the wall clock, so either side of the gap is fine.
 */
function zonedInstant(zone: string, year: number, month: number, day: number, hour: number, minute: number): number {
  const local = Date.UTC(year, month - 1, day, hour, minute);
  const guess = local - offsetAt(local, zone);
  const actual = offsetAt(guess, zone);
  return actual === local - guess ? guess : local - actual;
}

function localTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
}

/** Whether `name` is an IANA zone the runtime knows (exact spelling, as Go's LoadLocation on Linux). */
export function isKnownTimeZone(name: string): boolean {
  if (name === '' || name.toLowerCase() === 'local') return false;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    // Intl ignores case; zone files do not.
    return resolved === name || resolved.toLowerCase() !== name.toLowerCase();
  } catch {
    return false;
  }
}
