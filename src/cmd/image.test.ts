import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBusyboxImage, missingImageTools, writeDockerSaveTarball } from '../testing/test-images.js';
import { formatImageTable, humanSize, runImage } from './image.js';
import { UsageError } from './flags.js';

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
