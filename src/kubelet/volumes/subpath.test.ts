import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandSubPathExpr, prepareSubPath } from './subpath.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-subpath-'));
const vol = path.join(tmp, 'vol');
const outside = path.join(tmp, 'outside');
mkdirSync(vol, { mode: 0o777 });
mkdirSync(outside);
mkdirSync(path.join(vol, 'exists'));
writeFileSync(path.join(vol, 'file.txt'), 'x');
symlinkSync(outside, path.join(vol, 'escape'));
symlinkSync('exists', path.join(vol, 'inner-link'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const ids = { volumeMountName: 'data', containerName: 'app' };

describe('prepareSubPath', () => {
  const cases: { name: string; sub: string; want: { hostPath: string } | { message: string } }[] = [
    { name: 'existing directory', sub: 'exists', want: { hostPath: path.join(vol, 'exists') } },
    { name: 'existing file', sub: 'file.txt', want: { hostPath: path.join(vol, 'file.txt') } },
    { name: 'symlink inside the volume resolves', sub: 'inner-link', want: { hostPath: path.join(vol, 'exists') } },
    { name: 'absolute path', sub: '/etc', want: { message: 'error SubPath `/etc` must not be an absolute path' } },
    { name: 'backsteps', sub: 'a/../../b', want: { message: "unable to provision SubPath `a/../../b`: must not contain '..'" } },
    { name: 'symlink out of the volume', sub: 'escape', want: { message: 'failed to prepare subPath for volumeMount "data" of container "app"' } },
    { name: 'missing path below an escaping symlink', sub: 'escape/new', want: { message: 'failed to prepare subPath for volumeMount "data" of container "app"' } },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await prepareSubPath(vol, c.sub, ids);
      assert.deepEqual(r, 'hostPath' in c.want ? { ok: true, hostPath: c.want.hostPath } : { ok: false, message: c.want.message });
    });
  }

  test('a missing subPath is created with the volume mode', async () => {
    const r = await prepareSubPath(vol, 'made/deeper', ids);
    assert.deepEqual(r, { ok: true, hostPath: path.join(vol, 'made/deeper') });
    assert.ok(statSync(path.join(vol, 'made/deeper')).isDirectory());
    assert.equal(statSync(path.join(outside)).isDirectory(), true);
    assert.deepEqual(await prepareSubPath(vol, 'escape/new', ids), { ok: false, message: 'failed to prepare subPath for volumeMount "data" of container "app"' });
    assert.throws(() => statSync(path.join(outside, 'new')), 'nothing created outside the volume');
  });
});

describe('expandSubPathExpr', () => {
  const envs = [{ key: 'POD_NAME', value: 'web-0' }, { key: 'EMPTY', value: '' }];
  const cases: { name: string; expr: string; want: { subPath: string } | { message: string } }[] = [
    { name: 'one variable', expr: 'logs/$(POD_NAME)', want: { subPath: 'logs/web-0' } },
    { name: 'escaped', expr: '$$(POD_NAME)', want: { subPath: '$(POD_NAME)' } },
    { name: 'missing variables are listed sorted', expr: '$(B)/$(A)/$(POD_NAME)', want: { message: 'missing value for A, B' } },
    { name: 'empty variable counts as missing', expr: '$(EMPTY)', want: { message: 'missing value for EMPTY' } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = expandSubPathExpr(c.expr, envs);
      assert.deepEqual(r, 'subPath' in c.want ? { ok: true, subPath: c.want.subPath } : { ok: false, message: c.want.message });
    });
  }
});
