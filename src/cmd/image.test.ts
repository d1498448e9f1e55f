import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBusyboxImage, missingImageTools, writeDockerSaveTarball } from '../testing/test-images.js';
import { formatImageTable, humanSize, runImage } from './image.js';
import { UsageError } from './flags.js';
import { k8ts } from '../testing/cli.js';

describe('humanSize', () => {
  const cases: [number, string][] = [
    [0, '0B'],
    [512, '512B'],
    [1000, '1kB'],
    [2_220_000, '2.22MB'],
    [12_345_678, '12.3MB'],
    [123_456_789, '123MB'],
    [5_000_000_000, '5GB'],
  ];
  for (const [n, want] of cases) test(`${n} → ${want}`, () => assert.equal(humanSize(n), want));
});

describe('formatImageTable', () => {
  test('sorted by name, one row per tag, <none> for untagged, 13-character ids', () => {
    const id = `sha256:${'ab'.repeat(32)}`;
    const out = formatImageTable([
      { id, repoTags: ['docker.io/library/busybox:1.35', 'docker.io/library/busybox:latest'], repoDigests: [], size: 1_053_593 },
      { id: `sha256:${'cd'.repeat(32)}`, repoTags: [], repoDigests: [`127.0.0.1:5000/x@sha256:${'ef'.repeat(32)}`], size: 10 },
    ]);
    assert.equal(
      out,
      [
        'IMAGE                       TAG                 IMAGE ID            SIZE',
        '127.0.0.1:5000/x            <none>              cdcdcdcdcdcdc       10B',
        'docker.io/library/busybox   1.35                ababababababa       1.05MB',
        'docker.io/library/busybox   latest              ababababababa       1.05MB',
        '',
      ].join('\n'),
    );
  });
});

describe('k8ts image', { skip: missingImageTools({ registry: false }) }, () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-image-cmd-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function k8ts(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runImage(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
    return { code, out, err };
  }

  test('import a docker save tarball, list it, remove it', async () => {
    const layout = await buildBusyboxImage(path.join(dir, 'layout'), { tag: '1.35' });
    const file = path.join(dir, 'busybox.tar');
    await writeDockerSaveTarball(layout, file, { repoTags: ['busybox:1.35'] });
    const dataDir = path.join(dir, 'data');
    const imp = await k8ts('import', file, '--data-dir', dataDir);
    assert.equal(imp.code, 0);
    assert.equal(imp.out, `imported docker.io/library/busybox:1.35 (${layout.configDigest})\n`);
    assert.ok(fs.existsSync(path.join(dataDir, 'agent', 'images', 'images.json')));
    const ls = await k8ts('ls', '--data-dir', dataDir);
    const lines = ls.out.trim().split('\n');
    assert.match(lines[0]!, /^IMAGE\s+TAG\s+IMAGE ID\s+SIZE$/);
    assert.match(lines[1]!, new RegExp(`^docker.io/library/busybox\\s+1.35\\s+${layout.configDigest.slice(7, 20)}\\s+\\d`));
    assert.equal((await k8ts('ls', '-q', '--data-dir', dataDir)).out, `${layout.configDigest}\n`);
    const rm = await k8ts('rm', 'busybox:1.35', '--data-dir', dataDir);
    assert.deepEqual([rm.code, rm.out], [0, 'Deleted: docker.io/library/busybox:1.35\n']);
    const again = await k8ts('rm', 'busybox:1.35', '--data-dir', dataDir);
    assert.deepEqual([again.code, again.err], [1, 'no such image busybox:1.35 present\n']);
    assert.equal((await k8ts('ls', '--data-dir', dataDir)).out.trim().split('\n').length, 1);
  });

  test('usage errors', async () => {
    await assert.rejects(k8ts('import', '--data-dir', dir), UsageError);
    await assert.rejects(k8ts('frobnicate'), UsageError);
  });
});

describe('k8ts image refuses bad input (the real command line)', { concurrency: 4 }, () => {
  let dir: string;
  let dataDir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-image-errors-'));
    dataDir = path.join(dir, 'data');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function usageError(args: string[], message: string): Promise<void> {
    const r = await k8ts(['image', ...args, '--data-dir', dataDir]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `Incorrect Usage: ${message}\n\n`);
  }

  /** exit 1 with `error: cannot import FILE: <why>`, and the store lists nothing. */
  async function importFails(file: string, why: string): Promise<void> {
    const r = await k8ts(['image', 'import', file, '--data-dir', dataDir]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `error: cannot import ${file}: ${why}\n`);
    assert.equal(r.stdout, '');
    const ls = await k8ts(['image', 'ls', '-q', '--data-dir', dataDir]);
    assert.deepEqual([ls.code, ls.stdout], [0, ''], 'a failed import adds nothing');
  }

  test('an unknown subcommand', () => usageError(['frobnicate'], 'unknown image command "frobnicate" (k8ts image import FILE | ls | rm IMAGE...)'));
  test('import without a FILE', () => usageError(['import'], 'image import needs exactly one FILE'));
  test('import of two FILEs', () => usageError(['import', 'a.tar', 'b.tar'], 'image import needs exactly one FILE'));
  test('rm without an IMAGE', () => usageError(['rm'], 'image rm needs at least one IMAGE'));
  test('ls with an argument', () => usageError(['ls', 'busybox'], 'unexpected argument: busybox'));
  test('an unknown flag', () => usageError(['ls', '--all'], 'flag provided but not defined: -all'));

  test('rm of an image that is not there, in crictl\'s words', async () => {
    const r = await k8ts(['image', 'rm', 'busybox:9.9', '--data-dir', dataDir]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'no such image busybox:9.9 present\n');
  });
  test('import of a file that does not exist', () => importFails(path.join(dir, 'missing.tar'), 'no such file or directory'));
  test('import of a file that is not a tar archive', () => {
    const f = path.join(dir, 'corrupt.tar');
    fs.writeFileSync(f, 'not a tar archive');
    return importFails(f, 'archive/tar: unexpected EOF');
  });
  test('import of a directory that holds no image', () => {
    const d = path.join(dir, 'empty-layout');
    fs.mkdirSync(d);
    return importFails(d, `${d}: neither an OCI image layout (oci-layout, index.json) nor a docker save archive (manifest.json)`);
  });
});
