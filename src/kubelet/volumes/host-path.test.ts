import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { checkHostPathType } from './host-path.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-hostpath-'));
const dir = path.join(tmp, 'dir');
const file = path.join(tmp, 'file');
const sock = path.join(tmp, 'sock');
let server: net.Server;

before(async () => {
  mkdirSync(dir);
  writeFileSync(file, 'x');
  server = net.createServer();
  await new Promise<void>((r) => server.listen(sock, r));
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});

describe('checkHostPathType', () => {
  const missing = () => path.join(tmp, 'missing');
  const cases: { name: string; p: () => string; type: string; want: string | undefined }[] = [
    { name: 'no type accepts anything', p: missing, type: '', want: undefined },
    { name: 'Directory on a directory', p: () => dir, type: 'Directory', want: undefined },
    { name: 'Directory on a file', p: () => file, type: 'Directory', want: `hostPath type check failed: ${file} is not a directory` },
    { name: 'Directory on nothing', p: missing, type: 'Directory', want: `hostPath type check failed: ${path.join(tmp, 'missing')} is not a directory` },
    { name: 'DirectoryOrCreate on a file', p: () => file, type: 'DirectoryOrCreate', want: `hostPath type check failed: ${file} is not a directory` },
    { name: 'File on a file', p: () => file, type: 'File', want: undefined },
    { name: 'File on a directory', p: () => dir, type: 'File', want: `hostPath type check failed: ${dir} is not a file` },
    { name: 'FileOrCreate on a directory', p: () => dir, type: 'FileOrCreate', want: `hostPath type check failed: ${dir} is not a file` },
    { name: 'Socket on a socket', p: () => sock, type: 'Socket', want: undefined },
    { name: 'Socket on a file', p: () => file, type: 'Socket', want: `hostPath type check failed: ${file} is not a socket file` },
    { name: 'CharDevice on /dev/null', p: () => '/dev/null', type: 'CharDevice', want: undefined },
    { name: 'CharDevice on a file', p: () => file, type: 'CharDevice', want: `hostPath type check failed: ${file} is not a character device` },
    { name: 'BlockDevice on a file', p: () => file, type: 'BlockDevice', want: `hostPath type check failed: ${file} is not a block device` },
    { name: 'unknown type', p: () => file, type: 'Fifo', want: 'Fifo is an invalid volume type' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await checkHostPathType(c.p(), c.type);
      assert.deepEqual(r, c.want === undefined ? { ok: true } : { ok: false, message: c.want });
    });
  }

  test('DirectoryOrCreate creates nested directories with mode 0755', async () => {
    const p = path.join(tmp, 'made/deep');
    assert.deepEqual(await checkHostPathType(p, 'DirectoryOrCreate'), { ok: true });
    assert.ok(statSync(p).isDirectory());
    assert.equal(statSync(p).mode & 0o777, 0o755);
  });

  test('FileOrCreate creates an empty file with mode 0644', async () => {
    const p = path.join(tmp, 'made-file');
    assert.deepEqual(await checkHostPathType(p, 'FileOrCreate'), { ok: true });
    assert.equal(statSync(p).size, 0);
    assert.equal(statSync(p).mode & 0o777, 0o644 & ~process.umask());
  });

  test('FileOrCreate does not create missing parents', async () => {
    const p = path.join(tmp, 'no-parent/f');
    const r = await checkHostPathType(p, 'FileOrCreate');
    assert.equal(r.ok, false);
    assert.equal(existsSync(path.dirname(p)), false);
  });
});
