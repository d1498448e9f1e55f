import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBackend, parseEndpoint, type BackendEndpoint } from './factory.js';

describe('parseEndpoint', () => {
  const cases: { name: string; endpoint?: string; want?: BackendEndpoint; error?: RegExp }[] = [
    { name: 'absent means embedded sqlite', endpoint: undefined, want: { kind: 'sqlite', path: '/data/db/state.db' } },
    { name: 'empty means embedded sqlite', endpoint: '', want: { kind: 'sqlite', path: '/data/db/state.db' } },
    { name: 'sqlite keyword', endpoint: 'sqlite', want: { kind: 'sqlite', path: '/data/db/state.db' } },
    { name: 'sqlite with absolute path', endpoint: 'sqlite:///var/lib/x/state.db', want: { kind: 'sqlite', path: '/var/lib/x/state.db' } },
    { name: 'sqlite with relative path', endpoint: 'sqlite://state.db', error: /must be absolute/ },
    { name: 'sqlite directory', endpoint: 'sqlite:///var/lib/', error: /directory/ },
    { name: 'memory', endpoint: 'memory', want: { kind: 'memory' } },
    { name: 'one etcd', endpoint: 'http://10.0.0.1:2379', want: { kind: 'etcd', endpoints: ['http://10.0.0.1:2379'] } },
    { name: 'etcd list', endpoint: 'https://a:2379,https://b:2379', want: { kind: 'etcd', endpoints: ['https://a:2379', 'https://b:2379'] } },
    { name: 'etcd list with a bad member', endpoint: 'http://a:2379,mysql://b', error: /invalid datastore endpoint.*scheme/ },
    { name: 'mysql is not supported', endpoint: 'mysql://root@tcp(127.0.0.1)/k', error: /unsupported datastore endpoint/ },
    { name: 'postgres is not supported', endpoint: 'postgres://x', error: /unsupported datastore endpoint/ },
    { name: 'typo', endpoint: 'sqllite', error: /unsupported datastore endpoint "sqllite"/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      if (c.error) return assert.throws(() => parseEndpoint(c.endpoint, '/data'), c.error);
      assert.deepEqual(parseEndpoint(c.endpoint, '/data'), c.want);
    });
  }
});

describe('openBackend', () => {
  test('opens sqlite under the data dir and memory by name', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-factory-'));
    try {
      const s = await openBackend({ dataDir: dir });
      assert.equal(s.name, 'sqlite');
      await s.create('/k', new Uint8Array([1]));
      await s.dispose();
      assert.ok(fs.existsSync(path.join(dir, 'db', 'state.db')));
      const m = await openBackend({ dataDir: dir, endpoint: 'memory' });
      assert.equal(m.name, 'memory');
      await m.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unreachable etcd fails at open with a clear message', async () => {
    await assert.rejects(openBackend({ dataDir: '/nonexistent', endpoint: 'http://127.0.0.1:1' }), /cannot reach etcd at http:\/\/127\.0\.0\.1:1/);
  });
});
