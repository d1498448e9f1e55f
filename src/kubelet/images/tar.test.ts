import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TarFormatError, readTar } from './tar-reader.js';
import type { TarHeader, TarWriteEntry } from './tar-entry.js';
import { writeTar } from './tar-writer.js';

async function readAll(buf: Buffer, chunk = 1000): Promise<{ header: TarHeader; data: Buffer }[]> {
  async function* chunks() {
    for (let i = 0; i < buf.length; i += chunk) yield buf.subarray(i, i + chunk);
  }
  const out: { header: TarHeader; data: Buffer }[] = [];
  for await (const e of readTar(chunks())) out.push({ header: e.header, data: await e.readAll() });
  return out;
}

const longDir = 'd'.repeat(120);
const entries: TarWriteEntry[] = [
  { path: 'dir', type: 'dir', mode: 0o750, uid: 1000, gid: 1001, mtime: 1234567890 },
  { path: 'dir/empty', type: 'file' },
  { path: 'dir/block', type: 'file', data: Buffer.alloc(512, 7) },
  { path: 'dir/big', type: 'file', data: Buffer.alloc(1 << 20, 3), mode: 0o4755 },
  { path: `${longDir}/${'f'.repeat(80)}.txt`, type: 'file', data: Buffer.from('long') },
  { path: 'link', type: 'symlink', linkname: `/${'t'.repeat(150)}` },
  { path: 'hard', type: 'hardlink', linkname: 'dir/empty' },
  { path: 'ünïcode-名前', type: 'file', data: Buffer.from('u') },
];

describe('tar writer and reader', () => {
  for (const chunk of [1, 511, 4096, 1 << 22]) {
    test(`round trip with ${chunk}-byte chunks`, async () => {
      // One-byte chunks only over the small members, to keep the test quick.
      const want = chunk === 1 ? entries.filter((e) => (e.data?.length ?? 0) < 4096) : entries;
      const got = await readAll(writeTar(want), chunk);
      assert.equal(got.length, want.length);
      for (const [i, e] of want.entries()) {
        const g = got[i]!;
        assert.equal(g.header.path, e.path, `entry ${i}`);
        assert.equal(g.header.type, e.type);
        if (e.mode !== undefined) assert.equal(g.header.mode, e.mode);
        if (e.uid !== undefined) assert.equal(g.header.uid, e.uid);
        if (e.mtime !== undefined) assert.equal(g.header.mtime, e.mtime);
        assert.equal(g.header.linkname, e.linkname);
        assert.deepEqual(g.data, e.type === 'file' ? (e.data ?? Buffer.alloc(0)) : Buffer.alloc(0));
      }
    });
  }

  test('GNU tar reads what we write (long names via pax)', { skip: !fs.existsSync('/usr/bin/tar') && 'tar missing' }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-tar-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.tar'), writeTar(entries));
      const listed = execFileSync('tar', ['-tf', path.join(dir, 'a.tar')], { encoding: 'utf8' }).trim().split('\n');
      assert.deepEqual(listed, entries.map((e) => (e.type === 'dir' ? `${e.path}/` : e.path)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const format of ['gnu', 'pax', 'ustar']) {
    test(`reads GNU tar's ${format} format`, { skip: !fs.existsSync('/usr/bin/tar') && 'tar missing' }, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-tar-'));
      try {
        const src = path.join(dir, 'src');
        const deep = format === 'ustar' ? 'x'.repeat(90) : 'y'.repeat(130);
        fs.mkdirSync(path.join(src, 'sub', deep), { recursive: true });
        fs.writeFileSync(path.join(src, 'sub', deep, 'file.txt'), 'content');
        fs.symlinkSync('sub', path.join(src, 'ln'));
        execFileSync('tar', [`--format=${format}`, '-cf', path.join(dir, 'a.tar'), '-C', src, '.']);
        const got = await readAll(fs.readFileSync(path.join(dir, 'a.tar')));
        const file = got.find((g) => g.header.path === `sub/${deep}/file.txt`);
        assert.ok(file, got.map((g) => g.header.path).join(','));
        assert.equal(file.data.toString(), 'content');
        assert.equal(got.find((g) => g.header.path === 'ln')?.header.linkname, 'sub');
        assert.equal(got.find((g) => g.header.path === '')?.header.type, 'dir');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('a corrupt header checksum is refused', async () => {
    const t = writeTar([{ path: 'a', type: 'file', data: Buffer.from('x') }]);
    t[0] = 'b'.charCodeAt(0);
    await assert.rejects(readAll(t), TarFormatError);
  });

  test('a truncated archive is refused', async () => {
    const t = writeTar([{ path: 'a', type: 'file', data: Buffer.alloc(2000, 1) }]);
    await assert.rejects(readAll(t.subarray(0, 1200)), /unexpected EOF/);
  });

  test('an unread body is skipped', async () => {
    const t = writeTar([{ path: 'a', type: 'file', data: Buffer.alloc(3000, 1) }, { path: 'b', type: 'file', data: Buffer.from('b') }]);
    const names: string[] = [];
    async function* one() {
      yield t;
    }
    for await (const e of readTar(one())) names.push(e.header.path);
    assert.deepEqual(names, ['a', 'b']);
  });
});
