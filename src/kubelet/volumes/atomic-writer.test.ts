import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, lstatSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AtomicWriter, type Payload, validatePayloadPath } from './atomic-writer.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-atomic-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const file = (s: string, mode = 0o644) => ({ data: Buffer.from(s), mode });

describe('AtomicWriter', () => {
  test('first write creates ..data, the timestamped dir and visible symlinks', async () => {
    const dir = path.join(tmp, 'first');
    const w = new AtomicWriter(dir);
    const r = await w.write(new Map([['a', file('A')], ['sub/b', file('B', 0o600)]]));
    assert.deepEqual(r, { ok: true, changed: true });
    const entries = readdirSync(dir).sort();
    assert.equal(entries.length, 4, entries.join(','));
    assert.ok(entries.includes('..data') && entries.includes('a') && entries.includes('sub'));
    const ts = readlinkSync(path.join(dir, '..data'));
    assert.match(ts, /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.[0-9a-f]+$/);
    assert.equal(readlinkSync(path.join(dir, 'a')), '..data/a');
    assert.equal(readFileSync(path.join(dir, 'a'), 'utf8'), 'A');
    assert.equal(readFileSync(path.join(dir, 'sub/b'), 'utf8'), 'B');
    assert.equal(statSync(path.join(dir, 'sub/b')).mode & 0o777, 0o600);
  });

  test('an update swaps ..data, removes the old dir and dropped keys', async () => {
    const dir = path.join(tmp, 'update');
    const w = new AtomicWriter(dir);
    await w.write(new Map([['keep', file('1')], ['drop', file('x')]]));
    const before = readlinkSync(path.join(dir, '..data'));
    // A reader holding the old file keeps seeing consistent old content through its resolved path.
    const resolvedOld = realpathSync(path.join(dir, 'keep'));
    const r = await w.write(new Map([['keep', file('2')], ['new', file('n')]]));
    assert.deepEqual(r, { ok: true, changed: true });
    const after = readlinkSync(path.join(dir, '..data'));
    assert.notEqual(after, before);
    assert.equal(readFileSync(path.join(dir, 'keep'), 'utf8'), '2');
    assert.equal(readFileSync(path.join(dir, 'new'), 'utf8'), 'n');
    assert.throws(() => lstatSync(path.join(dir, 'drop')));
    assert.throws(() => statSync(resolvedOld), 'old timestamped dir is removed');
    assert.deepEqual(readdirSync(dir).sort(), ['..data', after, 'keep', 'new'].sort());
  });

  test('an unchanged payload is not rewritten', async () => {
    const dir = path.join(tmp, 'same');
    const w = new AtomicWriter(dir);
    await w.write(new Map([['k', file('v')]]));
    const ts = readlinkSync(path.join(dir, '..data'));
    assert.deepEqual(await w.write(new Map([['k', file('v')]])), { ok: true, changed: false });
    assert.equal(readlinkSync(path.join(dir, '..data')), ts);
    assert.deepEqual(await w.write(new Map([['k', file('v', 0o400)]])), { ok: true, changed: true }, 'a mode change is a change');
  });

  test('an empty payload leaves only ..data', async () => {
    const dir = path.join(tmp, 'empty');
    const w = new AtomicWriter(dir);
    await w.write(new Map([['k', file('v')]]));
    assert.deepEqual(await w.write(new Map() as Payload), { ok: true, changed: true });
    assert.equal(readdirSync(dir).filter((e) => !e.startsWith('..')).length, 0);
  });

  const bad: { name: string; p: string; want: string }[] = [
    { name: 'empty', p: '', want: 'invalid path: must not be empty: ""' },
    { name: 'absolute', p: '/etc/passwd', want: 'invalid path: must be relative path: /etc/passwd' },
    { name: 'backstep', p: 'a/../../b', want: "invalid path: must not contain '..': a/../../b" },
    { name: 'leading ..', p: '..data', want: "invalid path: must not start with '..': ..data" },
    { name: 'long name', p: 'x'.repeat(256), want: 'invalid path: filenames must be less than or equal to 255 characters' },
  ];
  for (const c of bad) {
    test(`refuses path: ${c.name}`, async () => {
      assert.equal(validatePayloadPath(c.p), c.want);
      const r = await new AtomicWriter(path.join(tmp, 'bad')).write(new Map([[c.p, file('x')]]));
      assert.deepEqual(r, { ok: false, message: c.want });
    });
  }
  test('refuses a name starting with ..', () => assert.equal(validatePayloadPath('..a'), "invalid path: must not start with '..': ..a"));
  test('accepts plain nested paths', () => assert.equal(validatePayloadPath('a/b/c.txt'), undefined));
});
