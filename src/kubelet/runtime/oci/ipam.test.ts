import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ipam, parseCidr } from './ipam.js';

test('parseCidr', () => {
  const cases = [
    { in: '10.244.1.0/24', want: { network: (10 * 2 ** 24) + (244 << 16) + (1 << 8), prefix: 24 } },
    { in: '10.244.1.7/24', want: { network: (10 * 2 ** 24) + (244 << 16) + (1 << 8), prefix: 24 } },
    { in: '10.244.1.0/31', want: undefined },
    { in: '300.1.1.0/24', want: undefined },
    { in: 'nonsense', want: undefined },
  ];
  for (const c of cases) assert.deepEqual(parseCidr(c.in), c.want, c.in);
});

test('Ipam allocates from .2, persists, does not reuse at once, exhausts', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-ipam-'));
  try {
    const file = path.join(dir, 'ipam.json');
    const a = new Ipam(file, '10.9.0.0/29');
    assert.deepEqual(await a.allocate('p1'), { ok: true, ip: '10.9.0.2' });
    assert.deepEqual(await a.allocate('p1'), { ok: true, ip: '10.9.0.2' }, 'same owner, same address');
    assert.deepEqual(await a.allocate('p2'), { ok: true, ip: '10.9.0.3' });
    await a.release('p1');
    const b = new Ipam(file, '10.9.0.0/29');
    const got = await Promise.all(['p3', 'p4', 'p5', 'p6'].map((p) => b.allocate(p)));
    assert.deepEqual(got.map((g) => (g.ok ? g.ip : g.reason)), ['10.9.0.4', '10.9.0.5', '10.9.0.6', '10.9.0.2']);
    assert.deepEqual(await b.allocate('p7'), { ok: false, reason: 'Exhausted' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
