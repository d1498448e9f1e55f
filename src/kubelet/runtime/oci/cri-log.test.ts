import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { criTimestamp, formatCriLines, LogPump } from './cri-log.js';

const T = '2024-01-01T00:00:00.000000000Z';

describe('formatCriLines', () => {
  const cases = [
    { name: 'complete lines', data: 'a\nb\n', final: false, text: `${T} stdout F a\n${T} stdout F b\n`, consumed: 4 },
    { name: 'an unfinished line waits', data: 'a\npart', final: false, text: `${T} stdout F a\n`, consumed: 2 },
    { name: 'an unfinished line is flushed at exit', data: 'part', final: true, text: `${T} stdout F part\n`, consumed: 4 },
    { name: 'terminal line endings', data: 'a\r\n', final: false, text: `${T} stdout F a\n`, consumed: 3 },
    { name: 'empty line', data: '\n', final: false, text: `${T} stdout F \n`, consumed: 1 },
    { name: 'long lines split into partials', data: 'abcdefg\n', final: false, maxLine: 3, text: `${T} stdout P abc\n${T} stdout P def\n${T} stdout F g\n`, consumed: 8 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(formatCriLines('stdout', Buffer.from(c.data), { final: c.final, timestamp: T, maxLine: c.maxLine }), { text: c.text, consumed: c.consumed });
    });
  }
});

test('criTimestamp has nine fraction digits', () => {
  assert.equal(criTimestamp(Date.UTC(2024, 0, 2, 3, 4, 5, 678) + 0.25), '2024-01-02T03:04:05.678250000Z');
});

test('LogPump converts, resumes from its offsets, and ends at exit', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-crilog-'));
  try {
    const out = path.join(dir, 'stdout');
    const err = path.join(dir, 'stderr');
    const target = path.join(dir, 'logs', 'c', '0.log');
    let exited = false;
    const mk = () => new LogPump({
      dir,
      sources: [{ file: out, stream: 'stdout' }, { file: err, stream: 'stderr' }],
      target,
      offsetsFile: path.join(dir, 'offsets.json'),
      exited: () => exited,
      now: () => Date.UTC(2024, 0, 1),
    });
    writeFileSync(out, 'one\ntw');
    writeFileSync(err, 'oops\n');
    const first = mk();
    const seen: string[] = [];
    first.subscribe((s, b) => seen.push(`${s}:${b.toString()}`));
    first.pump();
    first.stop();
    assert.deepEqual(seen, ['stdout:one\ntw', 'stderr:oops\n']);
    // A new pump (agent restart) finishes the partial line and sees no duplicates.
    appendFileSync(out, 'o\nlast');
    exited = true;
    const second = mk();
    second.pump();
    assert.equal(second.done, true);
    await second.whenDone();
    const lines = readFileSync(target, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(1).join(' '));
    assert.deepEqual(lines, ['stdout F one', 'stderr F oops', 'stdout F two', 'stdout F last']);
    assert.equal(mk().done, true, 'done is remembered');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
