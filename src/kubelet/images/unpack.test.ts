import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildWhiteoutImage, missingImageTools } from '../../testing/test-images.js';
import { sha256Digest } from './digest.js';
import type { TarWriteEntry } from './tar-entry.js';
import { writeTar } from './tar-writer.js';
import { applyLayer, resolveInRoot } from './unpack.js';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-unpack-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function layer(entries: TarWriteEntry[], { gzip = true } = {}): string {
  const p = path.join(dir, `layer-${n++}`);
  const tar = writeTar(entries);
  fs.writeFileSync(p, gzip ? gzipSync(tar) : tar);
  return p;
}
function freshRoot(): { root: string; outside: string } {
  const base = path.join(dir, `case-${n++}`);
  fs.mkdirSync(path.join(base, 'root'), { recursive: true });
  fs.mkdirSync(path.join(base, 'outside'));
  return { root: path.join(base, 'root'), outside: path.join(base, 'outside') };
}
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      out.push(r);
      const st = fs.lstatSync(path.join(root, r));
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

describe('applyLayer', () => {
  test('whiteouts and opaque directories of the two-layer test image', { skip: missingImageTools({ registry: false }) }, async () => {
    const img = await buildWhiteoutImage(path.join(dir, 'wh-image'));
    const { root } = freshRoot();
    for (const l of img.layers) {
      const r = await applyLayer(path.join(img.dir, 'blobs', 'sha256', l.digest.slice(7)), root);
      assert.equal(r.diffID, l.diffID);
    }
    const t = tree(root).filter((p) => p.startsWith('data') || p.startsWith('opq'));
    assert.deepEqual(t, ['data', 'data/added.txt', 'data/keep.txt', 'opq', 'opq/new.txt']);
    assert.equal(fs.readlinkSync(path.join(root, 'bin/sh')), 'busybox');
    assert.equal(fs.statSync(path.join(root, 'tmp')).mode & 0o7777, 0o1777);
    assert.ok(!tree(root).some((p) => path.basename(p).startsWith('.wh.')));
  });

  test('uncompressed layers, diffID over the whole stream', async () => {
    const entries: TarWriteEntry[] = [{ path: 'a.txt', type: 'file', data: Buffer.from('a') }];
    const p = layer(entries, { gzip: false });
    const { root } = freshRoot();
    const r = await applyLayer(p, root);
    assert.equal(r.diffID, sha256Digest(fs.readFileSync(p)));
    assert.equal(fs.readFileSync(path.join(root, 'a.txt'), 'utf8'), 'a');
  });

  test('a file replaces a directory and a directory replaces a file', async () => {
    const { root } = freshRoot();
    await applyLayer(layer([{ path: 'x', type: 'dir' }, { path: 'x/inner', type: 'file', data: Buffer.from('1') }, { path: 'y', type: 'file', data: Buffer.from('2') }]), root);
    await applyLayer(layer([{ path: 'x', type: 'file', data: Buffer.from('now a file') }, { path: 'y', type: 'dir', mode: 0o700 }]), root);
    assert.equal(fs.readFileSync(path.join(root, 'x'), 'utf8'), 'now a file');
    assert.ok(fs.statSync(path.join(root, 'y')).isDirectory());
    assert.equal(fs.statSync(path.join(root, 'y')).mode & 0o777, 0o700);
  });

  test('modes, setuid, hardlinks and ownership (as root)', async () => {
    const { root } = freshRoot();
    await applyLayer(
      layer([
        { path: 'bin', type: 'dir' },
        { path: 'bin/su', type: 'file', mode: 0o4755, data: Buffer.from('#!') },
        { path: 'bin/su2', type: 'hardlink', linkname: 'bin/su' },
        { path: 'home', type: 'dir', uid: 65534, gid: 65534, mode: 0o700 },
      ]),
      root,
    );
    assert.equal(fs.statSync(path.join(root, 'bin/su')).mode & 0o7777, 0o4755);
    assert.equal(fs.statSync(path.join(root, 'bin/su2')).ino, fs.statSync(path.join(root, 'bin/su')).ino);
    if (process.getuid?.() === 0) assert.equal(fs.statSync(path.join(root, 'home')).uid, 65534);
  });

  const escapes: { name: string; layers: TarWriteEntry[][]; inside: string }[] = [
    { name: 'dot-dot paths stay inside', layers: [[{ path: '../../outside/pwned', type: 'file', data: Buffer.from('x') }]], inside: 'outside/pwned' },
    {
      name: 'absolute symlink followed inside the root',
      layers: [[{ path: 'evil', type: 'symlink', linkname: '/' }], [{ path: 'evil/etc-pwned', type: 'file', data: Buffer.from('x') }]],
      inside: 'etc-pwned',
    },
    {
      name: 'relative symlink climbing out is clamped at the root',
      layers: [[{ path: 'up', type: 'symlink', linkname: '../../../../outside' }], [{ path: 'up/pwned', type: 'file', data: Buffer.from('x') }]],
      inside: 'outside/pwned',
    },
    {
      name: 'whiteout through a symlink stays inside',
      layers: [[{ path: 'out', type: 'symlink', linkname: '../outside' }], [{ path: 'out/.wh.keep', type: 'file' }]],
      inside: '',
    },
  ];
  for (const c of escapes) {
    test(`no escape: ${c.name}`, async () => {
      const { root, outside } = freshRoot();
      fs.writeFileSync(path.join(outside, 'keep'), 'host file');
      for (const l of c.layers) await applyLayer(layer(l), root);
      assert.deepEqual(fs.readdirSync(outside), ['keep']);
      if (c.inside) assert.ok(fs.existsSync(path.join(root, c.inside)), `${c.inside} inside the root`);
    });
  }

  test('a hardlink to a host file is refused', async () => {
    const { root } = freshRoot();
    await assert.rejects(applyLayer(layer([{ path: 'passwd', type: 'hardlink', linkname: '../outside/keep' }]), root), /hardlink/);
  });

  test('resolveInRoot follows chained symlinks inside the root', async () => {
    const { root } = freshRoot();
    fs.mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
    fs.symlinkSync('usr/lib', path.join(root, 'lib'));
    fs.symlinkSync('/lib', path.join(root, 'lib64'));
    assert.equal(await resolveInRoot(root, 'lib64/x.so'), path.join(root, 'usr/lib/x.so'));
    assert.equal(await resolveInRoot(root, 'lib64', { followLast: true }), path.join(root, 'usr/lib'));
    assert.equal(await resolveInRoot(root, 'lib64'), path.join(root, 'lib64'));
  });

  test('a corrupt gzip layer is refused', async () => {
    const p = path.join(dir, 'corrupt');
    const gz = gzipSync(writeTar([{ path: 'a', type: 'file', data: Buffer.alloc(10000, 1) }]));
    gz[gz.length - 20] ^= 0xff;
    fs.writeFileSync(p, gz);
    const { root } = freshRoot();
    await assert.rejects(applyLayer(p, root));
  });
});
