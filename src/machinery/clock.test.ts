import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rfc3339, rfc3339Micro } from './clock.js';

test('rfc3339: whole seconds in UTC, the same text within a second, the next one after', () => {
  const t = Date.UTC(2026, 10, 22, 20, 59, 7, 0);
  assert.equal(rfc3339(t), '2026-11-22T20:59:07Z');
  assert.equal(rfc3339(t + 999), '2026-11-22T20:59:07Z');
  assert.equal(rfc3339(t + 1000), '2026-11-22T20:59:08Z');
  // Going back in time (another clock) is answered for that time, not from the last call.
  assert.equal(rfc3339(t - 1), '2026-11-22T20:59:06Z');
  assert.equal(rfc3339(0), '1970-01-01T00:00:00Z');
});

test('rfc3339Micro: microseconds as upstream writes them', () => {
  assert.equal(rfc3339Micro(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05.678000Z');
});
