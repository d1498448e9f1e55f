import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { readJsonFile, writeJsonFile } from './json-file.js';

describe('JSON state files', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-json-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const fresh = () => path.join(dir, `f${n++}.json`);

  test('a replaced file reads back its last value and leaves no temporary', () => {
    const f = fresh();
    writeJsonFile(f, { v: 1 });
    writeJsonFile(f, { v: 2, more: ['x'] });
    assert.deepEqual(readJsonFile(f), { v: 2, more: ['x'] });
    assert.deepEqual(readdirSync(dir).filter((x) => x.startsWith(path.basename(f))), [path.basename(f)]);
  });

  test('a missing file reads as undefined', () => {
    assert.equal(readJsonFile(fresh()), undefined);
  });

  test('stopped between unlink and rename: the complete temporary is read', () => {
    const f = fresh();
    writeFileSync(`${f}.tmp`, JSON.stringify({ v: 3 }));
    assert.deepEqual(readJsonFile(f), { v: 3 });
    writeJsonFile(f, { v: 4 });
    assert.deepEqual(readJsonFile(f), { v: 4 });
    assert.equal(existsSync(`${f}.tmp`), false);
  });

  test('stopped while writing the temporary: the old value stands', () => {
    const f = fresh();
    writeJsonFile(f, { v: 5 });
    writeFileSync(`${f}.tmp`, '{"v": 6, "cut');
    assert.deepEqual(readJsonFile(f), { v: 5 });
  });

  test('content that does not parse reads as undefined', () => {
    const f = fresh();
    writeFileSync(f, 'not json');
    assert.equal(readJsonFile(f), undefined);
  });
});
