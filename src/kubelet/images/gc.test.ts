import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planImageGC, validateGCPolicy } from './gc.js';

const GB = 1_000_000_000;
const images = [
  { id: 'sha256:a', bytes: 10 * GB, lastUsed: 300 },
  { id: 'sha256:b', bytes: 5 * GB, lastUsed: 100 },
  { id: 'sha256:c', bytes: 20 * GB, lastUsed: 200 },
];

describe('planImageGC', () => {
  const cases: { name: string; available: number; inUse?: string[]; want: string[]; toFree: number }[] = [
    { name: 'below the high threshold nothing is removed', available: 20 * GB, want: [], toFree: 0 },
    { name: 'at 85% frees down to 80%: LRU first until enough', available: 15 * GB, want: ['sha256:b'], toFree: 5 * GB },
    { name: 'more to free takes the next least recently used', available: 10 * GB, want: ['sha256:b', 'sha256:c'], toFree: 10 * GB },
    { name: 'in-use images are kept even when space is short', available: 1 * GB, inUse: ['sha256:c'], want: ['sha256:b', 'sha256:a'], toFree: 19 * GB },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = planImageGC(images, { capacityBytes: 100 * GB, availableBytes: c.available }, { highThresholdPercent: 85, lowThresholdPercent: 80 }, new Set(c.inUse ?? []));
      assert.deepEqual(plan.remove, c.want);
      assert.equal(plan.bytesToFree, c.toFree);
    });
  }
  test('policy validation uses the kubelet messages', () => {
    assert.equal(validateGCPolicy({ highThresholdPercent: 50, lowThresholdPercent: 60 }), 'LowThresholdPercent 60 can not be higher than HighThresholdPercent 50');
    assert.equal(validateGCPolicy({ highThresholdPercent: 101, lowThresholdPercent: 60 }), 'invalid HighThresholdPercent 101, must be in range [0-100]');
    assert.equal(validateGCPolicy({ highThresholdPercent: 85, lowThresholdPercent: 80 }), undefined);
  });
});
