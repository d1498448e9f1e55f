import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isKnownTimeZone, parseCron, parseGoDuration } from './cron.js';

function next(expr: string, after: string, tz = 'UTC'): string | undefined {
  const r = parseCron(expr);
  assert.ok(r.ok, `parse ${expr}: ${r.ok ? '' : r.error}`);
  return r.schedule.nextAfter(new Date(after), tz)?.toISOString();
}

describe('parseCron errors (upstream wording)', () => {
  const cases: [string, string][] = [
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['0 0 * * * *', 'expected exactly 5 fields, found 6: [0 0 * * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* 24 * * *', 'end of range (24) above maximum (23): 24'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['* * * 13 *', 'end of range (13) above maximum (12): 13'],
    ['* * * * 7', 'end of range (7) above maximum (6): 7'],
    ['5-2 * * * *', 'beginning of range (5) beyond end of range (2): 5-2'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['*/2/3 * * * *', 'too many slashes: */2/3'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['@every soon', 'failed to parse duration @every soon: time: invalid duration "soon"'],
  ];
  for (const [expr, want] of cases) {
    test(JSON.stringify(expr), () => {
      const r = parseCron(expr);
      assert.equal(r.ok, false);
      assert.equal(r.ok ? '' : r.error, want);
    });
  }
});

describe('parseCron accepts upstream syntax', () => {
  for (const expr of ['* * * * *', '*/5 * * * *', '0 0 1,15 * *', '0 9-17/2 * * mon-fri', '0 0 * JAN,jul SUN', '? ? ? ? ?', '5/10 * * * *', '@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually', '@every 1h30m', 'TZ=UTC 0 0 * * *']) {
    test(expr, () => assert.ok(parseCron(expr).ok));
  }
});

describe('nextAfter', () => {
  const cases: [string, string, string, string | undefined, string?][] = [
    ['every minute', '* * * * *', '2024-01-01T10:00:30Z', '2024-01-01T10:01:00.000Z'],
    ['strictly after an exact match', '*/15 * * * *', '2024-01-01T10:15:00Z', '2024-01-01T10:30:00.000Z'],
    ['hour rollover', '0 * * * *', '2024-01-01T10:59:00Z', '2024-01-01T11:00:00.000Z'],
    ['day rollover', '30 6 * * *', '2024-01-01T07:00:00Z', '2024-01-02T06:30:00.000Z'],
    ['year rollover', '0 0 1 1 *', '2024-06-01T00:00:00Z', '2025-01-01T00:00:00.000Z'],
    ['month names', '0 0 1 mar *', '2024-01-15T00:00:00Z', '2024-03-01T00:00:00.000Z'],
    ['N/step runs to the maximum', '50/5 * * * *', '2024-01-01T10:51:00Z', '2024-01-01T10:55:00.000Z'],
    // 2024-01-05 is a Friday, before the 13th: either day matches.
    ['dom and dow restricted: OR', '0 0 13 * 5', '2024-01-01T00:00:00Z', '2024-01-05T00:00:00.000Z'],
    // With the day-of-week a star, only the day of month counts.
    ['dow star: dom only', '0 0 13 * *', '2024-01-01T00:00:00Z', '2024-01-13T00:00:00.000Z'],
    // With the day of month a star, only the weekday counts (2024-01-07 is a Sunday).
    ['dom star: dow only', '0 0 * * 0', '2024-01-01T00:00:00Z', '2024-01-07T00:00:00.000Z'],
    ['dom ? behaves as star', '0 0 ? * 0', '2024-01-01T00:00:00Z', '2024-01-07T00:00:00.000Z'],
    ['leap day', '0 0 29 2 *', '2024-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['impossible date gives none', '0 0 30 2 *', '2024-01-01T00:00:00Z', undefined],
    ['@weekly is Sunday midnight', '@weekly', '2024-01-01T00:00:00Z', '2024-01-07T00:00:00.000Z'],
    ['time zone', '0 9 * * *', '2024-01-01T00:00:00Z', '2024-01-01T14:00:00.000Z', 'America/New_York'],
    ['time zone, summer offset', '0 9 * * *', '2024-07-01T00:00:00Z', '2024-07-01T07:00:00.000Z', 'Europe/Berlin'],
    // 02:30 does not exist in New York on 2024-03-10; the next run is the following day.
    ['DST gap skipped', '30 2 * * *', '2024-03-10T00:00:00Z', '2024-03-11T06:30:00.000Z', 'America/New_York'],
    ['DST day still runs other hours', '0 3 * * *', '2024-03-10T00:00:00Z', '2024-03-10T07:00:00.000Z', 'America/New_York'],
    ['half-hour zone', '0 0 * * *', '2024-01-01T00:00:00Z', '2024-01-01T18:30:00.000Z', 'Asia/Kolkata'],
    ['TZ prefix wins over argument', 'TZ=Asia/Tokyo 0 0 * * *', '2024-01-01T00:00:00Z', '2024-01-01T15:00:00.000Z', 'UTC'],
  ];
  for (const [name, expr, after, want, tz] of cases) test(name, () => assert.equal(next(expr, after, tz), want));

  test('@every adds the delay at whole seconds', () => {
    const r = parseCron('@every 90s');
    assert.ok(r.ok);
    assert.equal(r.schedule.nextAfter(new Date('2024-01-01T00:00:00.700Z'))!.toISOString(), '2024-01-01T00:01:30.000Z');
  });

  test('@every below a second rounds up to one second', () => {
    const r = parseCron('@every 10ms');
    assert.ok(r.ok);
    assert.equal(r.schedule.nextAfter(new Date('2024-01-01T00:00:00Z'))!.toISOString(), '2024-01-01T00:00:01.000Z');
  });
});

describe('helpers', () => {
  const durations: [string, number | undefined][] = [
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['0', 0],
    ['', undefined],
    ['5', undefined],
    ['3d', undefined],
  ];
  for (const [s, want] of durations) {
    test(`duration ${JSON.stringify(s)}`, () => {
      const r = parseGoDuration(s);
      assert.equal(r.ok ? r.value : undefined, want);
    });
  }

  const zones: [string, boolean][] = [
    ['UTC', true],
    ['Europe/Berlin', true],
    ['America/New_York', true],
    ['america/new_york', false],
    ['Mars/Olympus', false],
    ['Local', false],
    ['', false],
  ];
  for (const [z, want] of zones) test(`time zone ${JSON.stringify(z)}`, () => assert.equal(isKnownTimeZone(z), want));
});
