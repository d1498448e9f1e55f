import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBackendConformance } from './conformance.case.test.js';
import { MemoryBackend } from './memory/memory-backend.js';
import { instrumentBackend } from './metrics.js';

test('instrumentBackend observes each call, failures included', async () => {
  const seen: [string, number][] = [];
  const b = instrumentBackend(new MemoryBackend(), (op, s) => seen.push([op, s]));
  await b.create('/a', new Uint8Array([1]));
  await b.get('/a');
  await b.range('/');
  await assert.rejects(b.create('/b', new Uint8Array([1]), { lease: 42 }));
  assert.deepEqual(seen.map(([op]) => op), ['create', 'get', 'range', 'create']);
  assert.ok(seen.every(([, s]) => s >= 0 && s < 1));
  assert.equal(b.name, 'memory');
  await b.dispose();
});

// The wrapper must be invisible: it passes the whole contract itself.
runBackendConformance('memory (instrumented)', async () => {
  const backend = instrumentBackend(new MemoryBackend(), () => {});
  return { backend, cleanup: async () => backend.dispose() };
});
