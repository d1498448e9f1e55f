import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { type ContainerLogOptions, parseCRILogLine, writeContainerLogs } from './container-logs.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-logs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('CRI log lines', () => {
  const cases: { name: string; line: string; want: { time: string; stream: string; partial: boolean; text: string } | undefined }[] = [
    { name: 'full stdout line', line: '2024-01-02T03:04:05.123456789Z stdout F hello world', want: { time: '2024-01-02T03:04:05.123456789Z', stream: 'stdout', partial: false, text: 'hello world' } },
    { name: 'partial stderr line', line: '2024-01-02T03:04:05.1Z stderr P par', want: { time: '2024-01-02T03:04:05.1Z', stream: 'stderr', partial: true, text: 'par' } },
    { name: 'trailing zeros of the fraction dropped as Go prints them', line: '2024-01-02T03:04:05.500000000Z stdout F x', want: { time: '2024-01-02T03:04:05.5Z', stream: 'stdout', partial: false, text: 'x' } },
    { name: 'an all-zero fraction vanishes', line: '2024-01-02T03:04:05.000000000Z stdout F x', want: { time: '2024-01-02T03:04:05Z', stream: 'stdout', partial: false, text: 'x' } },
    { name: 'empty text', line: '2024-01-02T03:04:05Z stdout F ', want: { time: '2024-01-02T03:04:05Z', stream: 'stdout', partial: false, text: '' } },
    { name: 'line without tag (pre-CRI 1.11)', line: '2024-01-02T03:04:05Z stdout plain text', want: { time: '2024-01-02T03:04:05Z', stream: 'stdout', partial: false, text: 'plain text' } },
    { name: 'unknown stream', line: '2024-01-02T03:04:05Z stdwhat F x', want: undefined },
    { name: 'bad timestamp', line: 'yesterday stdout F x', want: undefined },
    { name: 'too few fields', line: 'garbage', want: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = parseCRILogLine(Buffer.from(c.line));
      if (!c.want) return assert.equal(r.ok, false);
      assert.ok(r.ok);
      assert.deepEqual({ time: r.record.time, stream: r.record.stream, partial: r.record.partial, text: r.record.text.toString() }, c.want);
    });
  }
});

function logFile(name: string, lines: string[]): string {
  const p = path.join(dir, name);
  writeFileSync(p, lines.map((l) => l + '\n').join(''));
  return p;
}

async function read(p: string, opts: Partial<ContainerLogOptions>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (d: Buffer) => chunks.push(d));
  await writeContainerLogs(p, out, { follow: false, timestamps: false, ...opts });
  return Buffer.concat(chunks).toString();
}

describe('writeContainerLogs', () => {
  const p = logFile('basic.log', [
    '2024-01-01T00:00:01.000000000Z stdout F one',
    '2024-01-01T00:00:02.000000000Z stderr F two',
    '2024-01-01T00:00:03.000000000Z stdout P thr',
    '2024-01-01T00:00:03.100000000Z stdout F ee',
    'not a log line',
    '2024-01-01T00:00:04.000000000Z stdout F four',
  ]);
  const cases: { name: string; opts: Partial<ContainerLogOptions>; want: string }[] = [
    { name: 'everything, partial lines joined, bad lines skipped', opts: {}, want: 'one\ntwo\nthree\nfour\n' },
    { name: 'tailLines counts records from the end', opts: { tailLines: 2 }, want: 'four\n' },
    { name: 'tailLines 0 prints nothing', opts: { tailLines: 0 }, want: '' },
    { name: 'tailLines beyond the file prints all', opts: { tailLines: 100 }, want: 'one\ntwo\nthree\nfour\n' },
    { name: 'sinceTime drops older records', opts: { sinceMs: Date.parse('2024-01-01T00:00:02Z') }, want: 'two\nthree\nfour\n' },
    { name: 'timestamps prefix every record (tail counts raw lines, the bad one too)', opts: { timestamps: true, tailLines: 4 }, want: '2024-01-01T00:00:03Z thr2024-01-01T00:00:03.1Z ee\n2024-01-01T00:00:04Z four\n' },
    { name: 'limitBytes truncates the output', opts: { limitBytes: 6 }, want: 'one\ntw' },
    { name: 'one stream only', opts: { stream: 'stderr' }, want: 'two\n' },
  ];
  for (const c of cases) test(c.name, async () => assert.equal(await read(p, c.opts), c.want));

  test('follow streams new records, survives rotation and ends when the container stops', async () => {
    const f = logFile('follow.log', ['2024-01-01T00:00:01Z stdout F first']);
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    let running = true;
    const ac = new AbortController();
    const done = writeContainerLogs(f, out, { follow: true, timestamps: false }, { isRunning: async () => running, signal: ac.signal, pollMs: 20 });
    const waitFor = async (s: string) => {
      for (let i = 0; i < 200 && !text.includes(s); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(text.includes(s), `expected ${JSON.stringify(s)} in ${JSON.stringify(text)}`);
    };
    await waitFor('first\n');
    appendFileSync(f, '2024-01-01T00:00:02Z stdout F second\n');
    await waitFor('second\n');
    // Rotation: the runtime renames the file and starts a new one.
    appendFileSync(f, '2024-01-01T00:00:03Z stdout F last-of-old\n');
    renameSync(f, f + '.1');
    writeFileSync(f, '2024-01-01T00:00:04Z stdout F first-of-new\n');
    await waitFor('first-of-new\n');
    running = false;
    appendFileSync(f, '2024-01-01T00:00:05Z stdout F final\n');
    await done;
    assert.equal(text, 'first\nsecond\nlast-of-old\nfirst-of-new\nfinal\n');
  });

  test('follow ends when the client goes away', async () => {
    const f = logFile('abort.log', ['2024-01-01T00:00:01Z stdout F x']);
    const ac = new AbortController();
    const done = writeContainerLogs(f, new PassThrough(), { follow: true, timestamps: false }, { isRunning: async () => true, signal: ac.signal, pollMs: 20 });
    setTimeout(() => ac.abort(), 50);
    await done;
  });
});
